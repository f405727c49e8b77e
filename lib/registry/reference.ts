/**
 * Pure parts of a promotion: references, schemes, media types, manifests, platforms and auth
 * challenges. No network here, so every rule is unit tested.
 */
import { PinnedReference, TAG_PATTERN, parsePinnedReference } from "../tags";
import { Architecture, ValidationError, fail } from "../validation";

/** Every refusal of a promotion: nothing was written to the target when one is thrown. */
export class PromotionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PromotionError";
    }
}

export interface RegistryCredentials {
    readonly username: string;
    readonly password: string;
}

export interface RepositoryName {
    /** `host[:port]` */
    readonly host: string;
    /** The repository path inside the registry. */
    readonly name: string;
}

const TARGET =
    /^([a-z0-9.-]+(?::[0-9]+)?|\[[0-9a-f:]+\](?::[0-9]+)?)\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)$/;

/** `<registry>/<repository>` with no tag or digest. */
export function parseTarget(key: string, value: unknown): RepositoryName {
    const m = typeof value === "string" ? TARGET.exec(value) : null;
    if (!m) fail(key, "a repository `<registry>/<repository>` without a tag or digest", value);
    return { host: m[1], name: m[2] };
}

/** The source, pinned by digest, split into registry host and repository path. */
export function parseSource(key: string, value: unknown): PinnedReference & RepositoryName {
    const ref = parsePinnedReference(key, value);
    const slash = ref.repository.indexOf("/");
    return { ...ref, host: ref.repository.slice(0, slash), name: ref.repository.slice(slash + 1) };
}

export function validateTag(key: string, value: unknown): string {
    if (typeof value !== "string" || !TAG_PATTERN.test(value))
        fail(key, "a Docker tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -", value);
    return value;
}

export function validateArchitecture(key: string, value: unknown): Architecture | undefined {
    if (value === undefined) return undefined;
    if (value !== "x86_64" && value !== "arm64")
        fail(key, '"x86_64" or "arm64" (Lambda\'s architectures)', value);
    return value;
}

/** Docker treats loopback registries as insecure (plain HTTP); every other registry is HTTPS. */
export function registryBaseUrl(host: string): string {
    const bare = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
    const loopback = bare === "localhost" || bare === "[::1]" || /^127(\.\d{1,3}){3}$/.test(bare);
    return `${loopback ? "http" : "https"}://${host}`;
}

