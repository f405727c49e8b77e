/**
 * An OCI distribution API client for promotions: bounded timeouts, retries of idempotent steps, a token
 * per repository scope, credentials only for the registry that issued them. See docs/design/promotion.md.
 */
import * as crypto from "crypto";
import {
    BearerChallenge,
    PromotionError,
    RegistryCredentials,
    parseBearerChallenge,
    parseChallenges,
    registryBaseUrl,
} from "./reference";

export interface ClientOptions {
    /** Basic credentials: sent to this registry, and to the token service it names. @default undefined (anonymous) */
    readonly credentials?: RegistryCredentials;
    /** Time to wait for a response's headers (after the request body is sent). @default 30000 */
    readonly headersTimeoutMs?: number;
    /** Longest pause between two chunks of a body, either way, before the transfer is abandoned. @default 60000 */
    readonly idleTimeoutMs?: number;
    /** Attempts of an idempotent step before it fails. @default 5 */
    readonly attempts?: number;
    /** First backoff; doubles per attempt, with jitter. A Retry-After header wins, up to 30 s. @default 250 */
    readonly backoffMs?: number;
}

/** A response with its body read (bounded by the idle timeout). */
export interface Response {
    readonly status: number;
    readonly headers: Headers;
    readonly body: Buffer;
    /** The URL that answered, after redirects. */
    readonly url: string;
}

export interface RequestInit {
    readonly headers?: Record<string, string>;
    /** A buffer, or a stream of chunks (sent once; a step with a stream is never retried here). */
    readonly body?: Buffer | AsyncIterable<Uint8Array>;
    /** `repository:<name>:<actions>` scopes a Bearer token for this request must carry. */
    readonly scopes: readonly string[];
}

/** A failure worth another attempt: a network error, a timeout, 429 or a 5xx. */
export class TransientError extends Error {
    constructor(
        message: string,
        readonly retryAfterMs?: number,
    ) {
        super(message);
        this.name = "TransientError";
    }
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;
const MAX_RETRY_AFTER_MS = 30_000;

/** `repository:<name>:pull` or `…:pull,push`. */
export function scope(repository: string, push = false): string {
    return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}

/** Retry-After in ms (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
    if (header === null || header.trim() === "") return undefined;
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** Aborts a transfer that has been silent for longer than it was last armed for. */
class Watchdog {
    readonly controller = new AbortController();
    private timer?: NodeJS.Timeout;
    private reason = "";

    arm(ms: number, reason: string): void {
        this.disarm();
        this.reason = reason;
        this.timer = setTimeout(() => this.controller.abort(new TransientError(this.reason)), ms);
        this.timer.unref?.();
    }

    disarm(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
    }

