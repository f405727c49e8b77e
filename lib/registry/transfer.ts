/**
 * The steps of a copy between repositories: blobs (present, mounted, or streamed and digest-checked),
 * then the manifest stored by digest and verified, then the tag, always last.
 */
import * as crypto from "crypto";
import {
    RegistryClient,
    Response,
    TransientError,
    location,
    scope,
    sha256Digest,
    unexpected,
    withDigest,
} from "./client";
import { Descriptor, MANIFEST_ACCEPT, PromotionError } from "./reference";

/** A manifest as stored: its exact bytes and media type. */
export interface StoredManifest {
    readonly bytes: Buffer;
    readonly mediaType: string;
    readonly digest: string;
}

/** GET a manifest by tag or digest; undefined on 404. The digest is computed from the bytes, never taken from a header. */
export async function getManifest(
    client: RegistryClient,
    repo: string,
    reference: string,
): Promise<StoredManifest | undefined> {
    const res = await client.retrying("GET", `/v2/${repo}/manifests/${reference}`, {
        headers: { accept: MANIFEST_ACCEPT },
        scopes: [scope(repo)],
    });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unexpected(client.host, `read ${repo}:${reference}`, res);
    const declared = (JSON.parse(res.body.toString("utf8")) as { mediaType?: string }).mediaType;
    return {
        bytes: res.body,
        mediaType: declared ?? (res.headers.get("content-type") ?? "").split(";")[0].trim(),
        digest: sha256Digest(res.body),
    };
}

/** GET a small blob (a config) whole, checked against its digest. */
export async function getBlob(
    client: RegistryClient,
    repo: string,
    digest: string,
): Promise<Buffer> {
    const res = await client.retrying("GET", `/v2/${repo}/blobs/${digest}`, {
        scopes: [scope(repo)],
    });
    if (res.status !== 200) throw unexpected(client.host, `read blob ${digest} of ${repo}`, res);
    if (sha256Digest(res.body) !== digest)
        throw new PromotionError(
            `Registry ${client.host} served blob ${digest} of ${repo} with other bytes (${sha256Digest(res.body)}).`,
        );
    return res.body;
}

export type BlobOutcome = "present" | "mounted" | "copied";

/** Whether `repo` holds the blob. */
async function hasBlob(client: RegistryClient, repo: string, digest: string): Promise<boolean> {
    const head = await client.retrying("HEAD", `/v2/${repo}/blobs/${digest}`, {
        scopes: [scope(repo)],
    });
    if (head.status === 200) return true;
    if (head.status === 404) return false;
    throw unexpected(client.host, `check blob ${digest} in ${repo}`, head);
}

/** Where blobs come from: a repository of a registry, or a local file. */
export type BlobSource =
    | { readonly kind: "registry"; readonly client: RegistryClient; readonly repo: string }
    | { readonly kind: "file"; readonly path: string }
    | { readonly kind: "bytes"; readonly bytes: Buffer };

/**
 * Makes `desc` present in `to`/`repo`: already there, mounted from the source repository (same
 * registry), or streamed in one PATCH and checked against its digest before the upload is completed.
 * Each attempt starts over from a HEAD, so a completed upload whose reply was lost counts as present.
 */
export async function ensureBlob(
    to: RegistryClient,
    repo: string,
    desc: Descriptor,
    source: BlobSource,
): Promise<BlobOutcome> {
    return to.withRetries(`copying blob ${desc.digest} into ${repo}`, async () => {
        if (await hasBlob(to, repo, desc.digest)) return "present";
        const mountable =
            source.kind === "registry" && source.client.host === to.host && source.repo !== repo;
        const started = mountable
            ? await to.request(
                  "POST",
                  `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(source.repo)}`,
                  {
                      scopes: [scope(repo, true), scope(source.repo)],
                  },
              )
            : await to.request("POST", `/v2/${repo}/blobs/uploads/`, {
                  scopes: [scope(repo, true)],
              });
        if (mountable && started.status === 201) return "mounted";
        if (started.status !== 202)
            throw unexpected(
                to.host,
                mountable ? `mount blob ${desc.digest}` : "start an upload",
                started,
            );
        await upload(to, repo, desc, location(to, started), source);
        return "copied";
    });
}

