/**
 * A layer zip as an OCI artifact, so that prod deploys the exact zip dev deployed: one blob (the
 * zip), a small config naming it, in a manifest whose bytes follow from the zip alone (Helm-style
 * config media type, which ECR has long accepted; no OCI 1.1 `artifactType`, which it refuses on some paths).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ClientOptions, RegistryClient, scope } from "./client";
import { resolveCredentials } from "./credentials";
import {
    Descriptor,
    MEDIA_TYPES,
    PromotionError,
    RegistryCredentials,
    parseSource,
    parseTarget,
    validateTag,
} from "./reference";
import {
    StoredManifest,
    ensureBlob,
    getBlob,
    getManifest,
    putManifestByDigest,
    putTag,
} from "./transfer";

export const LAYER_CONFIG_MEDIA_TYPE = "application/vnd.lambda-docker.layer.config.v1+json";
export const LAYER_ZIP_MEDIA_TYPE = "application/zip";

export interface LayerArtifact {
    readonly manifest: StoredManifest;
    readonly config: { readonly descriptor: Descriptor; readonly bytes: Buffer };
    readonly zip: Descriptor;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** What the artifact's config says of its zip. */
export interface LayerArtifactConfig {
    readonly zipSha256: string;
    readonly zipBytes: number;
    /** For Lambda's 250 MB check of a function and its layers, without unzipping. */
    readonly unzippedBytes: number;
}

/** The artifact of a zip: the same bytes, hence the same digest, on every machine. */
export function layerArtifact(sha256: string, size: number, unzippedBytes: number): LayerArtifact {
    if (!HEX64.test(sha256))
        throw new PromotionError(
            `A layer zip's sha256 must be 64 lowercase hex digits; got ${JSON.stringify(sha256)}.`,
        );
    const config: LayerArtifactConfig = { zipSha256: sha256, zipBytes: size, unzippedBytes };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDescriptor: Descriptor = {
        mediaType: LAYER_CONFIG_MEDIA_TYPE,
        digest: digestOf(configBytes),
        size: configBytes.length,
    };
    const zip: Descriptor = { mediaType: LAYER_ZIP_MEDIA_TYPE, digest: `sha256:${sha256}`, size };
    const bytes = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: MEDIA_TYPES.ociManifest,
            config: configDescriptor,
            layers: [{ ...zip, annotations: { "org.opencontainers.image.title": "layer.zip" } }],
        }),
    );
    return {
        manifest: { bytes, mediaType: MEDIA_TYPES.ociManifest, digest: digestOf(bytes) },
        config: { descriptor: configDescriptor, bytes: configBytes },
        zip,
    };
}

/** Parses a layer artifact's manifest: exactly one zip and the layer config; anything else is refused. */
export function parseLayerArtifact(
    bytes: Buffer,
    where: string,
): { config: Descriptor; layers: Descriptor[] } {
    let doc: { config?: Descriptor; layers?: Descriptor[] };
    try {
        doc = JSON.parse(bytes.toString("utf8")) as typeof doc;
    } catch {
        throw new PromotionError(`The manifest of ${where} is not JSON.`);
    }
    const layers = Array.isArray(doc.layers) ? doc.layers : [];
    if (
        doc.config?.mediaType !== LAYER_CONFIG_MEDIA_TYPE ||
        layers.length !== 1 ||
        layers[0].mediaType !== LAYER_ZIP_MEDIA_TYPE
    ) {
        throw new PromotionError(
            `${where} is not a lambda-docker layer artifact (config ${LAYER_CONFIG_MEDIA_TYPE} and one ${LAYER_ZIP_MEDIA_TYPE} layer).`,
        );
    }
    const pick = (d: Descriptor): Descriptor => ({
        mediaType: d.mediaType,
        digest: d.digest,
        size: d.size,
    });
    return { config: pick(doc.config), layers: [pick(layers[0])] };
}