    get signal(): AbortSignal {
        return this.controller.signal;
    }
}

function basic(c: RegistryCredentials): string {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/** A fetch failure as an error worth retrying, with the cause's own words. */
function networkError(what: string, e: unknown): TransientError {
    if (e instanceof TransientError) return e;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const reason =
        (err.name === "AbortError" || err.name === "TimeoutError") && err.cause === undefined
            ? "timed out"
            : (err.cause?.code ?? err.cause?.message ?? err.message);
    return new TransientError(`${what}: ${reason}`);
}

export class RegistryClient {
    readonly origin: string;
    private readonly tokens = new Map<string, string>();
    /** The scheme the registry asked for in its last challenge. */
    private scheme: "bearer" | "basic" | undefined;
    readonly options: Required<Omit<ClientOptions, "credentials">> &
        Pick<ClientOptions, "credentials">;

    constructor(
        readonly host: string,
        options: ClientOptions = {},
    ) {
        this.origin = registryBaseUrl(host);
        this.options = {
            credentials: options.credentials,
            headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
            idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
            attempts: options.attempts ?? 5,
            backoffMs: options.backoffMs ?? 250,
        };
    }

    /** `path` on this registry, or an absolute URL (a Location the registry gave). */
    url(pathOrUrl: string): string {
        return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.origin}${pathOrUrl}`;
    }

    /**
     * One request, body read, with auth (a 401 gets one fresh token or Basic, then one more try) and
     * redirects (credentials are dropped when a redirect leaves this registry). Throws TransientError
     * for what is worth retrying; any other status is returned.
     */
    async request(method: string, pathOrUrl: string, init: RequestInit): Promise<Response> {
        const res = await this.open(method, pathOrUrl, init);
        return {
            status: res.status,
            headers: res.headers,
            url: res.url,
            body: await this.readAll(res.body, `${method} ${pathOrUrl}`),
        };
    }

    /** `request`, retried with backoff on TransientError. Only for idempotent steps with a buffer body. */
    async retrying(method: string, pathOrUrl: string, init: RequestInit): Promise<Response> {
        return this.withRetries(`${method} ${pathOrUrl}`, () =>
            this.request(method, pathOrUrl, init),
        );
    }

    /** Runs `step` until it succeeds, it fails with anything but a TransientError, or attempts run out. */
    async withRetries<T>(what: string, step: (attempt: number) => Promise<T>): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await step(attempt);
            } catch (e) {
                if (!(e instanceof TransientError)) throw e;
                if (attempt >= this.options.attempts) {
                    throw new PromotionError(
                        `Registry ${this.host}: ${what} failed ${attempt} times; the last time: ${e.message}.`,
                    );
                }
                const backoff =
                    this.options.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
                await sleep(e.retryAfterMs ?? backoff);
            }
        }
    }

    /** A response with its body unread, as an idle-bounded stream of chunks. */
    async open(
        method: string,
        pathOrUrl: string,
        init: RequestInit,
    ): Promise<{ status: number; headers: Headers; url: string; body: AsyncIterable<Uint8Array> }> {
        let res = await this.sendFollowing(method, this.url(pathOrUrl), init);
        if (res.status === 401) {
            const streamed = init.body !== undefined && !Buffer.isBuffer(init.body);
            await this.authenticate(res, init.scopes);
            // A stream is sent once: its step starts over (a fresh upload) with the new credentials.
            if (streamed) throw new TransientError(`${method} ${pathOrUrl} needed new credentials`);
            res = await this.sendFollowing(method, this.url(pathOrUrl), init);
            if (res.status === 401) {
                await res.body?.cancel().catch(() => undefined);
                throw new PromotionError(
                    `Registry ${this.host} refused the credentials for ${init.scopes.join(" ") || "its API"} (HTTP 401 after a fresh ${this.scheme === "bearer" ? "token" : "login"}): ` +
                        "check the credentials (ECR: the AWS identity needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on the source and the push actions on the target; others: `docker login`).",
                );
            }
        }
        if (RETRY_STATUS.has(res.status)) {
            await res.body?.cancel().catch(() => undefined);
            throw new TransientError(
                `${method} ${pathOrUrl} answered HTTP ${res.status}`,
                retryAfterMs(res.headers.get("retry-after")),
            );
        }
        return {
            status: res.status,
            headers: res.headers,
            url: res.url,
            body: res.body ? this.idleBounded(res.body, `${method} ${pathOrUrl}`) : empty(),
        };
    }

    private authorization(url: string, scopes: readonly string[]): string | undefined {
        if (new URL(url).origin !== this.origin) return undefined; // never to another host
        if (this.scheme === "bearer") {
            const token = this.tokens.get(scopeKey(scopes));
            return token ? `Bearer ${token}` : undefined;
        }
        if (this.scheme === "basic" && this.options.credentials)
            return basic(this.options.credentials);
        return undefined;
    }

    /** Learns the scheme from a 401 and gets what it asks for: a token for these scopes, or Basic. */
    private async authenticate(res: globalThis.Response, scopes: readonly string[]): Promise<void> {
        await res.body?.cancel().catch(() => undefined);
        const header = res.headers.get("www-authenticate");
        const bearer = parseBearerChallenge(header);
        if (bearer) {
            this.scheme = "bearer";
            this.tokens.delete(scopeKey(scopes)); // expired or too narrow: a fresh one
            this.tokens.set(scopeKey(scopes), await this.token(bearer, scopes));
            return;
        }
        if (parseChallenges(header).some((c) => c.scheme === "basic") && this.options.credentials) {
            this.scheme = "basic";
            return;
        }
        throw new PromotionError(
            `Registry ${this.host} needs credentials for ${scopes.join(" ") || "its API"} (HTTP 401, ${header ? `WWW-Authenticate: ${header}` : "no challenge"}); ` +
                "for ECR the AWS credentials of this process are used, for others `docker login <registry>` first.",
        );
    }

    /** A token for `scopes` (plus the challenge's own) from the realm the registry named. */
    private async token(challenge: BearerChallenge, scopes: readonly string[]): Promise<string> {
        const realm = new URL(challenge.realm);
        if (realm.protocol !== "https:" && registryBaseUrl(realm.host).startsWith("https:")) {
            throw new PromotionError(
                `Registry ${this.host} named a token service over plain HTTP (${realm.origin}); refusing to send credentials there.`,
            );
        }
        if (challenge.service) realm.searchParams.set("service", challenge.service);
        const wanted = [...new Set([...(challenge.scope?.split(" ") ?? []), ...scopes])].filter(
            (s) => s !== "",
        );
        for (const s of wanted) realm.searchParams.append("scope", s);
        const res = await this.withRetries(`the token service ${realm.origin}`, async () => {
            const watchdog = new Watchdog();
            watchdog.arm(
                this.options.headersTimeoutMs,
                `the token service ${realm.origin} did not answer within ${this.options.headersTimeoutMs} ms`,
            );
            try {
                const r = await fetch(realm, {
                    headers: this.options.credentials
                        ? { authorization: basic(this.options.credentials) }
                        : {},
                    signal: watchdog.signal,
                    redirect: "error",
                });
                if (RETRY_STATUS.has(r.status))
                    throw new TransientError(
                        `the token service answered HTTP ${r.status}`,
                        retryAfterMs(r.headers.get("retry-after")),
                    );
                return { status: r.status, text: await r.text() };
            } catch (e) {
                throw networkError(`the token service ${realm.origin}`, e);
            } finally {
                watchdog.disarm();
            }
        });
        if (res.status !== 200) {
            throw new PromotionError(
                `Registry ${this.host}: the token service ${realm.origin} refused ${this.options.credentials ? "the credentials" : "an anonymous token"} for ${wanted.join(" ")} (HTTP ${res.status}).`,
            );
        }
        let doc: { token?: string; access_token?: string };
        try {
            doc = JSON.parse(res.text) as typeof doc;
        } catch {
            throw new PromotionError(
                `Registry ${this.host}: the token service ${realm.origin} answered something that is not JSON.`,
            );
        }
        const token = doc.token ?? doc.access_token;
        if (!token)
            throw new PromotionError(
                `Registry ${this.host}: the token service ${realm.origin} returned no token.`,
            );
        return token;
    }

    /** Sends once, following redirects by hand so that credentials never leave this registry. */
    private async sendFollowing(
        method: string,
        url: string,
        init: RequestInit,
    ): Promise<globalThis.Response> {
        let current = url;
        for (let hop = 0; ; hop++) {
            const res = await this.sendOnce(method, current, init);
            const location = res.headers.get("location");
            if (
                ![301, 302, 303, 307, 308].includes(res.status) ||
                !location ||
                !(method === "GET" || method === "HEAD")
            )
                return res;
            await res.body?.cancel().catch(() => undefined);
            if (hop >= MAX_REDIRECTS)
                throw new PromotionError(
                    `Registry ${this.host}: more than ${MAX_REDIRECTS} redirects for ${method} ${url}.`,
                );
            current = new URL(location, current).toString();
        }
    }

    private async sendOnce(
        method: string,
        url: string,
        init: RequestInit,
    ): Promise<globalThis.Response> {
        const headers: Record<string, string> = { ...init.headers };
        const auth = this.authorization(url, init.scopes);
        if (auth) headers.authorization = auth;
        const watchdog = new Watchdog();
        const what = `${method} ${new URL(url).pathname}`;
        let body: Buffer | AsyncIterable<Uint8Array> | undefined;
        if (init.body === undefined || Buffer.isBuffer(init.body)) {
            body = init.body;
            watchdog.arm(
                this.options.headersTimeoutMs,
                `${what} got no answer within ${this.options.headersTimeoutMs} ms`,
            );
        } else {
            body = this.pacedBody(init.body, watchdog, what);
            watchdog.arm(
                this.options.idleTimeoutMs,
                `${what}: the request body stalled for ${this.options.idleTimeoutMs} ms`,
            );
        }
        try {
            const streamed = body !== undefined && !Buffer.isBuffer(body);
            // duplex "half": Node's fetch sends a streamed body as it is produced.
            const res = await fetch(url, {
                method,
                headers,
                body,
                redirect: "manual",
                signal: watchdog.signal,
                ...(streamed ? { duplex: "half" } : {}),
            } as unknown as globalThis.RequestInit);
            watchdog.disarm();
            return res;
        } catch (e) {
            watchdog.disarm();
            const reason = watchdog.signal.aborted ? watchdog.signal.reason : e;
            if (reason instanceof PromotionError) throw reason;
            throw networkError(`Registry ${this.host}: ${what}`, reason);
        }
    }

    /** Re-arms the watchdog per chunk while a body is sent, then waits for the headers. */
    private async *pacedBody(
        source: AsyncIterable<Uint8Array>,
        watchdog: Watchdog,
        what: string,
    ): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
            watchdog.arm(
                this.options.idleTimeoutMs,
                `${what}: the request body stalled for ${this.options.idleTimeoutMs} ms`,
            );
            yield chunk;
        }
        watchdog.arm(
            this.options.headersTimeoutMs,
            `${what} got no answer within ${this.options.headersTimeoutMs} ms of its last byte`,
        );
    }

    /** A response body that fails (TransientError) when no chunk arrives for the idle timeout. */
    private async *idleBounded(
        stream: ReadableStream<Uint8Array>,
        what: string,
    ): AsyncGenerator<Uint8Array> {
        const reader = stream.getReader();
        const idle = this.options.idleTimeoutMs;
        try {
            for (;;) {
                let timer: NodeJS.Timeout | undefined;
                const stalled = new Promise<never>((_, reject) => {
                    timer = setTimeout(
                        () =>
                            reject(
                                new TransientError(
                                    `Registry ${this.host}: ${what}: the response stalled for ${idle} ms`,
                                ),
                            ),
                        idle,
                    );
                });
                let next: { done: boolean; value?: Uint8Array };
                try {
                    next = await Promise.race([reader.read(), stalled]);
                } catch (e) {
                    throw networkError(`Registry ${this.host}: ${what}: the response broke off`, e);
                } finally {
                    clearTimeout(timer);
                }
                if (next.done || next.value === undefined) return;
                yield next.value;
            }
        } finally {
            await reader.cancel().catch(() => undefined);
        }
    }

    private async readAll(body: AsyncIterable<Uint8Array>, what: string): Promise<Buffer> {
        const parts: Buffer[] = [];
        try {
            for await (const chunk of body) parts.push(Buffer.from(chunk));
        } catch (e) {
            throw networkError(`Registry ${this.host}: ${what}`, e);
        }
        return Buffer.concat(parts);
    }
}

function scopeKey(scopes: readonly string[]): string {
    return [...scopes].sort().join(" ");
}

async function* empty(): AsyncGenerator<Uint8Array> {
    // no body
}

/** sha256 of bytes, as an OCI digest. */
export function sha256Digest(bytes: Buffer): string {
    return `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
}

/** An upload session's next URL, absolute. */
export function location(
    client: RegistryClient,
    res: Pick<Response, "status" | "headers">,
): string {
    const loc = res.headers.get("location");
    if (!loc)
        throw new PromotionError(
            `Registry ${client.host} answered ${res.status} without a Location header.`,
        );
    return new URL(loc, client.origin).toString();
}

export function withDigest(url: string, digest: string): string {
    return `${url}${url.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`;
}

export function unexpected(
    host: string,
    what: string,
    res: Pick<Response, "status" | "body">,
): PromotionError {
    const detail = res.body.toString("utf8").slice(0, 300).trim();
    return new PromotionError(
        `Registry ${host} refused to ${what}: HTTP ${res.status}${detail ? ` ${detail}` : ""}.`,
    );
}
