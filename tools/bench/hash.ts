/**
 * The content hash of a 20,000-file, ~360 MB context: cold (no digest cache, new process) against a
 * repeated hash in a new process with the warm on-disk digest cache (target ≤ 0.25×), and the
 * in-process memo. In the same run, if aws-cdk-lib is installed in CDK_BENCH_DIR (default
 * /tmp/cdk-bench, outside the repository; see tools/bench/plan.ts, which installs it there),
 * CDK's `FileSystem.fingerprint` of the same tree, cold and with its warm (in-process) file cache.
 * Also the repository's own `app/` context, cold and warm.
 *
 * Every hash runs in a child process and times only the hash call (no start-up), so the in-process
 * memo of an earlier hash cannot count. All files are in the page cache: "cold" means no digests
 * cached, not a cold disk.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { clearHashMemo, hashBuildInputs } from "../../lib/build/contextHash";
import { RACY_MARGIN_NS } from "../../lib/build/digestCache";
import { median, sectionHeader, timed } from "../benchUtil";

export const title = "Content hash";

const ROOT = path.resolve(__dirname, "..", "..");
const CDK_DIR = process.env.CDK_BENCH_DIR ?? "/tmp/cdk-bench";
const DIRS = 200;
const FILES_PER_DIR = 100;
const RUNS = 5;
const MEMO_RUNS = 15;

/** mulberry32: a small deterministic PRNG, so every run hashes the same tree. */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** 20,000 source-like text files of 16,000–20,000 bytes (~360 MB), a Dockerfile and a .dockerignore. */
function writeTree(ctx: string): { files: number; bytes: number } {
    const rand = prng(20_000);
    const alphabet = Buffer.from("abcdefghijklmnopqrstuvwxyz_ =()\n    ");
    let bytes = 0;
    for (let d = 0; d < DIRS; d++) {
        const dir = path.join(ctx, "pkg", `m${String(d).padStart(3, "0")}`);
        fs.mkdirSync(dir, { recursive: true });
        for (let f = 0; f < FILES_PER_DIR; f++) {
            const buf = Buffer.allocUnsafe(16_000 + Math.floor(rand() * 4_000));
            for (let i = 0; i < buf.length; i++)
                buf[i] = alphabet[Math.floor(rand() * alphabet.length)];
            fs.writeFileSync(path.join(dir, `f${String(f).padStart(3, "0")}.py`), buf);
            bytes += buf.length;
        }
    }
    fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY pkg /pkg\n");
    fs.writeFileSync(path.join(ctx, ".dockerignore"), "**/*.pyc\n__pycache__\n");
    return { files: DIRS * FILES_PER_DIR + 2, bytes };
}

/** Runs one hash in a fresh process; returns its time (ms) and how many files it opened for reading. */
function hashInChild(
    context: string,
    cacheDir: string | false,
): { ms: number; opened: number; hash: string } {
    const code = `
const fs = require("fs");
let opened = 0;
for (const name of ["openSync", "readFileSync"]) {
    const original = fs[name];
    fs[name] = function (...args) { opened++; return original.apply(this, args); };
}
const { hashBuildInputs } = require(${JSON.stringify(path.join(ROOT, "components", "core", "contextHash"))});
const [context, cacheDir] = [process.argv[1], process.argv[2] === "false" ? false : process.argv[2]];
opened = 0;
const start = process.hrtime.bigint();
const hash = hashBuildInputs({ context }, { cacheDir });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, opened, hash }));
`;
    const result = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "-e", code, context, String(cacheDir)],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
        },
    );
    if (result.status !== 0) throw new Error(`hash child failed:\n${result.stderr.slice(-2000)}`);
    return JSON.parse(result.stdout) as { ms: number; opened: number; hash: string };
}

/** CDK's fingerprint of `context` in a fresh process: the first call (cold) and a second (its warm cache). */
function cdkInChild(
    context: string,
): { coldMs: number; warmMs: number[]; version: string } | undefined {
    if (!fs.existsSync(path.join(CDK_DIR, "node_modules", "aws-cdk-lib", "package.json")))
        return undefined;
    const code = `
const load = (m) => require(require.resolve(m, { paths: [${JSON.stringify(CDK_DIR)}] }));
const { FileSystem } = load("aws-cdk-lib");
const version = load("aws-cdk-lib/package.json").version;
const time = () => { const s = process.hrtime.bigint(); FileSystem.fingerprint(process.argv[1]); return Number(process.hrtime.bigint() - s) / 1e6; };
const coldMs = time();
const warmMs = Array.from({ length: ${RUNS} }, time);
process.stdout.write(JSON.stringify({ coldMs, warmMs, version }));
`;
    const result = spawnSync(process.execPath, ["-e", code, context], { encoding: "utf8" });
    if (result.status !== 0) return undefined;
    return JSON.parse(result.stdout) as { coldMs: number; warmMs: number[]; version: string };
}

