/**
 * `invokeLocal`: one handler run in its image with an event, by the rules of AWS's Python runtime
 * (lib/local/python/lambda_runtime.py); see docs/design/local-runtime.md for what each rule follows.
 */
import * as crypto from "crypto";
import { DockerError } from "../docker/cli";
import { RunningContainer, startContainer } from "../docker/run";
import { FUNCTION_DEFAULTS } from "../lambda/rules";
import { Mount, mountsOf } from "./mounts";
import { InvokeReport, formatReport, timeoutMessage } from "./report";
import { localEnvironment } from "./runtimeEnvironment";
import { pythonProgram } from "./scripts";

export { InvokeReport, formatReport, timeoutMessage } from "./report";

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
    /** The runtime (`python3.12`) for AWS_EXECUTION_ENV. @default undefined (the image's own) */
    readonly runtime?: string;
    /** Give the container a network (the default bridge). @default false (no network) */
    readonly network?: boolean;
    /** `context.client_context` as Lambda receives it (`{ custom, env, client }`). @default undefined (None) */
    readonly clientContext?: Readonly<Record<string, unknown>>;
    /** `context.identity` (`{ cognitoIdentityId, cognitoIdentityPoolId }`). @default an identity with both None */
    readonly identity?: {
        readonly cognitoIdentityId?: string;
        readonly cognitoIdentityPoolId?: string;
    };
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

/** Marks a protocol line on the container's private copy of fd 1 (bootstrap.py). */
export const PROTOCOL = "\u001eLAMBDA_DOCKER ";

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
export function parseLenient(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return JSON.parse(text.replace(/(?<=[[:,]\s*)-?(NaN|Infinity)(?=\s*[,\]}])/g, "null"));
    }
}

/** Resolves when `stream` has ended (at once if it already has). */
function ended(stream: NodeJS.ReadableStream): Promise<void> {
    const s = stream as NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean };
    if (s.readableEnded || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
    });
}

/** Calls `onLine` with each complete line of `stream`, and the rest at its end. */
export function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let partial = "";
    stream.on("data", (chunk: Buffer) => {
        const parts = (partial + chunk.toString("utf8")).split(/\r?\n/);
        partial = parts.pop() ?? "";
        parts.forEach(onLine);
    });
    stream.on("end", () => partial !== "" && onLine(partial));
}

interface Invocation {
    readonly options: InvokeOptions;
    readonly requestId: string;
    readonly container: string;
    readonly timeout: number;
    readonly memorySize: number;
    readonly logs: string[];
    readonly log: (line: string) => void;
}

/** The variables the container gets: the function's own, Lambda's reserved ones, and the request for bootstrap.py. */
function containerVariables(inv: Invocation): Record<string, string> {
    const { options, requestId } = inv;
    const region = options.region ?? FUNCTION_DEFAULTS.region;
    return {
        ...(options.environment ?? {}),
        ...localEnvironment({
            functionName: options.functionName,
            handler: options.command[0],
            memorySize: inv.memorySize,
            region,
            runtime: options.runtime,
            logStream: `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${requestId.replace(/-/g, "")}`,
        }),
        PYTHONUNBUFFERED: "1",
        LAMBDA_DOCKER_INVOKE: JSON.stringify({
            requestId,
            event: JSON.stringify(options.event ?? {}),
            timeoutMs: inv.timeout * 1000,
            invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
            clientContext: options.clientContext,
            identity: options.identity,
        }),
    };
}

/** The container of bootstrap.py, reached through the Engine API (or the CLI): lib/docker/run. */
function containerOf(inv: Invocation, env: NodeJS.ProcessEnv): Promise<RunningContainer> {
    const { options } = inv;
    return startContainer(
        {
            image: options.image,
            name: inv.container,
            labels: { "lambda-docker.invoke": options.functionName },
            network: options.network ? "bridge" : "none",
            memoryMb: inv.memorySize,
            workingDir: options.workingDirectory,
            mounts: mountsOf(options.mounts, options.layers),
            entrypoint: ["python3"],
            cmd: ["-c", pythonProgram("bootstrap")],
            env: containerVariables(inv),
        },
        env,
    );
}

interface Watch {
    started: boolean;
    end?: EndMessage;
    timedOut: boolean;
    interrupted: boolean;
    readonly stderrTail: string[];
}

/**
 * Follows the container: logs after START go to `log`, the protocol's start and end messages are
 * kept, the timeout (and a bound on init) kills it, an abort kills it. Resolves with docker's exit code.
 */
