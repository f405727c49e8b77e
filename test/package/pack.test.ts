/**
 * The package as other projects get it. One `npm pack` and one install into a directory outside the
 * repository serve every check: a minimal program on the main entry, examples/consumer compiled with
 * tsc and run under mocks (and its own tests, which use `lambda-docker/testing`), the `exports` map as
 * TypeScript and Node resolve it, the CLI bin, and provider/ serving its schema through Pulumi's
 * plugin launcher, as `pulumi package add` would run it.
 *
 * Layout of the install: the consumer and the provider are copied into subdirectories of one project
 * whose dependencies are the union of theirs, with `lambda-docker` from the tarball. Both resolve
 * their modules from the shared node_modules one level up, as they would from their own.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SERVED_TYPES } from "../support/served";
import { builtCli } from "../support/cli";
import { REPO_ROOT } from "../support/paths";

const ROOT = REPO_ROOT;

const MINIMAL = `
const assert = require("node:assert/strict");
const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (a) => { types.push(a.type + " " + a.name); return { id: a.name + "-id", state: { ...a.inputs,
        repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", registryId: "123456789012", arn: "arn:x", name: a.name,
        digest: "sha256:" + "a".repeat(64) } }; },
    call: () => ({ userName: "AWS", password: "p", proxyEndpoint: "https://x" }),
}, "consumer", "dev", false);
const { EcrRepository, LambdaImage, ImageFunction, DockerLayer, ZipFunction } = require("lambda-docker");
const { buildLayer } = require("lambda-docker/local");
for (const f of [EcrRepository, LambdaImage, ImageFunction, DockerLayer, ZipFunction, buildLayer]) assert.equal(typeof f, "function");
const repo = new EcrRepository("app", { stage: "dev", keepImages: 10, untaggedExpiryDays: 1, tagMutability: "MUTABLE", forceDelete: true });
const image = new LambdaImage("app", { repository: repo, stage: "dev", context: "app", architecture: "x86_64" });
const fn = new ImageFunction("orchestrator", { image, command: ["src.functions.campaign.orchestrator.handler"], memorySize: 512, timeout: 30 });
fn.imageUri.apply((uri) => {
    setTimeout(() => { console.log(JSON.stringify({ uri, types: types.sort() })); }, 500);
});
`;

/** Runs the compiled examples/consumer program under mocks, with a layer builder that needs no Docker. */
const CONSUMER_RUNNER = `
const pulumi = require("@pulumi/pulumi");
const types = [];
const inputs = {};
pulumi.runtime.setMocks({
    newResource: (a) => { types.push(a.type + " " + a.name); inputs[a.name] = a.inputs; return { id: a.name + "-id", state: { ...a.inputs,
        repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/greeter", registryId: "123456789012", arn: "arn:aws:x:" + a.name, name: a.name,
        digest: "sha256:" + "b".repeat(64) } }; },
    call: (c) => c.token.includes("getRegion") ? { region: "us-east-1", name: "us-east-1" }
        : c.token.includes("getCallerIdentity") ? { accountId: "123456789012" } : { userName: "AWS", password: "p", proxyEndpoint: "https://x" },
}, "lambda-docker-consumer", "dev", false);
pulumi.runtime.setAllConfig({ "lambda-docker-consumer:memorySize": "256" });
require("lambda-docker/testing").useLayerBuilder(async () => ({ zipPath: "layer.zip", sha256: "c".repeat(64), unzippedBytes: 10, zippedBytes: 5, cached: true, inputHash: "h" }));
const outputs = require("./bin/index.js");
pulumi.all(outputs).apply((values) => setTimeout(() => {
    const fn = inputs["hello-function"];
    console.log(JSON.stringify({ values, types: types.sort(), hello: { layers: fn.layers, env: fn.environment, memorySize: fn.memorySize },
        greeter: inputs["greeter-function"].imageConfig }));
}, 500));
`;

/** Every entry of the `exports` map, as a consumer's TypeScript resolves it: moduleResolution node (typesVersions) and nodenext (exports). */
const RESOLVE_CHECK = `
const ts = require("typescript");
const entries = ["lambda-docker", "lambda-docker/testing", "lambda-docker/local", "lambda-docker/manifest", "lambda-docker/registry"];
const from = require("path").join(process.cwd(), "index.ts");
const modes = {
    node: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
    nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
};
const out = {};
for (const [mode, options] of Object.entries(modes)) {
    out[mode] = {};
    for (const e of entries) {
        const r = ts.resolveModuleName(e, from, options, ts.sys, undefined, undefined, ts.ModuleKind.CommonJS).resolvedModule;
        out[mode][e] = r ? require("fs").realpathSync(r.resolvedFileName) : null;
    }
}
console.log(JSON.stringify(out));
`;