/** Cold (no cache file) and warm (cache file from the cold run) hashes, each in a new process. */
function coldAndWarm(context: string, cacheDir: string, runs: number) {
    const cold: number[] = [];
    let hash = "";
    let coldOpened = 0;
    for (let i = 0; i < runs; i++) {
        fs.rmSync(cacheDir, { recursive: true, force: true });
        const r = hashInChild(context, cacheDir);
        cold.push(r.ms);
        hash = r.hash;
        coldOpened = r.opened;
    }
    const warm: number[] = [];
    let warmOpened = 0;
    for (let i = 0; i < runs; i++) {
        const r = hashInChild(context, cacheDir);
        if (r.hash !== hash)
            throw new Error(`the warm hash ${r.hash} differs from the cold hash ${hash}`);
        warm.push(r.ms);
        warmOpened = r.opened;
    }
    const none = hashInChild(context, false);
    if (none.hash !== hash)
        throw new Error(`the uncached hash ${none.hash} differs from the cold hash ${hash}`);
    return { cold: median(cold), warm: median(warm), coldOpened, warmOpened, hash };
}

export async function bench(dir: string): Promise<string[]> {
    const ctx = path.join(dir, "ctx");
    const tree = writeTree(ctx);
    // Files younger than the racy-timestamp margin are never cached; let the new tree settle first.
    await new Promise((r) => setTimeout(r, Number(RACY_MARGIN_NS / 1_000_000n) + 200));

    const big = coldAndWarm(ctx, path.join(dir, "cache"), RUNS);
    clearHashMemo();
    const cacheDir = path.join(dir, "cache");
    hashBuildInputs({ context: ctx }, { cacheDir });
    const memo: number[] = [];
    for (let i = 0; i < MEMO_RUNS; i++) {
        const [hash, ms] = await timed(async () => hashBuildInputs({ context: ctx }, { cacheDir }));
        if (hash !== big.hash) throw new Error("the memoized hash differs");
        memo.push(ms);
    }
    const memoMs = median(memo);
    const cdk = cdkInChild(ctx);
    const app = coldAndWarm(path.join(ROOT, "app"), path.join(dir, "cache-app"), RUNS);
    const appFiles = hashInChild(path.join(ROOT, "app"), false);

    const ratio = big.warm / big.cold;
    const lines = [
        ...sectionHeader(title),
        `Context: ${tree.files.toLocaleString("en")} files, ${(tree.bytes / 1e6).toFixed(0)} MB (generated, deterministic seed), in the page cache. ` +
            `Each lambda-docker figure is the median of ${RUNS} runs, each in a new process, timing the hash call only.`,
        "",
        "| measure | time | files opened |",
        "|---|---|---|",
        `| cold hash (no digest cache) | ${big.cold.toFixed(0)} ms | ${big.coldOpened.toLocaleString("en")} |`,
        `| repeated hash, new process, warm digest cache | ${big.warm.toFixed(0)} ms | ${big.warmOpened} |`,
        `| repeated / cold | ${ratio.toFixed(3)}× (target ≤ 0.25×: ${ratio <= 0.25 ? "met" : "NOT met"}) | |`,
        `| repeated hash in the same process (memo), median of ${MEMO_RUNS} | ${memoMs.toFixed(1)} ms | 0 |`,
    ];
    if (cdk) {
        const cdkWarm = median(cdk.warmMs);
        lines.push(
            `| CDK \`FileSystem.fingerprint\` (aws-cdk-lib ${cdk.version}), cold | ${cdk.coldMs.toFixed(0)} ms | |`,
            `| CDK fingerprint, warm in-process cache, median of ${RUNS} | ${cdkWarm.toFixed(0)} ms | |`,
            `| our repeated hash (new process) / CDK warm | ${(big.warm / cdkWarm).toFixed(2)}× | |`,
            `| our memo / CDK warm | ${(memoMs / cdkWarm).toFixed(3)}× | |`,
            "",
            "CDK keeps its per-file cache in the process only (keyed by inode, size and mtime), so its warm figure is a second " +
                "fingerprint in the same process; a new process pays its cold time. Ours persists across processes.",
        );
    } else {
        lines.push("", `(CDK not compared: aws-cdk-lib is not installed in ${CDK_DIR}.)`);
    }
    lines.push(
        "",
        `The repository's \`app/\` context (${appFiles.opened} files opened uncached): cold ${app.cold.toFixed(1)} ms, ` +
            `warm ${app.warm.toFixed(1)} ms (${app.warmOpened} opened), ${(app.warm / app.cold).toFixed(2)}×.`,
    );
    if (ratio > 0.25) process.exitCode = 1;
    return lines;
}