function digestOf(bytes: Buffer): string {
    return `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
}

/** sha256 (hex) and size of a file, streamed. */
export async function fileSha256(file: string): Promise<{ sha256: string; size: number }> {
    const hash = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of fs.createReadStream(file)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest("hex"), size };
}

export interface PushLayerRequest {
    /** The layer zip. */
    readonly zip: string;
    /** `<registry>/<repository>` */
    readonly target: string;
    /** e.g. `dev-<16 hex of the zip's sha256>` */
    readonly tag: string;
    readonly credentials?: RegistryCredentials | Record<string, RegistryCredentials>;
    readonly client?: Omit<ClientOptions, "credentials">;
}

export interface PushLayerResult {
    /** `<target>@<manifest digest>` */
    readonly uri: string;
    readonly digest: string;
    readonly sha256: string;
    /** True when the tag already named this artifact and nothing was written. */
    readonly unchanged: boolean;
}

/** Pushes a layer zip as an artifact: zip and config blobs, the manifest by digest, read back, the tag last. */
export async function pushLayerArtifact(request: PushLayerRequest): Promise<PushLayerResult> {
    const target = parseTarget("target", request.target);
    const tag = validateTag("tag", request.tag);
    const { sha256, size } = await fileSha256(request.zip);
    const artifact = layerArtifact(sha256, size, await zipUnzippedBytes(request.zip));
    const to = new RegistryClient(target.host, {
        ...request.client,
        credentials: await resolveCredentials(target.host, request.credentials),
    });
    const done = (unchanged: boolean): PushLayerResult => ({
        uri: `${request.target}@${artifact.manifest.digest}`,
        digest: artifact.manifest.digest,
        sha256,
        unchanged,
    });
    const tagged = await getManifest(to, target.name, tag);
    if (tagged !== undefined && tagged.digest !== artifact.manifest.digest) {
        throw new PromotionError(
            `\`tag\` ${tag} already names ${tagged.digest} in ${request.target}, not this layer's ${artifact.manifest.digest}. Nothing was written.`,
        );
    }
    if (tagged !== undefined) return done(true);
    await ensureBlob(to, target.name, artifact.zip, { kind: "file", path: request.zip });
    await ensureBlob(to, target.name, artifact.config.descriptor, {
        kind: "bytes",
        bytes: artifact.config.bytes,
    });
    await putManifestByDigest(to, target.name, artifact.manifest);
    await putTag(to, target.name, tag, artifact.manifest);
    return done(false);
}

export interface PullLayerRequest {
    /** `<registry>/<repository>@sha256:<manifest digest>`, in the order to try: the first that holds it wins. */
    readonly sources: readonly string[];
    /** The zip's expected sha256 (hex), e.g. the source stack's exported layer sha256. */
    readonly sha256: string;
    /** Directory the zip is written to, as `<sha256>.zip` (atomically). */
    readonly dir: string;
    readonly credentials?: RegistryCredentials | Record<string, RegistryCredentials>;
    readonly client?: Omit<ClientOptions, "credentials">;
}

export interface PulledLayer {
    readonly zipPath: string;
    readonly sha256: string;
    readonly zippedBytes: number;
    readonly unzippedBytes: number;
    /** The reference it came from, or "cache". */
    readonly from: string;
}

/**
 * Fetches a layer artifact's zip into `dir/<sha256>.zip` (with its config beside it as `<sha256>.json`),
 * unless a zip with that sha256 is there already. The manifest must be a layer artifact whose zip is
 * `sha256:<sha256>`, and the bytes must hash to it.
 */
