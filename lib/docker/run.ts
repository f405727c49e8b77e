/**
 * One container run, the same to its callers whichever way it reaches Docker: the Engine API when it
 * answers on a socket or plain tcp (no CLI process), else the Docker CLI (`docker run`).
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { Readable } from "stream";
import { DockerError, dockerBinary, runDocker } from "./cli";
import { Engine, EngineError, engineTarget } from "./engine";

export interface ContainerSpec {
    readonly image: string;
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly entrypoint?: readonly string[];
    readonly cmd: readonly string[];
    /** Values travel in the API request body (or docker's environment), never on a command line. */
    readonly env?: Readonly<Record<string, string>>;
    readonly workingDir?: string;
    /** @default "none" */
    readonly network?: "none" | "bridge";
    /** MB, also the swap limit (no swap). @default undefined (no limit) */
    readonly memoryMb?: number;
    /** Host paths mounted read-only. @default [] */
    readonly mounts?: readonly { readonly source: string; readonly target: string }[];
    /** Keep stdin open for `write`. @default false */
    readonly stdin?: boolean;
}

export interface RunningContainer {
    readonly stdout: Readable;
    readonly stderr: Readable;
    /** Writes to stdin (a spec with `stdin: true`). */
    write(data: string): void;
    /** Resolves with the exit code once the container has exited and is removed. */
    readonly exited: Promise<number>;
    /** Kills it (it is then removed). */
    kill(): Promise<void>;
}

/** Starts `spec`, removed when it exits; see the module doc for how it reaches Docker. */
export async function startContainer(
    spec: ContainerSpec,
    env: NodeJS.ProcessEnv = process.env,
): Promise<RunningContainer> {
    const target = engineTarget(env);
    return target ? startWithEngine(new Engine(target), spec, env) : startWithCli(spec, env);
}

function engineSpec(spec: ContainerSpec): Record<string, unknown> {
    const memory =
        spec.memoryMb === undefined
            ? {}
            : { Memory: spec.memoryMb * 1024 * 1024, MemorySwap: spec.memoryMb * 1024 * 1024 };
    return {
        Image: spec.image,
        ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
        Cmd: [...spec.cmd],
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        Labels: { ...(spec.labels ?? {}) },
        AttachStdout: true,
        AttachStderr: true,
        ...(spec.stdin ? { AttachStdin: true, OpenStdin: true, StdinOnce: false } : {}),
        HostConfig: {
            NetworkMode: spec.network ?? "none",
            ...memory,
            Mounts: (spec.mounts ?? []).map((m) => ({
                Type: "bind",
                Source: path.resolve(m.source),
                Target: m.target,
                ReadOnly: true,
            })),
        },
    };
}

async function startWithEngine(
    engine: Engine,
    spec: ContainerSpec,
    env: NodeJS.ProcessEnv,
): Promise<RunningContainer> {
    let id: string;
    try {
        id = await engine.create(engineSpec(spec), spec.name);
    } catch (e) {
        if (!(e instanceof EngineError) || e.status !== 404) throw engineFailure(engine, e);
        // No such image: pull it as `docker run` would, then create again.
        const pulled = await runDocker(["pull", spec.image], { env });
        if (pulled.code !== 0)
            throw new DockerError(
                `Image ${JSON.stringify(spec.image)} is not here and could not be pulled.`,
                pulled.tail,
            );
        id = await engine.create(engineSpec(spec), spec.name);
    }
    try {
        const attached = await engine.attach(id, { stdin: spec.stdin });
        const exit = engine.waitNextExit(id);
        await engine.start(id);
        const exited = exit.finally(async () => {
            attached.close();
            await engine.remove(id);
        });
        return {
            stdout: attached.stdout,
            stderr: attached.stderr,
            write: attached.write,
            exited,
            kill: () => engine.kill(id),
        };
    } catch (e) {
        await engine.remove(id);
        throw engineFailure(engine, e);
    }
}

function engineFailure(engine: Engine, e: unknown): Error {
    if (e instanceof EngineError && e.status === undefined) {
        return new DockerError(
            `${e.message}: is dockerd running, and DOCKER_HOST right? (LAMBDA_DOCKER_ENGINE=cli runs through the Docker CLI instead)`,
        );
    }
    return e instanceof EngineError
        ? new DockerError(`Docker (${engine.describe()}) refused the run: ${e.message}`)
        : (e as Error);
}

function startWithCli(spec: ContainerSpec, env: NodeJS.ProcessEnv): RunningContainer {
    const vars = spec.env ?? {};
    const args = [
        "run",
        "--rm",
        ...(spec.stdin ? ["--interactive"] : []),
        "--name",
        spec.name,
        ...Object.entries(spec.labels ?? {}).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        "--network",
        spec.network ?? "none",
        ...(spec.memoryMb === undefined
            ? []
            : ["--memory", `${spec.memoryMb}m`, "--memory-swap", `${spec.memoryMb}m`]),
        ...(spec.workingDir ? ["--workdir", spec.workingDir] : []),
        ...(spec.mounts ?? []).flatMap((m) => [
            "--mount",
            `type=bind,source=${path.resolve(m.source)},target=${m.target},readonly`,
        ]),
        ...(spec.entrypoint ? ["--entrypoint", spec.entrypoint[0]] : []),
        ...Object.keys(vars).flatMap((k) => ["-e", k]),
        spec.image,
        ...(spec.entrypoint ?? []).slice(1),
        ...spec.cmd,
    ];
    // Values travel in docker's environment (-e NAME), never on its command line.
    const child: ChildProcess = spawn(dockerBinary(env), args, {
        env: { ...env, ...vars },
        stdio: [spec.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number>((resolve, reject) => {
        child.on("error", (err: NodeJS.ErrnoException) =>
            reject(
                err.code === "ENOENT"
                    ? new DockerError(
                          `Docker CLI not found: could not run "${dockerBinary(env)}". Install Docker or set DOCKER.`,
                      )
                    : err,
            ),
        );
        child.on("close", (code) => resolve(code ?? 1));
    });
    return {
        stdout: child.stdout!,
        stderr: child.stderr!,
        write: (data) => void child.stdin?.write(data),
        exited,
        kill: async () => void (await runDocker(["kill", spec.name], { env })),
    };
}

/** Runs `spec` to its end; stdout whole, and the last lines of both streams for errors. */
export async function runToEnd(
    spec: ContainerSpec,
    env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; tail: string[] }> {
    const container = await startContainer(spec, env);
    const out: Buffer[] = [];
    const tail: string[] = [];
    const keep = (chunk: Buffer): void => {
        tail.push(
            ...chunk
                .toString("utf8")
                .split(/\r?\n/)
                .filter((l) => l !== ""),
        );
        tail.splice(0, Math.max(0, tail.length - 40));
    };
    container.stdout.on("data", (c: Buffer) => {
        out.push(c);
        keep(c);
    });
    container.stderr.on("data", keep);
    const code = await container.exited;
    return { code, stdout: Buffer.concat(out).toString("utf8"), tail };
}
