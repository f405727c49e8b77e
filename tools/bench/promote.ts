/**
 * Promotion against `docker tag && docker push` in the same run (one registry, two registries, one
 * that declines mounts as ECR does), and copy throughput against reading every blob once.
 */
import * as fs from "fs";
import * as path from "path";
import { promoteImage } from "../../lib/registry";
import { runDocker } from "../../lib/docker/cli";
import { startFaultProxy } from "../../test/support/faultProxy";
import { TestRegistry, startRegistry } from "../../test/support/registry";
import { dockerBuild, median, sectionHeader, timed } from "../benchUtil";

export const title = "Promotion by digest";

const MOUNT_RUNS = 7;
const COPY_RUNS = 3;
const BULK_RUN =
    "RUN python3 -c \"import os, random; r = random.Random(11); os.makedirs('/var/task/bulk', exist_ok=True); " +
    "[open(f'/var/task/bulk/m{i}.py', 'w').write(''.join(r.choice('abcdefgh = 1\\n') for _ in range(20000))) for i in range(2000)]\"";

async function docker(args: string[]): Promise<string> {
    const run = await runDocker(args);
    if (run.code !== 0) throw new Error(`docker ${args.join(" ")} failed:\n${run.tail.join("\n")}`);
    return run.stdout;
}

/** The image's blobs (config and layers) with their sizes. */
async function blobsOf(
    host: string,
    repo: string,
    digest: string,
): Promise<{ digest: string; size: number }[]> {
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, {
        headers: {
            accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
        },
    });
    const doc = (await res.json()) as {
        config: { digest: string; size: number };
        layers: { digest: string; size: number }[];
    };
    return [doc.config, ...doc.layers];
}

/** The floor of any copy: every blob read once from the source registry and thrown away. */
async function readOnce(host: string, repo: string, blobs: { digest: string }[]): Promise<number> {
    let bytes = 0;
    for (const blob of blobs) {
        const res = await fetch(`http://${host}/v2/${repo}/blobs/${blob.digest}`);
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
            bytes += chunk.length;
    }
    return bytes;
}

const mbps = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

export async function bench(dir: string): Promise<string[]> {
    const source = await startRegistry();
    const ref = `${source.host}/dev/app:dev-bench`;
    const local: string[] = [ref];
    try {
        fs.writeFileSync(
            path.join(dir, "Dockerfile"),
            `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\n${BULK_RUN}\n`,
        );
        await dockerBuild(dir, path.join(dir, "Dockerfile"), ref, true);
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(await docker(["push", ref]))?.[1];
        if (!digest) throw new Error("docker push printed no digest");
        const blobs = await blobsOf(source.host, "dev/app", digest);
        const bytes = blobs.reduce((sum, b) => sum + b.size, 0);
        const src = `${ref}@${digest}`;

        // Within one registry: both sides mount (docker remembers it pushed these blobs to dev/app).
        const promoteMount: number[] = [];
        const dockerMount: number[] = [];
        for (let i = 0; i < MOUNT_RUNS; i++) {
            const [result, ms] = await timed(() =>
                promoteImage({
                    source: src,
                    target: `${source.host}/prod${i}/app`,
                    tag: "prod-bench",
                    architecture: "x86_64",
                }),
            );
            if (result.digest !== digest || result.mountedBlobs !== blobs.length)
                throw new Error(`promotion ${i}: ${JSON.stringify(result)}`);
            promoteMount.push(ms);
            const target = `${source.host}/peer${i}/app:prod-bench`;
            local.push(target);
            dockerMount.push(
                (
                    await timed(async () => {
                        await docker(["tag", ref, target]);
                        await docker(["push", target]);
                    })
                )[1],
            );
        }
        const [, noopMs] = await timed(() =>
            promoteImage({ source: src, target: `${source.host}/prod0/app`, tag: "prod-bench" }),
        );

        // Across registries: a fresh target registry per run, so every byte moves on both sides.
        const promoteCopy: number[] = [];
        const dockerCopy: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < COPY_RUNS; i++) {
            floor.push((await timed(() => readOnce(source.host, "dev/app", blobs)))[1]);
            const fresh: TestRegistry = await startRegistry();
            try {
                const [result, ms] = await timed(() =>
                    promoteImage({
                        source: src,
                        target: `${fresh.host}/prod/app`,
                        tag: "prod-bench",
                        architecture: "x86_64",
                    }),
                );
                if (result.copiedBlobs !== blobs.length)
                    throw new Error(`cross-registry promotion ${i}: ${JSON.stringify(result)}`);
                promoteCopy.push(ms);
            } finally {
                await fresh.stop();
            }
            const peer = await startRegistry();
            try {
                const target = `${peer.host}/prod/app:prod-bench`;
                local.push(target);
                dockerCopy.push(
                    (
                        await timed(async () => {
                            await docker(["tag", ref, target]);
                            await docker(["push", target]);
                        })
                    )[1],
                );
            } finally {
                await peer.stop();
            }
        }

        // Within one registry that declines mounts (ECR's default): every blob is streamed through.
        const ecr: number[] = [];
        const proxy = await startFaultProxy({ upstream: source.host, ecr: true });
        try {
            for (let i = 0; i < COPY_RUNS; i++) {
                const [result, ms] = await timed(() =>
                    promoteImage({
                        source: `${proxy.host}/dev/app@${digest}`,
                        target: `${proxy.host}/ecr${i}/app`,
                        tag: "prod-bench",
                        architecture: "x86_64",
                        credentials: { username: "user", password: "secret" },
                    }),
                );
                if (result.copiedBlobs !== blobs.length)
                    throw new Error(`ECR-like promotion ${i}: ${JSON.stringify(result)}`);
                ecr.push(ms);
            }
        } finally {
            await proxy.stop();
        }

        const [pm, dm, pc, dc, fl, ec] = [
            promoteMount,
            dockerMount,
            promoteCopy,
            dockerCopy,
            floor,
            ecr,
        ].map(median);
        return [
            ...sectionHeader(title),
            `Image: the base image plus ~40 MB in 2,000 modules, ${blobs.length} blobs, ${(bytes / 1e6).toFixed(1)} MB. Medians of ${MOUNT_RUNS} (mount) and ${COPY_RUNS} (copy) runs.`,
            "",
            "| measure | lambda-docker promote | docker tag && docker push | promote / docker |",
            "|---|---|---|---|",
            `| into a fresh repository of the same registry (both mount every blob) | ${pm.toFixed(0)} ms | ${dm.toFixed(0)} ms | ${(pm / dm).toFixed(3)}× |`,
            `| into a fresh registry (both copy every byte) | ${pc.toFixed(0)} ms (${mbps(bytes, pc)}) | ${dc.toFixed(0)} ms (${mbps(bytes, dc)}) | ${(pc / dc).toFixed(2)}× |`,
            `| same registry, mounts declined and 201 on PATCH (ECR's default, through the fault proxy) | ${ec.toFixed(0)} ms (${mbps(bytes, ec)}) | – | – |`,
            "",
            "| copy across registries against its floor | time | throughput | / floor |",
            "|---|---|---|---|",
            `| floor: read every blob once from the source, nothing written | ${fl.toFixed(0)} ms | ${mbps(bytes, fl)} | 1× |`,
            `| promotion into a fresh registry | ${pc.toFixed(0)} ms | ${mbps(bytes, pc)} | ${(pc / fl).toFixed(2)}× |`,
            `| repeated promotion (the tag already names the digest: no write) | ${noopMs.toFixed(1)} ms | | |`,
        ];
    } finally {
        for (const r of local) await runDocker(["image", "rm", "--force", r]);
        await source.stop();
    }
}
