import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    CONFIG_DEFAULTS,
    LOG_LEVELS,
    OPTIONAL_KEYS,
    PROJECT,
    StackConfig,
    parseStackConfig,
} from "../../../config/stackConfig";
import { ValidationError } from "../../../lib/validation";
import { stackConfig } from "../../../plan/program";
import { REPO_ROOT } from "../../support/paths";

const ROOT = REPO_ROOT;

const DEFAULTS = {
    memorySize: 512,
    timeout: 30,
    architecture: "x86_64",
    logRetentionDays: 14,
    logLevel: "INFO",
    keepImages: 10,
    untaggedExpiryDays: 1,
    tagMutability: "MUTABLE",
    scanOnPush: true,
    forceDelete: false,
    protect: false,
    latestTag: false,
    baseImage: "public.ecr.aws/lambda/python:3.11",
    preflight: false,
    manifest: "lambda-docker.yaml",
} as const;

const KNOWN_KEYS =
    "lambda-docker:memorySize, lambda-docker:timeout, lambda-docker:architecture, lambda-docker:logRetentionDays, " +
    "lambda-docker:logLevel, lambda-docker:keepImages, lambda-docker:untaggedExpiryDays, lambda-docker:tagMutability, " +
    "lambda-docker:scanOnPush, lambda-docker:forceDelete, lambda-docker:protect, lambda-docker:latestTag, " +
    "lambda-docker:baseImage, lambda-docker:preflight, lambda-docker:manifest, lambda-docker:promoteFrom, lambda-docker:imageDigest";
const RETENTIONS =
    "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";
const STAGE_MSG = 'lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev")';
const REGION_MSG = 'an AWS region such as "us-east-1", set in the stack file';
const base = { "aws:region": "us-east-1" };

describe("stack config: defaults and coercion", () => {
    it("uses every default when only aws:region is set, with stage = stack name", () => {
        assert.equal(PROJECT, "lambda-docker");
        assert.deepEqual(CONFIG_DEFAULTS, DEFAULTS);
        assert.deepEqual(parseStackConfig("qa", { "aws:region": "eu-west-1" }), {
            stage: "qa",
            region: "eu-west-1",
            ...DEFAULTS,
        } satisfies StackConfig);
    });

    it("coerces config strings to numbers and booleans like the defaults' types", () => {
        const parsed = parseStackConfig("dev", {
            ...base,
            "lambda-docker:memorySize": "1024",
            "lambda-docker:timeout": " 900 ",
            "lambda-docker:architecture": "arm64",
            "lambda-docker:logRetentionDays": "3653",
            "lambda-docker:logLevel": "WARNING",
            "lambda-docker:keepImages": "1",
            "lambda-docker:untaggedExpiryDays": "30",
            "lambda-docker:tagMutability": "IMMUTABLE",
            "lambda-docker:scanOnPush": "false",
            "lambda-docker:forceDelete": "true",
            "lambda-docker:protect": "false",
            "lambda-docker:latestTag": "false",
            "lambda-docker:baseImage": "123.dkr.ecr.us-east-1.amazonaws.com/base@sha256:abc",
            "lambda-docker:preflight": "true",
            "lambda-docker:manifest": "other/manifest.yaml",
        });
        assert.deepEqual(parsed, {
            stage: "dev",
            region: "us-east-1",
            memorySize: 1024,
            timeout: 900,
            architecture: "arm64",
            logRetentionDays: 3653,
            logLevel: "WARNING",
            keepImages: 1,
            untaggedExpiryDays: 30,
            tagMutability: "IMMUTABLE",
            scanOnPush: false,
            forceDelete: true,
            protect: false,
            latestTag: false,
            baseImage: "123.dkr.ecr.us-east-1.amazonaws.com/base@sha256:abc",
            preflight: true,
            manifest: "other/manifest.yaml",
        } satisfies StackConfig);
    });

    it("accepts every log level and AWS region forms such as us-gov-west-1", () => {
        for (const level of LOG_LEVELS)
            assert.equal(
                parseStackConfig("dev", { ...base, "lambda-docker:logLevel": level }).logLevel,
                level,
            );
        for (const region of [
            "us-east-1",
            "eu-central-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "cn-north-1",
        ]) {
            assert.equal(parseStackConfig("dev", { "aws:region": region }).region, region);
        }
    });

    it("ignores keys in other namespaces", () => {
        assert.deepEqual(
            parseStackConfig("dev", {
                ...base,
                "aws:skipMetadataApiCheck": "x",
                "other:memorySize": "nope",
                "lambda-dockerx:foo": "1",
            }),
            {
                stage: "dev",
                region: "us-east-1",
                ...DEFAULTS,
            },
        );
    });

    it("takes aws:profile, which the commands the engine runs (promotions) use too", () => {
        assert.deepEqual(parseStackConfig("dev", { ...base, "aws:profile": "team-dev" }), {
            stage: "dev",
            region: "us-east-1",
            profile: "team-dev",
            ...DEFAULTS,
        });
    });
});

