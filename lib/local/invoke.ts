/**
 * `invokeLocal`: one handler run in its image with an event, by the rules of AWS's Python runtime
 * (awslambdaric, which the Lambda Python base images and managed runtimes run):
 * - the handler is resolved as the runtime does (Runtime.ImportModuleError, Runtime.HandlerNotFound,
 *   Runtime.UserCodeSyntaxError) and `context` has every attribute of its LambdaContext;
 * - the root logger gets the runtime's handler and format (`[INFO]\t<time>\t<request id>\t<message>`),
 *   so INFO lines appear once the level allows them, as on Lambda;
 * - the response is marshalled like the runtime's encoder: Decimals as JSON numbers, anything else
 *   that JSON cannot encode (set, datetime…) fails with Runtime.MarshalError;
 * - the timeout is enforced (`Task timed out after 2.00 seconds`, the container killed) and the memory
 *   size is the container's memory limit (an out-of-memory kill is Runtime.ExitError);
 * - START, END and REPORT lines (duration, billed duration, memory size, max memory used, init duration).
 * The handler's stdout and stderr reach `onLog` live and in order; the result travels on a separate
 * descriptor, so a CLI can keep stdout for the result alone.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import { LAYER_SETUP, Mount, mountFlags } from "./mounts";
import { DockerError, dockerBinary, runDocker } from "../docker/cli";

export interface InvokeOptions {
    readonly image: string;
    readonly functionName: string;
    /** The image command; its first element is the handler (`module.function`). */
    readonly command: readonly string[];
    readonly event: unknown;
    /** The function's environment. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** Seconds before the invocation is stopped as Lambda would ("Task timed out after N.00 seconds"). @default 30 */
    readonly timeout?: number;
    /** MB: the container's memory limit and `context.memory_limit_in_mb`. @default 512 */
    readonly memorySize?: number;
    /** AWS_REGION, and the region of `context.invoked_function_arn`. @default "us-east-1" */
    readonly region?: string;
    /** Give the container a network (the default bridge). @default false (no network) */
    readonly network?: boolean;
    /** `context.client_context` as Lambda receives it (`{ custom, env, client }`). @default undefined (None) */
    readonly clientContext?: Readonly<Record<string, unknown>>;
    /** `context.identity` (`{ cognitoIdentityId, cognitoIdentityPoolId }`). @default an identity with both None */
    readonly identity?: { readonly cognitoIdentityId?: string; readonly cognitoIdentityPoolId?: string };
    /** The image's working directory override (ImageFunction `workingDirectory`). @default the image's WORKDIR */
    readonly workingDirectory?: string;
    /** Host directories mounted read-only, e.g. a zip function's code at /var/task. @default [] */
    readonly mounts?: readonly Mount[];
    /** Layers in order: zips or directories on the host, extracted into /opt before the handler imports, as Lambda does. @default [] */
    readonly layers?: readonly string[];
    /** Receives every log line (the handler's output and the START/END/REPORT lines) as it happens. @default collected only */
    readonly onLog?: (line: string) => void;
    /** Aborting stops and removes the container; the invocation then rejects. @default undefined */
    readonly signal?: AbortSignal;
    /** Environment for docker (DOCKER picks the binary). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

export interface InvokeReport {
    readonly requestId: string;
    readonly durationMs: number;
    readonly billedDurationMs: number;
    readonly memorySizeMb: number;
    /** Undefined when the container was killed before it could measure (a timeout). */
    readonly maxMemoryUsedMb?: number;
    readonly initDurationMs: number;
}

export interface InvokeResult {
    /** The response as Lambda would return it: the marshalled JSON text, or the error JSON. */
    readonly payload: string;
    /** `payload` parsed (a bytes response is returned as its text). */
    readonly result: unknown;
    readonly failed: boolean;
    /** Lambda's error type when failed: the exception's class, Runtime.*, or Sandbox.Timedout. */
    readonly errorType?: string;
    readonly timedOut: boolean;
    /** Every log line, in order, including START, END and REPORT. */
    readonly logs: string[];
    readonly report: InvokeReport;
}