/** Asks a component provider plugin for its schema over gRPC, as the engine does (`pulumi package get-schema`). */
const GET_SCHEMA = `
const path = require("path");
const dir = path.resolve(process.argv[2]);
const load = (m) => require(require.resolve(m, { paths: [dir] }));
const grpc = load("@grpc/grpc-js");
const { ResourceProviderClient } = load("@pulumi/pulumi/proto/provider_grpc_pb.js");
const { GetSchemaRequest } = load("@pulumi/pulumi/proto/provider_pb.js");
const client = new ResourceProviderClient("127.0.0.1:" + process.argv[3], grpc.credentials.createInsecure());
client.getSchema(new GetSchemaRequest(), (err, resp) => {
    if (err) { console.error(err.details || err.message); process.exit(1); }
    process.stdout.write(resp.getSchema());
    client.close();
});
`;

interface PackageJson {
    name: string;
    version: string;
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;

/** The environment of another project: none of this repository's ts-node settings (npm test runs mocha transpile-only). */
const ENV = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_")),
);

function run(cmd: string, args: string[], cwd: string): string {
    try {
        return execFileSync(cmd, args, {
            cwd,
            env: ENV,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(
            `${cmd} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}${e.stderr ?? e.message}`,
        );
    }
}

/** The union of the projects' dependencies; a package both declare must have the same range in both. */
function unionDependencies(...pkgs: PackageJson[]): Record<string, string> {
    const all: Record<string, string> = {};
    for (const pkg of pkgs) {
        for (const [name, range] of Object.entries({
            ...pkg.dependencies,
            ...pkg.devDependencies,
        })) {
            if (name === "lambda-docker") continue;
            assert.ok(
                all[name] === undefined || all[name] === range,
                `${pkg.name} wants ${name}@${range}, another project here ${all[name]}`,
            );
            all[name] = range;
        }
    }
    return all;
}

describe("the packed package, installed once outside the repository", function () {
    this.timeout(600000);
    let dir: string;
    let files: string[];
    let version: string;
    let plugin: ChildProcess | undefined;
    const consumer = () => path.join(dir, "consumer");
    const providerDir = () => path.join(dir, "provider");

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-pack-"));
        // dist/ is built and current (npm test builds it first; builtCli checks): no second build through `prepare`.
        builtCli();
        const packed = JSON.parse(
            run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], ROOT),
        );
        files = (packed[0].files as { path: string }[]).map((f) => f.path);
        version = packed[0].version;
        const tarball = path.join(dir, packed[0].filename);
        const copy = (from: string, to: string) =>
            fs.cpSync(from, to, {
                recursive: true,
                filter: (src) => !/node_modules|[\\/]bin$/.test(src),
            });
        copy(path.join(ROOT, "examples", "consumer"), consumer());
        copy(path.join(ROOT, "provider"), providerDir());
        const deps = unionDependencies(
            readJson(path.join(consumer(), "package.json")),
            readJson(path.join(providerDir(), "package.json")),
        );
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify(
                {
                    name: "ld-pack-check",
                    private: true,
                    dependencies: { ...deps, "lambda-docker": `file:${tarball}` },
                },
                null,
                2,
            ),
        );
        // Every dependency is in the npm cache after `npm ci`: no network unless one is missing. No install
        // scripts: @pulumi/docker-build's would download its provider plugin, which no check here needs.
        run(
            "npm",
            ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"],
            dir,
        );
    });
    after(() => {
        plugin?.kill();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("ships the built JS and declarations, the component and lib sources (for the provider's schema), the runtime's Python, the manifest's JSON Schema, README and LICENSE", () => {
        const other = files.filter(
            (f) =>
                !/^dist\/(components|lib|cli|config)\/.+\.(js|d\.ts)$/.test(f) &&
                !/^(components|lib)\/.+\.ts$/.test(f),
        );
        assert.deepEqual(other.sort(), [
            "LICENSE",
            "README.md",
            "lib/local/python/bootstrap.py",
            "lib/local/python/check_handlers.py",
            "lib/local/python/lambda_layers.py",
            "lib/local/python/lambda_runtime.py",
            "lib/local/python/serve_loop.py",
            "package.json",
            "schema/lambda-docker.schema.json",
        ]);
        for (const f of ["dist/config/stackConfig.js", "dist/config/stackFile.js"])
            assert.ok(files.includes(f), `the CLI reads stack files, but the tarball lacks ${f}`);
        for (const f of [
            "dist/components/index.js",
            "dist/components/index.d.ts",
            "dist/cli/main.js",
            "components/index.ts",
        ])
            assert.ok(files.includes(f), `the tarball lacks ${f}`);
        const testing = [
            "dist/components/testing/index.js",
            "dist/components/testing/index.d.ts",
        ].filter((f) => !files.includes(f));
        assert.deepEqual(
            testing,
            [],
            `package.json exports "./testing", but the tarball lacks ${testing.join(" and ")} (is components/testing/index.ts missing?)`,
        );
    });

    it("builds EcrRepository, LambdaImage and ImageFunction through the main entry", () => {
        const app = path.join(consumer(), "minimal");
        fs.mkdirSync(path.join(app, "app"), { recursive: true });
        fs.writeFileSync(
            path.join(app, "app", "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\n",
        );
        fs.writeFileSync(path.join(app, "program.js"), MINIMAL);
        const out = JSON.parse(run(process.execPath, ["program.js"], app));
        assert.equal(
            out.uri,
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${"a".repeat(64)}`,
        );
        assert.deepEqual(out.types, [
            "aws:cloudwatch/logGroup:LogGroup orchestrator-logs",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy app-lifecycle",
            "aws:ecr/repository:Repository app-repository",
            "aws:iam/role:Role orchestrator-role",
            "aws:iam/rolePolicy:RolePolicy orchestrator-policy",
            "aws:lambda/function:Function orchestrator-function",
            "docker-build:index:Image app-image",
            "lambda-docker:index:EcrRepository app",
            "lambda-docker:index:ImageFunction orchestrator",
            "lambda-docker:index:LambdaImage app",
        ]);
    });

    it("resolves every export: Node (require), TypeScript with moduleResolution node (typesVersions) and nodenext (exports)", () => {
        const node = JSON.parse(
            run(
                process.execPath,
                [
                    "-e",
                    `
            const pkg = require("lambda-docker/package.json");
            console.log(JSON.stringify({ version: pkg.version, main: typeof require("lambda-docker").EcrRepository,
                testing: Object.keys(require("lambda-docker/testing")).length > 0, main2: require.resolve("lambda-docker"), testing2: require.resolve("lambda-docker/testing"),
                local: typeof require("lambda-docker/local").invokeLocal, manifest: typeof require("lambda-docker/manifest").readManifest,
                registry: typeof require("lambda-docker/registry").promoteImage }));
        `,
                ],
                consumer(),
            ),
        );
        assert.deepEqual(node, {
            version,
            main: "function",
            testing: true,
            local: "function",
            manifest: "function",
            registry: "function",
            main2: path.join(
                dir,
                "node_modules",
                "lambda-docker",
                "dist",
                "components",
                "index.js",
            ),
            testing2: path.join(
                dir,
                "node_modules",
                "lambda-docker",
                "dist",
                "components",
                "testing",
                "index.js",
            ),
        });
        // What each entry resolves to, asked of the consumer's own TypeScript in both resolution modes (the
        // declarations themselves compile in the next tests, which import the main entry and ./testing).
        fs.writeFileSync(path.join(consumer(), "resolve-check.js"), RESOLVE_CHECK);
        const resolved = JSON.parse(run(process.execPath, ["resolve-check.js"], consumer()));
        const dts = (entry: string) =>
            path.join(dir, "node_modules", "lambda-docker", "dist", entry, "index.d.ts");
        const expected = {
            "lambda-docker": dts("components"),
            "lambda-docker/testing": dts("components/testing"),
            "lambda-docker/local": dts("lib/local"),
            "lambda-docker/manifest": dts("lib/manifest"),
            "lambda-docker/registry": dts("lib/registry"),
        };
        assert.deepEqual(resolved, { node: expected, nodenext: expected });
    });

    it("runs the lambda-docker CLI from its bin", () => {
        assert.match(
            run(path.join(dir, "node_modules", ".bin", "lambda-docker"), ["--help"], consumer()),
            /^Usage: lambda-docker/,
        );
    });

    it("compiles examples/consumer with tsc and runs it under mocks", () => {
        run(
            process.execPath,
            [path.join(dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."],
            consumer(),
        );
        fs.writeFileSync(path.join(consumer(), "run-under-mocks.js"), CONSUMER_RUNNER);
        // The last line is the runner's JSON; lines before it are the engine-less pulumi.log output.
        const lines = run(process.execPath, ["run-under-mocks.js"], consumer()).trim().split("\n");
        const out = JSON.parse(lines[lines.length - 1]);
        assert.deepEqual(
            out.types.filter((t: string) => t.startsWith("lambda-docker:")),
            [
                "lambda-docker:index:DockerLayer greeting",
                "lambda-docker:index:EcrRepository greeter",
                "lambda-docker:index:ImageFunction greeter",
                "lambda-docker:index:LambdaImage greeter",
                "lambda-docker:index:ZipFunction hello",
            ],
        );
        assert.equal(
            out.values.imageUri,
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/greeter@sha256:${"b".repeat(64)}`,
        );
        assert.deepEqual(out.greeter, { commands: ["handlers.greet.handler"] });
        assert.deepEqual(out.hello, {
            layers: ["arn:aws:x:greeting-layer"],
            env: { variables: { PYTHONPATH: "/opt/python" } },
            memorySize: 256,
        });
    });

    it("passes examples/consumer's own tests, which use lambda-docker/testing", () => {
        const scripts = readJson(path.join(consumer(), "package.json")).scripts ?? {};
        assert.ok(
            scripts.test,
            'examples/consumer/package.json has no "test" script (its tests show a consumer using lambda-docker/testing)',
        );
        run("npm", ["test"], consumer());
    });

    it("serves provider/ from the install: Pulumi's plugin launcher infers the schema, enums included", async () => {
        const declared = Object.keys(
            readJson(path.join(providerDir(), "package.json")).dependencies ?? {},
        ).sort();
        assert.deepEqual(declared, [
            "@pulumi/aws",
            "@pulumi/docker-build",
            "@pulumi/pulumi",
            "lambda-docker",
            "typescript",
        ]);
        // The host and the components must share one SDK instance (its runtime state: monitor, config, stack).
        const nested = path.join(
            dir,
            "node_modules",
            "lambda-docker",
            "node_modules",
            "@pulumi",
            "pulumi",
        );
        assert.ok(
            !fs.existsSync(nested),
            `lambda-docker got its own @pulumi/pulumi (${nested}): the provider's range and the package's differ`,
        );
        // What the Node.js language host runs for a plugin: node <its run-plugin> <plugin dir>, from the user's
        // directory (here an empty one, as a Python or YAML program's has no node_modules or tsconfig.json).
        const launcher = require.resolve("@pulumi/pulumi/cmd/run-plugin", {
            paths: [providerDir()],
        });
        assert.ok(
            launcher.startsWith(path.join(dir, "node_modules")),
            `run-plugin resolved outside the install: ${launcher}`,
        );
        const program = fs.mkdtempSync(path.join(os.tmpdir(), "ld-program-"));
        const child = spawn(process.execPath, [launcher, providerDir()], {
            cwd: program,
            env: ENV,
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.on("exit", () => fs.rmSync(program, { recursive: true, force: true }));
        plugin = child;
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            child.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /^(\d+)\n/.exec(out);
                if (m) resolve(m[1]);
            });
            child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
            child.on("exit", (code) =>
                reject(new Error(`the provider exited (${code}) before serving:\n${out}${err}`)),
            );
        });
        fs.writeFileSync(path.join(dir, "get-schema.js"), GET_SCHEMA);
        const schema = JSON.parse(
            run(process.execPath, ["get-schema.js", providerDir(), port], dir),
        );
        child.kill();
        assert.deepEqual([schema.name, schema.version], ["lambda-docker", version]);
        assert.deepEqual(Object.keys(schema.resources).sort(), SERVED_TYPES);
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
        const svc = schema.resources["lambda-docker:index:LambdaService"];
        assert.deepEqual(svc.requiredInputs.sort(), ["context", "functions", "stage"]);
        assert.equal(
            svc.inputProperties.functions.additionalProperties.$ref,
            "#/types/lambda-docker:index:ServiceFunctionArgs",
        );
    });
});
