/**
 * One warm execution environment per function for `serve`: a container running serve_loop.py, started on
 * first use, that takes one request at a time on stdin (a queue per function, as Lambda's environment does
 * one invocation at a time) and answers on the protocol fd. A timeout kills it, as Lambda does; the next
 * request starts a fresh one (a cold start, with Init Duration). The logs, REPORT lines and results follow
 * `invoke`'s rules (lib/local/invoke.ts).
 */
import * as crypto from "crypto";
import { DockerError } from "../../docker/cli";
import { RunningContainer, startContainer } from "../../docker/run";
import { FUNCTION_DEFAULTS } from "../../lambda/rules";
import { InvokeResult, PROTOCOL, eachLine, parseLenient } from "../invoke";
import { Mount, mountsOf } from "../mounts";
import { InvokeReport, formatReport, timeoutMessage } from "../report";
import { localEnvironment } from "../runtimeEnvironment";
import { pythonProgram } from "../scripts";

/** The label on every container `serve` starts (its value is the function's name). */
export const SERVE_LABEL = "lambda-docker.serve";
/** serve_loop.py's marker after a request's last log line on stderr. */
const LOGS_DONE = "\u001eLAMBDA_DOCKER_LOGS_DONE";

/** What a function's container runs, as of now. */
export interface WarmTarget {
    readonly image: string;
    /** Its first element is the handler (`module.function`). */
    readonly command: readonly string[];
    readonly workingDirectory?: string;
    /** Host paths mounted read-only (a zip function's code, an image's source). @default [] */
    readonly mounts?: readonly Mount[];
    /** Layers extracted into /opt (zip functions). @default [] */
    readonly layers?: readonly string[];
    readonly runtime?: string;
    /** Changes when the running container no longer fits (a new image, a replaced mount source). */
    readonly key: string;
}

export interface WarmFunctionOptions {
    readonly functionName: string;
    /** What to run, asked before every request; it may build an image first. */
    readonly target: () => Promise<WarmTarget>;
    /** @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** Seconds. @default 30 */
    readonly timeout?: number;
    /** MB. @default 512 */
    readonly memorySize?: number;
    /** @default "us-east-1" */
    readonly region?: string;
    /** Give the containers a network. @default false */
    readonly network?: boolean;
    /** Receives each log line: the handler's, START, END and REPORT. */
    readonly onLog: (line: string) => void;
    /** Environment for docker. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

interface EndMessage {
    payload: string | null;
    raw: string | null;
    error: string | null;
    durationMs: number;
    initMs: number | null;
    maxMemoryBytes: number;
}

interface Pending {
    readonly requestId: string;
    started: boolean;
    logsDone: boolean;
    end?: EndMessage;
    timedOut: boolean;
    readonly finish: (r: InvokeResult | Error) => void;
    timer?: NodeJS.Timeout;
}

/** One running container of serve_loop.py. */
class WarmContainer {
    alive = true;
    private pending: Pending | undefined;
    /** stderr lines before a request's START (import output), shown after it as `invoke` does. */
    private early: string[] = [];
    private exitCode: number | undefined;
    private stopping = false;

    private constructor(
        readonly key: string,
        private readonly running: RunningContainer,
        private readonly o: WarmFunctionOptions,
        readonly name: string,
    ) {
        eachLine(running.stderr, (line) => this.onStderr(line));
        eachLine(running.stdout, (line) => this.onStdout(line));
        void running.exited.then(
            (code) => this.onExit(code),
            () => this.onExit(1),
        );
    }

