/**
 * `lambda-docker clean`: every source change leaves another `lambda-docker-local:<hash>` image and
 * every layer or code change another zip in the cache. This removes the ones no current input refers
 * to (the caller computes those references from the manifest and the stack) and says what it freed.
 */
import * as fs from "fs";
import * as path from "path";
import { CONTEXT_LABEL, LOCAL_IMAGE_REPOSITORY } from "./localImage";
import { DockerError, runDocker } from "../docker/cli";

export interface CleanReferences {
    /** Local image tags still in use (`lambda-docker-local:<hash>`). */
    readonly images: ReadonlySet<string>;
    /** Cache file names still in use (`<input hash>.zip`/`.json` of layers, `code-<sha256>.zip`, `layer-<sha256>.zip`). */
    readonly files: ReadonlySet<string>;
}

export interface LocalImageEntry {
    readonly ref: string;
    readonly id: string;
    readonly bytes: number;
}

export interface CacheFileEntry {
    readonly name: string;
    readonly bytes: number;
}

export interface CleanPlan {
    readonly images: LocalImageEntry[];
    readonly files: CacheFileEntry[];
    readonly keptImages: string[];
    readonly keptFiles: string[];
}

/** Directories of the cache that manage their own size (the context digest cache). */
const SELF_MANAGED = /^digests-v\d+$/;

/** What to remove: every image and cache file not referenced. Pure. */
export function planClean(
    images: readonly LocalImageEntry[],
    files: readonly CacheFileEntry[],
    refs: CleanReferences,
): CleanPlan {
    const byName = <T extends { ref?: string; name?: string }>(a: T, b: T) =>
        String(a.ref ?? a.name).localeCompare(String(b.ref ?? b.name));
    const removeImages = images.filter((i) => !refs.images.has(i.ref)).sort(byName);
    const removeFiles = files
        .filter((f) => !SELF_MANAGED.test(f.name) && !refs.files.has(f.name))
        .sort(byName);
    return {
        images: removeImages,
        files: removeFiles,
        keptImages: images
            .filter((i) => refs.images.has(i.ref))
            .map((i) => i.ref)
            .sort(),
        keptFiles: files
            .filter((f) => !SELF_MANAGED.test(f.name) && refs.files.has(f.name))
            .map((f) => f.name)
            .sort(),
    };
}

/**
 * The `lambda-docker-local` images built from these contexts (by their label), with their sizes: another
 * project's images on the same engine are never listed.
 */
export async function listLocalImages(
    contexts: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
): Promise<LocalImageEntry[]> {
    const rows: string[][] = [];
    for (const context of [...new Set(contexts.map((c) => path.resolve(c)))]) {
        const listed = await runDocker(
            [
                "image",
                "ls",
                "--filter",
                `label=${CONTEXT_LABEL}=${context}`,
                "--format",
                "{{.Repository}}:{{.Tag}}\t{{.ID}}",
                LOCAL_IMAGE_REPOSITORY,
            ],
            { env },
        );
        if (listed.code !== 0)
            throw new DockerError(`docker image ls failed (exit ${listed.code})`, listed.tail);
        rows.push(
            ...listed.stdout
                .split("\n")
                .filter(Boolean)
                .map((l) => l.split("\t")),
        );
    }
    const out: LocalImageEntry[] = [];
    for (const [ref, id] of rows) {
        const size = await runDocker(["image", "inspect", "--format", "{{.Size}}", ref], { env });
        out.push({ ref, id, bytes: Number(size.stdout.trim()) || 0 });
    }
    return out;
}

/** The files of the zip cache directory (none when it doesn't exist). */
export function listCacheFiles(cacheDir: string): CacheFileEntry[] {
    if (!fs.existsSync(cacheDir)) return [];
    return fs.readdirSync(cacheDir, { withFileTypes: true }).map((d) => ({
        name: d.name,
        bytes: d.isFile() ? fs.statSync(path.join(cacheDir, d.name)).size : 0,
    }));
}

/** Docker's decimal sizes (`230MB`, `1.146GB`, `0B`) in bytes. Pure. */
export function parseDockerSize(text: string): number {
    const m = /^([0-9.]+)\s*(B|kB|KB|MB|GB|TB)$/.exec(text.trim());
    if (!m) return 0;
    const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[m[2] as "B"];
    return Math.round(Number(m[1]) * unit);
}

/** Bytes all images take on the engine, as `docker system df` counts them (shared layers once). */
async function imagesDiskUsage(env: NodeJS.ProcessEnv): Promise<number> {
    const df = await runDocker(["system", "df", "--format", "{{.Type}}\t{{.Size}}"], { env });
    const row = df.stdout
        .split("\n")
        .map((l) => l.split("\t"))
        .find(([type]) => type === "Images");
    return row ? parseDockerSize(row[1]) : 0;
}

export interface CleanResult {
    readonly plan: CleanPlan;
    /** Images docker refused to remove (a container uses them), with its reason. */
    readonly kept: { ref: string; reason: string }[];
    /** Bytes the engine's images take less than before (shared layers counted once). */
    readonly freedImageBytes: number;
    readonly freedFileBytes: number;
}

/** Removes what `plan` lists (nothing with `dryRun`). An image a container still uses is kept and reported. */
export async function executeClean(
    plan: CleanPlan,
    cacheDir: string,
    options: { dryRun?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CleanResult> {
    const env = options.env ?? process.env;
    if (options.dryRun) {
        return {
            plan,
            kept: [],
            freedImageBytes: plan.images.reduce((s, i) => s + i.bytes, 0),
            freedFileBytes: plan.files.reduce((s, f) => s + f.bytes, 0),
        };
    }
    const before = plan.images.length > 0 ? await imagesDiskUsage(env) : 0;
    const kept: { ref: string; reason: string }[] = [];
    for (const image of plan.images) {
        const rm = await runDocker(["image", "rm", image.ref], { env });
        if (rm.code !== 0)
            kept.push({
                ref: image.ref,
                reason: rm.tail.join(" ").replace(/^Error response from daemon: /, ""),
            });
    }
    const after = plan.images.length > 0 ? await imagesDiskUsage(env) : 0;
    for (const f of plan.files)
        fs.rmSync(path.join(cacheDir, f.name), { recursive: true, force: true });
    return {
        plan: { ...plan, images: plan.images.filter((i) => !kept.some((k) => k.ref === i.ref)) },
        kept,
        freedImageBytes: Math.max(0, before - after),
        freedFileBytes: plan.files.reduce((s, f) => s + f.bytes, 0),
    };
}