/** The REPORT line, in Lambda's format. */
export function formatReport(r: InvokeReport): string {
    return `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
        `Memory Size: ${r.memorySizeMb} MB\t${r.maxMemoryUsedMb === undefined ? "" : `Max Memory Used: ${r.maxMemoryUsedMb} MB\t`}Init Duration: ${r.initDurationMs.toFixed(2)} ms`;
}

/** Lambda's timeout message for `seconds`. */
export function timeoutMessage(seconds: number): string {
    return `Task timed out after ${seconds.toFixed(2)} seconds`;
}

const PROTOCOL = "\u001eLAMBDA_DOCKER ";

/** Runs inside the container: fd 1 becomes fd 2 for the handler, the protocol keeps a private copy of fd 1. */
const BOOTSTRAP = String.raw`
import base64, decimal, importlib, json, logging, math, os, resource, sys, time, traceback
INIT_START = time.time()
_proto = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = os.fdopen(1, "w", buffering=1)
def send(kind, **data):
    data["kind"] = kind
    _proto.write("${PROTOCOL}" + json.dumps(data) + "\n")
    _proto.flush()
spec = json.loads(os.environ.pop("LAMBDA_DOCKER_INVOKE"))
REQUEST_ID = spec["requestId"]
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
${LAYER_SETUP}

class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = REQUEST_ID
        return True
logging.Formatter.converter = time.gmtime
_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
_handler.addFilter(RequestIdFilter())
logging.getLogger().addHandler(_handler)
_level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
if _level in logging._nameToLevel:
    logging.getLogger().setLevel(_level)

class Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        self.error_type, self.message, self.trace = error_type, message, trace or []

def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e), ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)])
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))

def user_trace(tb):
    frames = traceback.extract_tb(tb)
    frames = [f for f in frames if f.filename != "<string>"] or frames
    return traceback.format_list(frames)

def error(error_type, message, trace):
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": REQUEST_ID, "stackTrace": trace or []}

def log_error(err):
    lines = ["[ERROR] " + err["errorType"] + ": " + err["errorMessage"] if err["errorMessage"] else "[ERROR] " + err["errorType"]]
    lines.append("Traceback (most recent call last):")
    for element in err["stackTrace"]:
        lines.extend(element.splitlines())
    sys.stdout.write("\n".join(lines) + "\n")

class Encoder(json.JSONEncoder):
    # The runtime's encoder (simplejson, use_decimal=False) writes a Decimal as its raw text, NaN as NaN.
    def __init__(self):
        super().__init__()
        self.raw = []
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            self.raw.append("NaN" if o.is_nan() else str(o))
            return "\x00lambda-docker-raw-%d\x00" % (len(self.raw) - 1)
        return super().default(o)

def marshal(response):
    if isinstance(response, bytes):
        return None, base64.b64encode(response).decode()
    encoder = Encoder()
    try:
        text = encoder.encode(response)
    except Exception as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e))
    for i, raw in enumerate(encoder.raw):
        text = text.replace(json.dumps("\x00lambda-docker-raw-%d\x00" % i), raw)
    return text, None

def peak_memory_bytes():
    for path in ("/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes"):
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024

class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]
class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]
class ClientContext(object):
    __slots__ = ["custom", "env", "client"]
def from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field))
    return obj

class LambdaContext(object):
    def __init__(self, deadline_ms):
        self.aws_request_id = REQUEST_ID
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = spec["invokedFunctionArn"]
        self.tenant_id = None
        self.client_context = from_dict(ClientContext, spec.get("clientContext"))
        if self.client_context is not None:
            self.client_context.client = from_dict(Client, self.client_context.client)
        identity = spec.get("identity") or {}
        self.identity = from_dict(CognitoIdentity, {})
        self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms
    def get_remaining_time_in_millis(self):
        delta = self._deadline_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0
    def log(self, msg):
        sys.stdout.write(str(msg))

def finish(payload, err, started, init_ms, raw=None):
    duration = (time.time() - started) * 1000
    send("end", payload=payload, raw=raw, error=err, durationMs=duration, initMs=init_ms, maxMemoryBytes=peak_memory_bytes())

try:
    handler = get_handler(os.environ["_HANDLER"])
    init_fault = None
