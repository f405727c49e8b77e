/**
 * Image naming: per-stage content-addressed tags, the build-cache tag, platforms and digest-pinned URIs.
 */
import { Architecture, fail } from "./validation";

/** Lambda accepts a single-platform image manifest; BuildKit names platforms differently from Lambda. */
export const PLATFORMS: Readonly<Record<Architecture, "linux/amd64" | "linux/arm64">> = {
    x86_64: "linux/amd64",
    arm64: "linux/arm64",
};

export function platformFor(architecture: Architecture): "linux/amd64" | "linux/arm64" {
    return PLATFORMS[architecture];
}

/** Hex characters of the content hash kept in a tag: 64 bits, ample for one repository's history. */
export const TAG_HASH_LENGTH = 16;

/** `<stage>-<hash>`: the tag the lifecycle policy counts per stage. */
export function stageTag(stage: string, contentHash: string): string {
    return `${stage}-${contentHash.slice(0, TAG_HASH_LENGTH)}`;
}

/**
 * The registry build-cache tag of a stage. It has no `-`, so it never starts with any
 * `<stage>-` prefix: lifecycle rules neither count nor expire it as a stage image.
 */
export function cacheTag(stage: string): string {
    return `buildcache_${stage}`;
}

/** ECR tag-mutability exclusion filter matching every cache tag (re-pushed on every build). */
export const CACHE_TAG_FILTER = "buildcache_*";

/** Docker's tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Checks user-requested extra tags (e.g. `dev-latest`) against the tag grammar and the repository's mutability. */
export function validateExtraTags(
    key: string,
    tags: readonly unknown[],
    stage: string,
    immutable: boolean,
): string[] {
    const seen = new Set<string>();
    tags.forEach((tag, i) => {
        const k = `${key}[${i}]`;
        if (typeof tag !== "string" || !TAG_PATTERN.test(tag)) {
            fail(k, "a Docker tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -", tag);
        }
        if (tag === cacheTag(stage) || tag.startsWith("buildcache_")) {
            fail(k, "a tag outside the reserved build-cache names (buildcache_*)", tag);
        }
        if (seen.has(tag)) fail(k, "a tag not already listed", tag);
        seen.add(tag);
    });
    if (immutable && tags.length > 0) {
        fail(
            key,
            "empty when the repository's `tagMutability` is IMMUTABLE: an extra tag such as " +
                `"${stage}-latest" moves to a new image on every build, which ECR refuses for immutable tags ` +
                "(use a MUTABLE repository, or rely on the content-addressed tag)",
            tags,
        );
    }
    return tags as string[];
}

/** `<repositoryUrl>:<tag>` */
export function tagRef(repositoryUrl: string, tag: string): string {
    return `${repositoryUrl}:${tag}`;
}

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** `<repositoryUrl>@<digest>`: the only image reference form that pins what Lambda runs. */
export function digestUri(repositoryUrl: string, digest: string): string {
    if (!DIGEST_PATTERN.test(digest)) {
        throw new Error(
            `Image digest must look like sha256:<64 hex>; got ${JSON.stringify(digest)}.`,
        );
    }
    return `${repositoryUrl}@${digest}`;
}

/** The registry host of a repository URL (`123.dkr.ecr.us-east-1.amazonaws.com/app` -> the host part). */
export function registryHost(repositoryUrl: string): string {
    return repositoryUrl.split("/")[0];
}

/** A digest-pinned image reference, `<registry>/<repository>[:<tag>]@sha256:<64 hex>`, split into its parts. */
export interface PinnedReference {
    /** `<registry>/<repository>` */
    readonly repository: string;
    readonly tag?: string;
    readonly digest: string;
}

const PINNED_REFERENCE =
    /^([a-z0-9.-]+(?::[0-9]+)?|\[[0-9a-f:]+\](?::[0-9]+)?)\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?@(sha256:[0-9a-f]{64})$/;

/** Parses a digest-pinned reference; throws a ValidationError naming `key` otherwise. */
export function parsePinnedReference(key: string, value: unknown): PinnedReference {
    const m = typeof value === "string" ? PINNED_REFERENCE.exec(value) : null;
    if (!m)
        fail(
            key,
            "a digest-pinned image reference `<registry>/<repository>[:<tag>]@sha256:<64 hex>`",
            value,
        );
    return { repository: `${m[1]}/${m[2]}`, tag: m[3], digest: m[4] };
}

/** A content-addressed stage tag's hash part: `dev-3f2a9c0d1e2b4a5f` -> `3f2a9c0d1e2b4a5f`. */
const STAGE_TAG = new RegExp(`^[a-z0-9-]+-([0-9a-f]{${TAG_HASH_LENGTH}})$`);

/** Hex digits of the digest a promoted tag carries: with 16 of content hash, 96 bits; short enough to read. */
export const TAG_DIGEST_LENGTH = 12;

/**
 * The tag a promoted image gets in the target stage: `<stage>-<hash>-<12 hex of the digest>`. The hash is
 * that of the source's content-addressed tag (`dev-3f2a…` gives `prod-3f2a…-…`), else the digest's first
 * 16 hex digits. Naming the digest means two digests never compete for one tag: a dev rebuild of the same
 * content (another digest) promotes under a tag of its own, and no promotion ever moves a tag. The
 * lifecycle policy still counts it as a `<stage>-` image.
 */
export function promotionTag(stage: string, source: PinnedReference): string {
    const hex = source.digest.slice("sha256:".length);
    const fromTag = source.tag === undefined ? undefined : STAGE_TAG.exec(source.tag)?.[1];
    return `${stageTag(stage, fromTag ?? hex)}-${hex.slice(0, TAG_DIGEST_LENGTH)}`;
}
