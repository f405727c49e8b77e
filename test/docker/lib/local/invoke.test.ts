/**
 * `invokeLocal` and `lambda-docker invoke` follow the Lambda Python runtime's rules on a real engine:
 * marshalling, timeout, memory limit, the root logger's handler, live ordered output, the REPORT line,
 * the full context, and a container that never outlives the CLI.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import {
    formatReport,
    invokeLocal,
    invokeWithEmulator,
    timeoutMessage,
} from "../../../../lib/local";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../support/docker";
import { startCli as spawnCli } from "../../../support/cli";

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

const HANDLERS = `
import datetime, decimal, logging, os, sys, time
logger = logging.getLogger()
print("importing h", flush=True)

def price(event, context):
    return {"price": decimal.Decimal("9.99"), "count": decimal.Decimal("10"), "name": "caf\\u00e9"}

def tags(event, context):
    return {"tags": {"a"}}

def when(event, context):
    return {"at": datetime.datetime(2026, 1, 1)}

def sleepy(event, context):
    print("going to sleep", flush=True)
    time.sleep(60)
    return "never"

def hog(event, context):
    blocks = []
    for _ in range(40):
        blocks.append(bytearray(16 * 1024 * 1024))
    return len(blocks)

def logs(event, context):
    logger.info("hidden: the root level is WARNING")
    logger.setLevel(logging.INFO)
    logger.info("shown %s", event["x"])
    print("out 1")
    print("err 2", file=sys.stderr)
    print("out 3")
    return {"ok": True}

def ctx(event, context):
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id_length": len(context.aws_request_id),
        "log_group_name": context.log_group_name,
        "identity": [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        "client_context": None if context.client_context is None else context.client_context.custom,
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 7000,
        "region": os.environ["AWS_REGION"],
        "table": os.environ.get("TABLE_NAME"),
    }

def boom(event, context):
    raise ValueError("bad order " + str(event.get("id")))
`;

describe("local invoke follows the Lambda Python runtime", function () {
    this.timeout(300000);
    let dir: string;
    const image = "lambda-docker-test-invoke:latest";
    before(function () {
        requireDocker(this);
        dir = tempDir("ld-invoke-");
        write(
            path.join(dir, "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nCOPY fns/ /var/task/fns/\n",
        );
        write(path.join(dir, "fns", "__init__.py"), "");
        write(path.join(dir, "fns", "h.py"), HANDLERS);
        write(
            path.join(dir, "lambda-docker.yaml"),
            "image:\n  context: .\nfunctions:\n  ctx:\n    command: [fns.h.ctx]\n  sleepy:\n    command: [fns.h.sleepy]\n",
        );
        docker(["build", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "--tag", image, dir]);
    });
    after(() => {
        if (dir) {
            docker(["image", "rm", "--force", image]);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    const run = (handler: string, extra: Partial<Parameters<typeof invokeLocal>[0]> = {}) =>
        invokeLocal({
            image,
            functionName: "orders",
            command: [`fns.h.${handler}`],
            event: {},
            timeout: 10,
            ...extra,
        });

    it("writes Decimals as JSON numbers, as the runtime's encoder does", async () => {
        const out = await run("price");
        assert.equal(out.failed, false);
        assert.equal(out.payload, '{"price": 9.99, "count": 10, "name": "caf\\u00e9"}');
        assert.deepEqual(out.result, { price: 9.99, count: 10, name: "café" });
    });

    it("gives the same result through the Docker CLI (LAMBDA_DOCKER_ENGINE=cli) as through the Engine API, and leaves no container", async () => {
        const [api, cli] = [
            await run("boom", { event: { id: 7 } }),
            await run("boom", {
                event: { id: 7 },
                env: { ...process.env, LAMBDA_DOCKER_ENGINE: "cli" },
            }),
        ];
        for (const out of [api, cli]) {
            assert.deepEqual(
                [out.failed, out.errorType, (out.result as { errorMessage: string }).errorMessage],
                [true, "ValueError", "bad order 7"],
            );
            assert.deepEqual(
                out.logs.filter((l) => l.startsWith("[ERROR]")),
                ["[ERROR] ValueError: bad order 7"],
            );
        }
        assert.equal(
            docker([
                "ps",
                "--all",
                "--quiet",
                "--filter",
                "label=lambda-docker.invoke=orders",
            ]).trim(),
            "",
        );
    });

    it("fails a set or a datetime with Runtime.MarshalError", async () => {
        const set = await run("tags");
        assert.equal(set.failed, true);
        assert.equal(set.errorType, "Runtime.MarshalError");
        assert.deepEqual(set.result, {
            errorMessage: "Unable to marshal response: Object of type set is not JSON serializable",
            errorType: "Runtime.MarshalError",
            requestId: set.report.requestId,
            stackTrace: [],
        });
        assert.ok(
            set.logs.includes(
                "[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not JSON serializable",
            ),
            set.logs.join("\n"),
        );
        const dt = await run("when");
        assert.equal(
            (dt.result as { errorMessage: string }).errorMessage,
            "Unable to marshal response: Object of type datetime is not JSON serializable",
        );
    });

    it("reports a handler's exception in Lambda's error shape with the handler's frames", async () => {
        const out = await run("boom", { event: { id: 7 } });
        const result = out.result as {
            errorMessage: string;
            errorType: string;
            stackTrace: string[];
        };
        assert.equal(result.errorType, "ValueError");
        assert.equal(result.errorMessage, "bad order 7");
        assert.equal(result.stackTrace.length, 1);
        assert.match(
            result.stackTrace[0],
            /^ {2}File "\/var\/task\/fns\/h\.py", line \d+, in boom\n/,
        );
        const missing = await invokeLocal({
            image,
            functionName: "x",
            command: ["fns.nope.handler"],
            event: {},
        });
        assert.deepEqual(
            [missing.errorType, (missing.result as { errorMessage: string }).errorMessage],
            [
                "Runtime.ImportModuleError",
                "Unable to import module 'fns.nope': No module named 'fns.nope'",
            ],
        );
        const absent = await invokeLocal({
            image,
            functionName: "x",
            command: ["fns.h.nothing"],
            event: {},
        });
        assert.deepEqual(
            [absent.errorType, (absent.result as { errorMessage: string }).errorMessage],
            ["Runtime.HandlerNotFound", "Handler 'nothing' missing on module 'fns.h'"],
        );
    });

    it("enforces the timeout: Task timed out, container killed", async () => {
        const lines: string[] = [];
        const out = await run("sleepy", { timeout: 2, onLog: (l) => lines.push(l) });
        assert.equal(out.failed, true);
        assert.equal(out.timedOut, true);
        assert.equal(out.errorType, "Sandbox.Timedout");
        assert.deepEqual(out.result, {
            errorType: "Sandbox.Timedout",
            errorMessage: `RequestId: ${out.report.requestId} Error: Task timed out after 2.00 seconds`,
        });
        assert.equal(timeoutMessage(2), "Task timed out after 2.00 seconds");
        assert.ok(
            lines.some((l) =>
                l.endsWith(`${out.report.requestId} Task timed out after 2.00 seconds`),
            ),
            lines.join("\n"),
        );
        assert.ok(lines.includes("going to sleep"));
        // This invocation's container (other files' invocations run in parallel workers).
        const container = `lambda-docker-invoke-${out.report.requestId.slice(0, 8)}`;
        assert.equal(docker(["ps", "-aq", "--filter", `name=${container}`]).trim(), "");
    });

    it("limits memory to --memory: over it, Runtime.ExitError (signal: killed)", async () => {
        const out = await run("hog", { memorySize: 128, timeout: 60 });
        assert.equal(out.failed, true);
        assert.equal(out.errorType, "Runtime.ExitError");
        assert.deepEqual(out.result, {
            errorType: "Runtime.ExitError",
            errorMessage: `RequestId: ${out.report.requestId} Error: Runtime exited with error: signal: killed`,
        });
        const enough = await run("hog", { memorySize: 1024, timeout: 60 });
        assert.equal(enough.result, 40);
        assert.ok(
            enough.report.maxMemoryUsedMb! >= 640 && enough.report.maxMemoryUsedMb! <= 1024,
            String(enough.report.maxMemoryUsedMb),
        );
    });

    it("installs the runtime's root logger handler and streams output in order, then END and REPORT", async () => {
        const live: string[] = [];
        const out = await run("logs", { event: { x: 42 }, onLog: (l) => live.push(l) });
        assert.deepEqual(out.result, { ok: true });
        assert.deepEqual(live, out.logs);
        const id = out.report.requestId;
        assert.equal(out.logs[0], `START RequestId: ${id} Version: $LATEST`);
        assert.equal(out.logs[1], "importing h");
        assert.match(
            out.logs[2],
            new RegExp(
                `^\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${id}\\tshown 42$`,
            ),
        );
        assert.deepEqual(out.logs.slice(3, 6), ["out 1", "err 2", "out 3"]);
        assert.equal(out.logs[6], `END RequestId: ${id}`);
        assert.equal(out.logs[7], formatReport(out.report));
        assert.match(
            out.logs[7],
            new RegExp(
                `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`,
            ),
        );
        assert.equal(out.logs.length, 8);
        assert.ok(!out.logs.some((l) => l.includes("hidden")));
    });

    it("gives the handler Lambda's complete context", async () => {
        const out = await run("ctx", {
            event: { id: 1 },
            timeout: 7,
            memorySize: 256,
            region: "eu-west-1",
            environment: { TABLE_NAME: "orders" },
            clientContext: { custom: { tenant: "a" } },
            identity: { cognitoIdentityId: "id-1", cognitoIdentityPoolId: "pool-1" },
        });
        assert.deepEqual(out.result, {
            event: { id: 1 },
            function_name: "orders",
            function_version: "$LATEST",
            memory_limit_in_mb: "256",
            invoked_function_arn: "arn:aws:lambda:eu-west-1:000000000000:function:orders",
            aws_request_id_length: 36,
            log_group_name: "/aws/lambda/orders",
            identity: ["id-1", "pool-1"],
            client_context: { tenant: "a" },
            remaining_ok: true,
            region: "eu-west-1",
            table: "orders",
        });
        const bare = await run("ctx");
        assert.deepEqual(
            [
                (bare.result as { identity: unknown }).identity,
                (bare.result as { client_context: unknown }).client_context,
            ],
            [[null, null], null],
        );
    });

    const startCli = (args: string[]) => spawnCli(args, { cwd: dir });
    function cli(
        args: string[],
        input?: string,
    ): Promise<{
        code: number | null;
        signal: NodeJS.Signals | null;
        stdout: string;
        stderr: string;
    }> {
        return new Promise((resolve) => {
            const child = startCli(args);
            let stdout = "";
            let stderr = "";
            child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
            child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
            child.stdin!.end(input);
            child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
        });
    }

    it("`invoke` prints only the result JSON on stdout, logs and REPORT on stderr; `--event -` reads stdin; no --event is {}", async () => {
        const piped = await cli(
            ["invoke", "ctx", "--image", image, "--event", "-", "--timeout", "7"],
            '{"id": 9}',
        );
        assert.equal(piped.code, 0, piped.stderr);
        const result = JSON.parse(piped.stdout) as { event: unknown; region: string };
        assert.deepEqual([result.event, result.region], [{ id: 9 }, "us-east-1"]);
        assert.match(
            piped.stderr,
            /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\nimporting h\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: /,
        );
        const none = await cli(["invoke", "ctx", "--image", image, "--timeout", "7"]);
        assert.deepEqual((JSON.parse(none.stdout) as { event: unknown }).event, {});
    });

    it("`invoke --timeout` exits 1 with Lambda's message", async () => {
        const out = await cli(["invoke", "sleepy", "--image", image, "--timeout", "1"]);
        assert.equal(out.code, 1);
        assert.equal(
            (JSON.parse(out.stdout) as { errorType: string }).errorType,
            "Sandbox.Timedout",
        );
        assert.match(out.stderr, / Task timed out after 1\.00 seconds\n/);
    });

    it("`check` is quiet: one progress line per build step on a non-terminal, the failure tail once, everything with --verbose", async () => {
        const ok = await cli([
            "check",
            "--build-arg",
            `BASE_IMAGE=${BASE_IMAGE}`,
            "--env",
            "TABLE_NAME=x",
        ]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout, "ok  ctx  fns.h.ctx\nok  sleepy  fns.h.sleepy\n");
        for (const line of ok.stderr.split("\n").filter(Boolean))
            assert.match(line, /^building image: \[\d\/\d\] /);
        write(
            path.join(dir, "broken", "Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo compiling && exit 7\n",
        );
        write(
            path.join(dir, "broken.yaml"),
            "image:\n  context: broken\nfunctions:\n  ctx:\n    command: [fns.h.ctx]\n",
        );
        for (const verbose of [false, true]) {
            const bad = await cli([
                "check",
                "--manifest",
                "broken.yaml",
                "--build-arg",
                `BASE_IMAGE=${BASE_IMAGE}`,
                ...(verbose ? ["--verbose"] : []),
            ]);
            assert.equal(bad.code, 1);
            assert.equal(bad.stdout, "");
            // docker's error line, once: in the tail, or (with --verbose) in the streamed log
            assert.equal(bad.stderr.split(/#\d+ ERROR: .*exit code: 7/).length - 1, 1, bad.stderr);
            assert.equal(bad.stderr.includes("building image: "), !verbose);
            assert.equal(bad.stderr.includes("Last lines of docker output:"), !verbose);
            assert.match(
                bad.stderr,
                /lambda-docker: Image build failed: docker build of Dockerfile "broken\/Dockerfile" with context "broken" exited with code 1\./,
            );
        }
    });

    it("says how to point at a local base image when it can't be pulled", async () => {
        // Nothing listens on 127.0.0.1:9: the pull fails as it would offline.
        const out = await cli([
            "check",
            "--build-arg",
            "BASE_IMAGE=127.0.0.1:9/lambda/python:3.11",
        ]);
        assert.equal(out.code, 1);
        assert.ok(
            out.stderr.includes(
                'Docker could not pull the base image "127.0.0.1:9/lambda/python:3.11" (offline, or no access to its registry). Use a local image instead: ' +
                    "set BASE_IMAGE=<local image> (npm start, check, invoke, layer build) or pass --build-arg BASE_IMAGE=<image>, and `lambda-docker:baseImage` " +
                    "in the stack file for deploys; `docker image ls` lists the images you have.\nLast lines of docker output:",
            ),
            out.stderr,
        );
    });

    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        it(`${signal} to \`invoke\` stops and removes the container`, async () => {
            const child = startCli(["invoke", "sleepy", "--image", image, "--timeout", "120"]);
            let stderr = "";
            await new Promise<void>((resolve, reject) => {
                child.stderr!.on("data", (c: Buffer) => {
                    stderr += c.toString();
                    if (stderr.includes("going to sleep")) resolve();
                });
                child.on("close", (code) =>
                    reject(new Error(`invoke exited (${code}) before the handler ran:\n${stderr}`)),
                );
            });
            assert.equal(
                docker(["ps", "-q", "--filter", "label=lambda-docker.invoke=sleepy"])
                    .trim()
                    .split("\n").length,
                1,
            );
            child.kill(signal);
            const code = await new Promise<number | null>((resolve) =>
                child.on("close", (c) => resolve(c)),
            );
            assert.equal(code, signal === "SIGINT" ? 130 : 143);
            const container =
                /interrupted; container (lambda-docker-invoke-[0-9a-f]{8}) stopped and removed/.exec(
                    stderr,
                );
            assert.ok(container, stderr);
            assert.equal(docker(["ps", "-aq", "--filter", `name=${container[1]}`]).trim(), "");
        });
    }
});

/** A stand-in for AWS's emulator (the real one ships only in AWS's base images, which can't be pulled here). */
const FAKE_RIE = `#!/usr/bin/env python3
import importlib, json, os, sys, uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
sys.path.insert(0, "/var/task")
module, _, attr = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), attr)
class Invoke(BaseHTTPRequestHandler):
    def do_POST(self):
        assert self.path == "/2015-03-31/functions/function/invocations", self.path
        event = json.loads(self.rfile.read(int(self.headers["content-length"])))
        rid = str(uuid.uuid4())
        print("START RequestId: %s Version: $LATEST" % rid, flush=True)
        body = json.dumps(handler(event, None)).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print("END RequestId: %s" % rid, flush=True)
    def log_message(self, *args):
        pass
print("rie listening, timeout %s, memory %s" % (os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"], os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]), flush=True)
HTTPServer(("0.0.0.0", 8080), Invoke).serve_forever()
`;