except Fault as f:
    init_fault = error(f.error_type, f.message, f.trace)
except Exception as e:
    init_fault = error(type(e).__name__, str(e), user_trace(e.__traceback__))
init_ms = (time.time() - INIT_START) * 1000
started = time.time()
send("start", initMs=init_ms)
if init_fault is not None:
    log_error(init_fault)
    finish(json.dumps(init_fault), init_fault["errorType"], started, init_ms)
    sys.exit(0)
try:
    event = json.loads(spec["event"])
    response = handler(event, LambdaContext(int(started * 1000) + spec["timeoutMs"]))
    text, raw = marshal(response)
    finish(text, None, started, init_ms, raw)
except Fault as f:
    err = error(f.error_type, f.message, f.trace)
    log_error(err)
    finish(json.dumps(err), err["errorType"], started, init_ms)
except Exception as e:
    err = error(type(e).__name__, str(e), user_trace(e.__traceback__))
    log_error(err)
    finish(json.dumps(err), err["errorType"], started, init_ms)
`;

interface EndMessage {
    kind: "end";
    payload: string | null;
    raw: string | null;
    error: string | null;
    durationMs: number;
    initMs: number;
    maxMemoryBytes: number;
}

/** JSON, or Python's JSON with NaN/Infinity (which the runtime's encoder allows), those read as null. */
function parseLenient(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return JSON.parse(text.replace(/(?<=[[:,]\s*)-?(NaN|Infinity)(?=\s*[,\]}])/g, "null"));
    }
}

/** Runs one handler in `image` with `event`, following the Lambda Python runtime's rules (see the module doc). */
export async function invokeLocal(options: InvokeOptions): Promise<InvokeResult> {
    const env = options.env ?? process.env;
    const timeout = options.timeout ?? 30;
    const memorySize = options.memorySize ?? 512;
    const region = options.region ?? "us-east-1";
    const requestId = crypto.randomUUID();
    const container = `lambda-docker-invoke-${requestId.slice(0, 8)}`;
    const logs: string[] = [];
    const log = (line: string): void => {
        logs.push(line);
        options.onLog?.(line);
    };
    const vars: Record<string, string> = {
        ...(options.environment ?? {}),
        _HANDLER: options.command[0],
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${requestId.replace(/-/g, "")}`,
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_EXECUTION_ENV: "AWS_Lambda_python3.11",
        TZ: ":UTC",
        PYTHONUNBUFFERED: "1",
        LAMBDA_DOCKER_INVOKE: JSON.stringify({
            requestId,
            event: JSON.stringify(options.event ?? {}),
            timeoutMs: timeout * 1000,
            invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
            clientContext: options.clientContext,
            identity: options.identity,
        }),
    };
    const args = [
        "run", "--rm", "--name", container, "--label", `lambda-docker.invoke=${options.functionName}`,
        "--network", options.network ? "bridge" : "none",
        "--memory", `${memorySize}m`, "--memory-swap", `${memorySize}m`,
        ...(options.workingDirectory ? ["--workdir", options.workingDirectory] : []),
        ...mountFlags(options.mounts, options.layers),
        "--entrypoint", "python3",
        ...Object.keys(vars).flatMap((k) => ["-e", k]),
        options.image, "-c", BOOTSTRAP,
    ];
    // Values travel in docker's environment (-e NAME), never on its command line.
    const child = spawn(dockerBinary(env), args, { env: { ...env, ...vars }, stdio: ["ignore", "pipe", "pipe"] });

    let started = false;
    let end: EndMessage | undefined;
    let timedOut = false;
    let interrupted = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = (): Promise<unknown> => runDocker(["kill", container], { env });
    const INIT_LIMIT_S = Math.max(10, timeout);
    const initTimer = setTimeout(() => {
        timedOut = true;
        void kill();
    }, INIT_LIMIT_S * 1000 + 5000);
    const onAbort = (): void => {
        interrupted = true;
        void kill();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void): void => {
        let partial = "";
        stream.on("data", (chunk: Buffer) => {
            const parts = (partial + chunk.toString("utf8")).split(/\r?\n/);
            partial = parts.pop() ?? "";
            parts.forEach(onLine);
        });
        stream.on("end", () => partial !== "" && onLine(partial));
    };
    const stderrTail: string[] = [];
    lines(child.stderr!, (line) => {
        if (started) log(line);
        else stderrTail.push(line);
    });
    lines(child.stdout!, (line) => {
        if (!line.startsWith(PROTOCOL)) return;
        const message = JSON.parse(line.slice(PROTOCOL.length)) as { kind: string } & Omit<Partial<EndMessage>, "kind">;
        if (message.kind === "start") {
            started = true;
            clearTimeout(initTimer);
            log(`START RequestId: ${requestId} Version: $LATEST`);
            stderrTail.splice(0).forEach(log); // anything printed while importing
            timer = setTimeout(() => {
                timedOut = true;
                void kill();
            }, timeout * 1000);
        } else if (message.kind === "end") {
            end = message as EndMessage;
        }
    });
    const code: number = await new Promise((resolve, reject) => {
        child.on("error", (err: NodeJS.ErrnoException) =>
            reject(err.code === "ENOENT" ? new DockerError(`Docker CLI not found: could not run "${dockerBinary(env)}". Install Docker or set DOCKER.`) : err));
        child.on("close", (c) => resolve(c ?? 1));
    });
    clearTimeout(timer);
    clearTimeout(initTimer);
    options.signal?.removeEventListener("abort", onAbort);
    if (interrupted) throw new DockerError(`Invocation of ${options.functionName} interrupted; container ${container} stopped and removed.`);

    const report = (durationMs: number, maxMemoryBytes: number | undefined, initMs: number): InvokeReport => ({
        requestId, durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMb: memorySize,
        maxMemoryUsedMb: maxMemoryBytes === undefined ? undefined : Math.ceil(maxMemoryBytes / (1024 * 1024)), initDurationMs: initMs,
    });
    const finishLogs = (r: InvokeReport): void => {
        log(`END RequestId: ${requestId}`);
        log(formatReport(r));
    };
    if (end) {
        const r = report(end.durationMs, end.maxMemoryBytes, end.initMs);
        finishLogs(r);
        const payload = end.raw !== null ? Buffer.from(end.raw, "base64").toString("utf8") : end.payload ?? "null";
        const result = end.raw !== null ? payload : parseLenient(payload);
        return { payload, result, failed: end.error !== null, errorType: end.error ?? undefined, timedOut: false, logs, report: r };
    }
    if (!started && !timedOut) {
        throw new DockerError(
            `Local invoke of ${options.functionName} failed before the handler ran (docker exited with code ${code}):\n` +
                stderrTail.slice(-20).map((l) => `  ${l}`).join("\n"),
        );
    }
    const r = report(timedOut ? timeout * 1000 : 0, timedOut ? undefined : memorySize * 1024 * 1024, 0);
    const [errorType, message] = timedOut
        ? ["Sandbox.Timedout", timeoutMessage(timeout)]
        : ["Runtime.ExitError", `Runtime exited with error: ${code === 137 ? "signal: killed" : `exit status ${code}`}`];
    log(`${new Date().toISOString()} ${requestId} ${message}`);
    finishLogs(r);
    const error = { errorType, errorMessage: `RequestId: ${requestId} Error: ${message}` };
    return { payload: JSON.stringify(error), result: error, failed: true, errorType, timedOut, logs, report: r };
}

