/**
 * The on-disk digest cache: what a context's hash needs, remembered by stat identity (git's index,
 * CDK's fingerprint cache), safe against racy timestamps. See docs/design/build.md.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Bump when the file layout or the meaning of an entry changes; older files are then ignored. */
export const DIGEST_CACHE_VERSION = 1;
const FORMAT = "lambda-docker file digests";

/** How much older than the hash start a file's newest timestamp must be before it is cached. */
export const RACY_MARGIN_NS = 2_000_000_000n;

/** Cache files kept per cache directory; the least recently written beyond this are removed. */
export const MAX_CACHE_FILES = 64;

/** The stat fields an entry is keyed by (a `fs.BigIntStats` has them all). */
export interface StatIdentity {
    readonly dev: bigint;
    readonly ino: bigint;
    readonly size: bigint;
    readonly mtimeNs: bigint;
    readonly ctimeNs: bigint;
}

/** `dev:ino:size:mtimeNs:ctimeNs`, the identity a cached digest is valid for. */
export function statKey(st: StatIdentity): string {
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** True when `st` is old enough, against `startNs`, that any later change gets a newer timestamp. */
export function isSettled(
    st: StatIdentity,
    startNs: bigint,
    marginNs: bigint = RACY_MARGIN_NS,
): boolean {
    const newest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
    return newest + marginNs < startNs;
}

/** Wall-clock time in nanoseconds since the epoch (the clock file timestamps use). */
export function wallClockNs(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
}

/** Where the cache of the context rooted at `root` lives under `cacheDir` (one file per context). */
export function digestCacheFile(cacheDir: string, root: string): string {
    const name = crypto.createHash("sha256").update(path.resolve(root)).digest("hex").slice(0, 32);
    return path.join(cacheDir, `digests-v${DIGEST_CACHE_VERSION}`, `${name}.json`);
}

/** [path relative to the context, stat key or null when absent, 1 when the stat follows symlinks]. */
export type StoredCheck = readonly [rel: string, key: string | null, follow: 0 | 1];

/**
 * A listed file or symlink: [path relative to the context, normalized mode (0o777 for a symlink),
 * stat key, sha256]. Key and digest are null when the stat was too recent to trust.
 */
export type StoredEntry = readonly [
    rel: string,
    mode: number,
    key: string | null,
    sha256: string | null,
];

/** A context's listing for one Dockerfile, valid while every check and entry keeps its stat. */
export interface StoredListing {
    /** False when some stat was too recent to trust: the digests can be reused, the listing cannot. */
    readonly complete: boolean;
    /** The root, the walked directories, the ignore-file candidates and the Dockerfile. */
    readonly checks: readonly StoredCheck[];
    /** The listed files and symlinks, sorted by path. */
    readonly entries: readonly StoredEntry[];
    /** sha256 of the Dockerfile, or null when there is none (or it was too recent to trust). */
    readonly dockerfile: string | null;
}

type Digest = readonly [key: string, sha256: string];

const KEY = /^\d+:\d+:\d+:\d+:\d+$/;
const SHA = /^[0-9a-f]{64}$/;
const MODES = new Set([0o644, 0o755, 0o777]);
const isRecord = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
const isKey = (x: unknown) => x === null || (typeof x === "string" && KEY.test(x));
const isSha = (x: unknown) => x === null || (typeof x === "string" && SHA.test(x));

function validListing(x: unknown): x is StoredListing {
    if (
        !isRecord(x) ||
        typeof x.complete !== "boolean" ||
        !Array.isArray(x.checks) ||
        !Array.isArray(x.entries) ||
        !isSha(x.dockerfile)
    )
        return false;
    const checkOk = (c: unknown) =>
        Array.isArray(c) &&
        c.length === 3 &&
        typeof c[0] === "string" &&
        isKey(c[1]) &&
        (c[2] === 0 || c[2] === 1);
    // An entry's key is compared with a real stat's key, so a malformed one can only miss; its digest is used, so it is checked.
    const entryOk = (e: unknown) =>
        Array.isArray(e) &&
        e.length === 4 &&
        typeof e[0] === "string" &&
        MODES.has(e[1]) &&
        (e[2] === null || typeof e[2] === "string") &&
        isSha(e[3]);
    return x.checks.every(checkOk) && x.entries.every(entryOk);
}

/** The listings in a cache file, or undefined when it is missing, corrupt or of another version. */
function readCacheFile(file: string): Map<string, StoredListing> | undefined {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
    if (
        !isRecord(doc) ||
        doc.format !== FORMAT ||
        doc.version !== DIGEST_CACHE_VERSION ||
        !isRecord(doc.listings)
    )
        return undefined;
    const listings = new Map<string, StoredListing>();
    for (const [dockerfile, listing] of Object.entries(doc.listings)) {
        if (!validListing(listing)) return undefined;
        listings.set(dockerfile, listing);
    }
    return listings;
}

/**
 * One context's cache: its listings, loaded from `file` (when given), and the digests of every file
 * seen in this process. Without a file it lives in the process only. A save writes the listings
 * this process used or made, so listings of Dockerfiles no longer hashed, and entries of deleted
 * files, drop out.
 */
export class DigestCache {
    private readonly listings: Map<string, StoredListing>;
    private readonly usedListings = new Set<string>();
    /** Digests by path relative to the context: from the loaded listings (built on first use) and this process. */
    private known: Map<string, Digest> | undefined;
    private dirty: boolean;

    private constructor(private readonly file: string | undefined) {
        const loaded = file === undefined ? undefined : readCacheFile(file);
        this.listings = loaded ?? new Map();
        // A file that was unreadable, corrupt or of another version is replaced on the next save.
        this.dirty = file !== undefined && loaded === undefined && fs.existsSync(file);
    }

    /** Loads the cache file (a missing, corrupt or foreign file gives an empty cache). */
    static load(file: string | undefined): DigestCache {
        return new DigestCache(file);
    }

    private digests(): Map<string, Digest> {
        if (this.known === undefined) {
            this.known = new Map();
            for (const listing of this.listings.values()) {
                for (const [rel, , key, sha256] of listing.entries)
                    if (key !== null && sha256 !== null) this.known.set(rel, [key, sha256]);
            }
        }
        return this.known;
    }

    /** The cached digest of `rel`, if its stat identity is unchanged. */
    get(rel: string, st: StatIdentity): string | undefined {
        const entry = this.digests().get(rel);
        return entry !== undefined && entry[0] === statKey(st) ? entry[1] : undefined;
    }

    /** Remembers a digest, unless `st` is too recent to trust (see `isSettled`). Returns whether it was kept. */
    set(rel: string, st: StatIdentity, sha256: string, startNs: bigint): boolean {
        if (!isSettled(st, startNs)) {
            // A racy file's old digest must not outlive it.
            this.digests().delete(rel);
            return false;
        }
        this.digests().set(rel, [statKey(st), sha256]);
        return true;
    }

    /** The stored listing for a Dockerfile (path relative to the context); the caller validates it. */
    listing(dockerfile: string): StoredListing | undefined {
        const found = this.listings.get(dockerfile);
        if (found !== undefined) this.usedListings.add(dockerfile);
        return found;
    }

    /** Stores the listing made by a walk, replacing the one before. */
    setListing(dockerfile: string, listing: StoredListing): void {
        this.listings.set(dockerfile, listing);
        this.usedListings.add(dockerfile);
        this.dirty = true;
    }

    /**
     * Writes the listings used or made since load, atomically, when anything changed or went unused.
     * Never throws: a cache that cannot be written is a cache that is not there.
     */
    save(): void {
        if (this.file === undefined) return;
        if (!this.dirty && this.usedListings.size === this.listings.size) return;
        const listings: Record<string, StoredListing> = {};
        for (const dockerfile of [...this.usedListings].sort())
            listings[dockerfile] = this.listings.get(dockerfile)!;
        const text = `${JSON.stringify({ format: FORMAT, version: DIGEST_CACHE_VERSION, listings })}\n`;
        const dir = path.dirname(this.file);
        const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
        try {
            const isNew = !fs.existsSync(this.file);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(tmp, text);
            fs.renameSync(tmp, this.file);
            for (const dockerfile of [...this.listings.keys()])
                if (!this.usedListings.has(dockerfile)) this.listings.delete(dockerfile);
            this.dirty = false;
            if (isNew) pruneCacheFiles(dir, MAX_CACHE_FILES);
        } catch {
            try {
                fs.rmSync(tmp, { force: true });
            } catch {
                // nothing more to do: the directory is not writable
            }
        }
    }
}

/**
 * Removes the least recently written cache files beyond `keep` (contexts long gone, temp dirs), and
 * temp files older than an hour (left by a writer killed between write and rename).
 */
export function pruneCacheFiles(dir: string, keep: number, nowMs: number = Date.now()): void {
    const files = fs.readdirSync(dir).map((f) => {
        const file = path.join(dir, f);
        return { file, mtime: fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 };
    });
    const caches = files
        .filter((f) => f.file.endsWith(".json"))
        .sort((a, b) => b.mtime - a.mtime || (a.file < b.file ? -1 : 1));
    const staleTemps = files.filter((f) => f.file.endsWith(".tmp") && f.mtime < nowMs - 3_600_000);
    for (const { file } of [...caches.slice(keep), ...staleTemps]) fs.rmSync(file, { force: true });
}
