import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_DEFAULTS, StackConfig, parseStackConfig } from "../../config/stackConfig";

const ROOT = path.resolve(__dirname, "..", "..");

/** A stack file's config as the CLI hands it to the program: string values. */
function stackFile(stack: string): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
    return Object.fromEntries(Object.entries(doc.config as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

describe("stack config", () => {
    it("applies the defaults to an empty config", () => {
        assert.deepEqual(parseStackConfig("qa", { "aws:region": "eu-west-1" }), {
            stage: "qa", region: "eu-west-1", memorySize: 512, timeout: 30, architecture: "x86_64", logRetentionDays: 14,
            logLevel: "INFO", keepImages: 10, untaggedExpiryDays: 1, tagMutability: "MUTABLE", scanOnPush: true,
            forceDelete: false, protect: false, latestTag: false, baseImage: "public.ecr.aws/lambda/python:3.11",
            preflight: false, manifest: "lambda-docker.yaml",
        } satisfies StackConfig);
    });

    it("reads the real dev stack file", () => {
        assert.deepEqual(parseStackConfig("dev", stackFile("dev")), {
            stage: "dev", region: "us-east-1", memorySize: 512, timeout: 30, architecture: "x86_64", logRetentionDays: 14,
            logLevel: "DEBUG", keepImages: 10, untaggedExpiryDays: 1, tagMutability: "MUTABLE", scanOnPush: true,
            forceDelete: true, protect: false, latestTag: true, baseImage: "public.ecr.aws/lambda/python:3.11",
            preflight: true, manifest: "lambda-docker.yaml",
        });
    });

    it("reads the real prod stack file", () => {
        assert.deepEqual(parseStackConfig("prod", stackFile("prod")), {
            stage: "prod", region: "us-east-1", memorySize: 1024, timeout: 60, architecture: "x86_64", logRetentionDays: 90,
            logLevel: "INFO", keepImages: 30, untaggedExpiryDays: 7, tagMutability: "IMMUTABLE", scanOnPush: true,
            forceDelete: false, protect: true, latestTag: false, baseImage: "public.ecr.aws/lambda/python:3.11",
            preflight: false, manifest: "lambda-docker.yaml",
        });
    });

    it("declares in Pulumi.yaml exactly the keys and defaults the parser uses", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        assert.equal(project.stackConfigDir, "stacks");
        assert.equal(project.main, "index.ts");
        const declared = project.config as Record<string, { type: string; default: unknown }>;
        assert.deepEqual(Object.keys(declared).sort(), Object.keys(CONFIG_DEFAULTS).sort());
        for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
            assert.equal(declared[key].default, value, key);
            assert.equal(declared[key].type, typeof value === "number" ? "integer" : typeof value, key);
        }
    });

    it("names the key, the value and what is allowed for every bad value", () => {
        const base = { "aws:region": "us-east-1" };
        const cases: [string, Record<string, string>, string][] = [
            ["dev", { ...base, "lambda-docker:memorySize": "64" }, "`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got 64."],
            ["dev", { ...base, "lambda-docker:memorySize": "lots" }, "`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got \"lots\"."],
            ["dev", { ...base, "lambda-docker:logRetentionDays": "10" }, "`lambda-docker:logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got 10."],
            ["dev", { ...base, "lambda-docker:forceDelete": "yes" }, "`lambda-docker:forceDelete` must be true or false; got \"yes\"."],
            ["dev", { ...base, "lambda-docker:architecture": "amd64" }, "`lambda-docker:architecture` must be one of \"x86_64\", \"arm64\"; got \"amd64\"."],
            ["dev", { ...base, "lambda-docker:logLevel": "TRACE" }, "`lambda-docker:logLevel` must be one of \"DEBUG\", \"INFO\", \"WARNING\", \"ERROR\"; got \"TRACE\"."],
            ["dev", { ...base, "lambda-docker:memorysize": "512" }, "`lambda-docker:memorysize` must be one of the known keys (lambda-docker:memorySize, lambda-docker:timeout, lambda-docker:architecture, lambda-docker:logRetentionDays, lambda-docker:logLevel, lambda-docker:keepImages, lambda-docker:untaggedExpiryDays, lambda-docker:tagMutability, lambda-docker:scanOnPush, lambda-docker:forceDelete, lambda-docker:protect, lambda-docker:latestTag, lambda-docker:baseImage, lambda-docker:preflight, lambda-docker:manifest), not an unknown one; got \"lambda-docker:memorysize\"."],
            ["dev", {}, "`aws:region` must be an AWS region such as \"us-east-1\", set in the stack file; got undefined."],
            ["dev", { ...base, "lambda-docker:tagMutability": "IMMUTABLE", "lambda-docker:latestTag": "true" }, "`lambda-docker:latestTag` must be false when `lambda-docker:tagMutability` is IMMUTABLE (a moving tag cannot be re-pushed); got true."],
            ["dev", { ...base, "lambda-docker:forceDelete": "true", "lambda-docker:protect": "true" }, "`lambda-docker:forceDelete` must be false when `lambda-docker:protect` is true (a protected repository must keep its images); got true."],
            ["Prod", base, "`stack name` must be lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. \"dev\"); got \"Prod\"."],
        ];
        for (const [stack, values, message] of cases) {
            assert.throws(() => parseStackConfig(stack, values), { name: "ValidationError", message: `Stack ${JSON.stringify(stack)}: ${message}` });
        }
    });

    it("ignores other namespaces' keys", () => {
        assert.equal(parseStackConfig("dev", { "aws:region": "us-east-1", "aws:profile": "x", "other:key": "y" }).stage, "dev");
    });
});
