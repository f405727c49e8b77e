/** Layer builds: cold vs no-op (target >= 50x) and determinism of two cold builds. */
import * as fs from "fs";
import * as path from "path";
import { buildLayer } from "../../lib/build/layerBuild";
import { writeLayerContext } from "../../test/support/dockerFixtures";
import { BASE_IMAGE, copyTree } from "../../test/support/docker";
import { median, sectionHeader, timed } from "../benchUtil";

export const title = "Layer build";

const NOOP_RUNS = 15;
const BULK_RUN =
    "RUN python3 -c \"import os, random; r = random.Random(7); os.makedirs('/asset/python/bulk', exist_ok=True); " +
    "[open(f'/asset/python/bulk/m{i}.py', 'w').write(''.join(r.choice('abcdefgh = 1\\n') for _ in range(20000))) for i in range(2000)]\"";

export async function bench(dir: string): Promise<string[]> {
    // A realistic layer: ~40 MB of installed files in 2,000 modules, and 200 source files in the context.
    const context = writeLayerContext(path.join(dir, "a", "core"), BULK_RUN);
    for (let i = 0; i < 200; i++) {
        fs.writeFileSync(
            path.join(context, "ldcore-src", "ldcore", `mod${i}.py`),
            `VALUE = ${i}\n${"# padding\n".repeat(200)}`,
        );
    }
    copyTree(context, path.join(dir, "b", "core"));
    const buildArgs = { BASE_IMAGE };

    const [cold, coldMs] = await timed(() =>
        buildLayer({ context, buildArgs, cacheDir: path.join(dir, "cache-a"), noCache: true }),
    );
    const [coldB, coldBMs] = await timed(() =>
        buildLayer({
            context: path.join(dir, "b", "core"),
            buildArgs,
            cacheDir: path.join(dir, "cache-b"),
            noCache: true,
        }),
    );
    const noop: number[] = [];
    for (let i = 0; i < NOOP_RUNS; i++) {
        const [again, ms] = await timed(() =>
            buildLayer({ context, buildArgs, cacheDir: path.join(dir, "cache-a") }),
        );
        if (!again.cached) throw new Error("no-op rebuild missed the cache");
        noop.push(ms);
    }
    const noopMs = median(noop);
    const ratio = coldMs / noopMs;
    const lines = [
        ...sectionHeader(title),
        "| measure | value |",
        "|---|---|",
        `| cold build (empty zip cache, docker --no-cache) | ${coldMs.toFixed(0)} ms |`,
        `| second cold build (copy of the context) | ${coldBMs.toFixed(0)} ms |`,
        `| no-op rebuild, median of ${NOOP_RUNS} | ${noopMs.toFixed(2)} ms |`,
        `| cold / no-op | ${ratio.toFixed(0)}× (target ≥ 50×: ${ratio >= 50 ? "met" : "NOT met"}) |`,
        `| two cold builds, same sha256 | ${cold.sha256 === coldB.sha256 ? "yes" : "NO"} (${cold.sha256.slice(0, 16)}…) |`,
        `| layer size | ${cold.unzippedBytes} bytes unzipped, ${cold.zippedBytes} bytes zipped |`,
    ];
    if (cold.sha256 !== coldB.sha256) process.exitCode = 1;
    return lines;
}
