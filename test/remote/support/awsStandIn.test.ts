// Self-tests of the AWS stand-in (test/support/awsStandIn.ts) through the real AWS SDK v3 clients, pointed at it by
// the AWS_ENDPOINT_URL_* settings, and of the fake `pulumi` executable (test/support/fake-pulumi/pulumi).
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import {
    GetFunctionCommand,
    GetFunctionConfigurationCommand,
    InvokeCommand,
    LambdaClient,
} from "@aws-sdk/client-lambda";
import {
    CloudWatchLogsClient,
    DescribeLogGroupsCommand,
    FilterLogEventsCommand,
    StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
    DescribeImagesCommand,
    DescribeRepositoriesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
} from "@aws-sdk/client-ecr";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
    AwsStandIn,
    StandInLogEvent,
    loopbackLookup,
    startAwsStandIn,
} from "../../support/awsStandIn";
import { REPO_ROOT } from "../../support/paths";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const REPO_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api";
const group = "/aws/lambda/api-df3dc0b7";
const ev = (
    timestamp: number,
    message: string,
    logStreamName = "2024/01/01/[$LATEST]abc",
): StandInLogEvent => ({ logGroupName: group, logStreamName, timestamp, message });
const decode = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString("utf8");
const pushed = (s: number): Date => new Date(s * 1000);

