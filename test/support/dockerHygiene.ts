/**
 * Tests remove what they tag: a root hook notes the engine's local function images (`lambda-docker-local`)
 * and containers before the run, and after it removes the local images the run created and fails if an
 * invoke container outlived its test. Without an engine it does nothing.
 */
import { spawnSync } from "child_process";

const DOCKER = process.env.DOCKER && process.env.DOCKER.trim() !== "" ? process.env.DOCKER : "docker";

function lines(args: string[]): string[] | undefined {
    const r = spawnSync(DOCKER, args, { encoding: "utf8" });
    return r.status === 0 ? r.stdout.split("\n").filter(Boolean) : undefined;
}

let before: Set<string> | undefined;

export const mochaHooks = {
    beforeAll(): void {
        const images = lines(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "lambda-docker-local"]);
        before = images ? new Set(images) : undefined;
    },
    afterAll(): void {
        if (before === undefined) return;
        const created = (lines(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "lambda-docker-local"]) ?? []).filter((i) => !before!.has(i));
        if (created.length > 0) spawnSync(DOCKER, ["image", "rm", "--force", ...created], { encoding: "utf8" });
        const leftover = lines(["ps", "--all", "--quiet", "--filter", "label=lambda-docker.invoke"]) ?? [];
        if (leftover.length > 0) throw new Error(`invoke containers outlived their tests: ${leftover.join(", ")}`);
    },
};
