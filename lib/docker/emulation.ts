/**
 * Building for a platform the Docker host cannot run (arm64 functions on an x86_64 runner) needs
 * emulation: a binfmt_misc handler (QEMU) for the other architecture. Without it the build fails in the
 * middle of its log with `exec format error`; this check says so before the build starts.
 */
import * as fs from "fs";
import * as path from "path";
import { Architecture } from "../validation";
import { DockerError, runDocker } from "./cli";

/** The machine architecture (`uname -m`) each Lambda architecture runs as, and the QEMU handler that emulates it. */
const MACHINES: Record<Architecture, { machine: string[]; qemu: string }> = {
    x86_64: { machine: ["x86_64", "amd64"], qemu: "x86_64" },
    arm64: { machine: ["aarch64", "arm64"], qemu: "aarch64" },
};

/**
 * Why `host` cannot build `target`, or undefined when it can (same architecture, or an enabled binfmt
 * handler for the target). `binfmt` lists the enabled handler names, undefined when they can't be read
 * (a remote daemon): then nothing is claimed. Pure.
 */
export function emulationProblem(
    host: string,
    target: Architecture,
    binfmt: readonly string[] | undefined,
): string | undefined {
    const wanted = MACHINES[target];
    if (wanted.machine.includes(host) || binfmt === undefined) return undefined;
    if (binfmt.some((name) => name.includes(wanted.qemu))) return undefined;
    return (
        `The functions are ${target} but the Docker host is ${host} and has no emulator for ${target} ` +
        `(no binfmt_misc handler for ${wanted.qemu} is enabled), so the build would fail with "exec format error". ` +
        `Install one: \`docker run --privileged --rm tonistiigi/binfmt --install ${target}\` or the qemu-user-static package ` +
        `(in GitHub Actions: docker/setup-qemu-action); or build on a native ${target} runner; or set \`lambda-docker:architecture\` to the host's.`
    );
}

/** Enabled binfmt_misc handler names of this machine, or undefined when they can't be read. */
export function enabledBinfmtHandlers(dir = "/proc/sys/fs/binfmt_misc"): string[] | undefined {
    if (!fs.existsSync(path.join(dir, "status"))) return undefined;
    return fs
        .readdirSync(dir)
        .filter((name) => name !== "status" && name !== "register")
        .filter((name) => {
            try {
                return fs.readFileSync(path.join(dir, name), "utf8").startsWith("enabled");
            } catch {
                return false;
            }
        });
}

/** Fails before a build that the Docker host could only run with an emulator it doesn't have. */
export async function checkEmulation(
    target: Architecture,
    env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
    const info = await runDocker(["info", "--format", "{{.Architecture}}"], { env });
    const host = info.stdout.trim();
    if (info.code !== 0 || host === "") return; // checkDaemon reports an unreachable daemon
    const local = !env.DOCKER_HOST || env.DOCKER_HOST.startsWith("unix://");
    const problem = emulationProblem(host, target, local ? enabledBinfmtHandlers() : undefined);
    if (problem) throw new DockerError(problem);
}
