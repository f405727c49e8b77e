/**
 * `lambda-docker serve` on a real engine, through a real HTTP client: the payload 2.0 event, the response
 * mapping, errors and timeouts as API Gateway answers them, live source edits, dependency rebuilds,
 * hand-fired schedule and SQS events, one request at a time per function, and no container left after
 * Ctrl-C. One serve process (the built CLI) serves every test of the file.
 */
import * as assert from "node:assert/strict";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../../support/docker";
import { startCli } from "../../../../support/cli";

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

const HANDLERS = `
import base64, time
from fns import version
print("importing h", flush=True)

def echo(event, context):
    return event

def resp(event, context):
    return {"statusCode": 201, "headers": {"X-Kind": "binary", "Content-Type": "application/octet-stream"},
            "cookies": ["s=1; Path=/", "t=2"], "body": base64.b64encode(b"\\x00\\xffok").decode(), "isBase64Encoded": True}

def boom(event, context):
    raise ValueError("bad order " + event["pathParameters"]["id"])

def sleepy(event, context):
    time.sleep(float(event["queryStringParameters"]["s"]))
    return "awake"

def slow(event, context):
    time.sleep(0.3)
    return "done"

def ver(event, context):
    return {"version": version.VALUE}

def deps(event, context):
    with open("/opt/deps.txt") as f:
        return {"deps": f.read().strip()}
`;

const MANIFEST = `
image:
  context: .
queues:
  jobs: {}
functions:
  echo:
    command: [fns.h.echo]
    events:
      - http: GET /echo/{id}
      - http: ANY /files/{proxy+}
      - http: POST /upload
  resp: { command: [fns.h.resp], events: [{ http: "GET /resp" }] }
  boom: { command: [fns.h.boom], events: [{ http: "GET /boom/{id}" }] }
  sleepy: { command: [fns.h.sleepy], timeout: 1, events: [{ http: "GET /sleepy" }] }
  slow: { command: [fns.h.slow], events: [{ http: "GET /slow" }] }
  ver: { command: [fns.h.ver], events: [{ http: "GET /version" }] }
  deps: { command: [fns.h.deps], events: [{ http: "GET /deps" }] }
  tick: { command: [fns.h.echo], events: [{ schedule: rate(1 minute) }] }
  consume: { command: [fns.h.echo], events: [{ sqs: { queue: jobs } }] }
`;

const FUNCTIONS = ["echo", "resp", "boom", "sleepy", "slow", "ver", "deps", "tick", "consume"];