async function watch(inv: Invocation, container: RunningContainer): Promise<[number, Watch]> {
    const state: Watch = { started: false, timedOut: false, interrupted: false, stderrTail: [] };
    const kill = (): Promise<unknown> => container.kill().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const initTimer = setTimeout(
        () => {
            state.timedOut = true;
            void kill();
        },
        Math.max(10, inv.timeout) * 1000 + 5000,
    );
    const onAbort = (): void => {
        state.interrupted = true;
        void kill();
    };
    inv.options.signal?.addEventListener("abort", onAbort, { once: true });
    eachLine(container.stderr, (line) =>
        state.started ? inv.log(line) : state.stderrTail.push(line),
    );
    eachLine(container.stdout, (line) => {
        if (!line.startsWith(PROTOCOL)) return;
        const message = JSON.parse(line.slice(PROTOCOL.length)) as { kind: string } & Omit<
            Partial<EndMessage>,
            "kind"
        >;
        if (message.kind === "start") {
            state.started = true;
            clearTimeout(initTimer);
            inv.log(`START RequestId: ${inv.requestId} Version: $LATEST`);
            state.stderrTail.splice(0).forEach(inv.log); // anything printed while importing
            timer = setTimeout(() => {
                state.timedOut = true;
                void kill();
            }, inv.timeout * 1000);
        } else if (message.kind === "end") {
            state.end = message as EndMessage;
        }
    });
    try {
        const code = await container.exited;
        // The streams may still hold the last lines (END's payload among them) when the exit is reported.
        await Promise.all([ended(container.stdout), ended(container.stderr)]);
        return [code, state];
    } finally {
        clearTimeout(timer);
        clearTimeout(initTimer);
        inv.options.signal?.removeEventListener("abort", onAbort);
    }
}

/** The result Lambda would report for what the container did. */
function outcome(inv: Invocation, code: number, state: Watch): InvokeResult {
    const { requestId, memorySize, timeout, logs, log } = inv;
    const report = (
        durationMs: number,
        maxMemoryBytes: number | undefined,
        initMs: number,
    ): InvokeReport => ({
        requestId,
        durationMs,
        billedDurationMs: Math.ceil(durationMs),
        memorySizeMb: memorySize,
        maxMemoryUsedMb:
            maxMemoryBytes === undefined ? undefined : Math.ceil(maxMemoryBytes / (1024 * 1024)),
        initDurationMs: initMs,
    });
    const finish = (r: InvokeReport): void => {
        log(`END RequestId: ${requestId}`);
        log(formatReport(r));
    };
    if (state.end) {
        const end = state.end;
        const r = report(end.durationMs, end.maxMemoryBytes, end.initMs);
        finish(r);
        const payload =
            end.raw !== null
                ? Buffer.from(end.raw, "base64").toString("utf8")
                : (end.payload ?? "null");
        const result = end.raw !== null ? payload : parseLenient(payload);
        return {
            payload,
            result,
            failed: end.error !== null,
            errorType: end.error ?? undefined,
            timedOut: false,
            logs,
            report: r,
        };
    }
    if (!state.started && !state.timedOut) {
        throw new DockerError(
            `Local invoke of ${inv.options.functionName} failed before the handler ran (docker exited with code ${code}):\n` +
                state.stderrTail
                    .slice(-20)
                    .map((l) => `  ${l}`)
                    .join("\n"),
        );
    }
    const r = report(
        state.timedOut ? timeout * 1000 : 0,
        state.timedOut ? undefined : memorySize * 1024 * 1024,
        0,
    );
    const [errorType, message] = state.timedOut
        ? ["Sandbox.Timedout", timeoutMessage(timeout)]
        : [
              "Runtime.ExitError",
              `Runtime exited with error: ${code === 137 ? "signal: killed" : `exit status ${code}`}`,
          ];
    log(`${new Date().toISOString()} ${requestId} ${message}`);
    finish(r);
    const error = { errorType, errorMessage: `RequestId: ${requestId} Error: ${message}` };
    return {
        payload: JSON.stringify(error),
        result: error,
        failed: true,
        errorType,
        timedOut: state.timedOut,
        logs,
        report: r,
    };
}

/** Runs one handler in `image` with `event`, following the Lambda Python runtime's rules (see the module doc). */
export async function invokeLocal(options: InvokeOptions): Promise<InvokeResult> {
    const env = options.env ?? process.env;
    const requestId = crypto.randomUUID();
    const logs: string[] = [];
    const inv: Invocation = {
        options,
        requestId,
        container: `lambda-docker-invoke-${requestId.slice(0, 8)}`,
        logs,
        timeout: options.timeout ?? FUNCTION_DEFAULTS.timeout,
        memorySize: options.memorySize ?? FUNCTION_DEFAULTS.memorySize,
        log: (line) => {
            logs.push(line);
            options.onLog?.(line);
        },
    };
    const [code, state] = await watch(inv, await containerOf(inv, env));
    if (state.interrupted)
        throw new DockerError(
            `Invocation of ${options.functionName} interrupted; container ${inv.container} stopped and removed.`,
        );
    return outcome(inv, code, state);
}