describe("invoke --emulator runs the image's Runtime Interface Emulator", function () {
    this.timeout(300000);
    let dir: string;
    const withRie = "lambda-docker-test-rie:latest";
    const without = "lambda-docker-test-norie:latest";
    before(function () {
        requireDocker(this);
        dir = tempDir("ld-rie-");
        write(path.join(dir, "fns", "__init__.py"), "");
        write(
            path.join(dir, "fns", "h.py"),
            'def echo(event, context):\n    return {"echo": event}\n',
        );
        write(path.join(dir, "aws-lambda-rie"), FAKE_RIE);
        fs.chmodSync(path.join(dir, "aws-lambda-rie"), 0o755);
        write(
            path.join(dir, "Dockerfile"),
            'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY fns/ /var/task/fns/\nCOPY aws-lambda-rie /usr/local/bin/aws-lambda-rie\nENTRYPOINT ["/usr/local/bin/aws-lambda-rie"]\n',
        );
        write(
            path.join(dir, "Dockerfile.plain"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY fns/ /var/task/fns/\n",
        );
        docker(["build", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "--tag", withRie, dir]);
        docker([
            "build",
            "--build-arg",
            `BASE_IMAGE=${BASE_IMAGE}`,
            "--file",
            path.join(dir, "Dockerfile.plain"),
            "--tag",
            without,
            dir,
        ]);
    });
    after(() => {
        if (!dir) return;
        docker(["image", "rm", "--force", withRie, without]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("posts the event to the emulator on a loopback port, streams its logs, and removes the container", async () => {
        const lines: string[] = [];
        const out = await invokeWithEmulator({
            image: withRie,
            functionName: "echo",
            command: ["fns.h.echo"],
            event: { id: 3 },
            timeout: 9,
            memorySize: 256,
            onLog: (l) => lines.push(l),
        });
        assert.equal(out.failed, false);
        assert.equal(out.payload, '{"echo": {"id": 3}}');
        assert.deepEqual(out.result, { echo: { id: 3 } });
        assert.equal(lines[0], "rie listening, timeout 9, memory 256");
        assert.match(lines[1], /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
        assert.equal(
            docker(["ps", "-aq", "--filter", "label=lambda-docker.invoke=echo"]).trim(),
            "",
        );
    });

    it("refuses a zip function with layers, which the emulator's runtime can't extract", async () => {
        await assert.rejects(
            invokeWithEmulator({
                image: withRie,
                functionName: "report-api",
                command: ["z.handler"],
                event: {},
                layers: ["/tmp/layer.zip"],
            }),
            {
                name: "DockerError",
                message:
                    "--emulator: report-api has layers, which the emulator's runtime can't extract into /opt; invoke it without --emulator.",
            },
        );
    });

    it("says so when the image has no emulator", async () => {
        await assert.rejects(
            invokeWithEmulator({
                image: without,
                functionName: "echo",
                command: ["fns.h.echo"],
                event: {},
            }),
            {
                name: "DockerError",
                message:
                    `--emulator: image "${without}" has no Lambda Runtime Interface Emulator at /usr/local/bin/aws-lambda-rie. ` +
                    "AWS's Lambda base images (public.ecr.aws/lambda/python) include it; add it to the image, or invoke without --emulator.",
            },
        );
    });
});
