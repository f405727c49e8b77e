/**
 * Amazon API Gateway HTTP API semantics for `lambda-docker serve`: route selection, the payload format 2.0 event
 * and the mapping of a handler's result to the HTTP response. Pure: no I/O, no clock, no randomness.
 */
// Sources (read through the docs corpus; the rules below say which one each follows):
//  [routes]  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
//  [lambda]  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//  [errors]  https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
//  [alb]     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
//  [ms766]   https://github.com/ministackorg/ministack/pull/766 (HTTP API body encoding checked against live AWS)
//  [pt1552]  https://github.com/aws-powertools/powertools-lambda-python/issues/1552 (trailing slash, live AWS)

export interface RouteSpec {
    readonly routeKey: string;
    readonly target: string;
}
export interface RouteMatch {
    readonly routeKey: string;
    readonly target: string;
    readonly pathParameters?: Record<string, string>;
}
export interface IncomingRequest {
    readonly method: string;
    readonly path: string;
    readonly rawQueryString: string;
    readonly rawHeaders: readonly string[];
    readonly body: Buffer;
    readonly sourceIp: string;
    readonly protocol?: string;
}
export interface EventContext {
    readonly requestId: string;
    readonly now: Date;
    readonly apiId?: string;
    readonly stage?: string;
    readonly accountId?: string;
    readonly domainName?: string;
}
export interface HttpResponse {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly cookies: string[];
    readonly body: Buffer;
}

/** The methods an HTTP API route key may name ([routes]: a method, or ANY for all methods not defined). */
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]);
const VARIABLE = /^\{([A-Za-z0-9._-]+)(\+?)\}$/;

type Segment =
    | { kind: "literal"; value: string }
    | { kind: "variable"; name: string }
    | { kind: "greedy"; name: string };
interface Route {
    readonly routeKey: string;
    readonly target: string;
    readonly method: string;
    readonly segments: readonly Segment[];
}

function parseRouteKey(routeKey: string, target: string): Route {
    const bad = (why: string): never => {
        throw new Error(`invalid HTTP API route key ${JSON.stringify(routeKey)}: ${why}`);
    };
    const m = /^([^ ]+) ([^ ]+)$/.exec(routeKey);
    if (!m) return bad('expected "$default" or "METHOD /path", e.g. "GET /orders/{id}"');
    const [, method, path] = m;
    if (!METHODS.has(method))
        return bad(`method must be one of ${[...METHODS].join(", ")} (upper case)`);
    if (!path.startsWith("/")) return bad('the path must start with "/"');
    if (path === "/") return { routeKey, target, method, segments: [] };
    if (path.endsWith("/"))
        return bad('the path must not end with "/" (API Gateway rejects such routes)');
    const names = new Set<string>();
    const parts = path.slice(1).split("/");
    const segments = parts.map((part, i): Segment => {
        if (part === "") return bad('the path has an empty segment ("//")');
        const v = VARIABLE.exec(part);
        if (!v) {
            if (/[{}]/.test(part))
                return bad(`segment ${JSON.stringify(part)} is neither a literal nor a {variable}`);
            return { kind: "literal", value: part };
        }
        if (names.has(v[1])) return bad(`path variable {${v[1]}} appears twice`);
        names.add(v[1]);
        if (v[2] !== "+") return { kind: "variable", name: v[1] };
        // [routes]: "The greedy path variable must be at the end of the resource path."
        if (i !== parts.length - 1)
            return bad(`greedy variable {${v[1]}+} must be the last segment`);
        return { kind: "greedy", name: v[1] };
    });
    return { routeKey, target, method, segments };
}

/** A segment's rank in the specificity order: literal, then {variable}, then {greedy+}. */
const RANK = { literal: 0, variable: 1, greedy: 2 } as const;

function safeDecode(s: string): string {
    try {
        return decodeURIComponent(s);
    } catch {
        return s;
    }
}

/** Matches a route's segments against the request's raw segments; path parameters come back percent-decoded. */
function matchSegments(
    segments: readonly Segment[],
    request: readonly string[],
): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
        const seg = segments[i];
        if (seg.kind === "greedy") {
            const rest = request.slice(i).join("/");
            if (rest === "") return undefined; // one or more segments: /prefix/{proxy+} never matches /prefix
            params[seg.name] = safeDecode(rest);
            return params;
        }
        const part = request[i];
        if (part === undefined) return undefined;
        if (seg.kind === "literal") {
            if (part !== seg.value) return undefined; // case-sensitive, compared raw
        } else {
            if (part === "") return undefined; // a variable takes exactly one non-empty segment
            params[seg.name] = safeDecode(part);
        }
    }
    return segments.length === request.length ? params : undefined;
}

/** Sort key, smaller is more specific: full match before greedy ([routes] priorities 1 and 2), then segment by
 *  segment literal before {variable} before {greedy+}, then an explicit method before ANY. */
