/**
 * `npm run bench`: layer build speed and determinism on a real Docker engine, measured as ratios
 * within one run (these machines are noisy). Prints a Markdown block for BENCHMARKS.md.
 *
 * - cold: empty zip cache and `--no-cache` for Docker, so everything is rebuilt;
 * - no-op: the same inputs again, answered from the zip cache (median of several runs);
 * - determinism: two cold builds of copies of the context give the same sha256.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildLayer } from "../components/build/layer";
import { writeLayerContext } from "../test/docker/fixtures";
import { BASE_IMAGE, DOCKER, copyTree } from "../test/docker/support";

const NOOP_RUNS = 15;
const BULK_RUN =
    "RUN python3 -c \"import os, random; r = random.Random(7); os.makedirs('/asset/python/bulk', exist_ok=True); " +
    "[open(f'/asset/python/bulk/m{i}.py', 'w').write(''.join(r.choice('abcdefgh = 1\\n') for _ in range(20000))) for i in range(2000)]\"";

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
    const start = process.hrtime.bigint();
    const value = await fn();
    return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function machine(): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const docker = execFileSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8" }).trim();
    return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, Docker ${docker}`;
}

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-bench-"));
    try {
        // A realistic layer: ~40 MB of installed files in 2,000 modules, and 200 source files in the context.
        const context = writeLayerContext(path.join(dir, "a", "core"), BULK_RUN);
        for (let i = 0; i < 200; i++) {
            fs.writeFileSync(path.join(context, "ldcore-src", "ldcore", `mod${i}.py`), `VALUE = ${i}\n${"# padding\n".repeat(200)}`);
        }
        copyTree(context, path.join(dir, "b", "core"));
        const buildArgs = { BASE_IMAGE };

        const [cold, coldMs] = await timed(() => buildLayer({ context, buildArgs, cacheDir: path.join(dir, "cache-a"), noCache: true }));
        const [coldB, coldBMs] = await timed(() =>
            buildLayer({ context: path.join(dir, "b", "core"), buildArgs, cacheDir: path.join(dir, "cache-b"), noCache: true }),
        );
        const noop: number[] = [];
        for (let i = 0; i < NOOP_RUNS; i++) {
            const [again, ms] = await timed(() => buildLayer({ context, buildArgs, cacheDir: path.join(dir, "cache-a") }));
            if (!again.cached) throw new Error("no-op rebuild missed the cache");
            noop.push(ms);
        }
        const noopMs = median(noop);
        const ratio = coldMs / noopMs;
        const lines = [
            `### Layer build (${new Date().toISOString().slice(0, 10)})`,
            "",
            `Machine: ${machine()}`,
            "",
            "| measure | value |",
            "|---|---|",
            `| cold build (empty zip cache, docker --no-cache) | ${coldMs.toFixed(0)} ms |`,
            `| second cold build (copy of the context) | ${coldBMs.toFixed(0)} ms |`,
            `| no-op rebuild, median of ${NOOP_RUNS} | ${noopMs.toFixed(2)} ms |`,
            `| cold / no-op | ${ratio.toFixed(0)}× (target ≥ 50×: ${ratio >= 50 ? "met" : "NOT met"}) |`,
            `| two cold builds, same sha256 | ${cold.sha256 === coldB.sha256 ? "yes" : "NO"} (${cold.sha256.slice(0, 16)}…) |`,
            `| layer size | ${cold.unzippedBytes} bytes unzipped, ${cold.zippedBytes} bytes zipped |`,
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
        if (cold.sha256 !== coldB.sha256) process.exitCode = 1;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 1;
});
