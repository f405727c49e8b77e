/**
 * The package as another Pulumi program gets it: `npm pack`, install the tarball into an empty
 * project, and build the three core components through the package's main entry under mocks.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

const CONSUMER = `
const assert = require("node:assert/strict");
const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (a) => { types.push(a.type + " " + a.name); return { id: a.name + "-id", state: { ...a.inputs,
        repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", registryId: "123456789012", arn: "arn:x", name: a.name,
        digest: "sha256:" + "a".repeat(64) } }; },
    call: () => ({ userName: "AWS", password: "p", proxyEndpoint: "https://x" }),
}, "consumer", "dev", false);
const { EcrRepository, LambdaImage, ImageFunction, DockerLayer, ZipFunction, buildLayer } = require("lambda-docker");
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
require("lambda-docker").useLayerBuilder(async () => ({ zipPath: "layer.zip", sha256: "c".repeat(64), unzippedBytes: 10, zippedBytes: 5, cached: true, inputHash: "h" }));
const outputs = require("./bin/index.js");
pulumi.all(outputs).apply((values) => setTimeout(() => {
    const fn = inputs["hello-function"];
    console.log(JSON.stringify({ values, types: types.sort(), hello: { layers: fn.layers, env: fn.environment, memorySize: fn.memorySize },
        greeter: inputs["greeter-function"].imageConfig }));
}, 500));
`;

describe("the packed package in another program", function () {
    this.timeout(300000);
    let dir: string;
    let tarball: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-consumer-"));
        // npm pack runs the `prepare` script, which builds dist/.
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        tarball = path.join(dir, packed[0].filename);
        const files = (packed[0].files as { path: string }[]).map((f) => f.path);
        assert.deepEqual(files.filter((f) => !/^dist\/(components|cli)\/.+\.(js|d\.ts)$/.test(f)).sort(), ["LICENSE", "README.md", "package.json"]);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("ships only built JS, type declarations, README and LICENSE", () => {
        const dry = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        const files = (dry[0].files as { path: string }[]).map((f) => f.path);
        assert.ok(files.includes("dist/components/index.js") && files.includes("dist/components/index.d.ts") && files.includes("dist/cli/main.js"));
        assert.deepEqual(files.filter((f) => !/^dist\/(components|cli)\/.+\.(js|d\.ts)$/.test(f)).sort(), ["LICENSE", "README.md", "package.json"]);
    });

    it("installs from its npm pack tarball and builds EcrRepository, LambdaImage and ImageFunction", () => {
        const app = path.join(dir, "minimal");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
        fs.mkdirSync(path.join(app, "app"));
        fs.writeFileSync(path.join(app, "app", "Dockerfile"), "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\n");
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: app, stdio: "pipe" });
        fs.writeFileSync(path.join(app, "program.js"), CONSUMER);
        const out = JSON.parse(execFileSync(process.execPath, ["program.js"], { cwd: app, encoding: "utf8" }));
        assert.equal(out.uri, `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${"a".repeat(64)}`);
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

    it("compiles examples/consumer against the tarball with tsc and runs it under mocks", () => {
        const consumer = path.join(dir, "consumer");
        fs.cpSync(path.join(ROOT, "examples", "consumer"), consumer, { recursive: true, filter: (src) => !/node_modules|[\\/]bin$/.test(src) });
        const pkg = JSON.parse(fs.readFileSync(path.join(consumer, "package.json"), "utf8"));
        pkg.dependencies["lambda-docker"] = `file:${tarball}`;
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify(pkg, null, 2));
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: consumer, stdio: "pipe" });
        execFileSync(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", "."], { cwd: consumer, stdio: "pipe" });
        fs.writeFileSync(path.join(consumer, "run-under-mocks.js"), CONSUMER_RUNNER);
        // The last line is the runner's JSON; lines before it are the engine-less pulumi.log output.
        const lines = execFileSync(process.execPath, ["run-under-mocks.js"], { cwd: consumer, encoding: "utf8" }).trim().split("\n");
        const out = JSON.parse(lines[lines.length - 1]);
        assert.deepEqual(out.types.filter((t: string) => t.startsWith("lambda-docker:")), [
            "lambda-docker:index:DockerLayer greeting",
            "lambda-docker:index:EcrRepository greeter",
            "lambda-docker:index:ImageFunction greeter",
            "lambda-docker:index:LambdaImage greeter",
            "lambda-docker:index:ZipFunction hello",
        ]);
        assert.equal(out.values.imageUri, `123456789012.dkr.ecr.us-east-1.amazonaws.com/greeter@sha256:${"b".repeat(64)}`);
        assert.deepEqual(out.greeter, { commands: ["handlers.greet.handler"] });
        assert.deepEqual(out.hello, { layers: ["arn:aws:x:greeting-layer"], env: { variables: { PYTHONPATH: "/opt/python" } }, memorySize: 256 });
    });
});