function specificity(route: Route): number[] {
    const greedy = route.segments.some((s) => s.kind === "greedy") ? 1 : 0;
    return [greedy, ...route.segments.map((s) => RANK[s.kind]), 9, route.method === "ANY" ? 1 : 0];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
}

/**
 * Validates route keys (throws Error naming the bad key) and returns a matcher. Same method+path twice -> Error
 * (paths differing only in variable names, e.g. /a/{id} and /a/{name}, count as the same path).
 *
 * Trailing slash: route keys may not end in "/" (API Gateway rejects them), and a request path's single trailing
 * slash is ignored for route selection, so GET /orders/ selects "GET /orders" ([pt1552]: HTTP APIs route /hello
 * and /hello/ alike); the event's rawPath keeps the slash. Hence /prefix/ does not match /prefix/{proxy+} either.
 */
export function routeTable(routes: readonly RouteSpec[]): {
    match(method: string, path: string): RouteMatch | undefined;
} {
    const table: Route[] = [];
    const seen = new Set<string>();
    let fallback: RouteSpec | undefined;
    for (const spec of routes) {
        if (spec.routeKey === "$default") {
            if (fallback) throw new Error(`duplicate HTTP API route key "$default"`);
            fallback = spec;
            continue;
        }
        const route = parseRouteKey(spec.routeKey, spec.target);
        const shape = `${route.method} /${route.segments.map((s) => (s.kind === "literal" ? s.value : s.kind === "variable" ? "{}" : "{+}")).join("/")}`;
        if (seen.has(shape))
            throw new Error(
                `duplicate HTTP API route key ${JSON.stringify(spec.routeKey)}: another route has the same method and path`,
            );
        seen.add(shape);
        table.push(route);
    }
    return {
        match(method: string, path: string): RouteMatch | undefined {
            const verb = method.toUpperCase();
            let routingPath = path === "" ? "/" : path;
            if (routingPath.length > 1 && routingPath.endsWith("/"))
                routingPath = routingPath.slice(0, -1);
            const request = routingPath === "/" ? [] : routingPath.slice(1).split("/");
            let best: { route: Route; params: Record<string, string>; key: number[] } | undefined;
            for (const route of table) {
                if (route.method !== verb && route.method !== "ANY") continue;
                const params = matchSegments(route.segments, request);
                if (!params) continue;
                const key = specificity(route);
                if (!best || compareKeys(key, best.key) < 0) best = { route, params, key };
            }
            if (best) {
                const { routeKey, target } = best.route;
                return Object.keys(best.params).length > 0
                    ? { routeKey, target, pathParameters: best.params }
                    : { routeKey, target };
            }
            // [routes] priority 3: the $default route catches requests that match no other route.
            return fallback ? { routeKey: "$default", target: fallback.target } : undefined;
        },
    };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number): string => String(n).padStart(2, "0");

/** requestContext.time as API Gateway writes it: "04/Dec/2026:15:44:13 +0000" (always UTC). */
function clfTime(d: Date): string {
    return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * Whether a request body is passed as text (else base64 with isBase64Encoded true). The AWS docs do not enumerate
 * the types; this follows what [ms766] observed on live HTTP APIs, the same list [alb] documents for ALB:
 * text/*, application/json, application/xml, application/javascript are text; so is application/*+json (as the
 * brief asks; not verified against AWS). application/x-www-form-urlencoded and a missing Content-Type are base64
 * ([ms766]: "surprisingly" so; also reported in denoland/deno_registry2#33). Text also requires valid UTF-8.
 */
function isTextBody(contentType: string | undefined, body: Buffer): boolean {
    const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
    const textual =
        type.startsWith("text/") ||
        type === "application/json" ||
        type === "application/xml" ||
        type === "application/javascript" ||
        /^application\/[^/]+\+json$/.test(type);
    if (!textual) return false;
    try {
        new TextDecoder("utf-8", { fatal: true }).decode(body);
        return true;
    } catch {
        return false;
    }
}

function decodeQueryComponent(s: string): string {
    return safeDecode(s.replace(/\+/g, " "));
}

/** The payload format 2.0 event ([lambda]) for one request that `match` selected. */
export function httpApiEvent(
    req: IncomingRequest,
    match: RouteMatch,
    ctx: EventContext,
): Record<string, unknown> {
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i].toLowerCase();
        const value = req.rawHeaders[i + 1];
        // [lambda]: the cookie headers go to `cookies`, one entry per cookie; they are not repeated in headers.
        if (name === "cookie")
            cookies.push(
                ...value
                    .split(";")
                    .map((c) => c.trim())
                    .filter((c) => c !== ""),
            );
        // [lambda]: "Duplicate headers are combined with commas and included in the headers field."
        else headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
    const query: Record<string, string> = {};
    for (const pair of req.rawQueryString.split("&")) {
        if (pair === "") continue;
        const eq = pair.indexOf("=");
        const key = decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq));
        const value = eq < 0 ? "" : decodeQueryComponent(pair.slice(eq + 1));
        query[key] = key in query ? `${query[key]},${value}` : value;
    }
    const host = (headers.host ?? "").replace(/:\d+$/, "");
    const domainName = ctx.domainName ?? (host !== "" ? host : "localhost");
    const event: Record<string, unknown> = {
        version: "2.0",
        routeKey: match.routeKey,
        rawPath: req.path,
        rawQueryString: req.rawQueryString,
    };
    if (cookies.length > 0) event.cookies = cookies;
    event.headers = headers;
    if (Object.keys(query).length > 0) event.queryStringParameters = query;
    event.requestContext = {
        accountId: ctx.accountId ?? "123456789012",
        apiId: ctx.apiId ?? "local",
        domainName,
        domainPrefix: domainName.split(".")[0],
        http: {
            method: req.method.toUpperCase(),
            path: safeDecode(req.path),
            protocol: req.protocol ?? "HTTP/1.1",
            sourceIp: req.sourceIp,
            userAgent: headers["user-agent"] ?? "",
        },
        requestId: ctx.requestId,
        routeKey: match.routeKey,
        stage: ctx.stage ?? "$default",
        time: clfTime(ctx.now),
        timeEpoch: ctx.now.getTime(),
    };
    if (match.pathParameters && Object.keys(match.pathParameters).length > 0)
        event.pathParameters = { ...match.pathParameters };
    let isBase64Encoded = false;
    if (req.body.length > 0) {
        isBase64Encoded = !isTextBody(headers["content-type"], req.body);
        event.body = isBase64Encoded ? req.body.toString("base64") : req.body.toString("utf-8");
    }
    event.isBase64Encoded = isBase64Encoded;
    return event;
}