/** Streams the blob into the upload session in one PATCH (as docker push does), then completes it with its digest. */
async function upload(
    to: RegistryClient,
    repo: string,
    desc: Descriptor,
    session: string,
    source: BlobSource,
): Promise<void> {
    const hash = crypto.createHash("sha256");
    let sent = 0;
    const abandon = (): Promise<unknown> =>
        to.request("DELETE", session, { scopes: [scope(repo, true)] }).catch(() => undefined);
    async function* counted(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        for await (const chunk of chunks) {
            hash.update(chunk);
            sent += chunk.length;
            if (sent > desc.size)
                throw new PromotionError(
                    `Blob ${desc.digest} is larger than its descriptor's ${desc.size} bytes.`,
                );
            yield chunk;
        }
    }
    let patched: Response;
    try {
        patched = await to.request("PATCH", session, {
            headers: {
                "content-type": "application/octet-stream",
                "content-length": String(desc.size),
            },
            body: counted(await openBlob(source, desc)),
            scopes: [scope(repo, true)],
        });
    } catch (e) {
        await abandon();
        throw e;
    }
    // The spec says 202; ECR answers 201 (aws/containers-roadmap#2831). Its Range header is not trusted either.
    if (patched.status !== 202 && patched.status !== 201 && patched.status !== 204) {
        await abandon();
        throw unexpected(to.host, `upload blob ${desc.digest}`, patched);
    }
    const actual = `sha256:${hash.digest("hex")}`;
    if (sent !== desc.size || actual !== desc.digest) {
        await abandon();
        throw new TransientError(
            `blob ${desc.digest} arrived as ${sent} bytes of digest ${actual}, not ${desc.size} bytes of ${desc.digest}`,
        );
    }
    const done = await to.request("PUT", withDigest(location(to, patched), desc.digest), {
        headers: { "content-length": "0" },
        scopes: [scope(repo, true)],
    });
    if (done.status !== 201 && done.status !== 204)
        throw unexpected(to.host, `complete the upload of blob ${desc.digest}`, done);
}

async function openBlob(source: BlobSource, desc: Descriptor): Promise<AsyncIterable<Uint8Array>> {
    if (source.kind === "bytes")
        return (async function* () {
            yield source.bytes;
        })();
    if (source.kind === "file") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fs = require("fs") as typeof import("fs");
        return fs.createReadStream(source.path, { highWaterMark: 1 << 20 });
    }
    const res = await source.client.open("GET", `/v2/${source.repo}/blobs/${desc.digest}`, {
        scopes: [scope(source.repo)],
    });
    if (res.status !== 200) {
        await res.body[Symbol.asyncIterator]().return?.(); // release the connection
        throw new PromotionError(
            `Registry ${source.client.host} refused to read blob ${desc.digest} of ${source.repo}: HTTP ${res.status}.`,
        );
    }
    return res.body;
}

/**
 * Stores a manifest by digest, then reads it back: the digest the registry reports and the bytes it
 * serves must both be `manifest.digest`. Nothing is tagged here. A manifest already stored is left
 * alone. Returns false when the registry takes manifests by tag only (405, or UNSUPPORTED): the
 * caller then tags and checks the tag.
 */
export async function putManifestByDigest(
    to: RegistryClient,
    repo: string,
    manifest: StoredManifest,
): Promise<boolean> {
    if ((await getManifest(to, repo, manifest.digest))?.digest === manifest.digest) return true;
    const put = await to.retrying("PUT", `/v2/${repo}/manifests/${manifest.digest}`, {
        headers: { "content-type": manifest.mediaType },
        body: manifest.bytes,
        scopes: [scope(repo, true)],
    });
    if (put.status === 405 || (put.status === 400 && /UNSUPPORTED/.test(put.body.toString("utf8"))))
        return false;
    if (put.status !== 201)
        throw unexpected(to.host, `store manifest ${manifest.digest} in ${repo}`, put);
    checkReportedDigest(to, repo, put, manifest.digest, "stored the manifest");
    const stored = await getManifest(to, repo, manifest.digest);
    if (stored?.digest !== manifest.digest) {
        throw new PromotionError(
            `Registry ${to.host} serves ${repo}@${manifest.digest} as ${stored ? stored.digest : "nothing"} after storing it; no tag was written.`,
        );
    }
    return true;
}

/** Puts the manifest under `tag` (the last step of a copy), then checks the tag names the digest. */
export async function putTag(
    to: RegistryClient,
    repo: string,
    tag: string,
    manifest: StoredManifest,
): Promise<void> {
    const put = await to.retrying("PUT", `/v2/${repo}/manifests/${tag}`, {
        headers: { "content-type": manifest.mediaType },
        body: manifest.bytes,
        scopes: [scope(repo, true)],
    });
    if (put.status !== 201) {
        // A PUT whose reply was lost may have tagged it already; on an IMMUTABLE repository the retry is then refused.
        const now = await getManifest(to, repo, tag);
        if (now?.digest !== manifest.digest) throw unexpected(to.host, `tag ${repo}:${tag}`, put);
        return;
    }
    const now = await getManifest(to, repo, tag);
    if (now?.digest !== manifest.digest) {
        throw new PromotionError(
            `Registry ${to.host}: ${repo}:${tag} names ${now?.digest ?? "nothing"} after it was put as ${manifest.digest}.`,
        );
    }
}

function checkReportedDigest(
    to: RegistryClient,
    repo: string,
    res: Response,
    digest: string,
    what: string,
): void {
    const reported = res.headers.get("docker-content-digest");
    if (reported !== null && reported !== digest) {
        throw new PromotionError(
            `Registry ${to.host} ${what} in ${repo} as ${reported}, not ${digest}; no tag was written.`,
        );
    }
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure fails the whole, after the rest settle. */
export async function inParallel<T, R>(
    items: readonly T[],
    limit: number,
    work: (item: T) => Promise<R>,
): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
        while (failure === undefined && next < items.length) {
            const i = next++;
            try {
                results[i] = await work(items[i]);
            } catch (e) {
                failure ??= e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure !== undefined) throw failure;
    return results;
}
