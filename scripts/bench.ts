/**
 * `npm run bench`: layer build speed and determinism on a real Docker engine, measured as ratios
 * within one run (these machines are noisy). Prints a Markdown block for BENCHMARKS.md.
 *
 * - cold: empty zip cache and `--no-cache` for Docker, so everything is rebuilt;
 * - no-op: the same inputs again, answered from the zip cache (median of several runs);
 * - determinism: two cold builds of copies of the context give the same sha256;
 * - the app image: cold build vs a source-only rebuild (target ratio <= 0.1), and its size vs a naive
 *   single-stage Dockerfile of the same app. PyPI is unreachable here, so the dependency is a stand-in:
 *   a vendored local package of 2,000 generated modules (~40 MB), installed by pip from the context.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runDocker } from "../components/docker/docker";
import { buildLayer } from "../components/docker/layer";
import { writeLayerContext } from "../test/docker/fixtures";
import { BASE_IMAGE, DOCKER, REPO_ROOT, copyTree } from "../test/docker/support";

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

async function dockerBuild(context: string, dockerfile: string, tag: string, noCache: boolean): Promise<number> {
    const [result, ms] = await timed(() =>
        runDocker(["build", ...(noCache ? ["--no-cache"] : []), "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "--file", dockerfile, "--tag", tag, context], {
            env: { ...process.env, DOCKER_BUILDKIT: "1" },
        }),
    );
    if (result.code !== 0) throw new Error(`docker build of ${dockerfile} failed:\n${result.tail.join("\n")}`);
    return ms;
}

function imageSize(tag: string): number {
    return Number(execFileSync(DOCKER, ["image", "inspect", "--format", "{{.Size}}", tag], { encoding: "utf8" }).trim());
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function imageBench(dir: string): Promise<string[]> {
    const context = path.join(dir, "app");
    copyTree(path.join(REPO_ROOT, "app"), context);
    const vendor = path.join(context, "vendor", "heavydep");
    fs.mkdirSync(path.join(vendor, "heavydep"), { recursive: true });
    fs.writeFileSync(path.join(vendor, "setup.py"), "from setuptools import setup\nsetup(name='heavydep', version='1.0', packages=['heavydep'])\n");
    fs.writeFileSync(path.join(vendor, "heavydep", "__init__.py"), `RUN = "${Date.now()}"\n`);
    for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(vendor, "heavydep", `m${i}.py`), `X = ${i}\n${"# ".padEnd(20000 - 1, "x")}\n`);
    const dockerfile = path.join(context, "Dockerfile");
    fs.writeFileSync(dockerfile, fs.readFileSync(dockerfile, "utf8")
        .replace("COPY requirements.txt /tmp/requirements.txt", "COPY requirements.txt /tmp/requirements.txt\nCOPY vendor /tmp/vendor")
        .replace("-r /tmp/requirements.txt", "--no-index --no-build-isolation -r /tmp/requirements.txt /tmp/vendor/heavydep"));
    // The naive way: one stage, the whole directory copied, pip's cache and build leftovers kept.
    const naive = path.join(context, "naive.Dockerfile");
    fs.writeFileSync(naive, [
        "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11",
        "FROM ${BASE_IMAGE}",
        "COPY . ${LAMBDA_TASK_ROOT}/",
        "RUN python3 -m pip install --no-index --no-build-isolation -r requirements.txt ./vendor/heavydep -t ${LAMBDA_TASK_ROOT}",
        'CMD ["src.functions.api.handler.handler"]',
        "",
    ].join("\n"));
    fs.writeFileSync(`${naive}.dockerignore`, ""); // no .dockerignore either

    const tag = `lambda-docker-bench:${Date.now()}`;
    const coldMs = await dockerBuild(context, dockerfile, `${tag}-cold`, true);
    fs.appendFileSync(path.join(context, "src", "functions", "api", "handler.py"), "\n# a source-only change\n");
    const rebuildMs = await dockerBuild(context, dockerfile, `${tag}-src`, false);
    await dockerBuild(context, naive, `${tag}-naive`, true);
    const [size, naiveSize] = [imageSize(`${tag}-src`), imageSize(`${tag}-naive`)];
    const base = imageSize(BASE_IMAGE);
    await runDocker(["rmi", `${tag}-cold`, `${tag}-src`, `${tag}-naive`]);
    const ratio = rebuildMs / coldMs;
    return [
        `### App image (${new Date().toISOString().slice(0, 10)})`,
        "",
        "| measure | value |",
        "|---|---|",
        `| cold build (docker --no-cache) | ${coldMs.toFixed(0)} ms |`,
        `| source-only rebuild (dependency layer cached) | ${rebuildMs.toFixed(0)} ms |`,
        `| rebuild / cold | ${ratio.toFixed(3)} (target ≤ 0.1: ${ratio <= 0.1 ? "met" : "NOT met"}) |`,
        `| final image (multi-stage, .dockerignore) | ${mb(size)} (${mb(size - base)} over the base image) |`,
        `| naive single-stage image | ${mb(naiveSize)} (${mb(naiveSize - base)} over the base image) |`,
        `| saved | ${mb(naiveSize - size)} (${(((naiveSize - size) / (naiveSize - base)) * 100).toFixed(0)}% of what the app adds to the base) |`,
    ];
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
        process.stdout.write(`${lines.join("\n")}\n\n${(await imageBench(dir)).join("\n")}\n`);
        if (cold.sha256 !== coldB.sha256) process.exitCode = 1;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 1;
});
