/**
 * Small single-platform images pushed straight through the distribution API (no docker): a config and
 * a few layers of seeded random bytes, so registry tests can copy many images quickly and exactly.
 */
import * as crypto from "crypto";

export interface PushedImage {
    readonly digest: string;
    readonly manifest: Buffer;
    /** config first, then layers */
    readonly blobs: { digest: string; size: number }[];
}

const sha256 = (data: Buffer) => `sha256:${crypto.createHash("sha256").update(data).digest("hex")}`;

/** Deterministic pseudo-random bytes: the same seed always gives the same blob. */
export function seededBytes(seed: string, size: number): Buffer {
    const out = Buffer.alloc(size);
    let block = crypto.createHash("sha256").update(seed).digest();
    for (let off = 0; off < size; off += block.length) {
        block.copy(out, off, 0, Math.min(block.length, size - off));
        block = crypto.createHash("sha256").update(block).digest();
    }
    return out;
}

async function pushBlob(host: string, repo: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const head = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: "HEAD" });
    if (head.status === 200) return digest;
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status}`);
    const url = new URL(start.headers.get("location")!, `http://${host}`);
    url.searchParams.set("digest", digest);
    const put = await fetch(url, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: data,
    });
    if (put.status !== 201) throw new Error(`blob put: HTTP ${put.status} ${await put.text()}`);
    return digest;
}

/** Pushes an image of `layerSizes` layers (bytes seeded by `seed`) to `host/repo:tag` and returns its digest. */
export async function pushImage(
    host: string,
    repo: string,
    tag: string,
    seed: string,
    layerSizes: number[] = [300_000, 2_000_000],
    architecture = "amd64",
): Promise<PushedImage> {
    const config = Buffer.from(
        JSON.stringify({
            architecture,
            os: "linux",
            config: {},
            rootfs: {
                type: "layers",
                diff_ids: layerSizes.map((_, i) => sha256(Buffer.from(`${seed}-${i}`))),
            },
        }),
    );
    const layers = layerSizes.map((size, i) => seededBytes(`${seed}-${i}`, size));
    const blobs = [{ digest: await pushBlob(host, repo, config), size: config.length }];
    for (const layer of layers)
        blobs.push({ digest: await pushBlob(host, repo, layer), size: layer.length });
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: { mediaType: "application/vnd.oci.image.config.v1+json", ...blobs[0] },
            layers: blobs
                .slice(1)
                .map((b) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...b })),
        }),
    );
    const put = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
        method: "PUT",
        headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
        body: manifest,
    });
    if (put.status !== 201) throw new Error(`manifest put: HTTP ${put.status} ${await put.text()}`);
    return { digest: sha256(manifest), manifest, blobs };
}

/** The tags of `repo`, sorted; [] when it has none. */
export async function listTags(host: string, repo: string): Promise<string[]> {
    const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
    if (res.status === 404) return [];
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

/** The digest `ref` (tag or digest) names in `repo`, computed from the manifest bytes; undefined on 404. */
export async function digestOf(
    host: string,
    repo: string,
    ref: string,
): Promise<string | undefined> {
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, {
        headers: {
            accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
        },
    });
    if (res.status === 404) return undefined;
    return sha256(Buffer.from(await res.arrayBuffer()));
}
