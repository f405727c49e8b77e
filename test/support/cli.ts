/** The built CLI (dist/cli/main.js), as users run it: a test spawns it in a few hundred ms, where ts-node took seconds. */
import { SpawnOptions, SpawnSyncReturns, spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./paths";

export const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** The newest mtime of the files under `dir` whose names end with `extension`. */
function newest(dir: string, extension: string): number {
    let latest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) latest = Math.max(latest, newest(p, extension));
        else if (entry.name.endsWith(extension)) latest = Math.max(latest, fs.statSync(p).mtimeMs);
    }
    return latest;
}

const BUILT_FROM = ["cli", "lib", "config"];
let checked = false;

/**
 * Fails when dist/ is older than the sources it is built from: run `npm run build` (npm test does).
 * Builds may be incremental (only changed files are emitted again), so the newest source is set against
 * the newest output.
 */
export function builtCli(): string {
    if (checked) return CLI;
    if (!fs.existsSync(CLI))
        throw new Error(
            `${path.relative(REPO_ROOT, CLI)} is missing: run \`npm run build\` (npm test builds first).`,
        );
    const built = Math.max(
        ...BUILT_FROM.map((d) => newest(path.join(REPO_ROOT, "dist", d), ".js")),
    );
    const source = Math.max(...BUILT_FROM.map((d) => newest(path.join(REPO_ROOT, d), ".ts")));
    if (source > built)
        throw new Error(
            `dist/ is older than the sources: run \`npm run build\` (npm test builds first).`,
        );
    checked = true;
    return CLI;
}

/** `lambda-docker <args>`, to its end. */
export function runCli(
    args: readonly string[],
    options: Omit<Parameters<typeof spawnSync>[2], "encoding"> = {},
): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [builtCli(), ...args], {
        ...options,
        encoding: "utf8",
    }) as SpawnSyncReturns<string>;
}

/** `lambda-docker <args>`, running. */
export function startCli(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    return spawn(process.execPath, [builtCli(), ...args], options);
}
