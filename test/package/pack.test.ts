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

describe("the packed package in another program", function () {
    this.timeout(240000);
    let dir: string;
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("installs from its npm pack tarball and builds EcrRepository, LambdaImage and ImageFunction", () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-consumer-"));
        // npm pack runs the `prepare` script, which builds dist/.
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        const files = (packed[0].files as { path: string }[]).map((f) => f.path);
        assert.deepEqual(files.filter((f) => !/^dist\/(components|cli)\/.+\.(js|d\.ts)$/.test(f)).sort(), ["LICENSE", "README.md", "package.json"]);

        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
        fs.mkdirSync(path.join(dir, "app"));
        fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\n");
        execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(dir, packed[0].filename)], { cwd: dir, stdio: "pipe" });
        fs.writeFileSync(path.join(dir, "program.js"), CONSUMER);
        const out = JSON.parse(execFileSync(process.execPath, ["program.js"], { cwd: dir, encoding: "utf8" }));
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
});