describe("stack config: errors", () => {
    it("refuses an aws:profile that is not a profile name", () => {
        assert.throws(
            () => parseStackConfig("dev", { "aws:region": "us-east-1", "aws:profile": "a b" }),
            {
                message: 'Stack "dev": `aws:profile` must be an AWS profile name; got "a b".',
            },
        );
    });

    const fails = (
        stack: string,
        values: Record<string, string>,
        key: string,
        message: string,
    ): void => {
        assert.throws(
            () => parseStackConfig(stack, values),
            (err: unknown) => {
                assert.ok(err instanceof ValidationError, String(err));
                assert.equal(err.message, `Stack ${JSON.stringify(stack)}: ${message}`);
                assert.equal(err.key, key);
                return true;
            },
        );
    };

    it("refuses a bad stack name before looking at any value", () => {
        for (const stack of ["Prod", "dev_1", "-dev", "dev-", ""]) {
            fails(
                stack,
                {},
                "stack name",
                `\`stack name\` must be ${STAGE_MSG}; got ${JSON.stringify(stack)}.`,
            );
        }
    });

    it("refuses an unknown key in the lambda-docker namespace, listing the known keys (first unknown in sorted order)", () => {
        fails(
            "dev",
            { ...base, "lambda-docker:memorysize": "512" },
            "lambda-docker:memorysize",
            `\`lambda-docker:memorysize\` must be one of the known keys (${KNOWN_KEYS}), not an unknown one; got "lambda-docker:memorysize".`,
        );
        fails(
            "dev",
            { "lambda-docker:zzz": "1", "lambda-docker:aaa": "1" },
            "lambda-docker:aaa",
            `\`lambda-docker:aaa\` must be one of the known keys (${KNOWN_KEYS}), not an unknown one; got "lambda-docker:aaa".`,
        );
    });

    it("refuses a missing or malformed aws:region", () => {
        fails("dev", {}, "aws:region", `\`aws:region\` must be ${REGION_MSG}; got undefined.`);
        for (const region of ["US-EAST-1", "us-east", "useast1", "us-east-12", "", "us-east-1 "]) {
            fails(
                "dev",
                { "aws:region": region },
                "aws:region",
                `\`aws:region\` must be ${REGION_MSG}; got ${JSON.stringify(region)}.`,
            );
        }
    });

    it("names the key, the shown value and what is allowed for each bad value", () => {
        const k = (key: string) => `lambda-docker:${key}`;
        const cases: [string, string, string][] = [
            [
                "memorySize",
                "64",
                "`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got 64.",
            ],
            [
                "memorySize",
                "10241",
                "`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got 10241.",
            ],
            [
                "memorySize",
                "-5",
                "`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got -5.",
            ],
            [
                "memorySize",
                "512.5",
                '`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got "512.5".',
            ],
            [
                "memorySize",
                "1e3",
                '`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got "1e3".',
            ],
            [
                "memorySize",
                "lots",
                '`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got "lots".',
            ],
            [
                "memorySize",
                "",
                '`lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got "".',
            ],
            [
                "timeout",
                "0",
                "`lambda-docker:timeout` must be an integer from 1 to 900 (seconds); got 0.",
            ],
            [
                "timeout",
                "901",
                "`lambda-docker:timeout` must be an integer from 1 to 900 (seconds); got 901.",
            ],
            [
                "architecture",
                "amd64",
                '`lambda-docker:architecture` must be one of "x86_64", "arm64"; got "amd64".',
            ],
            [
                "logRetentionDays",
                "10",
                `\`lambda-docker:logRetentionDays\` must be one of ${RETENTIONS}; got 10.`,
            ],
            [
                "logRetentionDays",
                "0",
                `\`lambda-docker:logRetentionDays\` must be one of ${RETENTIONS}; got 0.`,
            ],
            [
                "logRetentionDays",
                "forever",
                `\`lambda-docker:logRetentionDays\` must be one of ${RETENTIONS}; got "forever".`,
            ],
            [
                "logLevel",
                "TRACE",
                '`lambda-docker:logLevel` must be one of "DEBUG", "INFO", "WARNING", "ERROR"; got "TRACE".',
            ],
            [
                "logLevel",
                "info",
                '`lambda-docker:logLevel` must be one of "DEBUG", "INFO", "WARNING", "ERROR"; got "info".',
            ],
            ["keepImages", "0", "`lambda-docker:keepImages` must be an integer >= 1; got 0."],
            [
                "untaggedExpiryDays",
                "0",
                "`lambda-docker:untaggedExpiryDays` must be an integer >= 1; got 0.",
            ],
            [
                "tagMutability",
                "mutable",
                '`lambda-docker:tagMutability` must be one of "MUTABLE", "IMMUTABLE"; got "mutable".',
            ],
            ["scanOnPush", "yes", '`lambda-docker:scanOnPush` must be true or false; got "yes".'],
            [
                "forceDelete",
                "TRUE",
                '`lambda-docker:forceDelete` must be true or false; got "TRUE".',
            ],
            ["protect", "1", '`lambda-docker:protect` must be true or false; got "1".'],
            ["latestTag", "", '`lambda-docker:latestTag` must be true or false; got "".'],
            ["preflight", "on", '`lambda-docker:preflight` must be true or false; got "on".'],
            ["manifest", " ", '`lambda-docker:manifest` must be a non-empty string; got " ".'],
            [
                "baseImage",
                "Public.ecr.aws/x",
                '`lambda-docker:baseImage` must be an image reference such as "public.ecr.aws/lambda/python:3.11"; got "Public.ecr.aws/x".',
            ],
            [
                "baseImage",
                "a b",
                '`lambda-docker:baseImage` must be an image reference such as "public.ecr.aws/lambda/python:3.11"; got "a b".',
            ],
        ];
        for (const [key, raw, message] of cases)
            fails("dev", { ...base, [k(key)]: raw }, k(key), message);
    });

    it("refuses latestTag with IMMUTABLE tags, and forceDelete with protect", () => {
        fails(
            "prod",
            {
                ...base,
                "lambda-docker:tagMutability": "IMMUTABLE",
                "lambda-docker:latestTag": "true",
            },
            "lambda-docker:latestTag",
            "`lambda-docker:latestTag` must be false when `lambda-docker:tagMutability` is IMMUTABLE (a moving tag cannot be re-pushed); got true.",
        );
        fails(
            "prod",
            { ...base, "lambda-docker:forceDelete": "true", "lambda-docker:protect": "true" },
            "lambda-docker:forceDelete",
            "`lambda-docker:forceDelete` must be false when `lambda-docker:protect` is true (a protected repository must keep its images); got true.",
        );
        // Each alone is fine.
        assert.equal(
            parseStackConfig("prod", { ...base, "lambda-docker:tagMutability": "IMMUTABLE" })
                .latestTag,
            false,
        );
        assert.equal(
            parseStackConfig("prod", { ...base, "lambda-docker:latestTag": "true" }).latestTag,
            true,
        );
        assert.equal(
            parseStackConfig("prod", { ...base, "lambda-docker:protect": "true" }).forceDelete,
            false,
        );
        assert.equal(
            parseStackConfig("prod", { ...base, "lambda-docker:forceDelete": "true" }).protect,
            false,
        );
    });
});

