/**
 * A fault-injecting HTTP proxy in front of a real docker-registry (test/support/registry.ts): ECR's deviations, 5xx/429,
 * dropped blobs, stalls, wrong digests, Basic or Docker-style Bearer auth (with token expiry) and a second, auth-free listener.
 */
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import * as net from "net";

export interface RecordedRequest {
    readonly method: string;
    readonly path: string; // path includes the query string
    readonly listener: "main" | "alt"; // which listener received it
    readonly authorization?: string; // the Authorization header as received
    status: number; // what the proxy answered (0 if the socket was destroyed/stalled)
}
export interface Faults {
    /** ECR answers every chunk PATCH with 201 instead of 202 (aws/containers-roadmap#2831). */
    patch201?: boolean;
    /** Blob mounting off (ECR's default): POST …/blobs/uploads/?mount=X&from=Y is forwarded WITHOUT mount/from, so the
     *  upstream answers 202 + an upload Location, exactly as a registry that declines the mount. */
    refuseMount?: boolean;
    /** Answer the Nth request (1-based, counted from when this fault was set, all listeners, /token included; with `match`
     *  only matching requests count) with `status` (500, 503 or 429) without forwarding; `retryAfter` seconds adds a
     *  Retry-After header. `times` consecutive requests starting at N get it (default 1). */
    failNth?: {
        n: number;
        status: number;
        retryAfter?: number;
        times?: number;
        match?: RegExp /* on "METHOD path" */;
    };
    /** On blob GETs (GET /v2/<name>/blobs/sha256:…), send the status line, headers and the first `bytes` bytes of the
     *  body, then destroy the socket. `times` (default 1) such drops, then blobs pass intact. */
    dropBlobAfterBytes?: { bytes: number; times?: number };
    /** Requests matching `match` ("METHOD path") are accepted and never answered (no headers) until stop() or until
     *  `ms` elapsed (then forwarded normally). `times` default 1. `afterHeaders: true` instead sends the upstream's
     *  status and headers and then stalls the body. */
    stall?: { match: RegExp; ms?: number; times?: number; afterHeaders?: boolean };
    /** Rewrite the Docker-Content-Digest header of manifest PUT responses (and of manifest GET/HEAD responses when
     *  `alsoReads`) to a different, well-formed sha256 digest. */
    wrongDigest?: { alsoReads?: boolean };
    /** Rewrite every Location header the upstream returns (upload sessions) to point at the alt listener
     *  (absolute URL http://<altHost>/…), which serves the same upstream. */
    locationToAlt?: boolean;
    /** Answer blob GETs with 307 to the same path on the alt listener (what ECR does with S3 presigned URLs). */
    redirectBlobsToAlt?: boolean;
}
export interface FaultProxyOptions {
    upstream: string; // "127.0.0.1:<port>" of a docker-registry
    /** "none" (default), "basic" (401 + WWW-Authenticate: Basic realm="fault-proxy" unless the right Basic creds),
     *  or "bearer" (a Docker-style token service on the main listener at /token). */
    auth?: "none" | "basic" | "bearer";
    username?: string;
    password?: string; // default "user" / "secret"
    /** bearer: a token is valid for this many requests that use it, then answers 401 with a fresh challenge. default Infinity */
    tokenUses?: number;
    /** Convenience: { patch201: true, refuseMount: true } plus auth "basic" — how ECR behaves on a default account. */
    ecr?: boolean;
}
export interface FaultProxy {
    readonly host: string; // "127.0.0.1:<port>" main listener
    readonly altHost: string; // "127.0.0.2:<port>" second listener, same upstream, NEVER requires auth
    readonly requests: RecordedRequest[];
    faults: Faults; // mutable; tests assign between steps
    /** Tokens issued by the token service, with their scopes. */
    readonly tokens: { token: string; scopes: string[] }[];
    reset(): void; // clears requests, tokens and faults (not auth settings; an `ecr` proxy gets its two faults back)
    stop(): Promise<void>; // closes both listeners, destroys stalled sockets; never leaves a timer running
}

type Listener = "main" | "alt";
interface Ctx {
    req: http.IncomingMessage;
    res: http.ServerResponse;
    rec: RecordedRequest;
    listener: Listener;
    url: URL;
    stallBody?: { ms?: number }; // a stall with afterHeaders matched: hold the body
}

const SERVICE = "fault-proxy";
const HOP_BY_HOP = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "proxy-connection",
    "upgrade",
    "te",
    "trailer",
];
const ERROR_CODES: Record<number, string> = {
    429: "TOOMANYREQUESTS",
    500: "UNKNOWN",
    503: "UNAVAILABLE",
};

