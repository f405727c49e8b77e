/**
 * The package served to other languages: the schema Pulumi's component provider host infers from the
 * classes provider/index.ts exports (generated offline, as `pulumi package add` would), and a
 * LambdaService constructed from plain inputs, as a Python, Go or YAML program sends them.
 *
 * provider/ imports the installed `lambda-docker` package; here it is pointed at this checkout's
 * sources. test/package/pack.test.ts serves the same directory from an install of the npm tarball.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as components from "../../../components";
import { LambdaService } from "../../../components";
import { ResourceRecorder, valueOf } from "../../../plan/engine";
import { SERVED_COMPONENTS, SERVED_TYPES } from "../../support/served";
import { REPO_ROOT } from "../../support/paths";

const ROOT = REPO_ROOT;
const PROVIDER_DIR = path.join(ROOT, "provider");

const names = (list: string) =>
    list
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean);

/** The class names provider/index.ts (what the host analyzes) re-exports from the package. */
function servedNames(): string[] {
    const index = fs.readFileSync(path.join(PROVIDER_DIR, "index.ts"), "utf8");
    const match = /^export \{([^}]+)\} from "lambda-docker";$/m.exec(index);
    assert.ok(match, 'provider/index.ts re-exports the served classes from "lambda-docker"');
    return names(match[1]);
}

/** The class names provider/index.js (what the plugin runs, package.json "main") takes from the package and exports. */
function runtimeNames(): string[][] {
    const index = fs.readFileSync(path.join(PROVIDER_DIR, "index.js"), "utf8");
    const required = /^const \{([^}]+)\} = require\("lambda-docker"\);$/m.exec(index);
    const exported = /^module\.exports = \{([^}]+)\};$/m.exec(index);
    assert.ok(
        required && exported,
        'provider/index.js requires the served classes from "lambda-docker" and exports them',
    );
    return [names(required[1]), names(exported[1])];
}

/** A copy of provider/ whose `lambda-docker` import is this checkout's components/ (the host reads the copy's tsconfig and package.json). */
function sourceProviderDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-provider-src-"));
    for (const file of ["package.json", "tsconfig.json", "PulumiPlugin.yaml"])
        fs.copyFileSync(path.join(PROVIDER_DIR, file), path.join(dir, file));
    const index = fs.readFileSync(path.join(PROVIDER_DIR, "index.ts"), "utf8");
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        index.replace(
            /from "lambda-docker";/,
            `from ${JSON.stringify(path.join(ROOT, "components"))};`,
        ),
    );
    return dir;
}

function provider(dirname: string): ComponentProvider {
    const served = servedNames().map(
        (name) => (components as Record<string, unknown>)[name],
    ) as never[];
    return new ComponentProvider({ components: served, name: "lambda-docker", dirname });
}

