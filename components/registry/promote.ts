/**
 * `promoteImage`: copy one single-platform image by digest into another repository under a tag,
 * without pulling it: blobs are mounted across repositories of one registry (or copied between
 * registries), then the manifest is put under the tag with its bytes unchanged, so the digest is
 * the same. Everything that could refuse the promotion is checked before the first write.
 */
import * as crypto from "crypto";
import { Architecture } from "../core/validation";
import { RegistryClient, location, unexpected } from "./client";
import {
    Descriptor, MANIFEST_ACCEPT, PromotionError, RegistryCredentials, configArchitecture, credentialsFor, ecrHost, parseImageManifest,
    parseSource, parseTarget, validateArchitecture, validateTag,
} from "./reference";

export interface PromoteImageRequest {
    /** `<registry>/<repository>[:<tag>]@sha256:<64 hex>`: a single-platform image. */
    readonly source: string;
    /** `<registry>/<repository>`: the same registry or another one. */
    readonly target: string;
    /** The tag the image gets in `target`, e.g. `prod-3f2a9c0d1e2b4a5f`. */
    readonly tag: string;
    /** `x86_64` or `arm64`: an image of another architecture is refused. @default undefined (not checked) */
    readonly architecture?: Architecture;
    /**
     * One username/password for both registries, or a pair per registry host. An ECR registry without
     * credentials gets a token from ECR `GetAuthorizationToken` with the default AWS credentials (this
     * needs the optional `@pulumi/aws`-independent package `@aws-sdk/client-ecr` installed). @default undefined
     */
    readonly credentials?: RegistryCredentials | Record<string, RegistryCredentials>;
}

export interface PromoteImageResult {
    /** `<target>@<digest>` */
    readonly imageUri: string;
    readonly digest: string;
    /** Blobs the target registry mounted from the source repository (no bytes moved). */
    readonly mountedBlobs: number;
    /** Blobs copied byte for byte (across registries, or where a mount was declined). */
    readonly copiedBlobs: number;
}

/** ECR's registry credentials from GetAuthorizationToken, with the default AWS credentials of this process. */
async function ecrCredentials(host: string, registryId: string, region: string): Promise<RegistryCredentials> {
    let sdk: { ECRClient: new (c: { region: string }) => { send(cmd: unknown): Promise<unknown> }; GetAuthorizationTokenCommand: new (i: unknown) => unknown };
    try {
        // Optional: a Pulumi program passes the provider's token instead (PromotedImage does).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        sdk = require("@aws-sdk/client-ecr");
    } catch {
        throw new PromotionError(
            `\`credentials\` must be given for ECR registry ${host} (e.g. { username: "AWS", password: <aws ecr get-login-password> }), ` +
                "or @aws-sdk/client-ecr must be installed to fetch a token; got neither.",
        );
    }
    const out = (await new sdk.ECRClient({ region }).send(new sdk.GetAuthorizationTokenCommand({ registryIds: [registryId] }))) as {
        authorizationData?: { authorizationToken?: string }[];
    };
    const token = out.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new PromotionError(`ECR GetAuthorizationToken returned no token for ${host}.`);
    const [username, password] = Buffer.from(token, "base64").toString("utf8").split(":");
    return { username, password };
}

async function clientFor(host: string, credentials: PromoteImageRequest["credentials"]): Promise<RegistryClient> {
    const given = credentialsFor(credentials, host);
    const ecr = ecrHost(host);
    return new RegistryClient(host, given ?? (ecr ? await ecrCredentials(host, ecr.registryId, ecr.region) : undefined));
}

function sha256(bytes: Buffer): string {
    return `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
}

/** The digest a tag points at in `repo`, or undefined when the tag is not there. */
async function tagDigest(client: RegistryClient, repo: string, tag: string): Promise<string | undefined> {
    const res = await client.request("GET", `/v2/${repo}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unexpected(client.host, `read tag ${tag} of ${repo}`, res);
    return sha256(res.body);
}