describe("lambda-docker serve", function () {
    this.timeout(120000);
    let dir: string;
    let child: ChildProcess | undefined;
    let url = "";
    let stderr = "";

    const images = (): string[] =>
        docker([
            "images",
            "--quiet",
            "--no-trunc",
            "--filter",
            `label=lambda-docker.context=${dir}`,
        ])
            .split("\n")
            .filter(Boolean);
    const containers = (): string[] =>
        FUNCTIONS.flatMap((f) =>
            docker(["ps", "--all", "--quiet", "--filter", `label=lambda-docker.serve=${f}`])
                .split("\n")
                .filter(Boolean),
        );
    /** stderr lines of one function, without the prefix. */
    const logsOf = (fn: string): string[] =>
        stderr
            .split("\n")
            .filter((l) => l.startsWith(`${fn} | `))
            .map((l) => l.slice(fn.length + 3));

    before(async function () {
        requireDocker(this);
        dir = fs.realpathSync(tempDir("ld-serve-"));
        write(
            path.join(dir, "Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY deps.txt /opt/deps.txt\nCOPY fns/ ${LAMBDA_TASK_ROOT}/fns/\n",
        );
        write(path.join(dir, "deps.txt"), "deps v1\n");
        write(path.join(dir, "fns", "__init__.py"), "");
        write(path.join(dir, "fns", "version.py"), "VALUE = 'one'\n");
        write(path.join(dir, "fns", "h.py"), HANDLERS);
        write(path.join(dir, "lambda-docker.yaml"), MANIFEST);
        child = startCli(["serve", "--port", "0", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`], {
            cwd: dir,
        });
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
        let stdout = "";
        url = await new Promise<string>((resolve, reject) => {
            child!.stdout!.on("data", (c: Buffer) => {
                stdout += c.toString();
                const m = /^Serving on (http:\/\/\S+) /.exec(stdout);
                if (m && stdout.includes("→ consume\n")) resolve(m[1]);
            });
            child!.on("close", (code) => reject(new Error(`serve exited (${code}):\n${stderr}`)));
        });
        const port = new URL(url).port;
        assert.equal(
            stdout,
            [
                `Serving on ${url} (Ctrl-C stops and removes the containers):`,
                `GET   http://127.0.0.1:${port}/echo/{id}                     → echo`,
                `ANY   http://127.0.0.1:${port}/files/{proxy+}                → echo`,
                `POST  http://127.0.0.1:${port}/upload                        → echo`,
                `GET   http://127.0.0.1:${port}/resp                          → resp`,
                `GET   http://127.0.0.1:${port}/boom/{id}                     → boom`,
                `GET   http://127.0.0.1:${port}/sleepy                        → sleepy`,
                `GET   http://127.0.0.1:${port}/slow                          → slow`,
                `GET   http://127.0.0.1:${port}/version                       → ver`,
                `GET   http://127.0.0.1:${port}/deps                          → deps`,
                `POST  http://127.0.0.1:${port}/_lambda-docker/schedule/tick  → tick`,
                `POST  http://127.0.0.1:${port}/_lambda-docker/sqs/consume    → consume`,
                "",
            ].join("\n"),
        );
    });

    after(() => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        for (const id of dir ? containers() : []) docker(["rm", "--force", id]);
        if (dir) {
            for (const id of images()) docker(["image", "rm", "--force", id]);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("sends every payload 2.0 field, with path parameters, and answers a plain object as JSON (the shortcut)", async () => {
        const res = await fetch(`${url}/echo/42?x=1&x=2&y=a%20b`, {
            headers: { "X-Custom": "yes", Cookie: "a=1; b=2", "User-Agent": "serve-test" },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const event = (await res.json()) as Record<string, unknown> & {
            headers: Record<string, string>;
            requestContext: Record<string, unknown> & { http: unknown };
        };
        const { headers, requestContext, ...rest } = event;
        assert.deepEqual(rest, {
            version: "2.0",
            routeKey: "GET /echo/{id}",
            rawPath: "/echo/42",
            rawQueryString: "x=1&x=2&y=a%20b",
            cookies: ["a=1", "b=2"],
            queryStringParameters: { x: "1,2", y: "a b" },
            pathParameters: { id: "42" },
            isBase64Encoded: false,
        });
        assert.deepEqual(
            [headers["x-custom"], headers["user-agent"], headers.cookie],
            ["yes", "serve-test", undefined],
        );
        assert.deepEqual(requestContext.http, {
            method: "GET",
            path: "/echo/42",
            protocol: "HTTP/1.1",
            sourceIp: "127.0.0.1",
            userAgent: "serve-test",
        });
        assert.deepEqual(
            [requestContext.routeKey, requestContext.stage, requestContext.domainName],
            ["GET /echo/{id}", "$default", "127.0.0.1"],
        );

        const proxy = (await (
            await fetch(`${url}/files/a/b%20c/d.txt`, { method: "DELETE" })
        ).json()) as {
            routeKey: string;
            pathParameters: unknown;
        };
        assert.deepEqual(
            [proxy.routeKey, proxy.pathParameters],
            ["ANY /files/{proxy+}", { proxy: "a/b c/d.txt" }],
        );
        assert.equal((await fetch(`${url}/files`)).status, 404);
    });

    it("passes a binary body as base64, and sends a base64 response as bytes with its cookies", async () => {
        const up = (await (
            await fetch(`${url}/upload`, {
                method: "POST",
                headers: { "Content-Type": "application/octet-stream" },
                body: new Uint8Array([0, 255, 1]),
            })
        ).json()) as { body: string; isBase64Encoded: boolean };
        assert.deepEqual([up.body, up.isBase64Encoded], ["AP8B", true]);
        const res = await fetch(`${url}/resp`);
        assert.equal(res.status, 201);
        assert.deepEqual(
            [
                res.headers.get("x-kind"),
                res.headers.get("content-type"),
                res.headers.getSetCookie(),
            ],
            ["binary", "application/octet-stream", ["s=1; Path=/", "t=2"]],
        );
        assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 255, 111, 107]);
    });

    it("answers a handler exception with 500 and prints Lambda's error lines", async () => {
        const res = await fetch(`${url}/boom/7`);
        assert.equal(res.status, 500);
        assert.equal(await res.text(), '{"message":"Internal Server Error"}');
        const logs = logsOf("boom");
        assert.match(logs[0], /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
        assert.deepEqual(logs.slice(1, 4), [
            "importing h",
            "[ERROR] ValueError: bad order 7",
            "Traceback (most recent call last):",
        ]);
        assert.match(logs[logs.length - 1], /^REPORT RequestId: .*\tInit Duration: [\d.]+ ms$/);
    });

    it("answers a timeout with 500, then serves the next request from a fresh container (a cold start)", async () => {
        const late = await fetch(`${url}/sleepy?s=3`);
        assert.equal(late.status, 500);
        assert.equal(await late.text(), '{"message":"Internal Server Error"}');
        assert.match(stderr, /\nsleepy \| \S+ [0-9a-f-]{36} Task timed out after 1\.00 seconds\n/);
        const next = await fetch(`${url}/sleepy?s=0`);
        assert.deepEqual([next.status, await next.text()], [200, "awake"]);
        const reports = logsOf("sleepy").filter((l) => l.startsWith("REPORT "));
        assert.equal(reports.length, 2);
        assert.match(reports[0], /\tDuration: 1000\.00 ms\t/);
        assert.match(reports[1], /\tInit Duration: [\d.]+ ms$/);
    });

    it("serves two concurrent requests to one function one at a time", async () => {
        await fetch(`${url}/slow`); // the cold start is not what is measured
        const before = logsOf("slow").length;
        const started = Date.now();
        const answers = await Promise.all([fetch(`${url}/slow`), fetch(`${url}/slow`)]);
        const ms = Date.now() - started;
        assert.deepEqual(
            answers.map((a) => a.status),
            [200, 200],
        );
        assert.ok(ms >= 600, `two 300 ms requests took ${ms} ms`);
        const kinds = logsOf("slow")
            .slice(before)
            .map((l) => l.split(" ")[0]);
        assert.deepEqual(kinds, ["START", "END", "REPORT", "START", "END", "REPORT"]);
        // Warm: no Init Duration.
        assert.ok(
            logsOf("slow")
                .slice(before)
                .every((l) => !l.includes("Init Duration")),
        );
    });

    it("picks up a source edit without building an image", async () => {
        assert.deepEqual(await (await fetch(`${url}/version`)).json(), { version: "one" });
        const built = images();
        write(path.join(dir, "fns", "version.py"), "VALUE = 'two'\n");
        assert.deepEqual(await (await fetch(`${url}/version`)).json(), { version: "two" });
        assert.deepEqual(images(), built);
        assert.equal(stderr.split("lambda-docker serve: ver: building image").length - 1, 0);
    });

    it("rebuilds the image after a dependency edit and replaces the warm container", async () => {
        assert.deepEqual(await (await fetch(`${url}/deps`)).json(), { deps: "deps v1" });
        const count = images().length;
        write(path.join(dir, "deps.txt"), "deps v2\n");
        assert.deepEqual(await (await fetch(`${url}/deps`)).json(), { deps: "deps v2" });
        assert.equal(images().length, count + 1);
        assert.match(stderr, /deps: dependency inputs of image app changed: building it again\n/);
    });

    it("fires a schedule and an SQS batch by hand", async () => {
        const tick = await fetch(`${url}/_lambda-docker/schedule/tick`, { method: "POST" });
        assert.equal(tick.status, 200);
        const event = (await tick.json()) as Record<string, unknown>;
        assert.deepEqual(
            [event["detail-type"], event.source, event.region, event.detail],
            ["Scheduled Event", "aws.scheduler", "us-east-1", {}],
        );
        const sqs = await fetch(`${url}/_lambda-docker/sqs/consume`, {
            method: "POST",
            body: JSON.stringify(["first", { n: 2 }]),
        });
        assert.equal(sqs.status, 200);
        const records = ((await sqs.json()) as { Records: Record<string, unknown>[] }).Records;
        assert.deepEqual(
            records.map((r) => [r.body, r.md5OfBody, r.eventSource, r.eventSourceARN, r.awsRegion]),
            [
                [
                    "first",
                    "8b04d5e3775d298e78455efc5ca404d5",
                    "aws:sqs",
                    "arn:aws:sqs:us-east-1:123456789012:jobs",
                    "us-east-1",
                ],
                [
                    '{"n":2}',
                    "fa3f212516c45c713781b9dae87824a9",
                    "aws:sqs",
                    "arn:aws:sqs:us-east-1:123456789012:jobs",
                    "us-east-1",
                ],
            ],
        );
        assert.equal(
            (await fetch(`${url}/_lambda-docker/sqs/nobody`, { method: "POST" })).status,
            404,
        );
    });

    it("removes every container it started on Ctrl-C and exits 130", async () => {
        assert.ok(containers().length >= 7, `running: ${containers().length}`);
        const code = new Promise<number | null>((resolve) => child!.on("close", resolve));
        child!.kill("SIGINT");
        assert.equal(await code, 130);
        assert.deepEqual(containers(), []);
    });
});