    static async start(o: WarmFunctionOptions, t: WarmTarget): Promise<WarmContainer> {
        const name = `lambda-docker-serve-${o.functionName.replace(/[^A-Za-z0-9_.-]/g, "-")}-${crypto.randomUUID().slice(0, 8)}`;
        const memorySize = o.memorySize ?? FUNCTION_DEFAULTS.memorySize;
        const running = await startContainer(
            {
                image: t.image,
                name,
                labels: { [SERVE_LABEL]: o.functionName },
                network: o.network ? "bridge" : "none",
                memoryMb: memorySize,
                workingDir: t.workingDirectory,
                mounts: mountsOf(t.mounts, t.layers),
                entrypoint: ["python3"],
                cmd: ["-c", pythonProgram("serve_loop")],
                stdin: true,
                env: {
                    ...(o.environment ?? {}),
                    ...localEnvironment({
                        functionName: o.functionName,
                        handler: t.command[0],
                        memorySize,
                        region: o.region,
                        runtime: t.runtime,
                        logStream: `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${name.slice(-8)}`,
                    }),
                    PYTHONUNBUFFERED: "1",
                    PYTHONDONTWRITEBYTECODE: "1",
                },
            },
            o.env,
        );
        return new WarmContainer(t.key, running, o, name);
    }

    private onStderr(line: string): void {
        const p = this.pending;
        if (line === LOGS_DONE) {
            if (p) {
                p.logsDone = true;
                this.settle();
            }
        } else if (p?.started && !p.logsDone) this.o.onLog(line);
        else if (p || this.early.length < 1000) this.early.push(line);
    }

    private onStdout(line: string): void {
        const p = this.pending;
        if (!line.startsWith(PROTOCOL) || !p) return;
        const message = JSON.parse(line.slice(PROTOCOL.length)) as { kind: string };
        if (message.kind === "start") {
            p.started = true;
            clearTimeout(p.timer);
            this.o.onLog(`START RequestId: ${p.requestId} Version: $LATEST`);
            this.early.splice(0).forEach(this.o.onLog);
            p.timer = setTimeout(() => this.timeOut(p), this.timeout * 1000);
        } else if (message.kind === "end") {
            p.end = message as unknown as EndMessage;
            this.settle();
        }
    }

    private get timeout(): number {
        return this.o.timeout ?? FUNCTION_DEFAULTS.timeout;
    }

    private timeOut(p: Pending): void {
        p.timedOut = true;
        this.alive = false;
        void this.running.kill().catch(() => undefined);
    }

    private onExit(code: number): void {
        this.alive = false;
        this.exitCode = code;
        const p = this.pending;
        if (p) this.settle();
    }

    /** Finishes the pending request when its end (and its last log line) are in, or the container is gone. */
    private settle(): void {
        const p = this.pending;
        if (!p) return;
        const memorySizeMb = this.o.memorySize ?? FUNCTION_DEFAULTS.memorySize;
        const finish = (r: InvokeReport): void => {
            this.o.onLog(`END RequestId: ${p.requestId}`);
            this.o.onLog(formatReport(r));
        };
        if (p.end && (p.logsDone || !this.alive)) {
            const end = p.end;
            const report: InvokeReport = {
                requestId: p.requestId,
                durationMs: end.durationMs,
                billedDurationMs: Math.ceil(end.durationMs),
                memorySizeMb,
                maxMemoryUsedMb: Math.ceil(end.maxMemoryBytes / (1024 * 1024)),
                initDurationMs: end.initMs ?? undefined,
            };
            finish(report);
            const payload =
                end.raw !== null
                    ? Buffer.from(end.raw, "base64").toString("utf8")
                    : (end.payload ?? "null");
            return this.done(p, {
                payload,
                result: end.raw !== null ? payload : parseLenient(payload),
                failed: end.error !== null,
                errorType: end.error ?? undefined,
                timedOut: false,
                logs: [],
                report,
            });
        }
        if (this.alive) return;
        if (this.stopping && !p.timedOut)
            return this.done(p, new DockerError(`${this.name} stopped before it answered.`));
        if (!p.started && !p.timedOut)
            return this.done(
                p,
                new DockerError(
                    `${this.o.functionName}: the container exited (code ${this.exitCode}) before the handler ran:\n` +
                        this.early
                            .slice(-20)
                            .map((l) => `  ${l}`)
                            .join("\n"),
                ),
            );
        const timeout = this.timeout;
        const report: InvokeReport = {
            requestId: p.requestId,
            durationMs: p.timedOut ? timeout * 1000 : 0,
            billedDurationMs: p.timedOut ? timeout * 1000 : 0,
            memorySizeMb,
            maxMemoryUsedMb: p.timedOut ? undefined : memorySizeMb,
        };
        const [errorType, message] = p.timedOut
            ? ["Sandbox.Timedout", timeoutMessage(timeout)]
            : [
                  "Runtime.ExitError",
                  `Runtime exited with error: ${this.exitCode === 137 ? "signal: killed" : `exit status ${this.exitCode}`}`,
              ];
        this.o.onLog(`${new Date().toISOString()} ${p.requestId} ${message}`);
        finish(report);
        const error = { errorType, errorMessage: `RequestId: ${p.requestId} Error: ${message}` };
        this.done(p, {
            payload: JSON.stringify(error),
            result: error,
            failed: true,
            errorType,
            timedOut: p.timedOut,
            logs: [],
            report,
        });
    }

