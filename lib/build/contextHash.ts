/**
 * The content hash of a Docker build: what decides the image and nothing that differs between two
 * checkouts of one commit; repeated hashes reuse stat-checked listings. See docs/design/build.md.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import dockerignore from "@balena/dockerignore";
import {
    DigestCache,
    StatIdentity,
    StoredCheck,
    StoredEntry,
    StoredListing,
    digestCacheFile,
    isSettled,
    statKey,
    wallClockNs,
} from "./digestCache";

export interface ContextEntry {
    /** Path relative to the context root, with `/` separators. */
    readonly path: string;
    /** "file" or "symlink"; directories are not entries (see `listContextFiles`). */
    readonly kind: "file" | "symlink";
    /** 0o755 when any execute bit is set, else 0o644; symlinks 0o777. */
    readonly mode: number;
    /** sha256 of the file bytes, or of the link target for a symlink. */
    readonly sha256: string;
    readonly size: number;
}

export interface BuildInputs {
    /** Directory sent to Docker as the build context. */
    readonly context: string;
    /** Dockerfile path. Defaults to `<context>/Dockerfile`. */
    readonly dockerfile?: string;
    readonly buildArgs?: Readonly<Record<string, string>>;
    readonly target?: string;
    readonly platform?: string;
    /** Further values that change the output (for layers: the asset path). */
    readonly extra?: Readonly<Record<string, string>>;
}

/** Where and how digests are cached. */
export interface HashOptions {
    /**
     * Directory for the on-disk digest cache (`<cacheDir>/digests-v1/`), or `false` for none. A
     * directory inside the context, other than its `.lambda-docker/`, is not used (writing the
     * cache would change the hash).
     * @default ".lambda-docker/cache", resolved against the working directory
     */
    readonly cacheDir?: string | false;
    /**
     * The clock (ns since the epoch) the racy-timestamp rule compares file timestamps with.
     * Tests move it; nothing else should.
     * @default the wall clock
     */
    readonly now?: () => bigint;
}

/** The directory at the context root that is never hashed: lambda-docker's own caches. */
export const OWN_CACHE_DIR = ".lambda-docker";

export function resolveDockerfile(context: string, dockerfile?: string): string {
    return dockerfile ?? path.join(context, "Dockerfile");
}

/**
 * The ignore file BuildKit applies: `<Dockerfile>.dockerignore` beside the Dockerfile wins over
 * `<context>/.dockerignore`.
 */
export function ignoreFileFor(context: string, dockerfile: string): string | undefined {
    const specific = `${dockerfile}.dockerignore`;
    if (fs.existsSync(specific)) return specific;
    const generic = path.join(context, ".dockerignore");
    return fs.existsSync(generic) ? generic : undefined;
}

/**
 * Reads ignore patterns the way the Docker CLI does: one per line; a line whose first character is
 * `#` is a comment (checked before trimming, so "  #x" is the pattern "#x"); blank lines skipped.
 */
export function parseIgnoreFile(text: string): string[] {
    return text
        .replace(/^\uFEFF/, "")
        .split(/\r?\n/)
        .filter((line) => !line.startsWith("#"))
        .map((line) => line.trim())
        .filter((line) => line !== "");
}

// One read buffer for every file: a fresh 1 MiB buffer per file costs more than hashing small files.
let readBuffer: Buffer | undefined;

function sha256File(file: string): { sha256: string; size: number } {
    const hash = crypto.createHash("sha256");
    const fd = fs.openSync(file, "r");
    const buf = (readBuffer ??= Buffer.allocUnsafe(1 << 20));
    let size = 0;
    try {
        for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, null);
            if (n === 0) break;
            hash.update(buf.subarray(0, n));
            size += n;
        }
    } finally {
        fs.closeSync(fd);
    }
    return { sha256: hash.digest("hex"), size };
}

/** A context's listing as of one walk, with the stats that prove it still holds. */
interface Snapshot {
    readonly root: string;
    /** The stats it depends on (root, directories walked, ignore files, Dockerfile, entries), as stored on disk. */
    readonly listing: StoredListing;
    readonly entries: readonly ContextEntry[];
    /** sha256 of the Dockerfile, or undefined when there is none (a listing without a Dockerfile). */
    readonly dockerfileSha: string | undefined;
    /** Final hashes by the rest of the document (Dockerfile digest, args), for this listing. */
    readonly hashes: Map<string, string>;
}