/** Where AWS's Lambda base images keep the Runtime Interface Emulator; their entry point runs it when no Runtime API is set. */
export const RIE_PATH = "/usr/local/bin/aws-lambda-rie";
const RIE_INVOKE_PATH = "/2015-03-31/functions/function/invocations";

/** Whether `image` has the Runtime Interface Emulator. */
export async function hasEmulator(image: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
    const probe = await runDocker(["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c", `test -x ${RIE_PATH}`], { env });
    return probe.code === 0;
}

/**
 * Invokes through the image's own Runtime Interface Emulator (AWS base images), as `docker run -p
 * 9000:8080 <image> <handler>` and a POST would: the real runtime, its own START/END/REPORT lines.
 * The port is published on 127.0.0.1 only; the container is removed afterwards, or when aborted.
 */
export async function invokeWithEmulator(options: InvokeOptions): Promise<InvokeResult> {
    const env = options.env ?? process.env;
    if ((options.layers ?? []).length > 0) {
        throw new DockerError(`--emulator: ${options.functionName} has layers, which the emulator's runtime can't extract into /opt; invoke it without --emulator.`);
    }
    if (!(await hasEmulator(options.image, env))) {
        throw new DockerError(
            `--emulator: image ${JSON.stringify(options.image)} has no Lambda Runtime Interface Emulator at ${RIE_PATH}. ` +
                "AWS's Lambda base images (public.ecr.aws/lambda/python) include it; add it to the image, or invoke without --emulator.",
        );
    }
    const timeout = options.timeout ?? 30;
    const memorySize = options.memorySize ?? 512;
    const region = options.region ?? "us-east-1";
    const container = `lambda-docker-invoke-${crypto.randomUUID().slice(0, 8)}`;
    const vars: Record<string, string> = {
        ...(options.environment ?? {}),
        AWS_REGION: region, AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeout),
    };
    const started = await runDocker([
        "run", "--detach", "--rm", "--name", container, "--label", `lambda-docker.invoke=${options.functionName}`,
        "--publish", "127.0.0.1::8080", "--memory", `${memorySize}m`, "--memory-swap", `${memorySize}m`,
        ...(options.workingDirectory ? ["--workdir", options.workingDirectory] : []),
        ...mountFlags(options.mounts),
        ...Object.keys(vars).flatMap((k) => ["-e", k]),
        options.image, ...options.command,
    ], { env: { ...env, ...vars } });
    if (started.code !== 0) throw new DockerError(`--emulator: docker run of ${options.image} failed (exit ${started.code})`, started.tail);
    const remove = (): Promise<unknown> => runDocker(["rm", "--force", container], { env });
    const logs: string[] = [];
    const follower = spawn(dockerBinary(env), ["logs", "--follow", container], { env, stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    const onData = (chunk: Buffer): void => {
        const parts = (partial + chunk.toString("utf8")).split(/\r?\n/);
        partial = parts.pop() ?? "";
        for (const line of parts) {
            logs.push(line);
            options.onLog?.(line);
        }
    };
    follower.stdout!.on("data", onData);
    follower.stderr!.on("data", onData);
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
        const port = (await runDocker(["port", container, "8080/tcp"], { env })).stdout.trim().split("\n")[0].split(":").pop();
        const url = `http://127.0.0.1:${port}${RIE_INVOKE_PATH}`;
        const body = JSON.stringify(options.event ?? {});
        const begin = Date.now();
        let response: Response | undefined;
        for (let attempt = 0; response === undefined; attempt++) {
            try {
                response = await fetch(url, { method: "POST", body, signal: abort.signal, headers: { "content-type": "application/json" } });
            } catch (e) {
                if (abort.signal.aborted) throw new DockerError(`Invocation of ${options.functionName} interrupted; container ${container} stopped and removed.`);
                if (Date.now() - begin > 10_000) throw new DockerError(`--emulator: the emulator in ${container} did not answer on ${url}: ${(e as Error).message}`);
                await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
            }
        }
        const payload = await response.text();
        await new Promise((r) => setTimeout(r, 300)); // the emulator logs END and REPORT after it answers
        let result: unknown = payload;
        try {
            result = JSON.parse(payload);
        } catch {
            // a non-JSON response (bytes) is returned as text
        }
        const error = typeof result === "object" && result !== null && "errorType" in result && "errorMessage" in result ? String((result as { errorType: unknown }).errorType) : undefined;
        const durationMs = Date.now() - begin;
        return {
            payload, result, failed: error !== undefined, errorType: error, timedOut: error === "Sandbox.Timedout" || /Task timed out/.test(payload), logs,
            report: { requestId: "", durationMs, billedDurationMs: Math.ceil(durationMs), memorySizeMb: memorySize, initDurationMs: 0 },
        };
    } finally {
        options.signal?.removeEventListener("abort", onAbort);
        await remove();
        follower.kill();
    }
}
