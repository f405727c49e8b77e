// The remote library functions: pure rules (table-driven) and the SDK calls against the stand-in (pages, throttles, expired credentials).
import * as assert from "node:assert/strict";
import { ACCOUNT, AwsStandIn, functionArn, startAwsStandIn } from "../support/awsStandIn";
import { awsError, ecrClient, lambdaClient, logsClient } from "../../lib/remote/clients";
import {
    applyLifecycle,
    describeAllImages,
    describeRule,
    formatBytes,
    parseLifecyclePolicy,
} from "../../lib/remote/cost";
import { functionErrorSummary, invokeRemote } from "../../lib/remote/invoke";
import { formatLogEvent, isErrorEvent, parseReport } from "../../lib/remote/logFormat";
import { collectLogEvents, parseSince } from "../../lib/remote/logs";
import { logStats, percentile } from "../../lib/remote/logStats";
import { bounded, subsetMismatch } from "../../lib/remote/smoke";
import { deployedFunction, functionFromFlag, repositoryName } from "../../lib/remote/stack";

const NOW = Date.parse("2024-06-01T12:00:00Z");

describe("remote library: pure rules", function () {
    it("parseSince reads durations back from now and ISO times, and names what it accepts", function () {
        const table: [string, number][] = [
            ["30s", NOW - 30_000],
            ["10m", NOW - 600_000],
            ["1h", NOW - 3_600_000],
            ["2d", NOW - 2 * 86_400_000],
            ["1w", NOW - 7 * 86_400_000],
            ["2024-05-01T00:00:00Z", Date.parse("2024-05-01T00:00:00Z")],
        ];
        for (const [value, expected] of table)
            assert.equal(parseSince(value, NOW), expected, value);
        for (const bad of ["10", "1y", "soon", "-1h"])
            assert.throws(() => parseSince(bad, NOW), {
                message: `\`--since\` must be a duration (30s, 10m, 1h, 2d, 1w) or an ISO time (2024-05-01T12:00:00Z); got ${JSON.stringify(bad)}`,
            });
    });

    it("formats JSON, text and platform lines as <time> <LEVEL> <requestId> <message>", function () {
        const id = "0a1b2c3d-0000-4000-8000-000000000000";
        const table: [string, string][] = [
            [
                JSON.stringify({
                    timestamp: "2024-06-01T12:00:00.250Z",
                    level: "warning",
                    message: "slow",
                    logger: "app",
                    requestId: id,
                }),
                `2024-06-01T12:00:00.250Z WARNING ${id} slow`,
            ],
            [
                `[INFO]\t2024-06-01T12:00:00.100Z\t${id}\tstarted\n`,
                `2024-06-01T12:00:00.100Z INFO ${id} started`,
            ],
            [
                `START RequestId: ${id} Version: 7\n`,
                `2024-06-01T12:00:00.000Z START ${id} Version: 7`,
            ],
            [
                "INIT_START Runtime Version: python:3.12.v20\n",
                "2024-06-01T12:00:00.000Z INIT_START Runtime Version: python:3.12.v20",
            ],
            ['{"not": "a log record"}', '2024-06-01T12:00:00.000Z {"not": "a log record"}'],
        ];
        for (const [message, line] of table)
            assert.equal(formatLogEvent({ timestamp: NOW, message }), line);
    });

    it("reads REPORT lines and recognises error events", function () {
        assert.deepEqual(
            parseReport(
                "REPORT RequestId: r1\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 300.25 ms\t\n",
            ),
            {
                requestId: "r1",
                durationMs: 1.5,
                billedMs: 2,
                memorySizeMb: 128,
                maxMemoryUsedMb: 64,
                initDurationMs: 300.25,
                status: undefined,
            },
        );
        assert.equal(parseReport("END RequestId: r1"), undefined);
        const table: [string, boolean][] = [
            ['{"level":"ERROR","message":"x"}', true],
            ['{"level":"INFO","message":"[ERROR] in text"}', true],
            ["Task timed out after 3.00 seconds", true],
            ["REPORT RequestId: r\tDuration: 1 ms\tStatus: timeout\t", true],
            ["REPORT RequestId: r\tDuration: 1 ms\tStatus: success\t", false],
            ["an error was handled", false],
        ];
        for (const [message, error] of table)
            assert.equal(isErrorEvent({ timestamp: 0, message }), error, message);
    });

    it("percentile is nearest-rank; stats count one error per request id", function () {
        assert.deepEqual(
            [1, 50, 95, 100].map((p) => percentile([10, 20, 30, 40], p)),
            [10, 20, 40, 40],
        );
        assert.equal(percentile([], 50), undefined);
        const ev = (message: string) => ({ timestamp: 0, message });
        assert.deepEqual(
            logStats([
                ev("[ERROR]\t2024-01-01T00:00:00Z\tr1\tboom"),
                ev(
                    "REPORT RequestId: r1\tDuration: 10 ms\tMemory Size: 256 MB\tMax Memory Used: 200 MB\tStatus: error\t",
                ),
                ev(
                    "REPORT RequestId: r2\tDuration: 30 ms\tMemory Size: 256 MB\tMax Memory Used: 100 MB\tInit Duration: 5 ms\t",
                ),
            ]),
            {
                invocations: 2,
                errors: 1,
                coldStarts: 1,
                p50Ms: 10,
                p95Ms: 30,
                maxMs: 30,
                maxMemoryUsedMb: 200,
                memorySizeMb: 256,
            },
        );
    });

    it("subsetMismatch names the first path that differs", function () {
        const table: [unknown, unknown, string | undefined][] = [
            [{ a: 1 }, { a: 1, b: 2 }, undefined],
            [{ a: { b: [1, 2] } }, { a: { b: [1, 2] } }, undefined],
            [{ a: { b: 2 } }, { a: { b: 3 } }, "$.a.b: expected 2, got 3"],
            [{ a: 1 }, null, "$: expected an object, got null"],
            [{ a: 1 }, {}, "$.a: expected 1, got nothing"],
            [[1], [1, 2], "$: expected [1], got [1,2]"],
        ];
        for (const [expected, actual, m] of table)
            assert.equal(subsetMismatch(expected, actual), m);
    });

    it("bounded runs at most `limit` tasks at once and keeps their order", async function () {
        let running = 0;
        let peak = 0;
        const task = (n: number) => async () => {
            peak = Math.max(peak, ++running);
            await new Promise((r) => setTimeout(r, 5 * (5 - n)));
            running--;
            return n;
        };
        assert.deepEqual(await bounded(2, [0, 1, 2, 3, 4].map(task)), [0, 1, 2, 3, 4]);
        assert.equal(peak, 2);
    });

    it("resolves functions from the outputs and lists the known ones for an unknown name", function () {
        const outputs = {
            functionNames: { b: "b-1", a: "a-1" },
            functionArns: { a: functionArn("a-1") },
        };
        assert.deepEqual(deployedFunction(outputs, "a", "dev"), {
            name: "a-1",
            arn: functionArn("a-1"),
            region: "us-east-1",
        });
        assert.deepEqual(deployedFunction(outputs, "b", "dev"), { name: "b-1" });
        assert.throws(() => deployedFunction(outputs, "c", "dev"), {
            message: 'No function "c" in stack "dev"\'s outputs; it has a, b.',
        });
        assert.throws(() => deployedFunction({}, "c", "prod"), {
            message: 'No function "c" in stack "prod"\'s outputs; it has none (is it deployed?).',
        });
        assert.deepEqual(functionFromFlag(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:x:live`), {
            name: "x",
            arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:x:live`,
            region: "eu-west-1",
        });
        assert.equal(
            repositoryName(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/app`),
            "team/app",
        );
    });

    it("reads lifecycle rules and keeps what ECR would keep", function () {
        const rules = parseLifecyclePolicy(
            JSON.stringify({
                rules: [
                    {
                        rulePriority: 2,
                        selection: {
                            tagStatus: "any",
                            countType: "imageCountMoreThan",
                            countNumber: 1,
                        },
                        action: { type: "expire" },
                    },
                    {
                        rulePriority: 1,
                        selection: {
                            tagStatus: "tagged",
                            tagPatternList: ["prod-*"],
                            countType: "imageCountMoreThan",
                            countNumber: 5,
                        },
                        action: { type: "expire" },
                    },
                ],
            }),
        );
        assert.deepEqual(rules.map(describeRule), [
            "keep the newest 5 tagged prod-* images",
            "keep the newest 1 images",
        ]);
        const image = (d: string, tags: string[], daysAgo: number) => ({
            imageDigest: d,
            imageTags: tags,
            imageSizeInBytes: 1,
            imagePushedAt: new Date(NOW - daysAgo * 86_400_000),
        });
        const kept = applyLifecycle(
            [
                image("p1", ["prod-1"], 9),
                image("p2", ["prod-2"], 8),
                image("x", ["x"], 1),
                image("u", [], 2),
            ],
            rules,
            NOW,
        ).map((i) => [i.digest, i.kept]);
        assert.deepEqual(kept, [
            ["p1", true],
            ["p2", true],
            ["x", true],
            ["u", false],
        ]);
        assert.deepEqual([0, 1023, 1536, 5 * 1024 ** 2, 1.25 * 1024 ** 3].map(formatBytes), [
            "0 B",
            "1023 B",
            "1.5 KB",
            "5.0 MB",
            "1.25 GB",
        ]);
    });
});

describe("remote library: SDK calls against the stand-in", function () {
    const saved = { ...process.env };
    let standIn: AwsStandIn;
    const group = "/aws/lambda/f";
    beforeEach(async function () {
        standIn = await startAwsStandIn({
            pageSize: 2,
            functions: [
                { name: "f", handler: (e) => ({ payload: { got: e }, logs: ["hi"] }) },
                {
                    name: "bad",
                    handler: () => {
                        throw Object.assign(new Error("nope"), { name: "ValueError" });
                    },
                },
            ],
            logEvents: [1, 2, 3, 4, 5].map((i) => ({
                logGroupName: group,
                logStreamName: "s",
                timestamp: i * 1000,
                message: `m${i}`,
            })),
            images: [1, 2, 3].map((i) => ({
                repositoryName: "r",
                imageDigest: `sha256:${String(i).repeat(64)}`,
                imageSizeInBytes: i,
                imagePushedAt: new Date(i * 1000),
            })),
        });
        for (const k of Object.keys(process.env)) if (k.startsWith("AWS_")) delete process.env[k];
        Object.assign(process.env, standIn.env);
    });
    afterEach(async function () {
        await standIn.stop();
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
    });

    it("invokeRemote decodes the payload and the log tail; a function error is summarised", async function () {
        const client = lambdaClient({});
        const ok = await invokeRemote(client, "f", { a: 1 });
        assert.deepEqual(
            [ok.statusCode, ok.result, ok.functionError],
            [200, { got: { a: 1 } }, undefined],
        );
        assert.match(ok.logTail!, /\nhi\nEND RequestId: /);
        const bad = await invokeRemote(client, functionArn("bad"), {});
        assert.deepEqual(
            [bad.functionError, functionErrorSummary(bad)],
            ["Unhandled", "ValueError: nope"],
        );
        client.destroy();
    });

    it("follows every FilterLogEvents and DescribeImages page", async function () {
        const logs = logsClient({});
        const events = await collectLogEvents(logs, { group, start: 2000 });
        assert.deepEqual(
            events.map((e) => e.message),
            ["m2", "m3", "m4", "m5"],
        );
        const ecr = ecrClient({});
        const images = await describeAllImages(ecr, "r");
        assert.deepEqual(
            images.map((i) => i.imageSizeInBytes),
            [1, 2, 3],
        );
        assert.deepEqual(
            standIn.requests.map((q) => q.operation),
            ["FilterLogEvents", "FilterLogEvents", "DescribeImages", "DescribeImages"],
        );
        logs.destroy();
        ecr.destroy();
    });

    it("retries throttles (Lambda 429 twice, Logs ThrottlingException once) up to success", async function () {
        const lambda = lambdaClient({});
        standIn.faults.throttle = 2;
        const out = await invokeRemote(lambda, "f", {});
        assert.equal(out.statusCode, 200);
        standIn.faults.throttle = 1;
        const logs = logsClient({});
        await collectLogEvents(logs, { group, start: 5000 });
        assert.deepEqual(
            standIn.requests.map((q) => [q.api, q.operation]),
            [
                ["lambda", "Invoke"],
                ["lambda", "Invoke"],
                ["lambda", "Invoke"],
                ["logs", "FilterLogEvents"],
                ["logs", "FilterLogEvents"],
            ],
        );
        lambda.destroy();
        logs.destroy();
    });

    it("turns ExpiredTokenException into a message that says how to refresh", async function () {
        standIn.faults.expiredCredentials = true;
        const lambda = lambdaClient({});
        const err = await invokeRemote(lambda, "f", {}).then(
            () => assert.fail("expected a rejection"),
            (e: unknown) => e,
        );
        assert.equal(
            awsError(err, "team").message,
            "AWS credentials expired (The security token included in the request is expired): refresh them (aws sso login --profile team) and run the command again.",
        );
        assert.equal(
            awsError(err).message,
            "AWS credentials expired (The security token included in the request is expired): refresh them (aws sso login) and run the command again.",
        );
        assert.equal(standIn.requests.length, 1);
        lambda.destroy();
    });
});