/** Asserts that `p` rejects with an error of this name (and message, when given); returns the error. */
async function rejectsWith(
    p: Promise<unknown>,
    name: string,
    message?: string,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
    const err = await p.then(
        () => assert.fail(`expected ${name}`),
        (e: unknown) => e as Error,
    );
    assert.equal(err.name, name, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    return err;
}

describe("AWS stand-in (real SDK clients)", function () {
    const saved = { ...process.env };
    let standIn: AwsStandIn;
    const seen: unknown[] = [];
    const lambda = (): LambdaClient => new LambdaClient({});
    const logs = (): CloudWatchLogsClient => new CloudWatchLogsClient({});
    const ecr = (): ECRClient => new ECRClient({});

    beforeEach(async function () {
        seen.length = 0;
        standIn = await startAwsStandIn({
            functions: [
                {
                    name: "api-df3dc0b7",
                    memorySize: 512,
                    timeout: 30,
                    imageUri: `${REPO_URI}:v1`,
                    handler: (event, context) => {
                        seen.push({ event, context });
                        return { payload: { ok: true, echo: event }, logs: ["hello", "world\n"] };
                    },
                },
                {
                    name: "broken",
                    handler: () => {
                        throw new TypeError("boom");
                    },
                },
                { name: "zip", packageType: "Zip", runtime: "python3.12", handler: "app.handler" },
            ],
            logEvents: [
                ev(5000, "e5 done"),
                ev(1000, "e1 START"),
                ev(3000, "e3 ERROR bad thing", "other"),
                ev(2000, "e2 hello world"),
                ev(4000, "e4 ERROR again"),
            ],
            repositories: [
                { repositoryName: "api", lifecyclePolicyText: '{"rules":[]}' },
                { repositoryName: "bare" },
            ],
            images: [
                {
                    repositoryName: "api",
                    imageDigest: DIGEST,
                    imageTags: ["v1"],
                    imageSizeInBytes: 100,
                    imagePushedAt: pushed(1_700_000_000),
                },
                {
                    repositoryName: "api",
                    imageDigest: `sha256:${"cd".repeat(32)}`,
                    imageSizeInBytes: 200,
                    imagePushedAt: pushed(1_700_000_100),
                },
                {
                    repositoryName: "api",
                    imageDigest: `sha256:${"ef".repeat(32)}`,
                    imageTags: ["v3", "latest"],
                    imageSizeInBytes: 300,
                    imagePushedAt: pushed(1_700_000_200.5),
                },
            ],
        });
        for (const k of Object.keys(process.env)) if (k.startsWith("AWS_")) delete process.env[k];
        Object.assign(process.env, standIn.env);
    });
    afterEach(async function () {
        await standIn.stop();
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
    });

    it("points the SDK at a loopback endpoint", function () {
        assert.match(standIn.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.deepEqual(
            [
                standIn.env.AWS_ENDPOINT_URL_LAMBDA,
                standIn.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
                standIn.env.AWS_ENDPOINT_URL_ECR,
                standIn.env.AWS_REGION,
            ],
            [standIn.endpoint, standIn.endpoint, standIn.endpoint, "us-east-1"],
        );
    });

    it("invokes RequestResponse with a log tail, as Lambda does", async function () {
        const out = await lambda().send(
            new InvokeCommand({
                FunctionName: `${ARN}api-df3dc0b7`,
                LogType: "Tail",
                Payload: Buffer.from(JSON.stringify({ path: "/health" })),
            }),
        );
        assert.equal(out.StatusCode, 200);
        assert.equal(out.ExecutedVersion, "$LATEST");
        assert.equal(out.FunctionError, undefined);
        assert.deepEqual(JSON.parse(decode(out.Payload)), { ok: true, echo: { path: "/health" } });
        const id = out.$metadata.requestId!;
        assert.match(id, /^[0-9a-f-]{36}$/);
        assert.equal(
            Buffer.from(out.LogResult!, "base64").toString("utf8"),
            `START RequestId: ${id} Version: $LATEST\nhello\nworld\nEND RequestId: ${id}\n` +
                `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 42 MB\t\n`,
        );
        assert.deepEqual(seen, [
            {
                event: { path: "/health" },
                context: { requestId: id, functionName: "api-df3dc0b7", clientContext: undefined },
            },
        ]);
        assert.deepEqual(
            standIn.requests.map((r) => [r.api, r.operation, r.headers["x-amz-log-type"], r.body]),
            [["lambda", "Invoke", "Tail", { path: "/health" }]],
        );
    });

    it("keeps only the last 4 KB of the log tail and omits it without Tail", async function () {
        standIn.state.functions.push({
            name: "chatty",
            handler: () => ({
                payload: "x",
                logs: Array.from({ length: 200 }, (_, i) => `line ${i} ${"y".repeat(40)}`),
            }),
        });
        const tail = await lambda().send(
            new InvokeCommand({ FunctionName: "chatty", LogType: "Tail" }),
        );
        const text = Buffer.from(tail.LogResult!, "base64").toString("utf8");
        assert.equal(Buffer.byteLength(text), 4096);
        assert.ok(text.endsWith("Max Memory Used: 42 MB\t\n") && !text.includes("START RequestId"));
        const none = await lambda().send(new InvokeCommand({ FunctionName: "chatty" }));
        assert.equal(none.LogResult, undefined);
        assert.equal(decode(none.Payload), '"x"');
    });

    it("reports a thrown error as an Unhandled function error", async function () {
        const out = await lambda().send(
            new InvokeCommand({ FunctionName: "broken", Payload: Buffer.from("{}") }),
        );
        assert.equal(out.StatusCode, 200);
        assert.equal(out.FunctionError, "Unhandled");
        assert.deepEqual(JSON.parse(decode(out.Payload)), {
            errorMessage: "boom",
            errorType: "TypeError",
            requestId: "",
            stackTrace: [],
        });
    });

    it("answers Event with 202 and DryRun with 204 without running the handler", async function () {
        const event = await lambda().send(
            new InvokeCommand({
                FunctionName: "api-df3dc0b7",
                InvocationType: "Event",
                Payload: Buffer.from('{"a":1}'),
            }),
        );
        assert.equal(event.StatusCode, 202);
        assert.equal(decode(event.Payload), "");
        const dry = await lambda().send(
            new InvokeCommand({
                FunctionName: "api-df3dc0b7",
                InvocationType: "DryRun",
                Qualifier: "live",
            }),
        );
        assert.equal(dry.StatusCode, 204);
        assert.deepEqual(seen, []);
        assert.deepEqual(
            standIn.requests.map((r) => [r.operation, r.headers["x-amz-invocation-type"], r.body]),
            [
                ["Invoke", "Event", { a: 1 }],
                ["Invoke", "DryRun", undefined],
            ],
        );
    });

    it("raises ResourceNotFoundException for an unknown function", async function () {
        const err = await rejectsWith(
            lambda().send(new InvokeCommand({ FunctionName: "nope" })),
            "ResourceNotFoundException",
            `Function not found: ${ARN}nope`,
        );
        assert.equal(err.$metadata?.httpStatusCode, 404);
        await rejectsWith(
            lambda().send(new GetFunctionCommand({ FunctionName: "nope" })),
            "ResourceNotFoundException",
            `Function not found: ${ARN}nope`,
        );
    });

    it("describes functions with GetFunction and GetFunctionConfiguration", async function () {
        const out = await lambda().send(new GetFunctionCommand({ FunctionName: "api-df3dc0b7" }));
        const c = out.Configuration!;
        assert.deepEqual(
            [
                c.FunctionName,
                c.FunctionArn,
                c.MemorySize,
                c.Timeout,
                c.PackageType,
                c.Handler,
                c.Runtime,
                c.CodeSha256,
            ],
            [
                "api-df3dc0b7",
                `${ARN}api-df3dc0b7`,
                512,
                30,
                "Image",
                undefined,
                undefined,
                "ab".repeat(32),
            ],
        );
        assert.equal(c.LastModified, "2024-01-01T00:00:00.000+0000");
        assert.deepEqual(
            [out.Code?.ImageUri, out.Code?.ResolvedImageUri],
            [`${REPO_URI}:v1`, `${REPO_URI}@${DIGEST}`],
        );
        const zip = await lambda().send(
            new GetFunctionConfigurationCommand({ FunctionName: `${ARN}zip` }),
        );
        assert.deepEqual(
            [
                zip.FunctionName,
                zip.PackageType,
                zip.Handler,
                zip.Runtime,
                zip.MemorySize,
                zip.Timeout,
            ],
            ["zip", "Zip", "app.handler", "python3.12", 128, 3],
        );
    });

    it("paginates FilterLogEvents in timestamp order, pageSize 2 even when the limit is larger", async function () {
        const client = logs();
        const pages: string[][] = [];
        let nextToken: string | undefined;
        do {
            const out = await client.send(
                new FilterLogEventsCommand({ logGroupName: group, limit: 100, nextToken }),
            );
            pages.push(out.events!.map((e) => e.message!));
            nextToken = out.nextToken;
        } while (nextToken && pages.length < 10);
        assert.deepEqual(pages, [
            ["e1 START", "e2 hello world"],
            ["e3 ERROR bad thing", "e4 ERROR again"],
            ["e5 done"],
        ]);
        assert.deepEqual(
            standIn.requests.map((r) => [
                r.api,
                r.operation,
                (r.body as { nextToken?: string }).nextToken !== undefined,
            ]),
            [
                ["logs", "FilterLogEvents", false],
                ["logs", "FilterLogEvents", true],
                ["logs", "FilterLogEvents", true],
            ],
        );
        const first = await client.send(
            new FilterLogEventsCommand({
                logGroupIdentifier: group,
                limit: 1,
                startTime: 2000,
                endTime: 4000,
            }),
        );
        assert.deepEqual(
            first.events!.map((e) => [e.timestamp, e.ingestionTime, e.logStreamName]),
            [[2000, 2000, "2024/01/01/[$LATEST]abc"]],
        );
        assert.ok(first.nextToken);
    });

    it("filters log events by a term or a quoted phrase and refuses unknown groups", async function () {
        const messages = async (filterPattern: string): Promise<string[]> => {
            const out = await logs().send(
                new FilterLogEventsCommand({ logGroupName: group, filterPattern, limit: 1 }),
            );
            const first = out.events!.map((e) => e.message!);
            if (!out.nextToken) return first;
            const rest = await logs().send(
                new FilterLogEventsCommand({
                    logGroupName: group,
                    filterPattern,
                    nextToken: out.nextToken,
                }),
            );
            return [...first, ...rest.events!.map((e) => e.message!)];
        };
        assert.deepEqual(await messages("ERROR"), ["e3 ERROR bad thing", "e4 ERROR again"]);
        assert.deepEqual(await messages("ERROR again"), ["e4 ERROR again"]);
        assert.deepEqual(await messages('"hello world"'), ["e2 hello world"]);
        assert.deepEqual(await messages('"world hello"'), []);
        await rejectsWith(
            logs().send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/nope" })),
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        );
        const groups = await logs().send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }),
        );
        assert.deepEqual(
            groups.logGroups!.map((g) => g.logGroupName),
            [group],
        );
    });

    it("sees log events appended after start", async function () {
        standIn.state.logEvents.push(ev(6000, "e6 late"));
        const out = await logs().send(
            new FilterLogEventsCommand({ logGroupName: group, startTime: 5000 }),
        );
        assert.deepEqual(
            out.events!.map((e) => e.message),
            ["e5 done", "e6 late"],
        );
    });

    it("paginates DescribeImages and describes repositories and lifecycle policies", async function () {
        const first = await ecr().send(
            new DescribeImagesCommand({ repositoryName: "api", maxResults: 1000 }),
        );
        assert.deepEqual(
            first.imageDetails!.map((i) => [
                i.imageDigest,
                i.imageTags,
                i.imageSizeInBytes,
                i.imagePushedAt?.getTime(),
                i.registryId,
            ]),
            [
                [DIGEST, ["v1"], 100, 1_700_000_000_000, "123456789012"],
                [`sha256:${"cd".repeat(32)}`, undefined, 200, 1_700_000_100_000, "123456789012"],
            ],
        );
        const second = await ecr().send(
            new DescribeImagesCommand({ repositoryName: "api", nextToken: first.nextToken }),
        );
        assert.deepEqual(
            second.imageDetails!.map((i) => [i.imageTags, i.imagePushedAt?.getTime()]),
            [[["v3", "latest"], 1_700_000_200_500]],
        );
        assert.equal(second.nextToken, undefined);
        await rejectsWith(
            ecr().send(new DescribeImagesCommand({ repositoryName: "nope" })),
            "RepositoryNotFoundException",
            "The repository with name 'nope' does not exist in the registry with id '123456789012'",
        );
        const repos = await ecr().send(
            new DescribeRepositoriesCommand({ repositoryNames: ["api"] }),
        );
        assert.deepEqual(
            repos.repositories!.map((r) => [
                r.repositoryName,
                r.repositoryUri,
                r.repositoryArn,
                r.registryId,
            ]),
            [
                [
                    "api",
                    REPO_URI,
                    "arn:aws:ecr:us-east-1:123456789012:repository/api",
                    "123456789012",
                ],
            ],
        );
        const policy = await ecr().send(new GetLifecyclePolicyCommand({ repositoryName: "api" }));
        assert.equal(policy.lifecyclePolicyText, '{"rules":[]}');
        await rejectsWith(
            ecr().send(new GetLifecyclePolicyCommand({ repositoryName: "bare" })),
            "LifecyclePolicyNotFoundException",
        );
    });

    it("throttles once; the SDK's default retry succeeds on the second request", async function () {
        standIn.faults.throttle = 1;
        const out = await lambda().send(new GetFunctionCommand({ FunctionName: "api-df3dc0b7" }));
        assert.equal(out.Configuration?.FunctionName, "api-df3dc0b7");
        assert.equal(out.$metadata.attempts, 2);
        assert.equal(standIn.requests.length, 2);
        assert.equal(standIn.faults.throttle, 0);
        standIn.faults.throttle = 1;
        const images = await ecr().send(new DescribeImagesCommand({ repositoryName: "api" }));
        assert.equal(images.$metadata.attempts, 2);
        assert.deepEqual(
            standIn.requests.map((r) => r.operation),
            ["GetFunction", "GetFunction", "DescribeImages", "DescribeImages"],
        );
    });

    it("names the throttles as Lambda and Logs do when retries run out", async function () {
        standIn.faults.throttle = 2;
        const err = await rejectsWith(
            new LambdaClient({ maxAttempts: 1 }).send(
                new InvokeCommand({ FunctionName: "api-df3dc0b7" }),
            ),
            "TooManyRequestsException",
        );
        assert.equal(err.$metadata?.httpStatusCode, 429);
        assert.deepEqual(
            [
                (err as { retryAfterSeconds?: string }).retryAfterSeconds,
                (err as { Reason?: string }).Reason,
            ],
            ["0", "CallerRateLimitExceeded"],
        );
        const logsErr = await rejectsWith(
            new CloudWatchLogsClient({ maxAttempts: 1 }).send(
                new FilterLogEventsCommand({ logGroupName: group }),
            ),
            "ThrottlingException",
        );
        assert.equal(logsErr.$metadata?.httpStatusCode, 400);
        assert.deepEqual(seen, []);
    });

    it("answers ExpiredTokenException to every request when credentials expire", async function () {
        standIn.faults.expiredCredentials = true;
        const expired = "The security token included in the request is expired";
        const err = await rejectsWith(
            lambda().send(new InvokeCommand({ FunctionName: "api-df3dc0b7" })),
            "ExpiredTokenException",
            expired,
        );
        assert.equal(err.$metadata?.httpStatusCode, 403);
        await rejectsWith(
            logs().send(new FilterLogEventsCommand({ logGroupName: group })),
            "ExpiredTokenException",
            expired,
        );
        await rejectsWith(
            ecr().send(new DescribeRepositoriesCommand({})),
            "ExpiredTokenException",
            expired,
        );
        assert.deepEqual(
            standIn.requests.map((r) => r.api),
            ["lambda", "logs", "ecr"],
        );
    });

    it("refuses StartLiveTail with UnknownOperationException", async function () {
        // The SDK prefixes StartLiveTail's host with "stream-": a default client would look up stream-127.0.0.1
        // (ENOTFOUND). A handler that records instead of sending shows the prefix without touching DNS.
        const hosts: string[] = [];
        const recording = new CloudWatchLogsClient({
            requestHandler: {
                handle: async (req: { hostname: string }) => {
                    hosts.push(req.hostname);
                    throw new Error("recorded");
                },
            } as never,
            maxAttempts: 1,
        });
        const input = {
            logGroupIdentifiers: [`arn:aws:logs:us-east-1:123456789012:log-group:${group}`],
        };
        await assert.rejects(recording.send(new StartLiveTailCommand(input)), /recorded/);
        assert.deepEqual(hosts, ["stream-127.0.0.1"]);
        // With disableHostPrefix, or an agent that resolves stream-127.0.0.1 to loopback, the stand-in answers.
        await rejectsWith(
            new CloudWatchLogsClient({ disableHostPrefix: true }).send(
                new StartLiveTailCommand(input),
            ),
            "UnknownOperationException",
        );
        const agent = new http.Agent({ lookup: loopbackLookup } as http.AgentOptions);
        await rejectsWith(
            new CloudWatchLogsClient({
                requestHandler: new NodeHttpHandler({ httpAgent: agent }),
            }).send(new StartLiveTailCommand(input)),
            "UnknownOperationException",
        );
        agent.destroy();
        const port = new URL(standIn.endpoint).port;
        assert.deepEqual(
            standIn.requests.map((r) => [r.api, r.operation, r.headers.host, r.body]),
            [
                ["logs", "StartLiveTail", `127.0.0.1:${port}`, input],
                ["logs", "StartLiveTail", `stream-127.0.0.1:${port}`, input],
            ],
        );
    });
});

