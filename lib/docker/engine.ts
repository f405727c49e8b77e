/**
 * The few Docker Engine API calls a local run needs, over Node's http (unix socket or tcp), with the CLI
 * as fallback. See docs/design/local-runtime.md.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";

export interface EngineTarget {
    readonly socketPath?: string;
    readonly host?: string;
    readonly port?: number;
}

export class EngineError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "EngineError";
    }
}

/** Whether a Docker CLI context other than the default is active (its endpoint is in the CLI's store). */
function nonDefaultContext(env: NodeJS.ProcessEnv): boolean {
    if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== "default") return true;
    try {
        const config = JSON.parse(
            fs.readFileSync(
                path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json"),
                "utf8",
            ),
        ) as { currentContext?: string };
        return config.currentContext !== undefined && config.currentContext !== "default";
    } catch {
        return false;
    }
}

/**
 * Where the Engine API answers, from DOCKER_HOST as the CLI reads it (`unix://…`, `tcp://…`, default
 * /var/run/docker.sock); undefined when only the CLI can reach it (TLS, ssh://, a CLI context) or when
 * LAMBDA_DOCKER_ENGINE=cli asks for the CLI.
 */
export function engineTarget(env: NodeJS.ProcessEnv = process.env): EngineTarget | undefined {
    if (env.LAMBDA_DOCKER_ENGINE === "cli" || env.DOCKER_TLS_VERIFY || nonDefaultContext(env))
        return undefined;
    const host = env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
    if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
    const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(host);
    return tcp ? { host: tcp[1], port: tcp[2] ? Number(tcp[2]) : 2375 } : undefined;
}

/** A container's output, demultiplexed, and its input when attached with stdin. */
export interface Attached {
    readonly stdout: PassThrough;
    readonly stderr: PassThrough;
    /** Writes to the container's stdin (attached with `stdin: true`). */
    write(data: string | Buffer): void;
    /** Closes the connection. */
    close(): void;
}

/** Splits Docker's multiplexed stream (8-byte frame headers: stream id, 3 zero bytes, big-endian size) into stdout and stderr. */
export function demultiplex(
    onFrame: (stream: number, payload: Buffer) => void,
): (chunk: Buffer) => void {
    let pending: Buffer = Buffer.alloc(0);
    return (chunk) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= 8) {
            const size = pending.readUInt32BE(4);
            if (pending.length < 8 + size) break;
            onFrame(pending[0], pending.subarray(8, 8 + size));
            pending = pending.subarray(8 + size);
        }
    };
}

export class Engine {
    constructor(private readonly target: EngineTarget) {}

    private options(
        method: string,
        pathname: string,
        headers: http.OutgoingHttpHeaders,
    ): http.RequestOptions {
        return { ...this.target, method, path: pathname, headers };
    }

    /** One request; the JSON answer, or an EngineError with the daemon's message. */
    async json<T = unknown>(method: string, pathname: string, body?: unknown): Promise<T> {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers = data
            ? { "content-type": "application/json", "content-length": data.length }
            : {};
        const { status, text } = await new Promise<{ status: number; text: string }>(
            (resolve, reject) => {
                const req = http.request(this.options(method, pathname, headers), (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () =>
                        resolve({
                            status: res.statusCode ?? 0,
                            text: Buffer.concat(chunks).toString("utf8"),
                        }),
                    );
                    res.on("error", reject);
                });
                req.on("error", (e: NodeJS.ErrnoException) =>
                    reject(
                        new EngineError(
                            `Docker daemon is not reachable at ${this.describe()}: ${e.code ?? e.message}`,
                        ),
                    ),
                );
                req.end(data);
            },
        );
        if (status >= 400) {
            let message = text.trim();
            try {
                message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
                // not JSON: the text itself
            }
            throw new EngineError(message, status);
        }
        return (text === "" ? undefined : JSON.parse(text)) as T;
    }

    describe(): string {
        return this.target.socketPath ?? `${this.target.host}:${this.target.port}`;
    }

    async create(spec: Record<string, unknown>, name?: string): Promise<string> {
        const created = await this.json<{ Id: string }>(
            "POST",
            `/containers/create${name ? `?name=${encodeURIComponent(name)}` : ""}`,
            spec,
        );
        return created.Id;
    }

    /** Attaches to a created container's output (and input), before it starts, so nothing is missed. */
    attach(id: string, options: { stdin?: boolean } = {}): Promise<Attached> {
        const query = `stream=1&stdout=1&stderr=1${options.stdin ? "&stdin=1" : ""}`;
        return new Promise((resolve, reject) => {
            const req = http.request(
                this.options("POST", `/containers/${id}/attach?${query}`, {
                    Connection: "Upgrade",
                    Upgrade: "tcp",
                }),
            );
            req.on("upgrade", (_res, socket, head) => {
                const stdout = new PassThrough();
                const stderr = new PassThrough();
                const feed = demultiplex((stream, payload) =>
                    (stream === 2 ? stderr : stdout).write(payload),
                );
                if (head.length > 0) feed(head);
                socket.on("data", feed);
                socket.on("close", () => {
                    stdout.end();
                    stderr.end();
                });
                socket.on("error", () => socket.destroy());
                resolve({
                    stdout,
                    stderr,
                    write: (data) => void socket.write(data),
                    close: () => socket.destroy(),
                });
            });
            req.on("response", (res) =>
                reject(
                    new EngineError(
                        `Docker refused to attach to ${id.slice(0, 12)} (HTTP ${res.statusCode})`,
                        res.statusCode,
                    ),
                ),
            );
            req.on("error", reject);
            req.end();
        });
    }

    /** Resolves with the exit code of the container's next exit; call before `start`. */
    waitNextExit(id: string): Promise<number> {
        return this.json<{ StatusCode: number }>(
            "POST",
            `/containers/${id}/wait?condition=next-exit`,
        ).then((r) => r.StatusCode);
    }

    start(id: string): Promise<void> {
        return this.json("POST", `/containers/${id}/start`);
    }

    /** Kills a running container; a container already gone is fine. */
    async kill(id: string, signal = "KILL"): Promise<void> {
        await this.json("POST", `/containers/${id}/kill?signal=${signal}`).catch(
            (e: EngineError) => {
                if (e.status !== 404 && e.status !== 409) throw e;
            },
        );
    }

    /** Removes a container and its anonymous volumes; one already gone is fine. */
    async remove(id: string): Promise<void> {
        await this.json("DELETE", `/containers/${id}?force=1&v=1`).catch((e: EngineError) => {
            if (e.status !== 404 && e.status !== 409) throw e;
        });
    }
}
