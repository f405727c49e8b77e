/** The fault proxy against Debian's real docker-registry over real HTTP: each injected fault gives exact statuses and bytes,
 * and the same request without the fault (or straight to the registry) shows the registry's own answer. */
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import { FaultProxy, FaultProxyOptions, startFaultProxy } from "../../support/faultProxy";
import { TestRegistry, startRegistry } from "../../support/registry";

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    error?: NodeJS.ErrnoException;
}

/** One HTTP exchange on a fresh connection; a connection cut mid-body resolves with what arrived and the error. */
function call(
    url: string,
    method = "GET",
    headers: http.OutgoingHttpHeaders = {},
    body?: Buffer | string,
): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            const done = (error?: NodeJS.ErrnoException) =>
                resolve({
                    status: res.statusCode!,
                    headers: res.headers,
                    body: Buffer.concat(chunks),
                    ...(error ? { error } : {}),
                });
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => done());
            res.on("error", done);
        });
        req.on("error", reject);
        req.end(body);
    });
}

const sha256 = (data: Buffer | string) =>
    `sha256:${createHash("sha256").update(data).digest("hex")}`;
const basic = (user = "user", pass = "secret") =>
    `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

/** A monolithic blob upload (POST, then PUT ?digest=) straight through `host`. */
async function pushBlob(
    host: string,
    name: string,
    data: Buffer,
    auth: http.OutgoingHttpHeaders = {},
): Promise<string> {
    const digest = sha256(data);
    const start = await call(`http://${host}/v2/${name}/blobs/uploads/`, "POST", auth);
    assert.equal(start.status, 202);
    const put = await call(
        `${new URL(start.headers.location!, `http://${host}`)}&digest=${digest}`,
        "PUT",
        { ...auth, "Content-Type": "application/octet-stream", "Content-Length": data.length },
        data,
    );
    assert.equal(put.status, 201, put.body.toString());
    return digest;
}