    private done(p: Pending, r: InvokeResult | Error): void {
        clearTimeout(p.timer);
        this.pending = undefined;
        p.finish(r);
    }

    /** Runs one request; the caller queues them (one at a time). */
    request(event: unknown, extra: { clientContext?: unknown; identity?: unknown } = {}) {
        const requestId = crypto.randomUUID();
        const region = this.o.region ?? FUNCTION_DEFAULTS.region;
        return new Promise<InvokeResult>((resolve, reject) => {
            if (!this.alive)
                return reject(new DockerError(`${this.name} exited before the request was sent.`));
            const p: Pending = {
                requestId,
                started: false,
                logsDone: false,
                timedOut: false,
                finish: (r) => (r instanceof Error ? reject(r) : resolve(r)),
            };
            this.pending = p;
            // The first request also waits for the container's start and the handler's import.
            p.timer = setTimeout(() => this.timeOut(p), Math.max(10, this.timeout) * 1000 + 5000);
            this.running.write(
                `${JSON.stringify({
                    requestId,
                    event: JSON.stringify(event ?? {}),
                    timeoutMs: this.timeout * 1000,
                    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${this.o.functionName}`,
                    ...extra,
                })}\n`,
            );
        });
    }

    /** Kills the container; resolves once it is removed. */
    async stop(): Promise<void> {
        this.stopping = true;
        if (this.alive) await this.running.kill().catch(() => undefined);
        await this.running.exited.catch(() => undefined);
    }
}

/** A function's warm container and its request queue. */
export class WarmFunction {
    private queue: Promise<unknown> = Promise.resolve();
    private container: WarmContainer | undefined;
    /** A container being started: a stop waits for it, so none is left behind. */
    private starting: Promise<WarmContainer> | undefined;
    private closed = false;

    constructor(private readonly options: WarmFunctionOptions) {}

    /** Invokes the function with `event` after the requests before it (one at a time, as one Lambda environment). */
    invoke(event: unknown): Promise<InvokeResult> {
        const run = this.queue.then(() => this.invokeNow(event));
        this.queue = run.catch(() => undefined);
        return run;
    }

    private async invokeNow(event: unknown): Promise<InvokeResult> {
        if (this.closed)
            throw new DockerError(
                `serve is stopping; ${this.options.functionName} was not invoked.`,
            );
        const target = await this.options.target();
        if (this.container && (!this.container.alive || this.container.key !== target.key)) {
            await this.container.stop();
            this.container = undefined;
        }
        if (!this.container) {
            this.starting = WarmContainer.start(this.options, target);
            this.container = await this.starting;
            this.starting = undefined;
        }
        if (this.closed) await this.container.stop();
        return this.container.request(event);
    }

    /** Stops the container (if any); later requests fail. */
    async stop(): Promise<void> {
        this.closed = true;
        await Promise.all([
            this.container?.stop(),
            this.starting?.then(
                (c) => c.stop(),
                () => undefined,
            ),
        ]);
    }
}
