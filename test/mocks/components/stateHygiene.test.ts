/**
 * What reaches the state: component inputs carry identity data only, never environment values, build
 * args, secrets or machine paths; secrets stay secret in every child.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    DockerLayer,
    EcrRepository,
    ImageFunction,
    LambdaImage,
    LambdaService,
    PromotedImage,
    ZipFunction,
} from "../../../components";
import { useLayerBuilder } from "../../../components/testing";
import { ResourceRecorder, valueOf } from "../../../plan/engine";

const recorder = new ResourceRecorder();
const SECRET = "s3cr3t-token-value";
const BUILD_ARG = "plain-build-arg-value";
const ENV_VALUE = "plain-env-value";

describe("state hygiene under mocks", () => {
    let dir: string;
    beforeEach(async () => {
        await recorder.install("dev");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-hygiene-"));
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(
            path.join(dir, "app", "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nCOPY h.py ${LAMBDA_TASK_ROOT}/\n",
        );
        fs.writeFileSync(path.join(dir, "app", "h.py"), "def handler(e, c):\n    return e\n");
        useLayerBuilder(async () => ({
            zipPath: "z.zip",
            sha256: "ab".repeat(32),
            unzippedBytes: 1,
            zippedBytes: 1,
            cached: true,
            inputHash: "h",
        }));
    });
    afterEach(() => {
        useLayerBuilder(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("registers no environment value, build arg, secret or machine path as a component input", async () => {
        const context = path.join(dir, "app");
        const environment = { TOKEN: pulumi.secret(SECRET), PLAIN: ENV_VALUE };
        const repo = new EcrRepository("app", { stage: "dev" });
        const image = new LambdaImage("app", {
            repository: repo,
            stage: "dev",
            context,
            buildArgs: { INDEX: BUILD_ARG },
            secrets: { pip: pulumi.secret(SECRET) },
        });
        const promoted = new PromotedImage("promoted", {
            repository: repo,
            stage: "dev",
            source: `123456789012.dkr.ecr.us-east-1.amazonaws.com/src@sha256:${"c".repeat(64)}`,
        });
        const seen: unknown[] = [];
        useLayerBuilder(async (options) => {
            seen.push(options.secrets);
            return {
                zipPath: "z.zip",
                sha256: "ab".repeat(32),
                unzippedBytes: 1,
                zippedBytes: 1,
                cached: true,
                inputHash: "h",
            };
        });
        const layer = new DockerLayer("core", {
            context,
            buildArgs: { INDEX: BUILD_ARG },
            secrets: { pip: { value: pulumi.secret(SECRET) }, other: { env: "PIP_TOKEN" } },
        });
        const fns = [
            new ImageFunction("img", { image, command: ["h.handler"], environment }),
            new ImageFunction("promoted-fn", {
                image: promoted,
                command: ["h.handler"],
                environment,
            }),
            new ZipFunction("zip", {
                code: context,
                handler: "h.handler",
                layers: [layer],
                environment,
            }),
        ];
        const service = new LambdaService("svc", {
            stage: "dev",
            context,
            buildArgs: { INDEX: BUILD_ARG },
            functions: { f: { command: ["h.handler"], environment } },
        });
        await Promise.all([...fns.map((f) => valueOf(f.arn)), valueOf(service.urn)]);
        await recorder.settle();
        assert.deepEqual(seen, [{ pip: { value: SECRET }, other: { env: "PIP_TOKEN" } }]); // resolved for the build only
        for (const r of recorder.resources)
            assert.equal(
                JSON.stringify(r.inputs).includes(SECRET) && !r.secretInputs.length,
                false,
                `${r.type} ${r.name}`,
            );
        const components = recorder.resources.filter((r) => r.type.startsWith("lambda-docker:"));
        assert.equal(components.length, 11); // 8 here, and LambdaService's repository, image and function
        for (const c of components) {
            const text = JSON.stringify(c.inputs);
            for (const needle of [SECRET, BUILD_ARG, ENV_VALUE, dir, os.tmpdir()]) {
                assert.equal(
                    text.includes(needle),
                    false,
                    `${c.type} ${c.name} registered ${needle}: ${text}`,
                );
            }
        }
        assert.deepEqual(
            Object.fromEntries(
                components
                    .filter((c) => Object.keys(c.inputs).length > 0)
                    .map((c) => [`${c.type.split(":").pop()} ${c.name}`, c.inputs]),
            ),
            {
                "DockerLayer core": { architecture: "x86_64" },
                "PromotedImage promoted": {
                    source: `123456789012.dkr.ecr.us-east-1.amazonaws.com/src@sha256:${"c".repeat(64)}`,
                    stage: "dev",
                },
                "ZipFunction zip": {
                    handler: "h.handler",
                    runtime: "python3.11",
                    architecture: "x86_64",
                },
            },
        );
    });

    it("keeps secret environment values secret in every function", async () => {
        const context = path.join(dir, "app");
        const environment = { TOKEN: pulumi.secret(SECRET) };
        const repo = new EcrRepository("app", { stage: "dev" });
        const image = new LambdaImage("app", { repository: repo, stage: "dev", context });
        const fns = [
            new ImageFunction("img", { image, command: ["h.handler"], environment }),
            new ZipFunction("zip", { code: context, handler: "h.handler", environment }),
        ];
        await Promise.all(fns.map((f) => valueOf(f.arn)));
        await recorder.settle();
        for (const f of recorder.ofType("aws:lambda/function:Function")) {
            assert.deepEqual(f.secretInputs, ["environment"], f.name);
            assert.equal(f.inputs.environment.variables.TOKEN, SECRET);
        }
    });
});

describe("component names that fit AWS's limits once auto-named", () => {
    beforeEach(() => recorder.install("dev"));

    it("refuses, before creating anything, names whose auto-named children would be too long or not lowercase", async () => {
        const n48 = "f".repeat(48);
        const n52 = "r".repeat(52);
        const cases: [() => unknown, string][] = [
            [
                () =>
                    new ImageFunction(n52, {
                        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:${"a".repeat(64)}`,
                        command: ["h.handler"],
                    }),
                `ImageFunction "${n52}": \`name\` must be at most 51 characters: its IAM role is auto-named \`<name>-role-<7 random>\` and AWS allows 64 (52 given); got "${n52}".`,
            ],
            [
                () =>
                    new ImageFunction(n48, {
                        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:${"a".repeat(64)}`,
                        command: ["h.handler"],
                        events: [{ schedule: "rate(1 hour)" }],
                    }),
                `ImageFunction "${n48}": \`name\` must be at most 46 characters: its scheduler role is auto-named \`<name>-scheduler-<7 random>\` and AWS allows 64 (48 given); got "${n48}".`,
            ],
            [
                () =>
                    new ImageFunction(n52, {
                        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:${"a".repeat(64)}`,
                        command: ["h.handler"],
                        functionName: "short",
                    }),
                `ImageFunction "${n52}": \`name\` must be at most 51 characters: its IAM role is auto-named \`<name>-role-<7 random>\` and AWS allows 64 (52 given); got "${n52}".`,
            ],
            [
                () => new EcrRepository("App", { stage: "dev" }),
                'EcrRepository "App": `name` must be lowercase letters, digits and inner . _ - when `repositoryName` is not given (ECR repository names are lowercase); got "App".',
            ],
        ];
        for (const [make, message] of cases)
            assert.throws(make, { name: "ValidationError", message });
        // The longest allowed name (its function is named <name>-<8 hex>: 60 characters), and a capitalized name with an explicit repository name, are accepted.
        new ImageFunction("f".repeat(51), {
            image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:${"a".repeat(64)}`,
            command: ["h.handler"],
        });
        new EcrRepository("App", { stage: "dev", repositoryName: "app" });
        await recorder.settle();
        assert.deepEqual(
            recorder.summary().filter((s) => s.startsWith("lambda-docker:")),
            [
                "lambda-docker:index:EcrRepository App",
                `lambda-docker:index:ImageFunction ${"f".repeat(51)}`,
            ],
        );
    });
});
