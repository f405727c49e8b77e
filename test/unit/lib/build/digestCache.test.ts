import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import fsModule from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import {
    DIGEST_CACHE_VERSION,
    DigestCache,
    RACY_MARGIN_NS,
    StatIdentity,
    StoredListing,
    digestCacheFile,
    isSettled,
    pruneCacheFiles,
    statKey,
} from "../../../../lib/build/digestCache";

const sha = (data: string): string => crypto.createHash("sha256").update(data).digest("hex");
const stat = (
    dev: bigint,
    ino: bigint,
    size: bigint,
    mtimeNs: bigint,
    ctimeNs: bigint,
): StatIdentity => ({ dev, ino, size, mtimeNs, ctimeNs });

/** The hash started at 100 s; OLD changed at 90 s (settled), RECENT at 99 s (within the 2 s margin). */
const START = 100_000_000_000n;
const OLD = stat(2049n, 77n, 12n, 90_000_000_000n, 90_000_000_001n);
const RECENT = stat(2049n, 77n, 12n, 99_000_000_000n, 99_000_000_000n);

const LISTING: StoredListing = {
    complete: true,
    checks: [
        ["", "2049:1:4096:80000000000:80000000000", 1],
        [".dockerignore", null, 1],
        ["Dockerfile", "2049:2:14:80000000000:80000000000", 1],
    ],
    entries: [
        ["Dockerfile", 0o644, "2049:2:14:80000000000:80000000000", sha("FROM scratch\n")],
        ["run.sh", 0o755, "2049:3:5:80000000000:80000000000", sha("echo\n")],
        ["link", 0o777, "2049:4:6:80000000000:80000000000", sha("run.sh")],
    ],
    dockerfile: sha("FROM scratch\n"),
};

function docWith(
    listings: Record<string, unknown>,
    version: unknown = DIGEST_CACHE_VERSION,
    format: unknown = "lambda-docker file digests",
): string {
    return JSON.stringify({ format, version, listings });
}

/** Calls `fn` with fs[name] replaced by `impl` (which gets the original), restoring it afterwards. */
function withFs<T>(
    name: "writeFileSync" | "renameSync",
    impl: (original: (...a: unknown[]) => unknown, ...args: unknown[]) => unknown,
    fn: () => T,
): T {
    const mod = fsModule as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = mod[name];
    mod[name] = (...args: unknown[]) =>
        impl((...a: unknown[]) => original.apply(fsModule, a), ...args);
    try {
        return fn();
    } finally {
        mod[name] = original;
    }
}

describe("digest cache: keys and the racy-timestamp rule", () => {
    it("keys an entry by dev:ino:size:mtimeNs:ctimeNs", () => {
        assert.equal(statKey(stat(1n, 2n, 3n, 4n, 5n)), "1:2:3:4:5");
        assert.equal(statKey(OLD), "2049:77:12:90000000000:90000000001");
    });

    it("trusts a stat only when its newest of mtime and ctime is more than the margin (2 s) before the start", () => {
        assert.equal(RACY_MARGIN_NS, 2_000_000_000n);
        const start = 10_000_000_000n;
        const cases: [bigint, bigint, boolean][] = [
            [7_999_999_999n, 7_999_999_999n, true],
            [8_000_000_000n, 8_000_000_000n, false], // exactly the margin: not older *by more than* it
            [8_000_000_001n, 1n, false],
            [1n, 8_000_000_000n, false], // a recent ctime alone (chmod, utimes) is enough to distrust
            [1n, 1n, true],
            [20_000_000_000n, 20_000_000_000n, false], // in the future (clock skew): never trusted
        ];
        for (const [m, c, expected] of cases)
            assert.equal(isSettled(stat(1n, 1n, 1n, m, c), start), expected, `${m}/${c}`);
        assert.equal(isSettled(stat(1n, 1n, 1n, start - 1n, start - 1n), start, 0n), true);
    });

    it("serves a digest only for the identical stat: any of dev, inode, size, mtime or ctime differing misses", () => {
        const cache = DigestCache.load(undefined);
        assert.equal(cache.set("a.py", OLD, sha("a"), START), true);
        assert.equal(cache.get("a.py", OLD), sha("a"));
        assert.equal(cache.get("b.py", OLD), undefined);
        const changed: StatIdentity[] = [
            { ...OLD, dev: 2050n },
            { ...OLD, ino: 78n },
            { ...OLD, size: 13n },
            { ...OLD, mtimeNs: OLD.mtimeNs + 1n },
            { ...OLD, ctimeNs: OLD.ctimeNs + 1n },
        ];
        for (const st of changed) assert.equal(cache.get("a.py", st), undefined, statKey(st));
    });

    it("does not keep a digest whose stat is within the margin, and forgets the older one for that path", () => {
        const cache = DigestCache.load(undefined);
        assert.equal(cache.set("a.py", RECENT, sha("a"), START), false);
        assert.equal(cache.get("a.py", RECENT), undefined);
        cache.set("b.py", OLD, sha("b"), START);
        assert.equal(cache.set("b.py", RECENT, sha("b2"), START), false);
        assert.equal(cache.get("b.py", OLD), undefined);
    });

    it("names one cache file per context root, from a hash of its path (the path itself is not in the name)", () => {
        const a = digestCacheFile("/cache", "/home/me/project/app");
        assert.match(a, /^\/cache\/digests-v1\/[0-9a-f]{32}\.json$/);
        assert.equal(digestCacheFile("/cache", "/home/me/project/app/"), a);
        assert.notEqual(digestCacheFile("/cache", "/home/me/project/layers"), a);
        assert.equal(a.includes("project"), false);
    });
});