/** What API Gateway answers when the integration fails (function error, timeout): 500 {"message":"Internal Server Error"} [errors]. */
export function integrationFailure(): HttpResponse {
    return {
        statusCode: 500,
        headers: { "content-type": "application/json" },
        cookies: [],
        body: Buffer.from('{"message":"Internal Server Error"}'),
    };
}

/** What API Gateway answers when no route matches and there is no $default route: 404 {"message":"Not Found"} [routes]. */
export function notFound(): HttpResponse {
    return {
        statusCode: 404,
        headers: { "content-type": "application/json" },
        cookies: [],
        body: Buffer.from('{"message":"Not Found"}'),
    };
}

function headerValue(v: unknown): string | undefined {
    if (v === null || v === undefined) return undefined;
    return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * Maps what the handler returned (already JSON-parsed) to the HTTP response, by API Gateway's 2.0 rules [lambda]:
 * an object with a statusCode is a response (statusCode, headers, cookies -> one Set-Cookie each, body, base64-
 * decoded when isBase64Encoded is true); any other JSON value gets statusCode 200, content-type application/json
 * and "body is the function's response": a string as is (the docs' "Hello from Lambda!" example), anything else
 * JSON-serialised. A statusCode that is not an integer 100-599 cannot be sent, so it is an integration failure
 * (500, as for any malformed response [errors]). Header names are lower-cased; with no content-type header the
 * response says "text/plain; charset=utf-8", as HTTP APIs do (aws-powertools/powertools-lambda-python#2464).
 */
export function httpApiResponse(result: unknown): HttpResponse {
    const json = { "content-type": "application/json" };
    if (typeof result === "string")
        return { statusCode: 200, headers: json, cookies: [], body: Buffer.from(result, "utf-8") };
    if (
        result === null ||
        typeof result !== "object" ||
        Array.isArray(result) ||
        !("statusCode" in result)
    ) {
        return {
            statusCode: 200,
            headers: json,
            cookies: [],
            body: Buffer.from(JSON.stringify(result ?? null), "utf-8"),
        };
    }
    const r = result as Record<string, unknown>;
    const status = r.statusCode;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)
        return integrationFailure();
    const headers: Record<string, string> = {};
    if (r.headers !== null && typeof r.headers === "object" && !Array.isArray(r.headers)) {
        for (const [name, v] of Object.entries(r.headers)) {
            const value = headerValue(v);
            if (value !== undefined) headers[name.toLowerCase()] = value;
        }
    }
    if (!("content-type" in headers)) headers["content-type"] = "text/plain; charset=utf-8";
    const cookies = Array.isArray(r.cookies)
        ? r.cookies.map(headerValue).filter((c): c is string => c !== undefined)
        : [];
    const raw =
        r.body === undefined || r.body === null
            ? ""
            : typeof r.body === "string"
              ? r.body
              : JSON.stringify(r.body);
    const body =
        r.isBase64Encoded === true ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf-8");
    return { statusCode: status, headers, cookies, body };
}