export const MEDIA_TYPES = {
    dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
    dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
    ociManifest: "application/vnd.oci.image.manifest.v1+json",
    ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

/** What GET manifests asks for: single images and indexes, so an index is seen and refused, not served as something else. */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(", ");

export interface Descriptor {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
}

export interface ImageManifest {
    readonly mediaType: string;
    readonly config: Descriptor;
    readonly layers: Descriptor[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function descriptor(value: unknown, where: string): Descriptor {
    const d = value as Partial<Descriptor> | null;
    if (
        typeof d !== "object" ||
        d === null ||
        typeof d.digest !== "string" ||
        !DIGEST.test(d.digest) ||
        typeof d.size !== "number"
    ) {
        throw new PromotionError(
            `The source manifest's ${where} is not a descriptor with a sha256 digest and a size.`,
        );
    }
    return { mediaType: String(d.mediaType ?? ""), digest: d.digest, size: d.size };
}

/**
 * Parses a manifest and refuses anything but a single-platform image: an index or a manifest list
 * (what a multi-platform or attested build pushes) is not something Lambda runs.
 */
export function parseImageManifest(
    bytes: Buffer,
    contentType: string,
    source: string,
): ImageManifest {
    let doc: {
        mediaType?: string;
        config?: unknown;
        layers?: unknown;
        manifests?: unknown;
        schemaVersion?: number;
    };
    try {
        doc = JSON.parse(bytes.toString("utf8"));
    } catch {
        throw new PromotionError(`The manifest of ${source} is not JSON.`);
    }
    const mediaType = doc.mediaType ?? contentType.split(";")[0].trim();
    if (
        mediaType === MEDIA_TYPES.dockerList ||
        mediaType === MEDIA_TYPES.ociIndex ||
        Array.isArray(doc.manifests)
    ) {
        throw new PromotionError(
            `\`source\` must be a single-platform image; got an image index (${mediaType}) at ${source}. ` +
                "Lambda accepts single-platform images: promote the digest of one platform's manifest, and build without attestations.",
        );
    }
    if (mediaType !== MEDIA_TYPES.dockerManifest && mediaType !== MEDIA_TYPES.ociManifest) {
        throw new PromotionError(
            `\`source\` must be a Docker v2 or OCI image manifest; got ${JSON.stringify(mediaType)} at ${source}.`,
        );
    }
    if (!Array.isArray(doc.layers))
        throw new PromotionError(`The manifest of ${source} has no layers list.`);
    return {
        mediaType,
        config: descriptor(doc.config, "config"),
        layers: doc.layers.map((l, i) => descriptor(l, `layers[${i}]`)),
    };
}

const LAMBDA_ARCHITECTURES: Record<string, Architecture> = { amd64: "x86_64", arm64: "arm64" };

/** The Lambda architecture of an image config (`architecture: amd64` is `x86_64`), or the raw name when Lambda has none. */
export function configArchitecture(config: Buffer): string {
    let doc: { architecture?: unknown; os?: unknown };
    try {
        doc = JSON.parse(config.toString("utf8"));
    } catch {
        throw new PromotionError("The source image's config blob is not JSON.");
    }
    const arch = typeof doc.architecture === "string" ? doc.architecture : "unknown";
    return LAMBDA_ARCHITECTURES[arch] ?? arch;
}

export interface BearerChallenge {
    readonly realm: string;
    readonly service?: string;
    readonly scope?: string;
}

/** Every challenge of a `WWW-Authenticate` header, e.g. `Bearer realm="…",scope="…", Basic realm="…"` (RFC 9110 §11.6.1). */
export function parseChallenges(
    header: string | null,
): { scheme: string; params: Record<string, string> }[] {
    const s = header ?? "";
    const out: { scheme: string; params: Record<string, string> }[] = [];
    let i = 0;
    const skip = (chars: RegExp): void => {
        while (i < s.length && chars.test(s[i])) i++;
    };
    while (i < s.length) {
        skip(/[\s,]/);
        const scheme = /^[A-Za-z][A-Za-z0-9_-]*/.exec(s.slice(i));
        if (!scheme) break;
        i += scheme[0].length;
        const params: Record<string, string> = {};
        for (;;) {
            const start = i;
            skip(/[\s,]/);
            const key = /^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*/.exec(s.slice(i));
            if (!key) {
                i = start; // the next challenge's scheme, or the end
                break;
            }
            i += key[0].length;
            let value = "";
            if (s[i] === '"') {
                for (i++; i < s.length && s[i] !== '"'; i++)
                    value += s[i] === "\\" ? (s[++i] ?? "") : s[i];
                i++;
            } else {
                value = /^[^\s,]*/.exec(s.slice(i))![0];
                i += value.length;
            }
            params[key[1].toLowerCase()] = value;
        }
        out.push({ scheme: scheme[0].toLowerCase(), params });
    }
    return out;
}

/** The Bearer challenge of a `WWW-Authenticate` header; undefined when it has none (Basic, or nothing). */
export function parseBearerChallenge(header: string | null): BearerChallenge | undefined {
    const bearer = parseChallenges(header).find((c) => c.scheme === "bearer");
    if (!bearer?.params.realm) return undefined;
    const { realm, service, scope } = bearer.params;
    return {
        realm,
        ...(service === undefined ? {} : { service }),
        ...(scope === undefined ? {} : { scope }),
    };
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`: its region, when the host is an ECR registry. */
export function ecrHost(host: string): { registryId: string; region: string } | undefined {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host);
    return m ? { registryId: m[1], region: m[2] } : undefined;
}

/** Normalizes `credentials`: one pair for every registry, or a pair per registry host. */
export function credentialsFor(
    credentials: RegistryCredentials | Record<string, RegistryCredentials> | undefined,
    host: string,
): RegistryCredentials | undefined {
    if (credentials === undefined) return undefined;
    if (typeof (credentials as RegistryCredentials).username === "string")
        return credentials as RegistryCredentials;
    return (credentials as Record<string, RegistryCredentials>)[host];
}

export { ValidationError };
