/**
 * promoteImage and layer artifacts through a fault-injecting proxy in front of a real docker-registry:
 * ECR's deviations, retries, token renewal, stalls, lying headers, redirects and races. After every
 * case the tag is absent or right, never wrong, and a re-run succeeds.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClientOptions } from "../../../../lib/registry/client";
import {
    layerArtifact,
    pullLayerArtifact,
    pushLayerArtifact,
} from "../../../../lib/registry/artifact";
import { PromoteImageRequest, promoteImage } from "../../../../lib/registry/promote";
import { listTree, writeZip } from "../../../../lib/build/zip";
import { FaultProxy, startFaultProxy } from "../../../support/faultProxy";
import {
    PushedImage,
    digestOf,
    listTags,
    pushImage,
    seededBytes,
} from "../../../support/ociImages";
import { TestRegistry, startRegistry } from "../../../support/registry";

const FAST: Omit<ClientOptions, "credentials"> = {
    attempts: 4,
    backoffMs: 10,
    headersTimeoutMs: 1500,
    idleTimeoutMs: 800,
};
const CREDS = { username: "user", password: "secret" };
const writes = (p: FaultProxy) =>
    p.requests.filter((r) => ["PUT", "POST", "PATCH", "DELETE"].includes(r.method));

describe("promotion under faults (a proxy in front of a real registry)", function () {
    this.timeout(120000);
    let registry: TestRegistry;
    let other: TestRegistry;
    let proxy: FaultProxy | undefined;
    let a: PushedImage;
    let b: PushedImage;
    let seq = 0;

    before(async () => {
        registry = await startRegistry();
        other = await startRegistry();
        a = await pushImage(registry.host, "dev/app", "dev-aaaaaaaaaaaaaaaa", "image a");
        // A rebuild of the same inputs: the same content-addressed tag's hash, another digest.
        b = await pushImage(registry.host, "dev/app", "dev-bbbbbbbbbbbbbbbb", "image b");
    });
    afterEach(async () => {
        await proxy?.stop();
        proxy = undefined;
    });
    after(async () => {
        await registry?.stop();
        await other?.stop();
    });

    /** A fresh target repository per test, so no test sees another's tags. */
    const target = () => `prod/app${++seq}`;
    const promote = (
        p: FaultProxy,
        repo: string,
        image: PushedImage,
        extra: Partial<PromoteImageRequest> = {},
    ) =>
        promoteImage({
            source: `${p.host}/dev/app:dev-aaaaaaaaaaaaaaaa@${image.digest}`,
            target: `${p.host}/${repo}`,
            tag: `prod-aaaaaaaaaaaaaaaa-${image.digest.slice(7, 19)}`,
            architecture: "x86_64",
            credentials: CREDS,
            client: FAST,
            ...extra,
        });
    const tagOf = (image: PushedImage) => `prod-aaaaaaaaaaaaaaaa-${image.digest.slice(7, 19)}`;

    it("on a registry that behaves like ECR without mounting (Basic auth, 201 on PATCH, mounts declined), copies every blob and tags last", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        const result = await promote(proxy, repo, a);
        assert.deepEqual(result, {
            imageUri: `${proxy.host}/${repo}@${a.digest}`,
            digest: a.digest,
            tag: tagOf(a),
            mountedBlobs: 0,
            copiedBlobs: 3,
            presentBlobs: 0,
            from: "source",
            unchanged: false,
        });
        assert.deepEqual(
            proxy.requests.filter((r) => r.method === "PATCH").map((r) => r.status),
            [201, 201, 201],
        );
        const order = writes(proxy)
            .filter((r) => r.status < 300)
            .map(
                (r) =>
                    `${r.method} ${r.path
                        .replace(/\?.*/, "")
                        .replace(/uploads\/[^/]+/, "uploads/<id>")
                        .replace(/sha256:[0-9a-f]{64}/, "<digest>")}`,
            );
        assert.deepEqual(order.slice(-2), [
            `PUT /v2/${repo}/manifests/<digest>`,
            `PUT /v2/${repo}/manifests/${tagOf(a)}`,
        ]);
        assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
    });

    it("mounts within one registry when the registry allows it, and a second promotion writes nothing", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, auth: "basic" });
        const repo = target();
        assert.deepEqual(await promote(proxy, repo, a), {
            imageUri: `${proxy.host}/${repo}@${a.digest}`,
            digest: a.digest,
            tag: tagOf(a),
            mountedBlobs: 3,
            copiedBlobs: 0,
            presentBlobs: 0,
            from: "source",
            unchanged: false,
        });
        proxy.reset();
        assert.equal((await promote(proxy, repo, a)).unchanged, true);
        assert.deepEqual(writes(proxy), []);
    });

    it("retries 500 and 429 (honouring Retry-After) at any step, and the tag ends right", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        for (const [n, status] of [
            [2, 500],
            [5, 503],
            [9, 429],
            [14, 500],
            [18, 500],
        ] as const) {
            proxy.reset();
            const repo = target();
            proxy.faults = {
                patch201: true,
                refuseMount: true,
                failNth: { n, status, retryAfter: status === 429 ? 0 : undefined },
            };
            await promote(proxy, repo, a);
            assert.equal(
                proxy.requests.filter((r) => r.status === status).length,
                1,
                `request ${n}: ${status}`,
            );
            assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
        }
    });

    it("gives up after its attempts with every step's failure named, leaving no tag; a re-run succeeds", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        proxy.faults = {
            patch201: true,
            refuseMount: true,
            failNth: { n: 1, status: 503, times: 1000, match: /^PUT .*\/manifests\/sha256:/ },
        };
        await assert.rejects(promote(proxy, repo, a), {
            name: "PromotionError",
            message: `Registry ${proxy.host}: PUT /v2/${repo}/manifests/${a.digest} failed 4 times; the last time: PUT /v2/${repo}/manifests/${a.digest} answered HTTP 503.`,
        });
        assert.deepEqual(await listTags(registry.host, repo), []);
        proxy.faults = { patch201: true, refuseMount: true };
        await promote(proxy, repo, a);
        assert.deepEqual(await listTags(registry.host, repo), [tagOf(a)]);
    });

    it("starts a blob over when its source connection drops mid-blob", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        proxy.faults = {
            patch201: true,
            refuseMount: true,
            dropBlobAfterBytes: { bytes: 100_000, times: 2 },
        };
        const result = await promote(proxy, repo, a);
        assert.equal(result.copiedBlobs, 3);
        const blobGets = proxy.requests.filter(
            (r) => r.method === "GET" && /\/blobs\/sha256:/.test(r.path),
        );
        assert.equal(
            blobGets.length,
            3 + 2 + 1,
            "3 blobs, 2 dropped reads retried, 1 config read for the architecture check",
        );
        assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
    });

    it("gets a token per repository scope, renews it after a 401, and mounts across repositories on a Bearer registry", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, auth: "bearer", tokenUses: 2 });
        const repo = target();
        const result = await promote(proxy, repo, a);
        assert.equal(result.mountedBlobs, 3);
        assert.ok(proxy.tokens.length > 3, `tokens renewed: ${proxy.tokens.length}`);
        assert.ok(
            proxy.tokens.some(
                (t) =>
                    t.scopes.includes(`repository:${repo}:pull,push`) &&
                    t.scopes.includes("repository:dev/app:pull"),
            ),
            JSON.stringify(proxy.tokens.map((t) => t.scopes)),
        );
        assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
    });

    it("abandons a stalled response after its timeout and tries again", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        proxy.faults = {
            patch201: true,
            refuseMount: true,
            stall: { match: /^GET .*\/manifests\/sha256:/, times: 1 },
        };
        const started = Date.now();
        await promote(proxy, repo, a);
        assert.ok(Date.now() - started < 10_000);
        proxy.faults = {
            patch201: true,
            refuseMount: true,
            stall: { match: /^GET .*\/blobs\/sha256:/, times: 1, afterHeaders: true },
        };
        const second = target();
        await promote(proxy, second, a);
        assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
        assert.equal(await digestOf(registry.host, second, tagOf(a)), a.digest);
    });

    it("refuses a registry that reports another digest for the stored manifest, before any tag; a re-run without the fault succeeds", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        proxy.faults = { patch201: true, refuseMount: true, wrongDigest: {} };
        await assert.rejects(promote(proxy, repo, a), (e: Error) => {
            assert.equal(e.name, "PromotionError");
            assert.match(
                e.message,
                new RegExp(
                    `^Registry ${proxy!.host} stored the manifest in ${repo} as sha256:[0-9a-f]{64}, not ${a.digest}; no tag was written\\.$`,
                ),
            );
            return true;
        });
        assert.deepEqual(await listTags(registry.host, repo), []);
        proxy.faults = { patch201: true, refuseMount: true };
        await promote(proxy, repo, a);
        assert.deepEqual(await listTags(registry.host, repo), [tagOf(a)]);
    });

    it("never sends credentials to another host: an upload Location or a blob redirect pointing elsewhere gets none", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        proxy.faults = {
            patch201: true,
            refuseMount: true,
            locationToAlt: true,
            redirectBlobsToAlt: true,
        };
        await promote(proxy, repo, a);
        const alt = proxy.requests.filter((r) => r.listener === "alt");
        assert.ok(
            alt.some((r) => r.method === "PATCH") && alt.some((r) => r.method === "GET"),
            JSON.stringify(alt.map((r) => r.method)),
        );
        assert.deepEqual(
            alt.filter((r) => r.authorization !== undefined),
            [],
        );
        assert.equal(await digestOf(registry.host, repo, tagOf(a)), a.digest);
    });

    it("two concurrent promotions of one digest both succeed; a rebuild of the same content gets its own tag, nothing moves", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        const [x, y] = await Promise.all([promote(proxy, repo, a), promote(proxy, repo, a)]);
        assert.deepEqual([x.digest, y.digest], [a.digest, a.digest]);
        const rebuilt = await promote(proxy, repo, b);
        assert.equal(rebuilt.tag, tagOf(b));
        assert.notEqual(tagOf(a), tagOf(b));
        assert.deepEqual(await listTags(registry.host, repo), [tagOf(a), tagOf(b)].sort());
        assert.deepEqual(
            [
                await digestOf(registry.host, repo, tagOf(a)),
                await digestOf(registry.host, repo, tagOf(b)),
            ],
            [a.digest, b.digest],
        );
    });

    it("a rollback to a digest the target still holds reads nothing from the source (its retention may have expired it)", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        const gone = await pushImage(registry.host, "dev/gone", "dev-cccccccccccccccc", "image c");
        await promoteImage({
            source: `${proxy.host}/dev/gone@${gone.digest}`,
            target: `${proxy.host}/${repo}`,
            tag: "prod-first",
            credentials: CREDS,
            client: FAST,
        });
        const del = await fetch(`http://${registry.host}/v2/dev/gone/manifests/${gone.digest}`, {
            method: "DELETE",
        });
        assert.equal(del.status, 202);
        proxy.reset();
        const result = await promoteImage({
            source: `${proxy.host}/dev/gone@${gone.digest}`,
            target: `${proxy.host}/${repo}`,
            tag: "prod-rollback",
            architecture: "x86_64",
            credentials: CREDS,
            client: FAST,
        });
        assert.equal(result.from, "target");
        assert.deepEqual(
            proxy.requests.filter((r) => r.path.includes("/dev/gone/")),
            [],
        );
        assert.deepEqual(await listTags(registry.host, repo), ["prod-first", "prod-rollback"]);
    });

    it("copies across registries (each with its own credentials), keeping the digest", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const far = await startFaultProxy({
            upstream: other.host,
            auth: "bearer",
            username: "far",
            password: "away",
        });
        try {
            const result = await promoteImage({
                source: `${proxy.host}/dev/app@${a.digest}`,
                target: `${far.host}/prod/app`,
                tag: tagOf(a),
                architecture: "x86_64",
                client: FAST,
                credentials: {
                    [proxy.host]: CREDS,
                    [far.host]: { username: "far", password: "away" },
                },
            });
            assert.deepEqual([result.copiedBlobs, result.mountedBlobs], [3, 0]);
            assert.equal(await digestOf(other.host, "prod/app", tagOf(a)), a.digest);
            assert.deepEqual(
                far.requests.filter(
                    (r) => r.authorization?.startsWith("Basic ") && r.path.startsWith("/v2/"),
                ),
                [],
            );
        } finally {
            await far.stop();
        }
    });

    it("refuses, writing nothing: a tag naming another digest, another architecture, a missing digest", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        const repo = target();
        await promote(proxy, repo, a, { tag: "prod-taken" });
        proxy.reset();
        await assert.rejects(promote(proxy, repo, b, { tag: "prod-taken" }), {
            name: "PromotionError",
            message: `\`tag\` prod-taken already names ${a.digest} in ${proxy.host}/${repo}, not ${b.digest}; a promotion never moves a tag. Nothing was written.`,
        });
        await assert.rejects(promote(proxy, repo, b, { architecture: "arm64" }), {
            name: "PromotionError",
            message: `\`architecture\` must be the image's architecture "x86_64" (${proxy.host}/dev/app:dev-aaaaaaaaaaaaaaaa@${b.digest}); got "arm64". Nothing was written.`,
        });
        const missing = `sha256:${"0".repeat(64)}`;
        await assert.rejects(
            promoteImage({
                source: `${proxy.host}/dev/app@${missing}`,
                target: `${proxy.host}/${repo}`,
                tag: "prod-missing",
                credentials: CREDS,
                client: FAST,
            }),
            {
                name: "PromotionError",
                message: `\`source\` must name an image that exists; dev/app@${missing} is not in registry ${proxy.host} nor in ${proxy.host}/${repo}. Nothing was written.`,
            },
        );
        assert.deepEqual(writes(proxy), []);
        assert.deepEqual(await listTags(registry.host, repo), ["prod-taken"]);
    });

    it("fails with the registry's refusal of the credentials, naming what is needed", async () => {
        proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
        await assert.rejects(
            promote(proxy, target(), a, { credentials: { username: "user", password: "wrong" } }),
            {
                name: "PromotionError",
                message:
                    `Registry ${proxy.host} refused the credentials for repository:prod/app${seq}:pull (HTTP 401 after a fresh login): check the credentials ` +
                    "(ECR: the AWS identity needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on the source and the push actions on the target; others: `docker login`).",
            },
        );
    });

    describe("layer zips as artifacts", () => {
        let dir: string;
        let zip: string;
        let sha: string;
        let zippedBytes: number;
        before(async () => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-artifact-"));
            fs.mkdirSync(path.join(dir, "tree", "python"), { recursive: true });
            fs.writeFileSync(
                path.join(dir, "tree", "python", "blob.bin"),
                seededBytes("a layer zip", 1_500_000),
            );
            zip = path.join(dir, "layer.zip");
            const written = await writeZip(listTree(path.join(dir, "tree")), zip);
            [sha, zippedBytes] = [written.sha256, written.zippedBytes];
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("dev pushes the zip (tag last), prod copies the artifact by digest and reads back exactly that zip; a wrong expected sha256 is refused", async () => {
            proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
            const pushed = await pushLayerArtifact({
                zip,
                target: `${proxy.host}/dev/layers`,
                tag: `dev-${sha.slice(0, 16)}`,
                credentials: CREDS,
                client: FAST,
            });
            const expected = layerArtifact(sha, zippedBytes, 1_500_000);
            assert.deepEqual(
                [pushed.sha256, pushed.unchanged, pushed.digest],
                [sha, false, expected.manifest.digest],
            );
            assert.equal(
                (
                    await pushLayerArtifact({
                        zip,
                        target: `${proxy.host}/dev/layers`,
                        tag: `dev-${sha.slice(0, 16)}`,
                        credentials: CREDS,
                        client: FAST,
                    })
                ).unchanged,
                true,
            );
            const promoted = await promoteImage({
                source: `${proxy.host}/dev/layers:dev-${sha.slice(0, 16)}@${pushed.digest}`,
                target: `${proxy.host}/prod/layers`,
                tag: `prod-${sha.slice(0, 16)}-${pushed.digest.slice(7, 19)}`,
                layer: true,
                credentials: CREDS,
                client: FAST,
            });
            assert.deepEqual([promoted.copiedBlobs, promoted.digest], [2, pushed.digest]);
            const out = path.join(dir, "pulled");
            const pulled = await pullLayerArtifact({
                sources: [`${proxy.host}/prod/layers@${pushed.digest}`],
                sha256: sha,
                dir: out,
                credentials: CREDS,
                client: FAST,
            });
            assert.deepEqual(
                { ...pulled, zipPath: path.relative(dir, pulled.zipPath) },
                {
                    zipPath: `pulled/${sha}.zip`,
                    sha256: sha,
                    zippedBytes,
                    unzippedBytes: 1_500_000,
                    from: `${proxy.host}/prod/layers@${pushed.digest}`,
                },
            );
            assert.ok(fs.readFileSync(pulled.zipPath).equals(fs.readFileSync(zip)));
            await assert.rejects(
                pullLayerArtifact({
                    sources: [`${proxy.host}/prod/layers@${pushed.digest}`],
                    sha256: "f".repeat(64),
                    dir: out,
                    credentials: CREDS,
                    client: FAST,
                }),
                {
                    name: "PromotionError",
                    message: `The layer artifact ${proxy.host}/prod/layers@${pushed.digest} holds zip sha256:${sha}, not the expected sha256:${"f".repeat(64)}; refusing to publish it.`,
                },
            );
            assert.deepEqual(fs.readdirSync(out).sort(), [`${sha}.json`, `${sha}.zip`]);
        });

        it("an image is not a layer artifact, and a layer artifact is not an image", async () => {
            proxy = await startFaultProxy({ upstream: registry.host, ecr: true });
            await assert.rejects(
                promoteImage({
                    source: `${proxy.host}/dev/app@${a.digest}`,
                    target: `${proxy.host}/prod/layers`,
                    tag: "x",
                    layer: true,
                    credentials: CREDS,
                    client: FAST,
                }),
                {
                    name: "PromotionError",
                    message: `${proxy.host}/dev/app@${a.digest} is not a lambda-docker layer artifact (config application/vnd.lambda-docker.layer.config.v1+json and one application/zip layer).`,
                },
            );
        });
    });
});