describe("stack config: promotion", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    it("accepts promoteFrom with an optional digest, and then builds nothing locally", () => {
        const c = parseStackConfig("prod", {
            ...base,
            "lambda-docker:promoteFrom": "acme/lambda-docker/dev",
            "lambda-docker:imageDigest": digest,
        });
        assert.deepEqual(
            [c.promoteFrom, c.imageDigest, c.preflight, c.latestTag],
            ["acme/lambda-docker/dev", digest, false, false],
        );
        assert.equal(parseStackConfig("prod", base).promoteFrom, undefined);
        assert.equal(
            parseStackConfig("prod", {
                ...base,
                "lambda-docker:promoteFrom": "dev",
                "lambda-docker:preflight": "false",
            }).preflight,
            false,
        );
    });

    it("refuses a bad stack or digest, build-only keys with promoteFrom, and a digest without promoteFrom", () => {
        const cases: [Record<string, string>, string, string][] = [
            [
                { "lambda-docker:promoteFrom": "a/b/c/d" },
                "lambda-docker:promoteFrom",
                'Stack "prod": `lambda-docker:promoteFrom` must be a stack name `[<org>/[<project>/]]<stack>` whose image this stack promotes; got "a/b/c/d".',
            ],
            [
                { "lambda-docker:promoteFrom": "acme/lambda-docker/prod" },
                "lambda-docker:promoteFrom",
                'Stack "prod": `lambda-docker:promoteFrom` must be another stack than this one; got "acme/lambda-docker/prod".',
            ],
            [
                { "lambda-docker:promoteFrom": "dev", "lambda-docker:preflight": "true" },
                "lambda-docker:preflight",
                'Stack "prod": `lambda-docker:preflight` must be false or unset when `lambda-docker:promoteFrom` is set (a promoting stack builds no image); got true.',
            ],
            [
                { "lambda-docker:promoteFrom": "dev", "lambda-docker:latestTag": "true" },
                "lambda-docker:latestTag",
                'Stack "prod": `lambda-docker:latestTag` must be false or unset when `lambda-docker:promoteFrom` is set (a promoting stack builds no image); got true.',
            ],
            [
                { "lambda-docker:promoteFrom": "dev", "lambda-docker:imageDigest": "sha256:ABC" },
                "lambda-docker:imageDigest",
                'Stack "prod": `lambda-docker:imageDigest` must be an image digest `sha256:<64 lowercase hex>`; got "sha256:ABC".',
            ],
            [
                { "lambda-docker:imageDigest": digest },
                "lambda-docker:imageDigest",
                `Stack "prod": \`lambda-docker:imageDigest\` must be unset unless \`lambda-docker:promoteFrom\` names the stack whose repository holds it; got "${digest}".`,
            ],
        ];
        for (const [values, key, message] of cases) {
            assert.throws(
                () => parseStackConfig("prod", { ...base, ...values }),
                (e: Error & { key?: string }) => {
                    assert.equal(e.message, message);
                    assert.equal(e.key, key);
                    return true;
                },
            );
        }
    });
});

