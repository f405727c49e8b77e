/**
 * Tests remove what they tag: once per run (mocha's global fixtures, also in parallel mode), the local
 * function images present before are noted; afterwards the ones the run created are removed, and the
 * run fails if an invoke container outlived its test. Without an engine it does nothing.
 */
import { spawnSync } from "child_process";

const DOCKER =
    process.env.DOCKER && process.env.DOCKER.trim() !== "" ? process.env.DOCKER : "docker";

function lines(args: string[]): string[] | undefined {
    const r = spawnSync(DOCKER, args, { encoding: "utf8" });
    return r.status === 0 ? r.stdout.split("\n").filter(Boolean) : undefined;
}

let before: Set<string> | undefined;

export function mochaGlobalSetup(): void {
    const images = lines([
        "image",
        "ls",
        "--format",
        "{{.Repository}}:{{.Tag}}",
        "lambda-docker-local",
    ]);
    before = images ? new Set(images) : undefined;
}

export function mochaGlobalTeardown(): void {
    if (before === undefined) return;
    const created = (
        lines(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "lambda-docker-local"]) ?? []
    ).filter((i) => !before!.has(i));
    if (created.length > 0)
        spawnSync(DOCKER, ["image", "rm", "--force", ...created], { encoding: "utf8" });
    const leftover =
        lines(["ps", "--all", "--quiet", "--filter", "label=lambda-docker.invoke"]) ?? [];
    if (leftover.length > 0)
        throw new Error(`invoke containers outlived their tests: ${leftover.join(", ")}`);
}
