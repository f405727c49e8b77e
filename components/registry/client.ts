/**
 * A small OCI distribution API client: just what a promotion needs (manifests by digest and tag,
 * blob HEAD/GET, cross-repository mounts, chunked uploads), over Node's own fetch.
 *
 * Why not a library: the npm clients we looked at either wrap the docker or skopeo binaries (which a
 * Pulumi program cannot assume), pull images to disk first (a promotion must never hold gigabytes),
 * or lack cross-repository mounts and byte-exact manifest puts, the two things a digest-preserving
 * promotion depends on. The protocol subset is small and stable (the OCI distribution spec), so a
 * focused client with full tests is less risk than a large dependency.
 */
import * as crypto from "crypto";
import { BearerChallenge, PromotionError, RegistryCredentials, parseBearerChallenge, registryBaseUrl } from "./reference";

/** Per-request time limits: metadata is quick; a blob chunk may be large and slow. */
const METADATA_TIMEOUT_MS = 60_000;
const CHUNK_TIMEOUT_MS = 600_000;
const RETRIES = 3;
/** Upload chunk size: bounds memory, and stays above ECR's 5 MiB minimum for non-final chunks. */
export const CHUNK_BYTES = 16 * 1024 * 1024;

export interface Response {
    readonly status: number;
    readonly headers: Headers;
    readonly body: Buffer;
}

export class RegistryClient {
    private readonly base: string;
    private bearer?: { challenge: BearerChallenge; token: string };

    constructor(public readonly host: string, private readonly credentials?: RegistryCredentials) {
        this.base = registryBaseUrl(host);
    }