describe("the fault proxy in front of a real docker-registry", function () {
    this.timeout(60000);
    let registry: TestRegistry;
    let proxies: FaultProxy[] = [];
    const layer = randomBytes(1024 * 1024);
    let layerDigest: string;
    let manifest: string;
    const start = async (options: Partial<FaultProxyOptions> = {}) => {
        const started = await startFaultProxy({ upstream: registry.host, ...options });
        proxies.push(started);
        return started;
    };

    before(async () => {
        registry = await startRegistry();
        const config = Buffer.from(
            JSON.stringify({
                architecture: "amd64",
                os: "linux",
                rootfs: { type: "layers", diff_ids: [] },
            }),
        );
        const configDigest = await pushBlob(registry.host, "dev/app", config);
        layerDigest = await pushBlob(registry.host, "dev/app", layer);
        manifest = JSON.stringify({
            schemaVersion: 2,
            mediaType: MANIFEST_TYPE,
            config: {
                mediaType: "application/vnd.docker.container.image.v1+json",
                size: config.length,
                digest: configDigest,
            },
            layers: [
                {
                    mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    size: layer.length,
                    digest: layerDigest,
                },
            ],
        });
        const put = await call(
            `http://${registry.host}/v2/dev/app/manifests/latest`,
            "PUT",
            { "Content-Type": MANIFEST_TYPE },
            manifest,
        );
        assert.equal(put.status, 201, put.body.toString());
    });
    afterEach(async () => {
        await Promise.all(proxies.map((p) => p.stop())); // stop() is idempotent
        proxies = [];
    });
    after(async () => registry?.stop());

    it("ecr: Basic auth, 201 for a chunk PATCH where the registry says 202, and a declined mount (202 + upload Location on the proxy)", async () => {
        const inner = await start(); // sees what the proxy forwards
        const p = await start({ ecr: true, upstream: inner.host });
        const denied = await call(`http://${p.host}/v2/`);
        assert.equal(denied.status, 401);
        assert.equal(denied.headers["www-authenticate"], 'Basic realm="fault-proxy"');
        assert.equal(
            (await call(`http://${p.host}/v2/`, "GET", { Authorization: basic("user", "wrong") }))
                .status,
            401,
        );
        const auth = { Authorization: basic() };

        const chunk = randomBytes(1000);
        const patch = async (host: string, headers: http.OutgoingHttpHeaders) => {
            const upload = await call(`http://${host}/v2/dev/app/blobs/uploads/`, "POST", headers);
            assert.equal(upload.status, 202);
            assert.ok(
                upload.headers.location!.startsWith(`http://${host}/v2/dev/app/blobs/uploads/`),
                upload.headers.location,
            );
            return call(
                upload.headers.location!,
                "PATCH",
                {
                    ...headers,
                    "Content-Type": "application/octet-stream",
                    "Content-Range": `0-${chunk.length - 1}`,
                    "Content-Length": chunk.length,
                },
                chunk,
            );
        };
        assert.equal((await patch(registry.host, {})).status, 202);
        const patched = await patch(p.host, auth);
        assert.equal(patched.status, 201);
        assert.equal(patched.headers.range, `0-${chunk.length - 1}`);
        const done = await call(`${patched.headers.location}&digest=${sha256(chunk)}`, "PUT", {
            ...auth,
            "Content-Length": 0,
        });
        assert.equal(done.status, 201);

        const mount = `/v2/other/blobs/uploads/?mount=${layerDigest}&from=dev/app`;
        const declined = await call(`http://${p.host}${mount}`, "POST", auth);
        assert.equal(declined.status, 202);
        assert.match(
            declined.headers.location!,
            new RegExp(`^http://${p.host}/v2/other/blobs/uploads/[0-9a-f-]{36}\\?`),
        );
        p.faults = {};
        const mounted = await call(`http://${p.host}${mount}`, "POST", auth);
        assert.equal(mounted.status, 201);
        assert.equal(mounted.headers.location, `http://${p.host}/v2/other/blobs/${layerDigest}`);
        assert.deepEqual(
            p.requests.map((r) => r.authorization === auth.Authorization),
            [false, false, true, true, true, true, true],
        );
        assert.deepEqual(
            inner.requests.map((r) => `${r.method} ${r.authorization}`),
            [
                "POST undefined",
                "PATCH undefined",
                "PUT undefined",
                "POST undefined",
                "POST undefined",
            ],
        );
        assert.deepEqual(
            inner.requests.filter((r) => r.method === "POST").map((r) => r.path),
            ["/v2/dev/app/blobs/uploads/", "/v2/other/blobs/uploads/", mount],
        ); // the declined mount went without mount/from
        p.reset();
        assert.deepEqual([p.requests, p.faults], [[], { patch201: true, refuseMount: true }]);
    });

    it("failNth: answers exactly the Nth request (then `times` more) with 500, 503 or 429 + Retry-After, without forwarding", async () => {
        const p = await start();
        p.faults = { failNth: { n: 2, status: 500 } };
        const got: number[] = [];
        for (let i = 0; i < 3; i++) got.push((await call(`http://${p.host}/v2/`)).status);
        assert.deepEqual(got, [200, 500, 200]);
        assert.deepEqual(
            p.requests.map((r) => r.status),
            [200, 500, 200],
        );

        p.faults = { failNth: { n: 1, status: 429, retryAfter: 1 } }; // counted from here
        const limited = await call(`http://${p.host}/v2/dev/app/manifests/latest`, "GET", {
            Accept: MANIFEST_TYPE,
        });
        assert.equal(limited.status, 429);
        assert.equal(limited.headers["retry-after"], "1");
        assert.equal(JSON.parse(limited.body.toString()).errors[0].code, "TOOMANYREQUESTS");
        assert.equal(
            (
                await call(`http://${p.host}/v2/dev/app/manifests/latest`, "GET", {
                    Accept: MANIFEST_TYPE,
                })
            ).status,
            200,
        );

        p.reset();
        p.faults = { failNth: { n: 2, status: 503, times: 2, match: /^HEAD / } };
        for (let i = 0; i < 5; i++) {
            await call(`http://${p.host}/v2/dev/app/manifests/latest`, "HEAD", {
                Accept: MANIFEST_TYPE,
            });
            await call(`http://${p.host}/v2/`);
        }
        assert.deepEqual(
            p.requests.filter((r) => r.method === "HEAD").map((r) => r.status),
            [200, 503, 503, 200, 200],
        );
        assert.ok(p.requests.filter((r) => r.method === "GET").every((r) => r.status === 200));
    });

    it("dropBlobAfterBytes: the first blob GET gets exactly N bytes then a cut connection; the next one is intact", async () => {
        const p = await start();
        p.faults = { dropBlobAfterBytes: { bytes: 300001 } }; // more than one upstream chunk
        const url = `http://${p.host}/v2/dev/app/blobs/${layerDigest}`;
        const cut = await call(url);
        assert.equal(cut.status, 200);
        assert.equal(cut.headers["content-length"], String(layer.length));
        assert.equal(cut.body.length, 300001);
        assert.deepEqual(cut.body, layer.subarray(0, 300001));
        assert.ok(
            cut.error && (cut.error.code === "ECONNRESET" || cut.error.message === "aborted"),
            String(cut.error),
        );
        const whole = await call(url);
        assert.equal(whole.error, undefined);
        assert.equal(whole.body.length, layer.length);
        assert.equal(sha256(whole.body), layerDigest);
        assert.deepEqual(
            p.requests.map((r) => r.status),
            [0, 200],
        );
    });

    it("bearer: exact challenges, a token service checking Basic credentials, per-repository scopes, mounts and token expiry", async () => {
        const p = await start({ auth: "bearer", tokenUses: 2 });
        const manifestUrl = `http://${p.host}/v2/dev/app/manifests/latest`;
        const root = await call(`http://${p.host}/v2/`);
        assert.equal(root.status, 401);
        assert.equal(
            root.headers["www-authenticate"],
            `Bearer realm="http://${p.host}/token",service="fault-proxy"`,
        );
        const anonymous = await call(manifestUrl);
        assert.equal(anonymous.status, 401);
        assert.equal(
            anonymous.headers["www-authenticate"],
            `Bearer realm="http://${p.host}/token",service="fault-proxy",scope="repository:dev/app:pull"`,
        );
        assert.equal(
            (await call(manifestUrl, "PUT", {}, manifest)).headers["www-authenticate"],
            `Bearer realm="http://${p.host}/token",service="fault-proxy",scope="repository:dev/app:pull,push"`,
        );

        assert.equal(
            (await call(`http://${p.host}/v2/a/tags/b/manifests/latest`, "DELETE")).headers[
                "www-authenticate"
            ],
            `Bearer realm="http://${p.host}/token",service="fault-proxy",scope="repository:a/tags/b:pull,push"`,
        );

        const token = async (...scopes: string[]) => {
            const query = scopes.map((s) => `&scope=${encodeURIComponent(s)}`).join("");
            const r = await call(`http://${p.host}/token?service=fault-proxy${query}`, "GET", {
                Authorization: basic(),
            });
            assert.equal(r.status, 200);
            const body = JSON.parse(r.body.toString());
            assert.equal(body.token, body.access_token);
            return { Authorization: `Bearer ${body.token}` };
        };
        assert.equal(
            (await call(`http://${p.host}/token?service=fault-proxy&scope=repository:dev/app:pull`))
                .status,
            401,
        );
        assert.equal(
            (
                await call(`http://${p.host}/token?service=fault-proxy`, "GET", {
                    Authorization: basic("user", "nope"),
                })
            ).status,
            401,
        );

        const pull = await token("repository:dev/app:pull");
        const headers = { ...pull, Accept: MANIFEST_TYPE };
        assert.equal((await call(manifestUrl, "GET", headers)).status, 200); // use 1
        const refused = await call(
            manifestUrl,
            "PUT",
            { ...pull, "Content-Type": MANIFEST_TYPE },
            manifest,
        );
        assert.equal(refused.status, 401); // not a use
        assert.match(refused.headers["www-authenticate"]!, /scope="repository:dev\/app:pull,push"/);
        assert.equal(
            (await call(`http://${p.host}/v2/other/manifests/latest`, "GET", headers)).status,
            401,
        );
        assert.equal((await call(manifestUrl, "HEAD", headers)).status, 200); // use 2
        const expired = await call(manifestUrl, "GET", headers);
        assert.equal(expired.status, 401);
        assert.match(
            expired.headers["www-authenticate"]!,
            /^Bearer realm="http:\/\/[^"]+\/token",service="fault-proxy",scope="repository:dev\/app:pull"/,
        );

        const mount = `http://${p.host}/v2/mirror/blobs/uploads/?mount=${layerDigest}&from=dev/app`;
        const pushOnly = await call(mount, "POST", await token("repository:mirror:pull,push"));
        assert.equal(pushOnly.status, 202);
        assert.match(
            pushOnly.headers.location!,
            new RegExp(`^http://${p.host}/v2/mirror/blobs/uploads/`),
        );
        const both = await call(
            mount,
            "POST",
            await token("repository:mirror:pull,push", "repository:dev/app:pull"),
        );
        assert.equal(both.status, 201);
        assert.deepEqual(
            p.tokens.map((t) => t.scopes),
            [
                ["repository:dev/app:pull"],
                ["repository:mirror:pull,push"],
                ["repository:mirror:pull,push", "repository:dev/app:pull"],
            ],
        );
        const alt = await call(`http://${p.altHost}/v2/dev/app/manifests/latest`, "GET", {
            Accept: MANIFEST_TYPE,
        });
        assert.equal(alt.status, 200); // alt never asks
    });

    it("stall: a matching request gets no answer, stop() ends it promptly; with ms it goes through late; afterHeaders holds the body", async () => {
        const p = await start();
        p.faults = { stall: { match: /^GET \/v2\/dev\/app\/manifests\// } };
        const url = `http://${p.host}/v2/dev/app/manifests/latest`;
        let outcome: string | undefined;
        const stalled = call(url, "GET", { Accept: MANIFEST_TYPE }).then(
            (r) => (outcome = `HTTP ${r.status}`),
            (e) => (outcome = e.code),
        );
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(outcome, undefined);
        assert.equal((await call(`http://${p.host}/v2/`)).status, 200); // others still flow
        const t0 = Date.now();
        await p.stop();
        assert.ok(Date.now() - t0 < 1000, `stop() took ${Date.now() - t0} ms`);
        await stalled;
        assert.equal(outcome, "ECONNRESET");
        assert.deepEqual(
            p.requests.map((r) => r.status),
            [0, 200],
        );

        const q = await start();
        q.faults = { stall: { match: /^GET .*\/manifests\//, ms: 400 } };
        const slow = Date.now();
        const late = await call(`http://${q.host}/v2/dev/app/manifests/latest`, "GET", {
            Accept: MANIFEST_TYPE,
        });
        assert.equal(late.status, 200);
        assert.ok(Date.now() - slow >= 390, `answered after ${Date.now() - slow} ms`);
        assert.equal(
            (
                await call(`http://${q.host}/v2/dev/app/manifests/latest`, "GET", {
                    Accept: MANIFEST_TYPE,
                })
            ).status,
            200,
        ); // times: 1

        q.faults = { stall: { match: /^GET .*\/blobs\//, afterHeaders: true } };
        const head = await new Promise<http.IncomingMessage>((resolve, reject) =>
            http
                .get(`http://${q.host}/v2/dev/app/blobs/${layerDigest}`, { agent: false }, resolve)
                .on("error", reject),
        );
        assert.equal(head.statusCode, 200);
        let received = 0;
        const ended = new Promise<string>((resolve) => {
            head.on("data", (c: Buffer) => (received += c.length));
            head.on("end", () => resolve("end"));
            head.on("error", (e) => resolve(e.message));
        });
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(received, 0);
        await q.stop();
        assert.equal(await ended, "aborted");
        assert.equal(q.requests.at(-1)!.status, 0);
    });

    it("wrongDigest: manifest PUT answers carry a well-formed digest that is not the manifest's (and reads too with alsoReads)", async () => {
        const p = await start();
        const real = sha256(manifest);
        const url = `http://${p.host}/v2/dev/app/manifests/v2`;
        const digestOf = async (method: string, body?: string) =>
            (
                await call(
                    url,
                    method,
                    { Accept: MANIFEST_TYPE, "Content-Type": MANIFEST_TYPE },
                    body,
                )
            ).headers["docker-content-digest"];
        assert.equal(await digestOf("PUT", manifest), real);
        p.faults = { wrongDigest: {} };
        const wrong = await digestOf("PUT", manifest);
        assert.match(wrong as string, /^sha256:[0-9a-f]{64}$/);
        assert.notEqual(wrong, real);
        assert.equal(await digestOf("GET"), real);
        assert.equal(await digestOf("HEAD"), real);
        p.faults = { wrongDigest: { alsoReads: true } };
        assert.equal(await digestOf("GET"), wrong);
        assert.equal(await digestOf("HEAD"), wrong);
        assert.equal(sha256((await call(url, "GET", { Accept: MANIFEST_TYPE })).body), real); // the bytes stay right
    });

    it("locationToAlt and redirectBlobsToAlt: upload sessions and blob GETs move to altHost, which gets no credentials unless sent", async () => {
        const p = await start({ auth: "basic" });
        const auth = { Authorization: basic() };
        p.faults = { locationToAlt: true };
        const data = randomBytes(4096);
        const upload = await call(`http://${p.host}/v2/dev/app/blobs/uploads/`, "POST", auth);
        assert.equal(upload.status, 202);
        assert.match(
            upload.headers.location!,
            new RegExp(`^http://${p.altHost}/v2/dev/app/blobs/uploads/[0-9a-f-]{36}\\?_state=`),
        );
        const put = await call(
            `${upload.headers.location}&digest=${sha256(data)}`,
            "PUT",
            { "Content-Length": data.length },
            data,
        );
        assert.equal(put.status, 201);
        assert.equal(put.headers.location, `http://${p.altHost}/v2/dev/app/blobs/${sha256(data)}`);

        p.faults = { redirectBlobsToAlt: true };
        const blobPath = `/v2/dev/app/blobs/${layerDigest}`;
        assert.equal((await call(`http://${p.host}${blobPath}`)).status, 401);
        const redirect = await call(`http://${p.host}${blobPath}`, "GET", auth);
        assert.equal(redirect.status, 307);
        assert.equal(redirect.headers.location, `http://${p.altHost}${blobPath}`);
        const followed = await call(redirect.headers.location!);
        assert.equal(sha256(followed.body), layerDigest);
        assert.deepEqual(
            p.requests.map((r) => [r.listener, r.method, r.status, r.authorization !== undefined]),
            [
                ["main", "POST", 202, true],
                ["alt", "PUT", 201, false],
                ["main", "GET", 401, false],
                ["main", "GET", 307, true],
                ["alt", "GET", 200, false],
            ],
        );
        p.faults = {};
        const relative = await call(`http://${p.altHost}/v2/dev/app/blobs/uploads/`, "POST");
        assert.match(
            relative.headers.location!,
            new RegExp(`^http://${p.altHost}/v2/dev/app/blobs/uploads/`),
        );
        assert.equal(p.requests.at(-1)!.authorization, undefined);
    });
});