/** The repository a /v2/ path names (the part before the LAST /blobs|manifests|tags/ segment), or undefined. */
export function repositoryOf(pathname: string): string | undefined {
    return /^\/v2\/(.+)\/(?:blobs|manifests|tags)\//.exec(pathname)?.[1];
}

const isBlobGet = (method: string, pathname: string) =>
    method === "GET" && /^\/v2\/.+\/blobs\/sha256:[0-9a-f]{64}$/.test(pathname);
const isManifest = (pathname: string) => /^\/v2\/.+\/manifests\/[^/]+$/.test(pathname);

function listen(server: http.Server, address: string): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, address, () => resolve((server.address() as net.AddressInfo).port));
    });
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
    const auth = options.ecr ? "basic" : (options.auth ?? "none");
    const username = options.username ?? "user",
        password = options.password ?? "secret";
    const tokenUses = options.tokenUses ?? Infinity;
    const initialFaults = (): Faults => (options.ecr ? { patch201: true, refuseMount: true } : {});
    const agent = new http.Agent({ keepAlive: true });
    const timers = new Set<NodeJS.Timeout>();
    const held = new Set<{ destroy(): void }>(); // stalled exchanges, destroyed by stop()
    const counters = new WeakMap<object, { seen: number; used: number }>(); // per fault object: "since it was set"
    const tokenUsesLeft = new Map<string, number>();
    let stopped = false;

    const counter = (fault: object) => {
        let c = counters.get(fault);
        if (!c) counters.set(fault, (c = { seen: 0, used: 0 }));
        return c;
    };
    const later = (ms: number, fn: () => void) => {
        const t = setTimeout(() => {
            timers.delete(t);
            fn();
        }, ms);
        timers.add(t);
        return t;
    };

    const proxy: FaultProxy = {
        host: "",
        altHost: "",
        requests: [],
        tokens: [],
        faults: initialFaults(),
        reset() {
            proxy.requests.length = 0;
            proxy.tokens.length = 0;
            tokenUsesLeft.clear();
            proxy.faults = initialFaults();
        },
        async stop() {
            stopped = true;
            for (const t of timers) clearTimeout(t);
            timers.clear();
            for (const h of held) h.destroy();
            held.clear();
            for (const s of [main, alt]) s.closeAllConnections();
            await Promise.all([main, alt].map((s) => new Promise<void>((r) => s.close(() => r()))));
            agent.destroy();
        },
    };

    function reply(
        ctx: Ctx,
        status: number,
        headers: Record<string, string | number>,
        body = "",
    ): void {
        ctx.req.resume(); // discard any request body
        ctx.rec.status = status;
        ctx.res.writeHead(status, { "Content-Length": Buffer.byteLength(body), ...headers });
        ctx.res.end(body);
    }
    const errorBody = (code: string, message: string) =>
        JSON.stringify({ errors: [{ code, message, detail: null }] });

    // ---- auth ----
    function challenge(ctx: Ctx, error?: string): void {
        const name = repositoryOf(ctx.url.pathname);
        const actions =
            ctx.req.method === "GET" || ctx.req.method === "HEAD" ? "pull" : "pull,push";
        const header =
            auth === "basic"
                ? `Basic realm="${SERVICE}"`
                : `Bearer realm="http://${proxy.host}/token",service="${SERVICE}"` +
                  (name ? `,scope="repository:${name}:${actions}"` : "") +
                  (error ? `,error="${error}"` : "");
        reply(
            ctx,
            401,
            {
                "WWW-Authenticate": header,
                "Content-Type": "application/json",
                "Docker-Distribution-Api-Version": "registry/2.0",
            },
            errorBody("UNAUTHORIZED", "authentication required"),
        );
    }
    const basicOk = (header?: string) =>
        header === `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    function grants(scopes: string[], name: string, action: string): boolean {
        return scopes.some((s) => {
            const m = /^repository:(.+):([^:]*)$/.exec(s);
            return !!m && m[1] === name && m[2].split(",").some((a) => a === action || a === "*");
        });
    }
    function issueToken(ctx: Ctx): void {
        if (!basicOk(ctx.req.headers.authorization)) {
            return reply(
                ctx,
                401,
                {
                    "WWW-Authenticate": `Basic realm="${SERVICE}"`,
                    "Content-Type": "application/json",
                },
                JSON.stringify({ details: "incorrect username or password" }),
            );
        }
        const scopes = ctx.url.searchParams
            .getAll("scope")
            .flatMap((s) => s.split(" "))
            .filter(Boolean);
        const token = randomBytes(16).toString("hex");
        proxy.tokens.push({ token, scopes });
        tokenUsesLeft.set(token, tokenUses);
        reply(
            ctx,
            200,
            { "Content-Type": "application/json" },
            JSON.stringify({
                token,
                access_token: token,
                expires_in: 300,
                issued_at: new Date().toISOString(),
            }),
        );
    }
    /** True when the request may go on (possibly with its mount stripped); otherwise it has been answered 401. */
    function authorize(ctx: Ctx): boolean {
        const presented = ctx.req.headers.authorization;
        if (auth === "basic") {
            if (basicOk(presented)) return true;
            challenge(ctx);
            return false;
        }
        const token = /^Bearer (\S+)$/.exec(presented ?? "")?.[1];
        const issued = token ? proxy.tokens.find((t) => t.token === token) : undefined;
        if (!issued || (tokenUsesLeft.get(issued.token) ?? 0) <= 0) {
            challenge(ctx, token ? "invalid_token" : undefined);
            return false;
        }
        const name = repositoryOf(ctx.url.pathname);
        const needed =
            ctx.req.method === "GET" || ctx.req.method === "HEAD" ? ["pull"] : ["pull", "push"];
        if (name && !needed.every((a) => grants(issued.scopes, name, a))) {
            challenge(ctx, "insufficient_scope");
            return false;
        }
        tokenUsesLeft.set(issued.token, tokenUsesLeft.get(issued.token)! - 1);
        const from = ctx.url.searchParams.get("from");
        if (
            ctx.req.method === "POST" &&
            ctx.url.searchParams.has("mount") &&
            from &&
            !grants(issued.scopes, from, "pull")
        )
            stripMount(ctx.url);
        return true;
    }
    function stripMount(url: URL): void {
        url.searchParams.delete("mount");
        url.searchParams.delete("from");
    }

    // ---- forwarding ----
    function rewriteLocation(location: string, ctx: Ctx): string {
        const target = proxy.faults.locationToAlt
            ? proxy.altHost
            : ctx.listener === "main"
              ? proxy.host
              : proxy.altHost;
        const abs = new URL(location, `http://${options.upstream}`);
        if (abs.host !== options.upstream) return location; // points elsewhere: leave it
        if (location.startsWith("/") && !proxy.faults.locationToAlt) return location;
        return `http://${target}${abs.pathname}${abs.search}`;
    }
    /** Holds an exchange until `ms` (then `release`) or until stop() (then `destroy`); a client hanging up just forgets it. */
    function hold(
        ctx: Ctx,
        ms: number | undefined,
        release: () => void,
        destroy: () => void,
    ): void {
        let timer: NodeJS.Timeout | undefined;
        const forget = () => {
            if (timer) clearTimeout(timer);
            if (timer) timers.delete(timer);
            held.delete(entry);
        };
        const entry = {
            destroy: () => {
                forget();
                destroy();
            },
        };
        held.add(entry);
        if (ms !== undefined)
            timer = later(ms, () => {
                forget();
                release();
            });
        ctx.res.once("close", forget);
    }
    function forward(ctx: Ctx): void {
        const { req, res, rec, url } = ctx;
        const method = req.method!;
        const faults = proxy.faults;
        if (faults.refuseMount && method === "POST" && url.searchParams.has("mount"))
            stripMount(url);
        const headers: http.OutgoingHttpHeaders = { ...req.headers, host: options.upstream };
        for (const h of ["authorization", "x-forwarded-host", "x-forwarded-proto", ...HOP_BY_HOP])
            delete headers[h];
        if (req.headers["transfer-encoding"])
            headers["transfer-encoding"] = req.headers["transfer-encoding"];
        const upreq = http.request({
            agent,
            host: options.upstream.split(":")[0],
            port: Number(options.upstream.split(":")[1]),
            method,
            path: url.pathname + url.search,
            headers,
        });
        upreq.on("error", (e) => {
            if (res.headersSent) return void res.destroy();
            reply(
                ctx,
                502,
                { "Content-Type": "text/plain" },
                `fault-proxy: upstream ${options.upstream}: ${e.message}`,
            );
        });
        res.once("close", () => {
            if (!res.writableFinished) upreq.destroy();
        });
        req.pipe(upreq);
        upreq.on("response", (upres) => {
            let status = upres.statusCode!;
            const out: http.OutgoingHttpHeaders = { ...upres.headers };
            for (const h of HOP_BY_HOP) delete out[h];
            if (faults.patch201 && method === "PATCH" && status === 202) status = 201;
            if (typeof out.location === "string") out.location = rewriteLocation(out.location, ctx);
            const digest = out["docker-content-digest"];
            if (
                faults.wrongDigest &&
                typeof digest === "string" &&
                isManifest(url.pathname) &&
                (method === "PUT" ||
                    (faults.wrongDigest.alsoReads && (method === "GET" || method === "HEAD")))
            ) {
                out["docker-content-digest"] =
                    `sha256:${createHash("sha256").update(`wrong:${digest}`).digest("hex")}`;
            }
            const drop = faults.dropBlobAfterBytes;
            if (
                drop &&
                isBlobGet(method, url.pathname) &&
                status === 200 &&
                counter(drop).used < (drop.times ?? 1)
            ) {
                counter(drop).used++;
                return dropAfter(ctx, upres, status, out, drop.bytes);
            }
            rec.status = ctx.stallBody ? 0 : status;
            res.writeHead(status, out);
            if (ctx.stallBody) {
                res.flushHeaders();
                upres.pause();
                return hold(
                    ctx,
                    ctx.stallBody.ms,
                    () => {
                        rec.status = status;
                        upres.pipe(res);
                    },
                    () => {
                        upres.destroy();
                        res.destroy();
                    },
                );
            }
            upres.pipe(res);
        });
    }
    function dropAfter(
        ctx: Ctx,
        upres: http.IncomingMessage,
        status: number,
        headers: http.OutgoingHttpHeaders,
        bytes: number,
    ): void {
        const { res, rec } = ctx;
        rec.status = 0;
        res.writeHead(status, headers);
        let sent = 0;
        const cut = () => {
            upres.destroy();
            res.socket?.destroy();
            res.destroy();
        };
        if (bytes <= 0) return void res.write("", cut);
        upres.on("data", (chunk: Buffer) => {
            if (sent >= bytes) return;
            const part = chunk.subarray(0, bytes - sent);
            sent += part.length;
            if (sent >= bytes) {
                upres.pause();
                res.write(part, cut);
            } else if (!res.write(part)) {
                upres.pause();
                res.once("drain", () => upres.resume());
            }
        });
        upres.on("end", () => {
            if (sent < bytes) cut();
        });
    }

    // ---- the pipeline: failNth, /token, auth, stall, blob redirect, forward ----
    function handle(listener: Listener, req: http.IncomingMessage, res: http.ServerResponse): void {
        const rec: RecordedRequest = {
            method: req.method!,
            path: req.url!,
            listener,
            status: 0,
            ...(req.headers.authorization !== undefined
                ? { authorization: req.headers.authorization }
                : {}),
        };
        proxy.requests.push(rec);
        const ctx: Ctx = { req, res, rec, listener, url: new URL(req.url!, "http://proxy") };
        const line = `${req.method} ${req.url}`;
        const faults = proxy.faults;
        if (stopped) return void res.socket?.destroy();

        const fail = faults.failNth;
        if (fail && (!fail.match || fail.match.test(line))) {
            const nth = ++counter(fail).seen;
            if (nth >= fail.n && nth < fail.n + (fail.times ?? 1)) {
                return reply(
                    ctx,
                    fail.status,
                    {
                        "Content-Type": "application/json",
                        ...(fail.retryAfter !== undefined
                            ? { "Retry-After": fail.retryAfter }
                            : {}),
                    },
                    errorBody(
                        ERROR_CODES[fail.status] ?? "UNKNOWN",
                        `fault-proxy: injected HTTP ${fail.status}`,
                    ),
                );
            }
        }
        if (
            listener === "main" &&
            auth === "bearer" &&
            ctx.url.pathname === "/token" &&
            req.method === "GET"
        )
            return issueToken(ctx);
        if (
            listener === "main" &&
            auth !== "none" &&
            ctx.url.pathname.startsWith("/v2") &&
            !authorize(ctx)
        )
            return;

        const stall = faults.stall;
        if (stall && stall.match.test(line) && counter(stall).used < (stall.times ?? 1)) {
            counter(stall).used++;
            if (stall.afterHeaders) ctx.stallBody = { ms: stall.ms };
            else {
                req.pause();
                return hold(
                    ctx,
                    stall.ms,
                    () => route(ctx),
                    () => {
                        req.socket.destroy();
                    },
                );
            }
        }
        route(ctx);
    }
    function route(ctx: Ctx): void {
        if (
            ctx.listener === "main" &&
            proxy.faults.redirectBlobsToAlt &&
            isBlobGet(ctx.req.method!, ctx.url.pathname)
        ) {
            return reply(ctx, 307, {
                Location: `http://${proxy.altHost}${ctx.url.pathname}${ctx.url.search}`,
            });
        }
        forward(ctx);
    }

    const main = http.createServer((req, res) => handle("main", req, res));
    const alt = http.createServer((req, res) => handle("alt", req, res));
    for (const s of [main, alt]) s.keepAliveTimeout = 1000;
    const [mainPort, altPort] = await Promise.all([
        listen(main, "127.0.0.1"),
        listen(alt, "127.0.0.2"),
    ]);
    Object.assign(proxy, { host: `127.0.0.1:${mainPort}`, altHost: `127.0.0.2:${altPort}` });
    return proxy;
}
