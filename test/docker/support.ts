/**
 * Shared set-up for tests against a real Docker engine: the docker binary (DOCKER), the locally built
 * Python base image (LAMBDA_DOCKER_BASE_IMAGE) and, for pushes, a local registry (LAMBDA_DOCKER_REGISTRY).
 * `.ci/run` provides all three. Without a daemon these tests are pending locally, and fail under CI=true.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DOCKER = process.env.DOCKER && process.env.DOCKER.trim() !== "" ? process.env.DOCKER : "docker";
export const BASE_IMAGE = process.env.LAMBDA_DOCKER_BASE_IMAGE ?? "lambda-docker/python-base:bookworm";
export const REGISTRY = process.env.LAMBDA_DOCKER_REGISTRY ?? "127.0.0.1:5555";

/** Why Docker tests can't run here, or undefined when they can. */
function unavailableReason(): string | undefined {
    const version = spawnSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" });
    if (version.error) return `cannot run ${DOCKER}: ${version.error.message}`;
    if (version.status !== 0) return `Docker daemon not reachable through ${DOCKER}: ${version.stderr.trim()}`;
    const buildx = spawnSync(DOCKER, ["buildx", "version"], { encoding: "utf8" });
    const client = spawnSync(DOCKER, ["version", "--format", "{{.Client.Version}}"], { encoding: "utf8" });
    if (buildx.status !== 0 && Number.parseInt(client.stdout, 10) >= 23) {
        return `${DOCKER} can't run BuildKit builds (no buildx; set DOCKER to a client with buildx or an older one with built-in BuildKit, e.g. /usr/bin/docker)`;
    }
    const image = spawnSync(DOCKER, ["image", "inspect", BASE_IMAGE], { encoding: "utf8" });
    if (image.status !== 0) return `base image ${BASE_IMAGE} is missing (scripts/ci/setup.sh builds it)`;
    return undefined;
}

let cached: string | undefined | null = null;

/** Call in a `before` hook: skips (locally) or fails (CI=true) when the engine or base image is missing. */
export function requireDocker(ctx: Mocha.Context): void {
    if (cached === null) cached = unavailableReason();
    if (cached === undefined) return;
    if (process.env.CI === "true") throw new Error(`Docker tests must run in CI, but ${cached}`);
    console.warn(`    (Docker tests pending: ${cached})`);
    ctx.skip();
}

export function docker(args: string[], options: { input?: string } = {}): string {
    return execFileSync(DOCKER, args, { encoding: "utf8", input: options.input, stdio: ["pipe", "pipe", "pipe"] });
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The absolute path of the real docker binary, for wrappers that record calls. */
export function realDockerPath(): string {
    return DOCKER.includes("/") ? path.resolve(DOCKER) : execFileSync("sh", ["-c", `command -v ${DOCKER}`], { encoding: "utf8" }).trim();
}

/** A DOCKER wrapper that logs every invocation's arguments to `log`, then runs the real docker. */
export function recordingDocker(dir: string, log: string): string {
    const wrapper = path.join(dir, "recording-docker");
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realDockerPath()}' "$@"\n`, { mode: 0o755 });
    return wrapper;
}

/** Copies a directory tree (files keep their content; modes and mtimes are the copy's own). */
export function copyTree(from: string, to: string): void {
    fs.cpSync(from, to, { recursive: true, preserveTimestamps: false });
}
