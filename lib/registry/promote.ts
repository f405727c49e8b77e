/**
 * `promoteImage`: copy one single-platform image (or a layer artifact) by digest into another
 * repository under a tag, without pulling it to disk. Order: refuse anything wrong before the first
 * write; blobs; the manifest stored by digest and read back; the tag last. See docs/design/promotion.md.
 */
import { ClientOptions, RegistryClient } from "./client";
import { resolveCredentials } from "./credentials";
import { parseLayerArtifact } from "./artifact";
import {
    Descriptor,
    PromotionError,
    RegistryCredentials,
    configArchitecture,
    parseImageManifest,
    parseSource,
    parseTarget,
    validateArchitecture,
    validateTag,
} from "./reference";
import { Architecture } from "../validation";
import {
    BlobOutcome,
    StoredManifest,
    ensureBlob,
    getBlob,
    getManifest,
    inParallel,
    putManifestByDigest,
    putTag,
} from "./transfer";

export interface PromoteImageRequest {
    /** `<registry>/<repository>[:<tag>]@sha256:<64 hex>`: a single-platform image, or a layer artifact with `layer`. */
    readonly source: string;
    /** `<registry>/<repository>`: the same registry or another one. */
    readonly target: string;
    /** The tag the image gets in `target`, e.g. `prod-3f2a9c0d1e2b4a5f-0123456789ab`. */
    readonly tag: string;
    /** `x86_64` or `arm64`: an image of another architecture is refused. @default undefined (not checked) */
    readonly architecture?: Architecture;
    /** Copy a layer artifact (pushed by a DockerLayer with `artifactRepository`) instead of an image. @default false */
    readonly layer?: boolean;
    /**
     * One username/password for both registries, or a pair per registry host. Without it, an ECR registry
     * gets a token from GetAuthorizationToken with the AWS SDK's default credentials, and any other registry
     * uses what `docker login` stored. @default undefined
     */
    readonly credentials?: RegistryCredentials | Record<string, RegistryCredentials>;
    /** Timeouts and retries of every request. @default the client's defaults (30 s headers, 60 s idle, 5 attempts) */
    readonly client?: Omit<ClientOptions, "credentials">;
    /** Blobs transferred at a time. @default 4 */
    readonly concurrency?: number;
}

export interface PromoteImageResult {
    /** `<target>@<digest>` */
    readonly imageUri: string;
    readonly digest: string;
    readonly tag: string;
    /** Blobs the target registry mounted from the source repository (no bytes moved). */
    readonly mountedBlobs: number;
    /** Blobs copied byte for byte (across registries, or where a mount was declined). */
    readonly copiedBlobs: number;
    /** Blobs the target already had. */
    readonly presentBlobs: number;
    /** Where the manifest came from: the target already held the digest (a rollback), or the source. */
    readonly from: "target" | "source";
    /** True when the tag already named the digest and nothing was written. */
    readonly unchanged: boolean;
}

async function clientFor(host: string, request: PromoteImageRequest): Promise<RegistryClient> {
    return new RegistryClient(host, {
        ...request.client,
        credentials: await resolveCredentials(host, request.credentials),
    });
}

/** The blobs a manifest needs, config first, each once. */
function blobsOf(manifest: StoredManifest, layer: boolean, where: string): Descriptor[] {
    const parsed = layer
        ? parseLayerArtifact(manifest.bytes, where)
        : parseImageManifest(manifest.bytes, manifest.mediaType, where);
    return [parsed.config, ...parsed.layers].filter(
        (b, i, all) => all.findIndex((x) => x.digest === b.digest) === i,
    );
}

/** Copies `source` (pinned by digest) into `target` under `tag`; see the module doc for the order of steps. */
export async function promoteImage(request: PromoteImageRequest): Promise<PromoteImageResult> {
    const source = parseSource("source", request.source);
    const target = parseTarget("target", request.target);
    const tag = validateTag("tag", request.tag);
    const architecture = validateArchitecture("architecture", request.architecture);
    const layer = request.layer === true;
    const to = await clientFor(target.host, request);
    const from = source.host === target.host ? to : await clientFor(source.host, request);
    const result = (fields: Partial<PromoteImageResult>): PromoteImageResult => ({
        imageUri: `${request.target}@${source.digest}`,
        digest: source.digest,
        tag,
        mountedBlobs: 0,
        copiedBlobs: 0,
        presentBlobs: 0,
        from: "target",
        unchanged: false,
        ...fields,
    });

    // 1. Read and check everything; nothing is written before all of it passes.
    const tagged = await getManifest(to, target.name, tag);
    if (tagged !== undefined && tagged.digest !== source.digest) {
        throw new PromotionError(
            `\`tag\` ${tag} already names ${tagged.digest} in ${request.target}, not ${source.digest}; a promotion never moves a tag. Nothing was written.`,
        );
    }
    if (tagged !== undefined) return result({ unchanged: true });
    // A digest the target already holds (a rollback) needs nothing from the source, whose retention may have expired it.
    const held = await getManifest(to, target.name, source.digest);
    const manifest = held ?? (await getManifest(from, source.name, source.digest));
    if (manifest === undefined) {
        throw new PromotionError(
            `\`source\` must name an image that exists; ${source.name}@${source.digest} is not in registry ${source.host}${source.host === target.host && source.name === target.name ? "" : ` nor in ${request.target}`}. Nothing was written.`,
        );
    }
    if (manifest.digest !== source.digest) {
        throw new PromotionError(
            `Registry ${held ? target.host : source.host} served ${source.digest} with bytes of digest ${manifest.digest}. Nothing was written.`,
        );
    }
    const blobs = blobsOf(manifest, layer, request.source);
    if (architecture !== undefined && !layer) {
        const config = held
            ? await getBlob(to, target.name, blobs[0].digest)
            : await getBlob(from, source.name, blobs[0].digest);
        const actual = configArchitecture(config);
        if (actual !== architecture) {
            throw new PromotionError(
                `\`architecture\` must be the image's architecture ${JSON.stringify(actual)} (${request.source}); got ${JSON.stringify(architecture)}. Nothing was written.`,
            );
        }
    }

    // 2. Blobs: present, mounted within one registry, or streamed and digest-checked.
    const outcomes: BlobOutcome[] = held
        ? blobs.map(() => "present")
        : await inParallel(blobs, request.concurrency ?? 4, (blob) =>
              ensureBlob(to, target.name, blob, {
                  kind: "registry",
                  client: from,
                  repo: source.name,
              }),
          );

    // 3. The manifest by digest, read back; 4. the tag, last.
    await putManifestByDigest(to, target.name, manifest);
    await putTag(to, target.name, tag, manifest);
    const count = (o: BlobOutcome) => outcomes.filter((x) => x === o).length;
    return result({
        mountedBlobs: count("mounted"),
        copiedBlobs: count("copied"),
        presentBlobs: count("present"),
        from: held ? "target" : "source",
    });
}