/** How many contexts (and context caches) a process remembers; the oldest is dropped beyond this. */
const MEMO_LIMIT = 32;
const snapshots = new Map<string, Snapshot>();
const caches = new Map<string, DigestCache>();
/** Digests of Dockerfiles outside their context, by absolute path (process only). */
let outsideDigests = DigestCache.load(undefined);

function remember<V>(map: Map<string, V>, key: string, value: V): V {
    map.delete(key);
    map.set(key, value);
    if (map.size > MEMO_LIMIT) map.delete(map.keys().next().value as string);
    return value;
}

/**
 * Forgets every remembered listing, hash and in-memory digest, as if the process had just started
 * (the on-disk cache stays). Correctness never needs it; tests and benchmarks use it.
 */
export function clearHashMemo(): void {
    snapshots.clear();
    caches.clear();
    outsideDigests = DigestCache.load(undefined);
}

function statOf(file: string, follow: boolean): fs.BigIntStats | undefined {
    return follow
        ? fs.statSync(file, { bigint: true, throwIfNoEntry: false })
        : fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
}

/** The stat key of `file` now, or null when it is absent. */
function keyNow(file: string, follow: boolean): string | null {
    const st = statOf(file, follow);
    return st === undefined ? null : statKey(st);
}

/**
 * True when every stat a complete listing recorded is unchanged: then its entries are what a walk
 * would find. No directory is read and no file opened. Fills `out` with the entries on the way.
 */
function holds(root: string, listing: StoredListing, out?: ContextEntry[]): boolean {
    if (!listing.complete) return false;
    try {
        for (const [rel, key, follow] of listing.checks)
            if (keyNow(path.join(root, rel), follow === 1) !== key) return false;
        const prefix = root.endsWith(path.sep) ? root : root + path.sep;
        for (const [rel, mode, key, sha256] of listing.entries) {
            const st = statOf(
                prefix + (path.sep === "/" ? rel : rel.split("/").join(path.sep)),
                false,
            );
            if (st === undefined || sha256 === null || statKey(st) !== key) return false;
            out?.push({
                path: rel,
                kind: mode === 0o777 ? "symlink" : "file",
                mode,
                sha256,
                size: Number(st.size),
            });
        }
        return true;
    } catch {
        return false;
    }
}

const isInside = (p: string, parent: string) => p === parent || p.startsWith(parent + path.sep);

/** The disk-backed cache for the context at `root`, or a process-only one. */
function cacheFor(root: string, options: HashOptions): DigestCache {
    const dir =
        options.cacheDir === false
            ? undefined
            : path.resolve(options.cacheDir ?? path.join(OWN_CACHE_DIR, "cache"));
    // Inside the context only under its .lambda-docker/, which the listing skips.
    const usable =
        dir !== undefined &&
        (!isInside(dir, root) || isInside(dir, path.join(root, OWN_CACHE_DIR)));
    const file = usable ? digestCacheFile(dir, root) : undefined;
    const key = `${root}\0${file ?? ""}`;
    return caches.get(key) ?? remember(caches, key, DigestCache.load(file));
}

/** `abs` relative to `root` with `/` separators ("" for the root, "../x" outside it). */
const relTo = (root: string, abs: string) => path.relative(root, abs).split(path.sep).join("/");

/** The sha256 of a file, from `cache` when its stat is unchanged, else read (and kept when settled). */
function digestOf(
    cache: DigestCache,
    rel: string,
    abs: string,
    st: StatIdentity,
    startNs: bigint,
): string {
    const cached = cache.get(rel, st);
    if (cached !== undefined) return cached;
    const { sha256 } = sha256File(abs);
    cache.set(rel, st, sha256, startNs);
    return sha256;
}

/** A snapshot from a stored listing that still holds. */
function fromStored(root: string, listing: StoredListing): Snapshot | undefined {
    const entries: ContextEntry[] = [];
    if (!holds(root, listing, entries)) return undefined;
    return {
        root,
        listing,
        entries,
        dockerfileSha: listing.dockerfile ?? undefined,
        hashes: new Map(),
    };
}

