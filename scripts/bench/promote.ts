/**
 * Promotion vs a cold build of the same image (target: promotion <= 0.05x, every blob mounted).
 * The image: the local base image plus ~40 MB in 2,000 generated modules. The cold build is
 * `docker build --no-cache`; the push to the source repository is timed apart. Each promotion goes
 * into a fresh repository of the same registry, so every blob is mounted, as from dev to prod in one
 * ECR registry.
 */
import * as fs from "fs";
import * as path from "path";
import { PromoteImageResult, promoteImage } from "../../components/registry";
import { startRegistry } from "../../test/support/registry";
import { runDocker } from "../../components/docker/docker";
import { dockerBuild, median, sectionHeader, timed } from "../benchUtil";

export const title = "Promotion by digest";

const RUNS = 7;
const BULK_RUN =
    "RUN python3 -c \"import os, random; r = random.Random(11); os.makedirs('/var/task/bulk', exist_ok=True); " +
    "[open(f'/var/task/bulk/m{i}.py', 'w').write(''.join(r.choice('abcdefgh = 1\\n') for _ in range(20000))) for i in range(2000)]\"";

export async function bench(dir: string): Promise<string[]> {
    const registry = await startRegistry();
    const ref = `${registry.host}/dev/app:dev-bench`;
    try {
        fs.writeFileSync(path.join(dir, "Dockerfile"), `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\n${BULK_RUN}\n`);
        const buildMs = await dockerBuild(dir, path.join(dir, "Dockerfile"), ref, true);
        const [pushed, pushMs] = await timed(() => runDocker(["push", ref]));
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
        if (pushed.code !== 0 || !digest) throw new Error(`docker push failed:\n${pushed.tail.join("\n")}`);
        const source = `${ref}@${digest}`;
        const runs: number[] = [];
        let last = { mountedBlobs: 0, copiedBlobs: 0 };
        for (let i = 0; i < RUNS; i++) {
            const target = `${registry.host}/prod${i}/app`;
            const [result, ms] = await timed<PromoteImageResult>(() => promoteImage({ source, target, tag: "prod-bench", architecture: "x86_64" }));
            if (result.digest !== digest || result.copiedBlobs !== 0) throw new Error(`promotion ${i} copied ${result.copiedBlobs} blobs or changed the digest`);
            last = result;
            runs.push(ms);
        }
        const [, noopMs] = await timed(() => promoteImage({ source, target: `${registry.host}/prod0/app`, tag: "prod-bench" }));
        const promoteMs = median(runs);
        const ratio = promoteMs / buildMs;
        return [
            ...sectionHeader(title),
            `| measure | value |`,
            `|---|---|`,
            `| cold build (docker build --no-cache, ~40 MB over the base) | ${buildMs.toFixed(0)} ms |`,
            `| push to the source repository (for reference) | ${pushMs.toFixed(0)} ms |`,
            `| promotion into a fresh repository, median of ${RUNS} | ${promoteMs.toFixed(1)} ms (${last.mountedBlobs} blobs mounted, 0 copied) |`,
            `| promotion / cold build | ${ratio.toFixed(4)}× (target ≤ 0.05×: ${ratio <= 0.05 ? "met" : "NOT met"}) |`,
            `| repeated promotion (tag already holds the digest: no-op) | ${noopMs.toFixed(1)} ms |`,
        ];
    } finally {
        await runDocker(["image", "rm", "--force", ref]);
        await registry.stop();
    }
}
