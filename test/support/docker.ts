/**
 * Shared set-up for tests against a real Docker engine: the docker binary (DOCKER) and the Python base
 * image, AWS's Lambda image unless LAMBDA_DOCKER_BASE_IMAGE names another (`.ci/run` builds a local
 * one, since nothing can be pulled there). Registry tests start their own (test/support/registry.ts).
 * Without a Docker engine these tests are pending with the reason and the command that enables them;
 * with CI=true, or an engine that answers, they never pend: a missing base image or buildx fails.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./paths";

export { REPO_ROOT };
export const DOCKER =
    process.env.DOCKER && process.env.DOCKER.trim() !== "" ? process.env.DOCKER : "docker";
export const BASE_IMAGE =
    process.env.LAMBDA_DOCKER_BASE_IMAGE ?? "public.ecr.aws/lambda/python:3.11";

/** Why Docker tests can't run here (`engine`: no engine at all, the only reason to pend), or undefined when they can. */
function unavailableReason(): { reason: string; engine: boolean } | undefined {
    const version = spawnSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], {
        encoding: "utf8",
    });
    if (version.error)
        return {
            engine: true,
            reason: `cannot run ${DOCKER}: ${version.error.message}; install Docker or run \`bash tools/ci/setup.sh\``,
        };
    if (version.status !== 0) {
        return {
            engine: true,
            reason: `Docker daemon not reachable through ${DOCKER}: ${version.stderr.trim()}; start dockerd or run \`bash tools/ci/setup.sh\``,
        };
    }
    const problem = setupProblem();
    return problem === undefined ? undefined : { engine: false, reason: problem };
}

function setupProblem(): string | undefined {
    const buildx = spawnSync(DOCKER, ["buildx", "version"], { encoding: "utf8" });
    const client = spawnSync(DOCKER, ["version", "--format", "{{.Client.Version}}"], {
        encoding: "utf8",
    });
    if (buildx.status !== 0 && Number.parseInt(client.stdout, 10) >= 23) {
        return `${DOCKER} can't run BuildKit builds (no buildx; set DOCKER to a client with buildx or an older one with built-in BuildKit, e.g. /usr/bin/docker)`;
    }
    const image = spawnSync(DOCKER, ["image", "inspect", BASE_IMAGE], { encoding: "utf8" });
    if (image.status !== 0) {
        const pulled = spawnSync(DOCKER, ["pull", BASE_IMAGE], { encoding: "utf8" });
        if (pulled.status !== 0) {
            return (
                `base image ${BASE_IMAGE} is not here and can't be pulled; set LAMBDA_DOCKER_BASE_IMAGE to a local Python image ` +
                "(`bash tools/ci/setup.sh` builds lambda-docker/python-base:bookworm)"
            );
        }
    }
    return undefined;
}

let cached: { reason: string; engine: boolean } | undefined | null = null;

/** Call in a `before` hook: pends only without a Docker engine (and not under CI=true); anything else fails. */
export function requireDocker(ctx: Mocha.Context): void {
    if (cached === null) cached = unavailableReason();
    if (cached === undefined) return;
    if (process.env.CI === "true" || !cached.engine)
        throw new Error(`Docker tests can't run: ${cached.reason}`);
    console.warn(`    (Docker tests pending: ${cached.reason})`);
    ctx.skip();
}

export function docker(args: string[], options: { input?: string } = {}): string {
    return execFileSync(DOCKER, args, {
        encoding: "utf8",
        input: options.input,
        stdio: ["pipe", "pipe", "pipe"],
    });
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The absolute path of the real docker binary, for wrappers that record calls. */
export function realDockerPath(): string {
    return DOCKER.includes("/")
        ? path.resolve(DOCKER)
        : execFileSync("sh", ["-c", `command -v ${DOCKER}`], { encoding: "utf8" }).trim();
}

/** A DOCKER wrapper that logs every invocation's arguments to `log`, then runs the real docker. */
export function recordingDocker(dir: string, log: string): string {
    const wrapper = path.join(dir, "recording-docker");
    fs.writeFileSync(
        wrapper,
        `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realDockerPath()}' "$@"\n`,
        { mode: 0o755 },
    );
    return wrapper;
}

/** Copies a directory tree (files keep their content; modes and mtimes are the copy's own). */
export function copyTree(from: string, to: string): void {
    fs.cpSync(from, to, { recursive: true, preserveTimestamps: false });
}