export async function pullLayerArtifact(request: PullLayerRequest): Promise<PulledLayer> {
    if (!HEX64.test(request.sha256))
        throw new PromotionError(
            `\`sha256\` must be 64 lowercase hex digits; got ${JSON.stringify(request.sha256)}.`,
        );
    const zipPath = path.join(request.dir, `${request.sha256}.zip`);
    const metaPath = path.join(request.dir, `${request.sha256}.json`);
    const cached = readCachedConfig(zipPath, metaPath, request.sha256);
    if (cached && (await fileSha256(zipPath)).sha256 === request.sha256) {
        return {
            zipPath,
            sha256: request.sha256,
            zippedBytes: cached.zipBytes,
            unzippedBytes: cached.unzippedBytes,
            from: "cache",
        };
    }
    const misses: string[] = [];
    for (const ref of request.sources) {
        const source = parseSource("source", ref);
        const client = new RegistryClient(source.host, {
            ...request.client,
            credentials: await resolveCredentials(source.host, request.credentials),
        });
        const manifest = await getManifest(client, source.name, source.digest);
        if (manifest === undefined) {
            misses.push(ref);
            continue;
        }
        if (manifest.digest !== source.digest)
            throw new PromotionError(
                `Registry ${source.host} served ${ref} with bytes of digest ${manifest.digest}.`,
            );
        const parsed = parseLayerArtifact(manifest.bytes, ref);
        const zip = parsed.layers[0];
        if (zip.digest !== `sha256:${request.sha256}`) {
            throw new PromotionError(
                `The layer artifact ${ref} holds zip ${zip.digest}, not the expected sha256:${request.sha256}; refusing to publish it.`,
            );
        }
        const configBytes = await getBlob(client, source.name, parsed.config.digest);
        const config = JSON.parse(configBytes.toString("utf8")) as LayerArtifactConfig;
        if (
            config.zipSha256 !== request.sha256 ||
            config.zipBytes !== zip.size ||
            typeof config.unzippedBytes !== "number"
        ) {
            throw new PromotionError(
                `The layer artifact ${ref} has a config that does not describe its zip.`,
            );
        }
        await download(client, source.name, zip, zipPath);
        fs.writeFileSync(metaPath, configBytes);
        return {
            zipPath,
            sha256: request.sha256,
            zippedBytes: zip.size,
            unzippedBytes: config.unzippedBytes,
            from: ref,
        };
    }
    throw new PromotionError(
        `No registry holds the layer artifact: ${misses.join(", ")}. Deploy the source stack again, or raise its \`keepImages\`.`,
    );
}

function readCachedConfig(
    zipPath: string,
    metaPath: string,
    sha256: string,
): LayerArtifactConfig | undefined {
    try {
        const config = JSON.parse(fs.readFileSync(metaPath, "utf8")) as LayerArtifactConfig;
        return config.zipSha256 === sha256 && fs.statSync(zipPath).size === config.zipBytes
            ? config
            : undefined;
    } catch {
        return undefined;
    }
}

/** The unzipped size of a zip, from its central directory (what Lambda counts against 250 MB). */
export async function zipUnzippedBytes(zipPath: string): Promise<number> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yauzl = require("yauzl") as typeof import("yauzl");
    return new Promise((resolve, reject) => {
        yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, zip) => {
            if (err || !zip) return reject(err ?? new Error(`cannot open ${zipPath}`));
            let total = 0;
            zip.on("entry", (entry: import("yauzl").Entry) => {
                total += entry.uncompressedSize;
                zip.readEntry();
            });
            zip.on("end", () => resolve(total));
            zip.on("error", reject);
            zip.readEntry();
        });
    });
}

/** Streams a blob to a temp file beside `dest`, checks its digest, then renames it into place. */
async function download(
    client: RegistryClient,
    repo: string,
    blob: Descriptor,
    dest: string,
): Promise<void> {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    await client.withRetries(`reading blob ${blob.digest} of ${repo}`, async () => {
        const tmp = `${dest}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
        try {
            const res = await client.open("GET", `/v2/${repo}/blobs/${blob.digest}`, {
                scopes: [scope(repo)],
            });
            if (res.status !== 200)
                throw new PromotionError(
                    `Registry ${client.host} refused to read blob ${blob.digest} of ${repo}: HTTP ${res.status}.`,
                );
            const hash = crypto.createHash("sha256");
            const out = fs.createWriteStream(tmp);
            try {
                for await (const chunk of res.body) {
                    hash.update(chunk);
                    if (!out.write(chunk))
                        await new Promise<void>((r) => out.once("drain", () => r()));
                }
            } finally {
                await new Promise<void>((resolve, reject) =>
                    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
                );
            }
            const actual = `sha256:${hash.digest("hex")}`;
            if (actual !== blob.digest)
                throw new PromotionError(
                    `Registry ${client.host} served blob ${blob.digest} of ${repo} as ${actual}.`,
                );
            fs.renameSync(tmp, dest);
        } finally {
            fs.rmSync(tmp, { force: true });
        }
    });
}
