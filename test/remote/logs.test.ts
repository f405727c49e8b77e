// `lambda-docker logs`, end to end against the stand-in: every page of the window, readable lines, --stats, --follow and Ctrl-C.
import * as assert from "node:assert/strict";
import { AwsStandIn, StandInLogEvent, startAwsStandIn } from "../support/awsStandIn";
import { startCli } from "../support/cli";
import { DEPLOYED, Project, cliEnv, finished, makeProject, run } from "./support/project";

const GROUP = `/aws/lambda/${DEPLOYED.api}`;
const T0 = Date.parse("2024-01-01T00:00:00Z");
const A = "11111111-1111-1111-1111-111111111111";
const B = "22222222-2222-2222-2222-222222222222";
const C = "33333333-3333-3333-3333-333333333333";
const D = "44444444-4444-4444-4444-444444444444";
const at = (s: number, message: string): StandInLogEvent => ({
    logGroupName: GROUP,
    logStreamName: "2024/01/01/[$LATEST]abc",
    timestamp: T0 + s * 1000,
    message,
});
const report = (id: string, ms: string, used: number, extra = ""): string =>
    `REPORT RequestId: ${id}\tDuration: ${ms} ms\tBilled Duration: ${Math.ceil(Number(ms))} ms\tMemory Size: 512 MB\tMax Memory Used: ${used} MB\t${extra}\n`;

const EVENTS: StandInLogEvent[] = [
    at(1, `START RequestId: ${A} Version: $LATEST\n`),
    at(
        1.5,
        JSON.stringify({
            timestamp: "2024-01-01T00:00:01.500Z",
            level: "INFO",
            message: "hello",
            logger: "root",
            requestId: A,
        }),
    ),
    at(2, `END RequestId: ${A}\n`),
    at(2, report(A, "100.00", 80, "Init Duration: 250.00 ms\t")),
    at(3, `[ERROR]\t2024-01-01T00:00:03.000Z\t${B}\tKeyError: 'x'\n`),
    at(3, report(B, "50.00", 90, "Status: error\t")),
    at(5, `2024-01-01T00:00:05.000Z ${C} Task timed out after 3.00 seconds\n`),
    at(5, report(C, "3000.00", 100, "Status: timeout\t")),
    at(
        6,
        JSON.stringify({
            timestamp: "2024-01-01T00:00:06.000Z",
            level: "ERROR",
            message: "init failed",
            logger: "root",
        }),
    ),
    at(7, report(D, "20.00", 60)),
];

