/**
 * The docker CLI, as lambda-docker runs it: a configurable binary (`DOCKER`), streamed output,
 * and errors that tell a missing CLI apart from an unreachable daemon and from a failed build.
 */
import { spawn } from "child_process";

/** The docker binary: `$DOCKER`, else `docker` from PATH. */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
    return env.DOCKER && env.DOCKER.trim() !== "" ? env.DOCKER : "docker";
}

export class DockerError extends Error {
    /**
     * @param summary what failed, without docker's output
     * @param tail the last lines of docker's output, when there are any (the message ends with them)
     */
    constructor(
        public readonly summary: string,
        public readonly tail: readonly string[] = [],
    ) {
        super(
            tail.length > 0
                ? `${summary}\nLast lines of docker output:\n${tail.map((l) => `  ${l}`).join("\n")}`
                : summary,
        );
        this.name = "DockerError";
    }
}

/** Lines of docker output that mean an image could not be fetched from its registry. */
const PULL_FAILURE =
    /failed to resolve source metadata|pull access denied|failed to do request|no such host|Temporary failure in name resolution|dial tcp|i\/o timeout|TLS handshake timeout|network is unreachable|manifest unknown/i;

/**
 * When a build failed because the base image could not be pulled (offline, a private registry), the
 * hint that says how to point at a local image instead; undefined for any other failure. Pure.
 */
export function pullFailureHint(
    tail: readonly string[],
    baseImage: string | undefined,
): string | undefined {
    if (!tail.some((l) => PULL_FAILURE.test(l))) return undefined;
    const image = baseImage
        ? `the base image ${JSON.stringify(baseImage)}`
        : "an image the Dockerfile starts FROM";
    return (
        `Docker could not pull ${image} (offline, or no access to its registry). Use a local image instead: ` +
        "set BASE_IMAGE=<local image> (npm start, check, invoke, layer build) or pass --build-arg BASE_IMAGE=<image>, " +
        "and `lambda-docker:baseImage` in the stack file for deploys; `docker image ls` lists the images you have."
    );
}

/** The error of a failed `docker build`: what failed, the pull hint when it applies, then the output tail. */
export function buildFailure(
    summary: string,
    tail: readonly string[],
    buildArgs: Readonly<Record<string, string>> = {},
): DockerError {
    const hint = pullFailureHint(tail, buildArgs.BASE_IMAGE);
    return new DockerError(hint ? `${summary}\n${hint}` : summary, tail);
}

export interface RunResult {
    readonly code: number;
    /** The last lines of combined stdout and stderr. */
    readonly tail: string[];
    readonly stdout: string;
}

export interface RunOptions {
    /** Called with each output line as it arrives. */
    readonly onLine?: (line: string) => void;
    readonly env?: NodeJS.ProcessEnv;
    /** Lines kept for error messages. @default 40 */
    readonly tailLines?: number;
    /** Written to the command's stdin. @default undefined (no stdin) */
    readonly input?: string;
}

/** Runs `docker <args>`; resolves with the exit code (never rejects on a non-zero code). */
export function runDocker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const binary = dockerBinary(options.env ?? process.env);
    const keep = options.tailLines ?? 40;
    return new Promise((resolve, reject) => {
        const child = spawn(binary, args, {
            env: options.env ?? process.env,
            stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
        const tail: string[] = [];
        let stdout = "";
        const partial = { out: "", err: "" };
        const push = (line: string): void => {
            tail.push(line);
            if (tail.length > keep) tail.shift();
            options.onLine?.(line);
        };
        const feed = (key: "out" | "err") => (chunk: Buffer) => {
            const text = partial[key] + chunk.toString("utf8");
            const lines = text.split(/\r?\n/);
            partial[key] = lines.pop() ?? "";
            lines.forEach(push);
            if (key === "out") stdout += chunk.toString("utf8");
        };
        child.stdout!.on("data", feed("out"));
        child.stderr!.on("data", feed("err"));
        child.on("error", (err: NodeJS.ErrnoException) => {
            if (err.code === "ENOENT" || err.code === "EACCES") {
                reject(
                    new DockerError(
                        `Docker CLI not found: could not run "${binary}" (${err.code}). Install Docker, or set DOCKER to the path of a docker client with buildx (e.g. DOCKER=/usr/bin/docker).`,
                    ),
                );
            } else {
                reject(err);
            }
        });
        if (child.stdin) {
            child.stdin.on("error", () => undefined); // the command may exit before reading all of it
            child.stdin.end(options.input);
        }
        child.on("close", (code) => {
            for (const key of ["out", "err"] as const) if (partial[key] !== "") push(partial[key]);
            resolve({ code: code ?? 1, tail, stdout });
        });
    });
}

/** `--build-arg K=V` flags, sorted by name so the command line is the same on every run. */
export function buildArgFlags(buildArgs: Readonly<Record<string, string>>): string[] {
    return Object.keys(buildArgs)
        .sort()
        .flatMap((k) => ["--build-arg", `${k}=${buildArgs[k]}`]);
}

/** Fails with a clear message unless the CLI runs and its daemon answers. */
export async function checkDaemon(env?: NodeJS.ProcessEnv): Promise<void> {
    const result = await runDocker(["version", "--format", "{{.Server.Version}}"], { env });
    if (result.code !== 0 || result.stdout.trim() === "") {
        throw new DockerError(
            `Docker daemon is not reachable through "${dockerBinary(env ?? process.env)}": is dockerd running, and DOCKER_HOST right? ` +
                `docker said: ${result.tail.slice(-3).join(" | ") || "(nothing)"}`,
        );
    }
}

/**
 * How this CLI runs BuildKit builds with `--output type=local`: `buildx build` when the buildx plugin is
 * there; plain `docker build` with DOCKER_BUILDKIT=1 on clients older than 23.0, which embed BuildKit
 * support (Debian's docker.io 20.10 does); otherwise none (newer clients need buildx for BuildKit).
 */
export async function buildKitCommand(
    env?: NodeJS.ProcessEnv,
): Promise<"buildx" | "embedded" | undefined> {
    if ((await runDocker(["buildx", "version"], { env })).code === 0) return "buildx";
    const client = await runDocker(["version", "--format", "{{.Client.Version}}"], { env });
    const major = Number.parseInt(client.stdout.trim().split(".")[0] ?? "", 10);
    return Number.isFinite(major) && major < 23 ? "embedded" : undefined;
}
