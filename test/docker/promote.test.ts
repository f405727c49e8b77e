/**
 * promoteImage and PromotedImage against real registries: Debian's docker-registry on loopback ports
 * (two of them, for copies across registries), images pushed with the Docker CLI, pulls by digest.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PromotedImage, usePromoter } from "../../components";
import { promoteImage } from "../../components/registry";
import { ResourceRecorder, valueOf } from "../../plan/engine";
import { TestRegistry, startRegistry } from "../support/registry";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "./support";

async function tags(host: string, repo: string): Promise<string[]> {
    const res = await fetch(`http://${host}/v2/${repo}/tags/list`);
    if (res.status === 404) return [];
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

/** Builds a small image FROM the base image and pushes it; returns its manifest digest. */
function buildAndPush(ref: string, marker: string): string {
    const dir = tempDir("ld-promote-img-");
    try {
        fs.writeFileSync(path.join(dir, "Dockerfile"), `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN echo ${marker} > /marker.txt\n`);
        docker(["build", "--quiet", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "--tag", ref, dir]);
        const out = docker(["push", ref]);
        const m = /digest: (sha256:[0-9a-f]{64})/.exec(out);
        if (!m) throw new Error(`no digest in docker push output:\n${out}`);
        return m[1];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** config + layers of a pushed manifest */
async function blobCount(host: string, repo: string, digest: string): Promise<number> {
    const res = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { headers: { accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json" } });
    const doc = (await res.json()) as { layers: unknown[] };
    return doc.layers.length + 1;
}

describe("promoteImage on real registries", function () {
    this.timeout(300000);
    let one: TestRegistry;
    let two: TestRegistry;
    let digestA: string;
    let digestB: string;
    const localTags: string[] = [];

    before(async function () {
        requireDocker(this);
        one = await startRegistry();
        two = await startRegistry();
        localTags.push(`${one.host}/dev/app:dev-aaaaaaaaaaaaaaaa`, `${one.host}/dev/app:dev-bbbbbbbbbbbbbbbb`);
        digestA = buildAndPush(localTags[0], "a");
        digestB = buildAndPush(localTags[1], "b");
    });

    after(async () => {
        for (const t of localTags) {
            try {
                docker(["image", "rm", "--force", t]);
            } catch {
                // already gone
            }
        }
        await one?.stop();
        await two?.stop();
    });

    it("promotes into another repository by mounting every blob: same digest, and docker pull of target@digest works", async () => {
        const blobs = await blobCount(one.host, "dev/app", digestA);
        const result = await promoteImage({
            source: `${one.host}/dev/app:dev-aaaaaaaaaaaaaaaa@${digestA}`, target: `${one.host}/prod/app`, tag: "prod-aaaaaaaaaaaaaaaa", architecture: "x86_64",
        });
        assert.deepEqual(result, { imageUri: `${one.host}/prod/app@${digestA}`, digest: digestA, mountedBlobs: blobs, copiedBlobs: 0 });
        assert.deepEqual(await tags(one.host, "prod/app"), ["prod-aaaaaaaaaaaaaaaa"]);
        const pulled = `${one.host}/prod/app@${digestA}`;
        localTags.push(pulled);
        assert.match(docker(["pull", pulled]), new RegExp(`Digest: ${digestA}`));
    });

    it("a second promotion of the same digest is a no-op that writes nothing", async () => {
        const before = await tags(one.host, "prod/app");
        const result = await promoteImage({ source: `${one.host}/dev/app@${digestA}`, target: `${one.host}/prod/app`, tag: "prod-aaaaaaaaaaaaaaaa" });
        assert.deepEqual(result, { imageUri: `${one.host}/prod/app@${digestA}`, digest: digestA, mountedBlobs: 0, copiedBlobs: 0 });
        assert.deepEqual(await tags(one.host, "prod/app"), before);
    });

    it("copies every blob to another registry, keeping the digest", async () => {
        const blobs = await blobCount(one.host, "dev/app", digestA);
        const result = await promoteImage({ source: `${one.host}/dev/app@${digestA}`, target: `${two.host}/prod/app`, tag: "prod-aaaaaaaaaaaaaaaa" });
        assert.deepEqual(result, { imageUri: `${two.host}/prod/app@${digestA}`, digest: digestA, mountedBlobs: 0, copiedBlobs: blobs });
        const pulled = `${two.host}/prod/app@${digestA}`;
        localTags.push(pulled);
        assert.match(docker(["pull", pulled]), new RegExp(`Digest: ${digestA}`));
    });

    it("refuses a tag that already points at another digest, writing nothing", async () => {
        await assert.rejects(
            promoteImage({ source: `${one.host}/dev/app@${digestB}`, target: `${one.host}/prod/app`, tag: "prod-aaaaaaaaaaaaaaaa" }),
            {
                name: "PromotionError",
                message: `\`tag\` prod-aaaaaaaaaaaaaaaa already points at ${digestA} in ${one.host}/prod/app, not at ${digestB}; tags are never moved by a promotion. Nothing was written.`,
            },
        );
        assert.deepEqual(await tags(one.host, "prod/app"), ["prod-aaaaaaaaaaaaaaaa"]);
    });

    it("refuses an architecture mismatch and a missing digest, writing no tag", async () => {
        await assert.rejects(
            promoteImage({ source: `${one.host}/dev/app@${digestB}`, target: `${one.host}/prod/app`, tag: "prod-bbbbbbbbbbbbbbbb", architecture: "arm64" }),
            { name: "PromotionError", message: `\`architecture\` must be the image's architecture "x86_64" (${one.host}/dev/app@${digestB}); got "arm64". Nothing was written.` },
        );
        const missing = `sha256:${"0".repeat(64)}`;
        await assert.rejects(
            promoteImage({ source: `${one.host}/dev/app@${missing}`, target: `${one.host}/prod/app`, tag: "prod-cccccccccccccccc" }),
            { name: "PromotionError", message: `\`source\` must name an image that exists; dev/app@${missing} is not in registry ${one.host}. Nothing was written.` },
        );
        assert.deepEqual(await tags(one.host, "prod/app"), ["prod-aaaaaaaaaaaaaaaa"]);
    });

    it("refuses an image index (what Lambda can't run), writing nothing", async () => {
        const manifest = await fetch(`http://${one.host}/v2/dev/app/manifests/${digestA}`, { method: "HEAD", headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" } });
        const index = Buffer.from(JSON.stringify({
            schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
            manifests: [{ mediaType: manifest.headers.get("content-type"), digest: digestA, size: Number(manifest.headers.get("content-length")), platform: { architecture: "amd64", os: "linux" } }],
        }));
        const put = await fetch(`http://${one.host}/v2/dev/app/manifests/multi`, { method: "PUT", headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, body: index });
        assert.equal(put.status, 201);
        const indexDigest = put.headers.get("docker-content-digest")!;
        await assert.rejects(
            promoteImage({ source: `${one.host}/dev/app@${indexDigest}`, target: `${one.host}/prod/app`, tag: "prod-dddddddddddddddd" }),
            {
                name: "PromotionError",
                message: `\`source\` must be a single-platform image; got an image index (application/vnd.oci.image.index.v1+json) at ${one.host}/dev/app@${indexDigest}. ` +
                    "Lambda accepts single-platform images: promote the digest of one platform's manifest, and build without attestations.",
            },
        );
        assert.deepEqual(await tags(one.host, "prod/app"), ["prod-aaaaaaaaaaaaaaaa"]);
    });

    it("the promoted image still pulls after the source manifest is deleted", async () => {
        const del = await fetch(`http://${one.host}/v2/dev/app/manifests/${digestA}`, { method: "DELETE" });
        assert.equal(del.status, 202);
        const gone = await fetch(`http://${one.host}/v2/dev/app/manifests/${digestA}`, { method: "HEAD" });
        assert.equal(gone.status, 404);
        const pulled = `${one.host}/prod/app@${digestA}`;
        docker(["image", "rm", "--force", pulled]);
        assert.match(docker(["pull", pulled]), new RegExp(`Digest: ${digestA}`));
    });

    it("PromotedImage copies through the real client during an update, and a retry is a no-op", async () => {
        const recorder = new ResourceRecorder();
        await recorder.install("prod");
        usePromoter(undefined); // the mocks engine installs a recording stand-in; use the real copy here
        try {
            const repository = { url: pulumi.output(`${one.host}/live/app`), repository: { name: pulumi.output("live/app"), registryId: pulumi.output("123456789012") } };
            const source = `${one.host}/dev/app:dev-bbbbbbbbbbbbbbbb@${digestB}`;
            const image = new PromotedImage("app", { repository, stage: "prod", source });
            assert.equal(await valueOf(image.imageUri), `${one.host}/live/app@${digestB}`);
            assert.deepEqual(await tags(one.host, "live/app"), ["prod-bbbbbbbbbbbbbbbb"]);
            const again = new PromotedImage("again", { repository, stage: "prod", source });
            assert.equal(await valueOf(again.imageUri), `${one.host}/live/app@${digestB}`);
            assert.deepEqual(await tags(one.host, "live/app"), ["prod-bbbbbbbbbbbbbbbb"]);
        } finally {
            usePromoter(undefined);
        }
    });
});
