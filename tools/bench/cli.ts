/**
 * The CLI as a user feels it, each against its floor in the same run: `--help` against `node -e 0`,
 * and a trivial `invoke --image` against `docker run --rm <image> python3 -c pass`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BASE_IMAGE, DOCKER, REPO_ROOT, docker } from "../../test/support/docker";
import { builtCli } from "../../test/support/cli";
import { dockerBuild, median, sectionHeader } from "../benchUtil";

export const title = "CLI start and a trivial invoke";

const HELP_PAIRS = 21;
const INVOKE_PAIRS = 11;

/** Wall time of one process, in ms; fails unless it exits 0. */
function time(cmd: string, args: string[], cwd: string): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
    return ms;
}

interface Pairs {
    readonly ms: number;
    readonly floorMs: number;
    /** The median of the pairs' ratios: each pair runs back to back, so noise hits both. */
    readonly ratio: number;
}

/** `pairs` runs of the command and its floor, alternating, after one warm-up of each. */
function pairs(n: number, run: () => number, floor: () => number): Pairs {
    run();
    floor();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++) {
        a.push(run());
        b.push(floor());
    }
    return { ms: median(a), floorMs: median(b), ratio: median(a.map((x, i) => x / b[i])) };
}

/** dist/ as npm test builds it (the CLI users run is the compiled one); built here when stale. */
function cli(): string {
    try {
        return builtCli();
    } catch {
        time("npm", ["run", "--silent", "build"], REPO_ROOT);
        return builtCli();
    }
}

export async function bench(dir: string): Promise<string[]> {
    const main = cli();
    const help = pairs(
        HELP_PAIRS,
        () => time(process.execPath, [main, "--help"], dir),
        () => time(process.execPath, ["-e", "0"], dir),
    );

    fs.writeFileSync(path.join(dir, "h.py"), "def handler(event, context):\n    return 1\n");
    fs.writeFileSync(
        path.join(dir, "Dockerfile"),
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY h.py ${LAMBDA_TASK_ROOT}/\n",
    );
    fs.writeFileSync(
        path.join(dir, "lambda-docker.yaml"),
        "image: { context: . }\nfunctions:\n  h: { command: [h.handler] }\n",
    );
    const image = `lambda-docker-bench-cli:${path
        .basename(dir)
        .replace(/[^a-z0-9]/gi, "")
        .toLowerCase()}`;
    await dockerBuild(dir, path.join(dir, "Dockerfile"), image, false);
    try {
        const invoke = pairs(
            INVOKE_PAIRS,
            () => time(process.execPath, [main, "invoke", "h", "--image", image], dir),
            () => time(DOCKER, ["run", "--rm", image, "python3", "-c", "pass"], dir),
        );
        const verdict = (ratio: number, target: number) =>
            `${ratio.toFixed(2)}× (target ≤ ${target}×: ${ratio <= target ? "met" : "NOT met"})`;
        if (help.ratio > 3 || invoke.ratio > 1.3) process.exitCode = 1;
        return [
            ...sectionHeader(title),
            `Medians of ${HELP_PAIRS} and ${INVOKE_PAIRS} back-to-back pairs, each a whole process, after one warm-up; ` +
                "the ratio is the median of the pairs' ratios. The CLI is the built one (`dist/cli/main.js`, as `npx lambda-docker` runs it); " +
                `the image is \`FROM ${BASE_IMAGE}\` with a one-line handler.`,
            "",
            "| command | time | floor | floor time | ratio |",
            "|---|---|---|---|---|",
            `| \`lambda-docker --help\` | ${help.ms.toFixed(0)} ms | \`node -e 0\` | ${help.floorMs.toFixed(0)} ms | ${verdict(help.ratio, 3)} |`,
            `| \`lambda-docker invoke h --image <image>\` | ${invoke.ms.toFixed(0)} ms | \`docker run --rm <image> python3 -c pass\` | ${invoke.floorMs.toFixed(0)} ms | ${verdict(invoke.ratio, 1.3)} |`,
        ];
    } finally {
        docker(["image", "rm", "--force", image]);
    }
}