describe("logs", function () {
    let standIn: AwsStandIn;
    let project: Project;
    beforeEach(async function () {
        project = makeProject();
        standIn = await startAwsStandIn({ logEvents: EVENTS.map((e) => ({ ...e })), pageSize: 2 });
    });
    afterEach(async function () {
        await standIn.stop();
        project.remove();
    });

    it("prints every page of the window readably: JSON logs, text logs, START/END/REPORT", async function () {
        const r = await run(
            ["logs", "api", "--stack", "dev", "--since", "2024-01-01T00:00:00Z"],
            standIn,
            project,
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, "");
        assert.equal(
            r.stdout,
            [
                `2024-01-01T00:00:01.000Z START ${A} Version: $LATEST`,
                `2024-01-01T00:00:01.500Z INFO ${A} hello`,
                `2024-01-01T00:00:02.000Z END ${A}`,
                `2024-01-01T00:00:02.000Z REPORT ${A} Duration: 100.00 ms  Billed Duration: 100 ms  Memory Size: 512 MB  Max Memory Used: 80 MB  Init Duration: 250.00 ms`,
                `2024-01-01T00:00:03.000Z ERROR ${B} KeyError: 'x'`,
                `2024-01-01T00:00:03.000Z REPORT ${B} Duration: 50.00 ms  Billed Duration: 50 ms  Memory Size: 512 MB  Max Memory Used: 90 MB  Status: error`,
                `2024-01-01T00:00:05.000Z ERROR ${C} Task timed out after 3.00 seconds`,
                `2024-01-01T00:00:05.000Z REPORT ${C} Duration: 3000.00 ms  Billed Duration: 3000 ms  Memory Size: 512 MB  Max Memory Used: 100 MB  Status: timeout`,
                `2024-01-01T00:00:06.000Z ERROR init failed`,
                `2024-01-01T00:00:07.000Z REPORT ${D} Duration: 20.00 ms  Billed Duration: 20 ms  Memory Size: 512 MB  Max Memory Used: 60 MB`,
                "",
            ].join("\n"),
        );
        // 10 events, 2 a page: 5 requests, each after the first with the previous page's nextToken.
        assert.deepEqual(
            standIn.requests.map((q) => {
                const b = q.body as { logGroupName: string; startTime: number; nextToken?: string };
                return [q.operation, b.logGroupName, b.startTime, b.nextToken !== undefined];
            }),
            [
                ["FilterLogEvents", GROUP, T0, false],
                ["FilterLogEvents", GROUP, T0, true],
                ["FilterLogEvents", GROUP, T0, true],
                ["FilterLogEvents", GROUP, T0, true],
                ["FilterLogEvents", GROUP, T0, true],
            ],
        );
    });

    it("passes --filter as the filter pattern", async function () {
        const r = await run(
            [
                "logs",
                "api",
                "--stack",
                "dev",
                "--since",
                "2024-01-01T00:00:00Z",
                "--filter",
                "KeyError",
            ],
            standIn,
            project,
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `2024-01-01T00:00:03.000Z ERROR ${B} KeyError: 'x'\n`);
        assert.equal(
            (standIn.requests[0].body as { filterPattern: string }).filterPattern,
            "KeyError",
        );
    });

    it("--stats: invocations, errors, cold starts, duration percentiles, memory and a right-sizing hint", async function () {
        const r = await run(
            ["logs", "api", "--stack", "dev", "--since", "2024-01-01T00:00:00Z", "--stats"],
            standIn,
            project,
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(
            r.stdout,
            [
                "invocations  4",
                "errors       3",
                "cold starts  1",
                "duration     p50 50.00 ms  p95 3000.00 ms  max 3000.00 ms",
                "memory       max 100 MB used of 512 MB (20%)",
                "hint: memory use stayed below 40% of memorySize; a smaller memorySize may cost less (Lambda's CPU share scales with memory: compare the durations after a change).",
                "",
            ].join("\n"),
        );
    });

    it("rejects a --since it cannot read", async function () {
        const r = await run(
            ["logs", "api", "--stack", "dev", "--since", "yesterday"],
            standIn,
            project,
        );
        assert.deepEqual(
            [r.status, r.stderr],
            [
                1,
                'lambda-docker: `--since` must be a duration (30s, 10m, 1h, 2d, 1w) or an ISO time (2024-05-01T12:00:00Z); got "yesterday"\n',
            ],
        );
    });

    it("--follow falls back to polling when StartLiveTail is refused, prints new events, and stops on SIGINT (130) at once", async function () {
        this.timeout(20000);
        const child = startCli(
            [
                "logs",
                "api",
                "--stack",
                "dev",
                "--since",
                "2024-01-01T00:00:06Z",
                "--follow",
                "--poll-interval",
                "100",
            ],
            { cwd: project.dir, env: cliEnv(standIn, project), stdio: ["ignore", "pipe", "pipe"] },
        );
        const done = finished(child);
        let out = "";
        child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
        const until = async (what: () => boolean, label: string): Promise<void> => {
            const deadline = Date.now() + 10000;
            while (!what()) {
                if (Date.now() > deadline)
                    assert.fail(`timed out waiting for ${label}; stdout: ${out}`);
                await new Promise((r) => setTimeout(r, 20));
            }
        };
        await until(() => out.includes(`REPORT ${D}`), "the window");
        await until(
            () => standIn.requests.filter((q) => q.operation === "FilterLogEvents").length >= 3,
            "polling",
        );
        const now = Date.now();
        standIn.state.logEvents.push({
            logGroupName: GROUP,
            logStreamName: "s",
            timestamp: now,
            message: "a new line\n",
        });
        await until(() => out.includes("a new line"), "the pushed event");
        const sent = Date.now();
        child.kill("SIGINT");
        const r = await done;
        const ms = Date.now() - sent;
        assert.equal(r.status, 130, r.stderr);
        assert.ok(ms < 2000, `exited ${ms} ms after SIGINT`);
        assert.equal(
            r.stdout,
            `2024-01-01T00:00:06.000Z ERROR init failed\n` +
                `2024-01-01T00:00:07.000Z REPORT ${D} Duration: 20.00 ms  Billed Duration: 20 ms  Memory Size: 512 MB  Max Memory Used: 60 MB\n` +
                `${new Date(now).toISOString()} a new line\n`,
        );
        assert.equal(
            r.stderr,
            "lambda-docker: live tail unavailable (UnknownOperationException: StartLiveTail is not supported by the stand-in); polling every 0.1 s\n",
        );
        const ops = standIn.requests.map((q) => q.operation);
        assert.deepEqual(ops.slice(0, 3), [
            "FilterLogEvents",
            "DescribeLogGroups",
            "StartLiveTail",
        ]);
        assert.deepEqual([...new Set(ops.slice(3))], ["FilterLogEvents"]);
    });
});