describe("the package served to other languages", function () {
    this.timeout(120000);
    let schema: any;
    let dir: string;
    let served: ComponentProvider; // one instance: construct() reuses the schema its getSchema() inferred
    before(async () => {
        dir = sourceProviderDir();
        served = provider(dir);
        schema = JSON.parse(await served.getSchema());
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("serves the components whose args are plain data, plus the LambdaService composite", () => {
        assert.equal(schema.name, "lambda-docker");
        assert.deepEqual(Object.keys(schema.resources).sort(), SERVED_TYPES);
        assert.deepEqual(servedNames().sort(), [...SERVED_COMPONENTS]);
        assert.deepEqual(runtimeNames(), [servedNames(), servedNames()]);
        assert.equal(
            JSON.parse(fs.readFileSync(path.join(PROVIDER_DIR, "package.json"), "utf8")).main,
            "index.js",
        );
        for (const r of Object.values(schema.resources) as { isComponent: boolean }[])
            assert.equal(r.isComponent, true);
    });

    it("types LambdaService's inputs: the functions map, enums and defaults-bearing options", () => {
        const svc = schema.resources["lambda-docker:index:LambdaService"];
        assert.deepEqual(svc.requiredInputs.sort(), ["context", "functions", "stage"]);
        assert.equal(svc.inputProperties.functions.type, "object");
        assert.equal(
            svc.inputProperties.functions.additionalProperties.$ref,
            "#/types/lambda-docker:index:ServiceFunctionArgs",
        );
        assert.equal(
            svc.inputProperties.architecture.$ref,
            "#/types/lambda-docker:index:Architecture",
        );
        assert.equal(
            svc.inputProperties.tagMutability.$ref,
            "#/types/lambda-docker:index:TagMutability",
        );
        assert.deepEqual(svc.inputProperties.buildArgs.additionalProperties, {
            type: "string",
            plain: true,
        });
        assert.deepEqual(Object.keys(svc.properties).sort(), [
            "apiUrl",
            "functionArns",
            "functionNames",
            "imageTags",
            "imageUri",
            "repositoryUrl",
        ]);
        // Triggers as plain data: a route is a string on the service's own HTTP API.
        const event = schema.types["lambda-docker:index:ServiceEvent"];
        assert.deepEqual(Object.keys(event.properties).sort(), [
            "enabled",
            "http",
            "input",
            "schedule",
            "sqs",
        ]);
        assert.equal(event.properties.http.type, "string");
        const fn = schema.types["lambda-docker:index:ServiceFunctionArgs"];
        assert.deepEqual(fn.required, ["command"]);
        assert.equal(fn.properties.command.items.type, "string");
        assert.deepEqual(
            schema.types["lambda-docker:index:Architecture"].enum.map(
                (e: { value: string }) => e.value,
            ),
            ["x86_64", "arm64"],
        );
        assert.deepEqual(
            schema.types["lambda-docker:index:TagMutability"].enum.map(
                (e: { value: string }) => e.value,
            ),
            ["MUTABLE", "IMMUTABLE"],
        );
    });

    it("types the served single components: image URIs and layer ARNs as strings, outputs from their fields", () => {
        const image = schema.resources["lambda-docker:index:ImageFunction"];
        assert.deepEqual(image.requiredInputs.sort(), ["command", "image"]);
        assert.equal(image.inputProperties.image.type, "string");
        assert.deepEqual(Object.keys(image.properties).sort(), [
            "arn",
            "function",
            "functionName",
            "imageUri",
            "logGroup",
            "logGroupName",
            "role",
            "roleArn",
            "roleName",
        ]);
        // Another language routes a function on an HTTP API by its id.
        assert.equal(
            schema.types["lambda-docker:index:HttpRouteEvent"].properties.api.type,
            "string",
        );
        const zip = schema.resources["lambda-docker:index:ZipFunction"];
        assert.deepEqual(zip.inputProperties.layers.items, { type: "string" });
        assert.deepEqual(zip.requiredInputs.sort(), ["code", "handler"]);
        const layer = schema.resources["lambda-docker:index:DockerLayer"];
        assert.deepEqual(
            layer.requiredInputs,
            [],
            "exactly one of context and directory, checked by the component",
        );
        assert.deepEqual(
            [layer.inputProperties.context.type, layer.inputProperties.directory.type],
            ["string", "string"],
        );
        assert.deepEqual(Object.keys(layer.properties).sort(), [
            "arn",
            "artifactUri",
            "sha256",
            "unzippedBytes",
            "zippedBytes",
        ]);
        // Another language promotes layers too: the artifact repository by URL, the stage and a plain environment.
        assert.deepEqual(
            [
                layer.inputProperties.artifactRepository.type,
                layer.inputProperties.stage.type,
                layer.inputProperties.environment.additionalProperties,
            ],
            ["string", "string", { type: "string", plain: true }],
        );
        assert.deepEqual(
            Object.keys(schema.resources["lambda-docker:index:EcrRepository"].properties).sort(),
            ["arn", "registryId", "repositoryName", "repositoryUrl"],
        );
    });

    it("constructs a LambdaService from plain inputs, as another language's program sends them", async () => {
        const recorder = new ResourceRecorder();
        await recorder.install("dev");
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "ld-provider-"));
        try {
            fs.writeFileSync(
                path.join(context, "Dockerfile"),
                "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\n",
            );
            const result = await served.construct(
                "svc",
                "lambda-docker:index:LambdaService",
                {
                    stage: "dev",
                    context,
                    functions: {
                        orchestrator: { command: ["src.orchestrator.handler"], memorySize: 1024 },
                        api: { command: ["src.api.handler"] },
                    },
                    timeout: 60,
                },
                {},
            );
            assert.match(
                await valueOf(pulumi.output(result.urn)),
                /lambda-docker:index:LambdaService::svc$/,
            );
            await recorder.settle();
            assert.deepEqual(
                recorder.resources
                    .filter((r) => r.type.startsWith("lambda-docker:"))
                    .map((r) => `${r.type} ${r.name}`)
                    .sort(),
                [
                    "lambda-docker:index:EcrRepository svc-repo",
                    "lambda-docker:index:ImageFunction svc-api",
                    "lambda-docker:index:ImageFunction svc-orchestrator",
                    "lambda-docker:index:LambdaImage svc-image",
                    "lambda-docker:index:LambdaService svc",
                ],
            );
            const orchestrator = recorder.one(
                "aws:lambda/function:Function",
                "svc-orchestrator-function",
            );
            assert.deepEqual(
                [
                    orchestrator.inputs.imageConfig.commands,
                    orchestrator.inputs.memorySize,
                    orchestrator.inputs.timeout,
                ],
                [["src.orchestrator.handler"], 1024, 60],
            );
            assert.equal(
                recorder.one("aws:lambda/function:Function", "svc-api-function").inputs.memorySize,
                512,
            );
            assert.throws(
                () =>
                    new LambdaService("bad", {
                        stage: "dev",
                        context,
                        functions: { api: { command: ["api"] } },
                    }),
                {
                    message:
                        'LambdaService "bad": `functions.api.command[0]` must be a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler"); got "api".',
                },
            );
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
        }
    });

    it("ships a YAML program that uses the package", () => {
        const doc = YAML.parse(
            fs.readFileSync(path.join(REPO_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8"),
        );
        assert.equal(doc.runtime, "yaml");
        assert.equal(doc.packages["lambda-docker"], "../../provider");
        assert.equal(doc.resources.service.type, "lambda-docker:LambdaService");
        assert.deepEqual(Object.keys(doc.resources.service.properties.functions), [
            "orchestrator",
            "report-sync",
        ]);
        assert.equal(doc.resources.hello.type, "lambda-docker:ZipFunction");
    });
});
