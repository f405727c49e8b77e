// `info`, `smoke` and `cost` end to end against the stand-in and the fake pulumi; and the CLI loading no Pulumi for them.
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AwsStandIn, InvokeHandler, functionArn, startAwsStandIn } from "../support/awsStandIn";
import { builtCli } from "../support/cli";
import { DEPLOYED, OUTPUTS, Project, REPO_URL, makeProject, run } from "./support/project";

const DIGEST = (c: string): string => `sha256:${c.repeat(64)}`;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const DAY = 86_400_000;

describe("info, smoke and cost", function () {
    let standIn: AwsStandIn;
    let project: Project;
    let worker: InvokeHandler;
    beforeEach(async function () {
        project = makeProject();
        worker = () => ({ payload: { statusCode: 200 } });
        const now = Date.now();
        standIn = await startAwsStandIn({
            pageSize: 2,
            functions: [
                {
                    name: DEPLOYED.api,
                    memorySize: 512,
                    timeout: 30,
                    imageUri: `${REPO_URL}@${DIGEST("a")}`,
                    handler: (event) => ({
                        payload: {
                            statusCode: 200,
                            body:
                                (event as { rawPath?: string }).rawPath === "/health"
                                    ? "ok"
                                    : "pong",
                        },
                    }),
                },
                {
                    name: DEPLOYED.worker,
                    memorySize: 1024,
                    timeout: 60,
                    imageUri: `${REPO_URL}@${DIGEST("a")}`,
                    handler: (event, context) => worker(event, context),
                },
                { name: DEPLOYED.cron, timeout: 30, imageUri: `${REPO_URL}@${DIGEST("a")}` },
            ],
            repositories: [
                {
                    repositoryName: "app-dev",
                    lifecyclePolicyText: JSON.stringify({
                        rules: [
                            {
                                rulePriority: 1,
                                selection: {
                                    tagStatus: "untagged",
                                    countType: "sinceImagePushed",
                                    countUnit: "days",
                                    countNumber: 1,
                                },
                                action: { type: "expire" },
                            },
                            {
                                rulePriority: 2,
                                selection: {
                                    tagStatus: "tagged",
                                    tagPrefixList: ["dev-"],
                                    countType: "imageCountMoreThan",
                                    countNumber: 2,
                                },
                                action: { type: "expire" },
                            },
                        ],
                    }),
                },
            ],
            // 5 images, 2 a page: 3 DescribeImages pages. Kept: the 2 newest dev-* (1 GiB + 512 MiB) and the
            // untagged image pushed an hour ago (256 MiB); expired: the third dev-* and the 2-day-old untagged one.
            images: [
                {
                    repositoryName: "app-dev",
                    imageDigest: DIGEST("1"),
                    imageTags: ["dev-1"],
                    imageSizeInBytes: 2 * GIB,
                    imagePushedAt: new Date(now - 5 * DAY),
                },
                {
                    repositoryName: "app-dev",
                    imageDigest: DIGEST("2"),
                    imageTags: ["dev-2", "dev-latest"],
                    imageSizeInBytes: GIB,
                    imagePushedAt: new Date(now - 3 * DAY),
                },
                {
                    repositoryName: "app-dev",
                    imageDigest: DIGEST("3"),
                    imageTags: ["dev-3"],
                    imageSizeInBytes: 512 * MIB,
                    imagePushedAt: new Date(now - 1 * DAY),
                },
                {
                    repositoryName: "app-dev",
                    imageDigest: DIGEST("4"),
                    imageSizeInBytes: 256 * MIB,
                    imagePushedAt: new Date(now - 2 * DAY),
                },
                {
                    repositoryName: "app-dev",
                    imageDigest: DIGEST("5"),
                    imageSizeInBytes: 256 * MIB,
                    imagePushedAt: new Date(now - 3600_000),
                },
            ],
        });
    });
    afterEach(async function () {
        await standIn.stop();
        project.remove();
    });

    it("info --json: each function's deployed name, image, memory, timeout and triggers; API URL, queues, layers", async function () {
        const r = await run(["info", "--stack", "dev", "--json"], standIn, project);
        assert.equal(r.status, 0, r.stderr);
        const fn = (name: string, memorySize: number, timeout: number, triggers: string[]) => ({
            name,
            arn: functionArn(name),
            packageType: "Image",
            imageUri: `${REPO_URL}@${DIGEST("a")}`,
            imageDigest: DIGEST("a"),
            codeSha256: "a".repeat(64),
            memorySize,
            timeout,
            triggers,
        });
        assert.deepEqual(JSON.parse(r.stdout), {
            stack: "dev",
            region: "us-east-1",
            apiUrl: OUTPUTS.apiUrl,
            functions: {
                api: fn(DEPLOYED.api, 512, 30, ["http GET /health", "http ANY /items/{proxy+}"]),
                worker: fn(DEPLOYED.worker, 1024, 60, ["sqs jobs (batch 5)"]),
                cron: fn(DEPLOYED.cron, 128, 30, ["schedule rate(1 hour)"]),
            },
            queues: { jobs: { functions: ["worker"] } },
            layers: { core: { arn: OUTPUTS.layers.core.arn, sha256: "c0ffee" } },
        });
        assert.deepEqual(
            standIn.requests.map((q) => q.operation),
            ["GetFunction", "GetFunction", "GetFunction"],
        );
    });

    it("smoke passes: one line per function, functions without samples listed, exit 0", async function () {
        const r = await run(["smoke", "--stack", "dev"], standIn, project);
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stdout.replace(/\d+ ms/g, "N ms").split("\n");
        assert.deepEqual(lines, [
            "ok   api     2 samples  N ms",
            "ok   worker  1 sample  N ms",
            "-    cron    no samples",
            "2 passed, 0 failed, 1 without samples",
            "",
        ]);
        assert.deepEqual(
            standIn.requests
                .map((q) =>
                    JSON.stringify([q.operation, q.headers["x-amz-invocation-type"], q.body]),
                )
                .sort(),
            [
                ["Invoke", "RequestResponse", { Records: [{ body: "job" }] }],
                ["Invoke", "RequestResponse", { rawPath: "/health" }],
                ["Invoke", "RequestResponse", { rawPath: "/ping" }],
            ]
                .map((x) => JSON.stringify(x))
                .sort(),
        );
    });

    it("smoke fails on a wrong status (exit 1) and names the sample", async function () {
        worker = () => ({ payload: { statusCode: 500 } });
        const r = await run(["smoke", "--stack", "dev", "--concurrency", "1"], standIn, project);
        assert.equal(r.status, 1, r.stderr);
        const lines = r.stdout.replace(/\d+ ms/g, "N ms").split("\n");
        assert.deepEqual(lines, [
            "ok   api     2 samples  N ms",
            "FAIL worker  sample events/job.json: expected status 200, got 500",
            "-    cron    no samples",
            "1 passed, 1 failed, 1 without samples",
            "",
        ]);
    });

    it("smoke fails on a function error and on a response that does not contain `expect`", async function () {
        worker = () => {
            throw Object.assign(new Error("no jobId"), { name: "KeyError" });
        };
        fs.writeFileSync(path.join(project.dir, "events/health.json"), '{"rawPath": "/other"}\n');
        const r = await run(["smoke", "--stack", "dev"], standIn, project);
        assert.equal(r.status, 1);
        assert.deepEqual(r.stdout.split("\n").slice(0, 2), [
            'FAIL api     sample events/health.json: response does not match expect: $.body: expected "ok", got "pong"',
            "FAIL worker  sample events/job.json: function error KeyError: no jobId",
        ]);
    });

    it("cost: every page of images, what the lifecycle policy keeps, and the monthly estimate", async function () {
        const r = await run(["cost", "--stack", "dev", "--json"], standIn, project);
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout) as {
            repositories: {
                stored: { digest: string; kept: boolean; sizeBytes: number; tags: string[] }[];
            }[];
        };
        assert.deepEqual(
            report.repositories[0].stored.map((i) => [i.digest, i.tags, i.sizeBytes, i.kept]),
            [
                [DIGEST("5"), [], 256 * MIB, true],
                [DIGEST("3"), ["dev-3"], 512 * MIB, true],
                [DIGEST("4"), [], 256 * MIB, false],
                [DIGEST("2"), ["dev-2", "dev-latest"], GIB, true],
                [DIGEST("1"), ["dev-1"], 2 * GIB, false],
            ],
        );
        const { repositories, ...totals } = report as unknown as Record<string, unknown> & {
            repositories: Record<string, unknown>[];
        };
        const repo = { ...repositories[0] };
        delete repo.stored; // asserted above
        assert.deepEqual(repo, {
            repository: "app-dev",
            images: ["app"],
            lifecycle: [
                "expire untagged images after 1 day",
                "keep the newest 2 tagged dev-* images",
            ],
            storedBytes: 4 * GIB,
            keptBytes: 1.75 * GIB,
            monthlyUsd: 0.4,
            keptMonthlyUsd: 0.175,
        });
        assert.deepEqual(totals, {
            pricePerGbMonth: 0.1,
            storedBytes: 4 * GIB,
            keptBytes: 1.75 * GIB,
            monthlyUsd: 0.4,
            keptMonthlyUsd: 0.175,
        });
        assert.deepEqual(standIn.requests.map((q) => q.operation).sort(), [
            "DescribeImages",
            "DescribeImages",
            "DescribeImages",
            "GetLifecyclePolicy",
        ]);
    });

    it("cost prints the estimate at --price-per-gb", async function () {
        const r = await run(["cost", "--stack", "dev", "--price-per-gb", "0.2"], standIn, project);
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stdout.split("\n");
        assert.equal(
            lines.at(-2),
            "total 4.00 GB stored: $0.80/month; 1.75 GB once the lifecycle policies run: $0.35/month (at $0.2 per GB-month; shared layers count once per image, so an upper bound)",
        );
        assert.equal(lines[0], "app-dev (image app)");
        assert.equal(
            lines.at(-3),
            "  5 images, 4.00 GB: $0.80/month; the policy keeps 3, 1.75 GB: $0.35/month",
        );
    });
});

describe("remote commands load no Pulumi", function () {
    for (const command of ["logs", "invoke", "info", "smoke", "cost"]) {
        it(`program("${command}") requires no @pulumi/ module`, function () {
            const script = `require(${JSON.stringify(builtCli())}).program(${JSON.stringify(command)}).helpInformation();
const loaded = Object.keys(require.cache);
process.stdout.write(JSON.stringify({ pulumi: loaded.filter((p) => p.includes("@pulumi/")), sdk: loaded.filter((p) => p.includes("@aws-sdk/client-")).length }));`;
            const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), { pulumi: [], sdk: 0 });
        });
    }
    it("the remote modules the commands run require no @pulumi/ module either", function () {
        const dist = path.dirname(path.dirname(builtCli()));
        const script = `for (const m of ["clients", "invoke", "logs", "logFormat", "logStats", "info", "smoke", "cost", "stack"]) require(${JSON.stringify(path.join(dist, "lib", "remote"))} + "/" + m);
require(${JSON.stringify(path.join(dist, "cli", "remoteSettings"))});
require(${JSON.stringify(path.join(dist, "cli", "commands", "invokeRemote"))});
process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((p) => p.includes("@pulumi/"))));`;
        const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), []);
    });
});