/** Copies `source` (pinned by digest) into `target` under `tag`; see the module doc for what is refused. */
export async function promoteImage(request: PromoteImageRequest): Promise<PromoteImageResult> {
    const source = parseSource("source", request.source);
    const target = parseTarget("target", request.target);
    const tag = validateTag("tag", request.tag);
    const architecture = validateArchitecture("architecture", request.architecture);
    const from = await clientFor(source.host, request.credentials);
    const to = source.host === target.host ? from : await clientFor(target.host, request.credentials);

    // 1. Read and check everything; nothing is written before all of it passes.
    const got = await from.request("GET", `/v2/${source.name}/manifests/${source.digest}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (got.status === 404) {
        throw new PromotionError(`\`source\` must name an image that exists; ${source.name}@${source.digest} is not in registry ${source.host}. Nothing was written.`);
    }
    if (got.status !== 200) throw unexpected(source.host, `read ${source.name}@${source.digest}`, got);
    if (sha256(got.body) !== source.digest) {
        throw new PromotionError(`Registry ${source.host} served ${source.name}@${source.digest} with bytes of digest ${sha256(got.body)}. Nothing was written.`);
    }
    const contentType = got.headers.get("content-type") ?? "";
    const manifest = parseImageManifest(got.body, contentType, request.source);
    if (architecture !== undefined) {
        const config = await from.request("GET", `/v2/${source.name}/blobs/${manifest.config.digest}`);
        if (config.status !== 200) throw unexpected(source.host, `read the config blob ${manifest.config.digest}`, config);
        const actual = configArchitecture(config.body);
        if (actual !== architecture) {
            throw new PromotionError(
                `\`architecture\` must be the image's architecture ${JSON.stringify(actual)} (${request.source}); got ${JSON.stringify(architecture)}. Nothing was written.`,
            );
        }
    }
    const existing = await tagDigest(to, target.name, tag);
    if (existing === source.digest) {
        return { imageUri: `${request.target}@${source.digest}`, digest: source.digest, mountedBlobs: 0, copiedBlobs: 0 };
    }
    if (existing !== undefined) {
        throw new PromotionError(
            `\`tag\` ${tag} already points at ${existing} in ${request.target}, not at ${source.digest}; tags are never moved by a promotion. Nothing was written.`,
        );
    }

    // 2. Blobs: skip what the target has, mount within one registry, copy otherwise.
    let mountedBlobs = 0;
    let copiedBlobs = 0;
    const blobs: Descriptor[] = [manifest.config, ...manifest.layers].filter((b, i, all) => all.findIndex((x) => x.digest === b.digest) === i);
    for (const blob of blobs) {
        const head = await to.request("HEAD", `/v2/${target.name}/blobs/${blob.digest}`);
        if (head.status === 200) continue;
        if (source.host === target.host) {
            const mount = await to.request("POST", `/v2/${target.name}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(source.name)}`);
            if (mount.status === 201) {
                mountedBlobs++;
                continue;
            }
            if (mount.status !== 202) throw unexpected(target.host, `mount blob ${blob.digest}`, mount);
            await from.streamBlob(to, source.name, blob.digest, location(to, mount)); // mount declined: upload into its session
        } else {
            await from.copyBlobTo(to, source.name, target.name, blob.digest);
        }
        copiedBlobs++;
    }

    // 3. The manifest, byte for byte, under the tag.
    const put = await to.request("PUT", `/v2/${target.name}/manifests/${tag}`, {
        headers: { "content-type": manifest.mediaType }, body: got.body,
    });
    if (put.status !== 201) throw unexpected(target.host, `put the manifest under ${tag}`, put);
    const stored = put.headers.get("docker-content-digest");
    if (stored && stored !== source.digest) {
        throw new PromotionError(`Registry ${target.host} stored the manifest as ${stored}, not ${source.digest}.`);
    }
    return { imageUri: `${request.target}@${source.digest}`, digest: source.digest, mountedBlobs, copiedBlobs };
}