describe("fake pulumi", function () {
    const dir = path.join(REPO_ROOT, "test", "support", "fake-pulumi");
    let outputs: string;
    before(function () {
        outputs = fs.mkdtempSync(path.join(os.tmpdir(), "ld-fake-pulumi-"));
        fs.writeFileSync(
            path.join(outputs, "dev.json"),
            '{\n  "apiUrl": "https://example.invalid/",\n  "functionName": "api-df3dc0b7"\n}\n',
        );
    });
    after(function () {
        fs.rmSync(outputs, { recursive: true, force: true });
    });
    const run = (...args: string[]) =>
        spawnSync("pulumi", args, {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${dir}${path.delimiter}${process.env.PATH}`,
                FAKE_PULUMI_OUTPUTS_DIR: outputs,
            },
        });

    it("prints the stack's outputs file for `stack output --json`, flags in any order", function () {
        for (const args of [
            ["stack", "output", "--json", "--stack", "dev"],
            ["--stack", "dev", "stack", "--show-secrets", "output", "--json"],
        ]) {
            const r = run(...args);
            assert.equal(r.error, undefined);
            assert.deepEqual([r.status, r.stderr], [0, ""]);
            assert.deepEqual(JSON.parse(r.stdout), {
                apiUrl: "https://example.invalid/",
                functionName: "api-df3dc0b7",
            });
        }
    });

    it("fails like pulumi for an unknown stack (255) and refuses other commands (2)", function () {
        const unknown = run("stack", "output", "--json", "--stack", "prod");
        assert.deepEqual(
            [unknown.status, unknown.stdout, unknown.stderr],
            [255, "", "error: no stack named 'prod' found\n"],
        );
        const other = run("up", "--stack", "dev");
        assert.deepEqual(
            [other.status, other.stdout, other.stderr],
            [2, "", "fake pulumi: unsupported\n"],
        );
    });
});
