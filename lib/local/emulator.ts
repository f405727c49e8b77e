/** `invoke --emulator`: a handler run through the image's own Runtime Interface Emulator (AWS's base images). */
import { spawn } from "child_process";
import * as crypto from "crypto";
import { DockerError, dockerBinary, runDocker } from "../docker/cli";
import { FUNCTION_DEFAULTS } from "../lambda/rules";
import { InvokeOptions, InvokeResult } from "./invoke";
import { mountFlags } from "./mounts";

/** Where AWS's Lambda base images keep the Runtime Interface Emulator; their entry point runs it when no Runtime API is set. */
export const RIE_PATH = "/usr/local/bin/aws-lambda-rie";
const RIE_INVOKE_PATH = "/2015-03-31/functions/function/invocations";

/** Whether `image` has the Runtime Interface Emulator. */
export async function hasEmulator(
    image: string,
    env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
    const probe = await runDocker(
        [
            "run",
            "--rm",
            "--network",
            "none",
            "--entrypoint",
            "/bin/sh",
            image,
            "-c",
            `test -x ${RIE_PATH}`,
        ],
        { env },
    );
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
        throw new DockerError(
            `--emulator: ${options.functionName} has layers, which the emulator's runtime can't extract into /opt; invoke it without --emulator.`,
        );
    }
    if (!(await hasEmulator(options.image, env))) {
        throw new DockerError(
            `--emulator: image ${JSON.stringify(options.image)} has no Lambda Runtime Interface Emulator at ${RIE_PATH}. ` +
                "AWS's Lambda base images (public.ecr.aws/lambda/python) include it; add it to the image, or invoke without --emulator.",
        );
    }
    const timeout = options.timeout ?? FUNCTION_DEFAULTS.timeout;
    const memorySize = options.memorySize ?? FUNCTION_DEFAULTS.memorySize;
    const region = options.region ?? FUNCTION_DEFAULTS.region;
    const container = `lambda-docker-invoke-${crypto.randomUUID().slice(0, 8)}`;
    const vars: Record<string, string> = {
        ...(options.environment ?? {}),
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
        // The emulator reads its timeout from here; the real runtime's environment is the image's own.
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeout),
    };
    const started = await runDocker(
        [
            "run",
            "--detach",
            "--rm",
            "--name",
            container,
            "--label",
            `lambda-docker.invoke=${options.functionName}`,
            "--publish",
            "127.0.0.1::8080",
            "--memory",
            `${memorySize}m`,
            "--memory-swap",
            `${memorySize}m`,
            ...(options.workingDirectory ? ["--workdir", options.workingDirectory] : []),
            ...mountFlags(options.mounts),
            ...Object.keys(vars).flatMap((k) => ["-e", k]),
            options.image,
            ...options.command,
        ],
        { env: { ...env, ...vars } },
    );
    if (started.code !== 0)
        throw new DockerError(
            `--emulator: docker run of ${options.image} failed (exit ${started.code})`,
            started.tail,
        );
    const remove = (): Promise<unknown> => runDocker(["rm", "--force", container], { env });
    const logs: string[] = [];
    const follower = spawn(dockerBinary(env), ["logs", "--follow", container], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
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
        const port = (await runDocker(["port", container, "8080/tcp"], { env })).stdout
            .trim()
            .split("\n")[0]
            .split(":")
            .pop();
        const url = `http://127.0.0.1:${port}${RIE_INVOKE_PATH}`;
        const body = JSON.stringify(options.event ?? {});
        const begin = Date.now();
        let response: Response | undefined;
        for (let attempt = 0; response === undefined; attempt++) {
            try {
                response = await fetch(url, {
                    method: "POST",
                    body,
                    signal: abort.signal,
                    headers: { "content-type": "application/json" },
                });
            } catch (e) {
                if (abort.signal.aborted)
                    throw new DockerError(
                        `Invocation of ${options.functionName} interrupted; container ${container} stopped and removed.`,
                    );
                if (Date.now() - begin > 10_000)
                    throw new DockerError(
                        `--emulator: the emulator in ${container} did not answer on ${url}: ${(e as Error).message}`,
                    );
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
        const error =
            typeof result === "object" &&
            result !== null &&
            "errorType" in result &&
            "errorMessage" in result
                ? String((result as { errorType: unknown }).errorType)
                : undefined;
        const durationMs = Date.now() - begin;
        return {
            payload,
            result,
            failed: error !== undefined,
            errorType: error,
            timedOut: error === "Sandbox.Timedout" || /Task timed out/.test(payload),
            logs,
            report: {
                requestId: "",
                durationMs,
                billedDurationMs: Math.ceil(durationMs),
                memorySizeMb: memorySize,
                initDurationMs: 0,
            },
        };
    } finally {
        options.signal?.removeEventListener("abort", onAbort);
        await remove();
        follower.kill();
    }
}
