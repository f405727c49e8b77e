/** `npm test` as CI runs it (CI=true: a pending test fails the run), once, whole: its wall time and counts. */
import { spawnSync } from "child_process";
import { REPO_ROOT } from "../../test/support/docker";
import { sectionHeader } from "../benchUtil";

export const title = "npm test";

const TARGET_S = 150;

export async function bench(): Promise<string[]> {
    const start = process.hrtime.bigint();
    const r = spawnSync("npm", ["test"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
        maxBuffer: 64 * 2 ** 20,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`npm test failed (exit ${r.status}):\n${out.slice(-3000)}`);
    const count = (word: string) =>
        [...out.matchAll(new RegExp(`(\\d+) ${word}`, "g"))].reduce((n, m) => n + Number(m[1]), 0);
    const phases = [...out.matchAll(/^ok {2}(.+) \(([\d.]+) s/gm)].map((m) => `${m[1]} ${m[2]} s`);
    if (seconds > TARGET_S) process.exitCode = 1;
    return [
        ...sectionHeader(title),
        `One run of \`CI=true npm test\`, whole (one compile, lint and the Python tests beside the whole-daemon tests, then mocha's workers; MOCHA_JOBS=${process.env.MOCHA_JOBS ?? 4}).`,
        "",
        "| wall time | tests passing | pending | failing | first phase |",
        "|---|---|---|---|---|",
        `| ${seconds.toFixed(0)} s (target ≤ ${TARGET_S} s: ${seconds <= TARGET_S ? "met" : "NOT met"}) | ${count("passing")} | ${count("pending")} | ${count("failing")} | ${phases.join("; ")} |`,
    ];
}