describe("stack config: the real project and stack files", () => {
    it("parses stacks/Pulumi.dev.yaml into the exact dev config", () => {
        assert.deepEqual(parseStackConfig("dev", stackConfig("dev")), {
            stage: "dev",
            region: "us-east-1",
            memorySize: 512,
            timeout: 30,
            architecture: "x86_64",
            logRetentionDays: 14,
            logLevel: "DEBUG",
            keepImages: 10,
            untaggedExpiryDays: 1,
            tagMutability: "MUTABLE",
            scanOnPush: true,
            forceDelete: true,
            protect: false,
            latestTag: true,
            baseImage: "public.ecr.aws/lambda/python:3.11",
            preflight: true,
            manifest: "lambda-docker.yaml",
        } satisfies StackConfig);
    });

    it("parses stacks/Pulumi.prod.yaml into the exact prod config", () => {
        assert.deepEqual(parseStackConfig("prod", stackConfig("prod")), {
            stage: "prod",
            region: "us-east-1",
            memorySize: 1024,
            timeout: 60,
            architecture: "x86_64",
            logRetentionDays: 90,
            logLevel: "INFO",
            keepImages: 30,
            untaggedExpiryDays: 7,
            tagMutability: "IMMUTABLE",
            scanOnPush: true,
            forceDelete: false,
            protect: true,
            latestTag: false,
            baseImage: "public.ecr.aws/lambda/python:3.11",
            preflight: false,
            manifest: "lambda-docker.yaml",
            promoteFrom: "dev",
        } satisfies StackConfig);
    });

    it("Pulumi.yaml declares exactly the parser's keys, each default equal to CONFIG_DEFAULTS and typed to match", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
            name: string;
            stackConfigDir: string;
            config: Record<string, { type: string; default: unknown }>;
        };
        assert.equal(project.name, PROJECT);
        assert.equal(project.stackConfigDir, "stacks");
        assert.deepEqual(
            Object.keys(project.config).sort(),
            [...Object.keys(CONFIG_DEFAULTS), ...OPTIONAL_KEYS].sort(),
        );
        for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
            assert.equal(project.config[key].default, value, key);
            assert.equal(
                project.config[key].type,
                typeof value === "number" ? "integer" : typeof value,
                key,
            );
        }
        for (const key of OPTIONAL_KEYS)
            assert.deepEqual(
                [project.config[key].type, "default" in project.config[key]],
                ["string", false],
                key,
            );
    });
});