/** Walks the context, reading only files whose digests are not cached, and stores the listing. */
function scanContext(
    root: string,
    dockerfile: string,
    cache: DigestCache,
    options: HashOptions,
): { snapshot: Snapshot; settled: boolean } {
    const startNs = (options.now ?? wallClockNs)();
    const checks: StoredCheck[] = [];
    let settled = true;
    /** Records a stat the listing depends on; returns its key when it is settled (safe to store), else null. */
    const seen = (
        abs: string,
        st: fs.BigIntStats | undefined,
        follow: boolean,
        isEntry: boolean,
    ): string | null => {
        const key = st === undefined ? null : statKey(st);
        if (!isEntry) checks.push([relTo(root, abs), key, follow ? 1 : 0]);
        if (st !== undefined && !isSettled(st, startNs)) {
            settled = false;
            return null;
        }
        return key;
    };

    // The ignore file BuildKit applies (see ignoreFileFor); the candidates are checked, present or not.
    const specific = `${dockerfile}.dockerignore`;
    const generic = path.join(root, ".dockerignore");
    const specificSt = statOf(specific, true);
    seen(specific, specificSt, true, false);
    let ignoreFile: string | undefined = specific;
    if (specificSt === undefined) {
        const genericSt = statOf(generic, true);
        seen(generic, genericSt, true, false);
        ignoreFile = genericSt === undefined ? undefined : generic;
    }
    const patterns = ignoreFile ? parseIgnoreFile(fs.readFileSync(ignoreFile, "utf8")) : [];
    // Docker matches ignore patterns case-sensitively (on Linux); the library defaults to ignoring case.
    const ig = dockerignore({ ignorecase: false }).add(patterns);
    // Without `!` exceptions an ignored directory can be skipped whole (node_modules, .git, …).
    const canPrune = !patterns.some((p) => p.startsWith("!"));
    const entries: ContextEntry[] = [];
    const storedEntries: StoredEntry[] = [];
    const add = (entry: ContextEntry, key: string | null): void => {
        entries.push(entry);
        storedEntries.push([entry.path, entry.mode, key, key === null ? null : entry.sha256]);
    };

    const walk = (dir: string, rel: string): void => {
        const names = fs.readdirSync(dir).sort();
        for (const name of names) {
            if (rel === "" && name === OWN_CACHE_DIR) continue;
            const relPath = rel ? `${rel}/${name}` : name;
            const abs = path.join(dir, name);
            const st = fs.lstatSync(abs, { bigint: true });
            if (st.isDirectory()) {
                if (canPrune && ig.ignores(relPath)) continue;
                seen(abs, st, false, false);
                walk(abs, relPath);
            } else if (ig.ignores(relPath)) {
                continue;
            } else if (st.isSymbolicLink()) {
                const key = seen(abs, st, false, true);
                let sha256 = cache.get(relPath, st);
                if (sha256 === undefined) {
                    sha256 = crypto.createHash("sha256").update(fs.readlinkSync(abs)).digest("hex");
                    cache.set(relPath, st, sha256, startNs);
                }
                add(
                    { path: relPath, kind: "symlink", mode: 0o777, sha256, size: Number(st.size) },
                    key,
                );
            } else if (st.isFile()) {
                const key = seen(abs, st, false, true);
                const sha256 = digestOf(cache, relPath, abs, st, startNs);
                add(
                    {
                        path: relPath,
                        kind: "file",
                        mode: (st.mode & 0o111n) !== 0n ? 0o755 : 0o644,
                        sha256,
                        size: Number(st.size),
                    },
                    key,
                );
            }
        }
    };
    seen(root, statOf(root, true), true, false);
    walk(root, "");
    // The Dockerfile's digest, through the context's cache when it lies inside (even if ignored).
    const dockerfileSt = statOf(dockerfile, true);
    seen(dockerfile, dockerfileSt, true, false);
    let dockerfileSha: string | undefined;
    if (dockerfileSt !== undefined) {
        const rel = relTo(root, dockerfile);
        const inContext = rel !== "" && !rel.startsWith("../") && !path.isAbsolute(rel);
        dockerfileSha = inContext
            ? digestOf(cache, rel, dockerfile, dockerfileSt, startNs)
            : digestOf(outsideDigests, dockerfile, dockerfile, dockerfileSt, startNs);
    }
    // readdir order is sorted per directory; a global sort keeps "a/b" vs "a-b" stable everywhere.
    const byPath =
        <T>(pathOf: (x: T) => string) =>
        (a: T, b: T) =>
            pathOf(a) < pathOf(b) ? -1 : pathOf(a) > pathOf(b) ? 1 : 0;
    entries.sort(byPath((e) => e.path));
    storedEntries.sort(byPath((e) => e[0]));
    const listing: StoredListing = {
        complete: settled,
        checks,
        entries: storedEntries,
        dockerfile: dockerfileSha ?? null,
    };
    cache.setListing(relTo(root, dockerfile), listing);
    cache.save();
    return { snapshot: { root, listing, entries, dockerfileSha, hashes: new Map() }, settled };
}