    /** One HTTP request with auth; GET and HEAD are retried on network errors and 5xx. */
    async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer; timeoutMs?: number } = {}): Promise<Response> {
        const idempotent = method === "GET" || method === "HEAD";
        for (let attempt = 1; ; attempt++) {
            try {
                const res = await this.send(method, path, init);
                if (res.status === 401 && this.bearer === undefined) {
                    const challenge = parseBearerChallenge(res.headers.get("www-authenticate"));
                    if (challenge) {
                        this.bearer = { challenge, token: await this.token(challenge) };
                        return this.send(method, path, init);
                    }
                }
                if (res.status >= 500 && idempotent && attempt < RETRIES) {
                    await delay(attempt);
                    continue;
                }
                return res;
            } catch (e) {
                if (idempotent && attempt < RETRIES && !(e instanceof PromotionError)) {
                    await delay(attempt);
                    continue;
                }
                throw new PromotionError(`Registry ${this.host} did not answer ${method} ${path}: ${(e as Error).message}`);
            }
        }
    }

    private async send(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer; timeoutMs?: number }): Promise<Response> {
        const url = path.startsWith("http") ? path : `${this.base}${path}`;
        const headers: Record<string, string> = { ...init.headers };
        if (this.bearer) headers.authorization = `Bearer ${this.bearer.token}`;
        else if (this.credentials) headers.authorization = basic(this.credentials);
        const res = await fetch(url, {
            method, headers, body: init.body, redirect: "follow",
            signal: AbortSignal.timeout(init.timeoutMs ?? METADATA_TIMEOUT_MS),
        });
        const body = method === "HEAD" ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
        return { status: res.status, headers: res.headers, body };
    }

    /** The token dance of registries that answer 401 with a Bearer challenge (Docker Hub, GHCR, Harbor…). */
    private async token(challenge: BearerChallenge): Promise<string> {
        const url = new URL(challenge.realm);
        if (challenge.service) url.searchParams.set("service", challenge.service);
        if (challenge.scope) url.searchParams.set("scope", challenge.scope);
        const res = await fetch(url, {
            headers: this.credentials ? { authorization: basic(this.credentials) } : {},
            signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
        });
        if (!res.ok) throw new PromotionError(`Registry ${this.host}: the token service ${url.origin} refused the credentials (HTTP ${res.status}).`);
        const doc = (await res.json()) as { token?: string; access_token?: string };
        const token = doc.token ?? doc.access_token;
        if (!token) throw new PromotionError(`Registry ${this.host}: the token service ${url.origin} returned no token.`);
        return token;
    }

    /** GETs a blob and uploads it to `target` in chunks of CHUNK_BYTES, checking its digest on the way. */
    async copyBlobTo(target: RegistryClient, sourceRepo: string, targetRepo: string, digest: string): Promise<void> {
        const started = await target.request("POST", `/v2/${targetRepo}/blobs/uploads/`);
        if (started.status !== 202) throw unexpected(target.host, "start an upload", started);
        await this.streamBlob(target, sourceRepo, digest, location(target, started));
    }

    /** Completes an upload session (`uploadUrl`, e.g. from a mount the registry declined) with the blob's bytes. */
    async streamBlob(target: RegistryClient, sourceRepo: string, digest: string, uploadUrl: string): Promise<void> {
        const url = `${this.base}/v2/${sourceRepo}/blobs/${digest}`;
        const headers: Record<string, string> = {};
        if (this.bearer) headers.authorization = `Bearer ${this.bearer.token}`;
        else if (this.credentials) headers.authorization = basic(this.credentials);
        const res = await fetch(url, { headers, redirect: "follow", signal: AbortSignal.timeout(CHUNK_TIMEOUT_MS * 6) });
        if (res.status !== 200 || !res.body) throw unexpected(this.host, `read blob ${digest} of ${sourceRepo}`, { status: res.status, headers: res.headers, body: Buffer.alloc(0) });
        const hash = crypto.createHash("sha256");
        let next = uploadUrl;
        let offset = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async (): Promise<void> => {
            const chunk = Buffer.concat(pending);
            pending = [];
            pendingBytes = 0;
            const patched = await target.request("PATCH", next, {
                headers: {
                    "content-type": "application/octet-stream",
                    "content-length": String(chunk.length),
                    "content-range": `${offset}-${offset + chunk.length - 1}`,
                },
                body: chunk,
                timeoutMs: CHUNK_TIMEOUT_MS,
            });
            if (patched.status !== 202) throw unexpected(target.host, `upload blob ${digest}`, patched);
            offset += chunk.length;
            next = location(target, patched);
        };
        for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
            const buf = Buffer.from(part);
            hash.update(buf);
            pending.push(buf);
            pendingBytes += buf.length;
            if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        if (pendingBytes > 0) await flush();
        const actual = `sha256:${hash.digest("hex")}`;
        if (actual !== digest) {
            await target.request("DELETE", next).catch(() => undefined); // abandon the upload session
            throw new PromotionError(`Blob ${digest} of ${sourceRepo} read back as ${actual}; nothing was tagged.`);
        }
        const done = await target.request("PUT", withDigest(next, digest), { headers: { "content-length": "0" } });
        if (done.status !== 201) throw unexpected(target.host, `complete the upload of blob ${digest}`, done);
    }
}

function basic(c: RegistryCredentials): string {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

function delay(attempt: number): Promise<void> {
    return new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
}

/** An upload session's next URL, absolute. */
export function location(client: RegistryClient, res: Response): string {
    const loc = res.headers.get("location");
    if (!loc) throw new PromotionError(`Registry ${client.host} answered ${res.status} without a Location header.`);
    return loc.startsWith("http") ? loc : `${registryBaseUrl(client.host)}${loc}`;
}

export function withDigest(url: string, digest: string): string {
    return `${url}${url.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`;
}

export function unexpected(host: string, what: string, res: Response): PromotionError {
    const detail = res.body.toString("utf8").slice(0, 300).trim();
    return new PromotionError(`Registry ${host} refused to ${what}: HTTP ${res.status}${detail ? ` ${detail}` : ""}.`);
}