describe("digest cache: the file on disk", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-digests-"));
        file = path.join(dir, "digests-v1", "ctx.json");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("saves listings as {format, version, listings}, creating the directory, and loads them back with their digests", () => {
        const cache = DigestCache.load(file);
        assert.equal(cache.listing("Dockerfile"), undefined);
        cache.setListing("Dockerfile", LISTING);
        cache.save();
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
            format: "lambda-docker file digests",
            version: 1,
            listings: { Dockerfile: LISTING },
        });
        const loaded = DigestCache.load(file);
        assert.deepEqual(loaded.listing("Dockerfile"), LISTING);
        assert.equal(
            loaded.get("run.sh", stat(2049n, 3n, 5n, 80_000_000_000n, 80_000_000_000n)),
            sha("echo\n"),
        );
        assert.equal(
            loaded.get("link", stat(2049n, 4n, 6n, 80_000_000_000n, 80_000_000_000n)),
            sha("run.sh"),
        );
        assert.equal(
            loaded.get("run.sh", stat(2049n, 3n, 5n, 80_000_000_000n, 80_000_000_001n)),
            undefined,
        );
    });

    it("does not rewrite an unchanged cache, and drops listings this process did not use", () => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, docWith({ Dockerfile: LISTING, "other.Dockerfile": LISTING }));
        const writes: unknown[] = [];
        const record = (original: (...a: unknown[]) => unknown, ...args: unknown[]) => {
            writes.push(args[0]);
            return original(...args);
        };
        withFs("writeFileSync", record, () => {
            const both = DigestCache.load(file);
            both.listing("Dockerfile");
            both.listing("other.Dockerfile");
            both.save();
        });
        assert.deepEqual(writes, []);
        const one = DigestCache.load(file);
        one.listing("Dockerfile");
        one.save();
        assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, "utf8")).listings), [
            "Dockerfile",
        ]);
    });

    const invalid: [string, string][] = [
        ["truncated JSON", docWith({ Dockerfile: LISTING }).slice(0, 100)],
        ["not JSON", "\u0000\u0000\u0000"],
        ["an empty file", ""],
        ["an array", "[]"],
        ["another format", docWith({ Dockerfile: LISTING }, 1, "something else")],
        ["version 2", docWith({ Dockerfile: LISTING }, 2)],
        ["version 0", docWith({ Dockerfile: LISTING }, 0)],
        ['version "1"', docWith({ Dockerfile: LISTING }, "1")],
        ["no listings", JSON.stringify({ format: "lambda-docker file digests", version: 1 })],
        [
            "a digest that is not 64 hex digits",
            docWith({ Dockerfile: { ...LISTING, entries: [["a", 0o644, "1:2:3:4:5", "abc"]] } }),
        ],
        [
            "a mode other than 644, 755 or 777",
            docWith({ Dockerfile: { ...LISTING, entries: [["a", 0o600, "1:2:3:4:5", sha("a")]] } }),
        ],
        [
            "a check without follow 0/1",
            docWith({ Dockerfile: { ...LISTING, checks: [["", "1:2:3:4:5", 2]] } }),
        ],
        [
            "a malformed check key",
            docWith({ Dockerfile: { ...LISTING, checks: [["", "1:2:3", 1]] } }),
        ],
        [
            "no complete flag",
            docWith({ Dockerfile: { checks: [], entries: [], dockerfile: null } }),
        ],
        [
            "a Dockerfile digest that is not hex",
            docWith({ Dockerfile: { ...LISTING, dockerfile: "Z".repeat(64) } }),
        ],
    ];
    for (const [what, text] of invalid) {
        it(`ignores a cache file with ${what}, and replaces it with a valid one on the next save`, () => {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
            const cache = DigestCache.load(file);
            assert.equal(cache.listing("Dockerfile"), undefined);
            assert.equal(
                cache.get("run.sh", stat(2049n, 3n, 5n, 80_000_000_000n, 80_000_000_000n)),
                undefined,
            );
            cache.save();
            assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
                format: "lambda-docker file digests",
                version: 1,
                listings: {},
            });
        });
    }

    it("writes a temp file beside the cache and renames it over, leaving no temp file", () => {
        const calls: string[] = [];
        const cache = DigestCache.load(file);
        cache.setListing("Dockerfile", LISTING);
        withFs(
            "writeFileSync",
            (original, ...args) => (
                calls.push(`write ${path.basename(String(args[0]))}`),
                original(...args)
            ),
            () =>
                withFs(
                    "renameSync",
                    (original, ...args) => (
                        calls.push(
                            `rename ${path.basename(String(args[0]))} ${path.basename(String(args[1]))}`,
                        ),
                        original(...args)
                    ),
                    () => cache.save(),
                ),
        );
        assert.equal(calls.length, 2);
        assert.match(
            calls[0],
            new RegExp(`^write ctx\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`),
        );
        assert.equal(calls[1], `rename ${calls[0].slice("write ".length)} ctx.json`);
        assert.deepEqual(fs.readdirSync(path.dirname(file)), ["ctx.json"]);
    });

    it("a reader running concurrently with 60 saves of a 1 MB cache never sees a partial file", async function () {
        this.timeout(60_000);
        const entries = Array.from(
            { length: 6000 },
            (_, i) =>
                [
                    `src/m${i}.py`,
                    0o644,
                    `2049:${i}:100:80000000000:80000000000`,
                    sha(String(i)),
                ] as const,
        );
        const cache = DigestCache.load(file);
        cache.setListing("Dockerfile", { ...LISTING, entries });
        cache.save();
        const stop = new Int32Array(new SharedArrayBuffer(4));
        const reader = new Worker(
            `const { workerData, parentPort } = require("worker_threads"); const fs = require("fs");
             const stop = new Int32Array(workerData.stop); let ok = 0, bad = 0;
             while (Atomics.load(stop, 0) === 0) {
                 try { JSON.parse(fs.readFileSync(workerData.file, "utf8")); ok++; } catch (e) { bad++; }
             }
             parentPort.postMessage({ ok, bad });`,
            { eval: true, workerData: { file, stop: stop.buffer } },
        );
        const result = new Promise<{ ok: number; bad: number }>((resolve, reject) =>
            reader.once("message", resolve).once("error", reject),
        );
        await new Promise((r) => setTimeout(r, 50));
        for (let i = 0; i < 60; i++) {
            cache.setListing("Dockerfile", { ...LISTING, entries: entries.slice(i) });
            cache.save();
        }
        Atomics.store(stop, 0, 1);
        const { ok, bad } = await result;
        assert.equal(bad, 0);
        assert.ok(ok > 0, "the reader read the file");
    });

    it("a cache directory that cannot be created or written leaves the cache in memory, with no error and no file", () => {
        fs.writeFileSync(path.join(dir, "a-file"), "");
        const blocked = DigestCache.load(path.join(dir, "a-file", "digests-v1", "ctx.json")); // ENOTDIR
        blocked.setListing("Dockerfile", LISTING);
        blocked.save();
        assert.deepEqual(blocked.listing("Dockerfile"), LISTING);

        const readOnly = DigestCache.load(file);
        readOnly.setListing("Dockerfile", LISTING);
        const erofs = () => {
            throw Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS" });
        };
        withFs("writeFileSync", erofs, () => readOnly.save());
        assert.deepEqual(fs.readdirSync(path.dirname(file)), []);

        fs.mkdirSync(file); // the cache file's path is a directory: the rename fails
        const shadowed = DigestCache.load(file);
        shadowed.setListing("Dockerfile", LISTING);
        shadowed.save();
        assert.deepEqual(fs.readdirSync(path.dirname(file)), ["ctx.json"]);
        assert.deepEqual(fs.readdirSync(file), []);
    });

    it("prunes the least recently written cache files beyond the limit, and temp files older than an hour", () => {
        const cacheDir = path.join(dir, "digests-v1");
        fs.mkdirSync(cacheDir);
        const now = 1_800_000_000_000;
        const files: [string, number][] = [
            ["a.json", now - 5000],
            ["b.json", now - 1000],
            ["c.json", now - 3000],
            ["d.json", now - 2000],
            ["old.json.1.abc.tmp", now - 3_600_001],
            ["new.json.1.abc.tmp", now - 60_000],
        ];
        for (const [name, mtime] of files) {
            fs.writeFileSync(path.join(cacheDir, name), "{}");
            fs.utimesSync(path.join(cacheDir, name), mtime / 1000, mtime / 1000);
        }
        pruneCacheFiles(cacheDir, 2, now);
        assert.deepEqual(fs.readdirSync(cacheDir).sort(), [
            "b.json",
            "d.json",
            "new.json.1.abc.tmp",
        ]);
    });
});