const memoKey = (root: string, dockerfile: string) => `${root}\0${dockerfile}`;

/**
 * The context's listing: the process's own when every stat behind it is unchanged, else the stored
 * one under the same rule, else a walk.
 */
function snapshotOf(
    context: string,
    dockerfile: string | undefined,
    options: HashOptions,
): Snapshot {
    const root = path.resolve(context);
    const resolvedDockerfile = path.resolve(resolveDockerfile(context, dockerfile));
    const key = memoKey(root, resolvedDockerfile);
    const known = snapshots.get(key);
    if (known !== undefined && holds(known.root, known.listing)) return known;
    const cache = cacheFor(root, options);
    const stored = cache.listing(relTo(root, resolvedDockerfile));
    const restored = stored === undefined ? undefined : fromStored(root, stored);
    if (restored !== undefined) return remember(snapshots, key, restored);
    const { snapshot, settled } = scanContext(root, resolvedDockerfile, cache, options);
    // An unsettled listing is not remembered: a change within the same tick could go unseen.
    if (settled) remember(snapshots, key, snapshot);
    else snapshots.delete(key);
    return snapshot;
}

/**
 * Lists the files Docker would send for `context`, honouring `.dockerignore`, sorted by path.
 * Empty directories are not listed: git does not keep them, so two checkouts would disagree.
 * `.lambda-docker/` at the context root (lambda-docker's own caches) is never listed.
 */
export function listContextFiles(
    context: string,
    dockerfile?: string,
    options: HashOptions = {},
): ContextEntry[] {
    // Copies: the remembered entries must not change under a caller.
    return snapshotOf(context, dockerfile, options).entries.map((e) => ({ ...e }));
}

function sortedPairs(record: Readonly<Record<string, string>> | undefined): [string, string][] {
    return Object.keys(record ?? {})
        .sort()
        .map((k) => [k, record![k]]);
}

/**
 * The sha256 (hex) of everything that decides a build's output. The same inputs give the same hash
 * with or without the caches; see the file comment for what makes a repeated call cheap.
 */
export function hashBuildInputs(inputs: BuildInputs, options: HashOptions = {}): string {
    const snapshot = snapshotOf(inputs.context, inputs.dockerfile, options);
    const rest = {
        // No Dockerfile: fail as reading it fails (ENOENT naming the path).
        dockerfile:
            snapshot.dockerfileSha ??
            sha256File(resolveDockerfile(inputs.context, inputs.dockerfile)).sha256,
        buildArgs: sortedPairs(inputs.buildArgs),
        target: inputs.target ?? "",
        platform: inputs.platform ?? "",
        extra: sortedPairs(inputs.extra),
    };
    const restKey = JSON.stringify(rest);
    const known = snapshot.hashes.get(restKey);
    if (known !== undefined) return known;
    // Field order is part of the hash: v, dockerfile, files, buildArgs, target, platform, extra.
    const document = {
        v: 1,
        dockerfile: rest.dockerfile,
        files: snapshot.entries.map((e) => [e.path, e.kind, e.mode.toString(8), e.sha256]),
        buildArgs: rest.buildArgs,
        target: rest.target,
        platform: rest.platform,
        extra: rest.extra,
    };
    const hash = crypto.createHash("sha256").update(JSON.stringify(document)).digest("hex");
    if (snapshot.hashes.size >= MEMO_LIMIT) snapshot.hashes.clear();
    snapshot.hashes.set(restKey, hash);
    return hash;
}
