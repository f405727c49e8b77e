// A loopback stand-in for the Lambda (REST-JSON), CloudWatch Logs and ECR (awsJson1_1) APIs that the real AWS SDK v3
// clients reach through AWS_ENDPOINT_URL_*; one server serves all three, records every request, and injects faults.
import * as crypto from "crypto";
import * as dns from "dns";
import * as http from "http";
import * as net from "net";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface InvokeContext {
    requestId: string;
    functionName: string;
    /** The decoded X-Amz-Client-Context (base64 JSON), when the caller sent one. */
    clientContext?: unknown;
}
export interface InvokeResult {
    payload: unknown;
    logs?: string[];
}
export type InvokeHandler = (
    event: unknown,
    context: InvokeContext,
) => Promise<InvokeResult> | InvokeResult;

export interface StandInFunction {
    /** Deployed name, e.g. "api-df3dc0b7"; ARN arn:aws:lambda:us-east-1:123456789012:function:<name> also resolves. */
    name: string;
    memorySize?: number;
    timeout?: number;
    packageType?: "Image" | "Zip";
    imageUri?: string;
    runtime?: string;
    /**
     * The spec names two `handler` fields; one property serves both: a string is the configured handler
     * (Configuration.Handler, Zip functions), a function runs invocations. It returns the payload
     * (JSON-serialisable, or a Buffer for raw bytes) and the lines the function printed (the stand-in adds
     * START/END/REPORT). A throw is a function error: payload {errorMessage, errorType, requestId:"", stackTrace:[]},
     * X-Amz-Function-Error: Unhandled (an `logs: string[]` property on the thrown error becomes its log lines).
     * No function handler: the payload is `null`.
     */
    handler?: string | InvokeHandler;
}
export interface StandInImage {
    repositoryName: string;
    imageDigest: string;
    imageTags?: string[];
    imageSizeInBytes: number;
    imagePushedAt: Date;
}
export interface StandInLogEvent {
    logGroupName: string;
    logStreamName: string;
    timestamp: number;
    message: string;
    ingestionTime?: number;
    eventId?: string;
}
export interface StandInRepository {
    repositoryName: string;
    lifecyclePolicyText?: string;
    repositoryUri?: string;
}
export interface StandInOptions {
    functions?: StandInFunction[];
    /** May be appended to later (tests of --follow). */
    logEvents?: StandInLogEvent[];
    /** Log groups that exist with no events (a group also exists once any log event names it). */
    logGroups?: string[];
    /** Repositories (one named by an image also exists). */
    repositories?: StandInRepository[];
    images?: StandInImage[];
    /** FilterLogEvents / DescribeImages page size (paginates with nextToken even if the client asks for more). default 2 */
    pageSize?: number;
}
export interface StandInRequest {
    api: "lambda" | "logs" | "ecr";
    operation: string;
    headers: Record<string, string>;
    body: unknown;
}
export interface AwsStandIn {
    /** "http://127.0.0.1:<port>" */
    readonly endpoint: string;
    /** The three AWS_ENDPOINT_URL_* plus fake credentials and region. */
    readonly env: Record<string, string>;
    readonly requests: StandInRequest[];
    /** Mutable state (tests push log events while a follow runs). */
    readonly state: Required<StandInOptions>;
    faults: {
        /** The next `n` requests (any API) answer a throttle: Lambda 429 TooManyRequestsException (Retry-After: 0),
         *  Logs/ECR 400 ThrottlingException. */
        throttle?: number;
        /** Every request answers 403 ExpiredTokenException (checked before `throttle`, which it leaves untouched). */
        expiredCredentials?: boolean;
    };
    stop(): Promise<void>;
}

type Api = StandInRequest["api"];
interface Reply {
    status: number;
    headers?: Record<string, string>;
    body?: Buffer | string;
}

/** An API error: `type` goes in x-amzn-errortype and in the body's __type, so either protocol finds it. */
class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly type: string,
        message: string,
        readonly extra: Record<string, unknown> = {},
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
    }
}

export const functionArn = (name: string): string =>
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const repositoryUri = (name: string): string =>
    `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`;
const JSON_TYPE = "application/x-amz-json-1.1";
const LAST_MODIFIED = "2024-01-01T00:00:00.000+0000";
const EXPIRED = "The security token included in the request is expired";

const json = (
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    type = "application/json",
): Reply => ({ status, headers: { "content-type": type, ...headers }, body: JSON.stringify(body) });

function errorReply(api: Api, e: ApiError): Reply {
    // Lambda's REST errors carry {Type, Message} (TooManyRequests: message); JSON-RPC errors {__type, message}.
    const body =
        api === "lambda"
            ? { Type: e.status >= 500 ? "Service" : "User", Message: e.message, ...e.extra }
            : { __type: e.type, message: e.message, ...e.extra };
    return json(
        e.status,
        body,
        { "x-amzn-errortype": e.type, ...e.headers },
        api === "lambda" ? "application/json" : JSON_TYPE,
    );
}

function encodeToken(offset: number): string {
    return Buffer.from(JSON.stringify({ o: offset })).toString("base64");
}
function decodeToken(token: unknown): number {
    if (token === undefined || token === null) return 0;
    try {
        const o = (
            JSON.parse(Buffer.from(String(token), "base64").toString("utf8")) as { o?: unknown }
        ).o;
        if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
    } catch {
        /* falls through */
    }
    throw new ApiError(400, "InvalidParameterException", "The specified nextToken is invalid.");
}
function page<T>(
    items: T[],
    token: unknown,
    pageSize: number,
    limit: unknown,
): { items: T[]; nextToken?: string } {
    const start = decodeToken(token);
    const size = Math.max(
        1,
        Math.min(pageSize, typeof limit === "number" && limit > 0 ? limit : Infinity),
    );
    const slice = items.slice(start, start + size);
    return start + size < items.length
        ? { items: slice, nextToken: encodeToken(start + size) }
        : { items: slice };
}

/** CloudWatch filter patterns, as far as tests need: space-separated terms and "quoted phrases", all must match. */
export function matchesFilterPattern(pattern: string | undefined, message: string): boolean {
    if (!pattern || !pattern.trim()) return true;
    const terms = [...pattern.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2],
    );
    return terms.every((t) => message.includes(t));
}

class StandIn {
    readonly requests: StandInRequest[] = [];
    readonly state: Required<StandInOptions>;
    faults: AwsStandIn["faults"] = {};

    constructor(options: StandInOptions) {
        this.state = {
            functions: options.functions ?? [],
            logEvents: options.logEvents ?? [],
            logGroups: options.logGroups ?? [],
            repositories: options.repositories ?? [],
            images: options.images ?? [],
            pageSize: options.pageSize ?? 2,
        };
    }

    async handle(req: http.IncomingMessage, raw: Buffer): Promise<Reply> {
        const url = new URL(req.url ?? "/", "http://stand-in");
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        const target = headers["x-amz-target"] ?? "";
        const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(
            headers.authorization ?? "",
        )?.[1];
        let api: Api, operation: string, body: unknown;
        if (
            target.startsWith("Logs_20140328.") ||
            target.startsWith("AmazonEC2ContainerRegistry_V20150921.")
        ) {
            api = target.startsWith("Logs_") ? "logs" : "ecr";
            operation = target.slice(target.indexOf(".") + 1);
            try {
                body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
            } catch {
                body = raw.toString("utf8");
            }
        } else {
            api = scope === "logs" ? "logs" : scope === "ecr" ? "ecr" : "lambda";
            operation =
                api === "lambda"
                    ? lambdaOperation(req.method ?? "GET", url.pathname)
                    : target || "Unknown";
            const text = raw.toString("utf8");
            try {
                body = raw.length ? JSON.parse(text) : undefined;
            } catch {
                body = text;
            }
        }
        this.requests.push({ api, operation, headers, body });
        try {
            if (this.faults.expiredCredentials)
                throw new ApiError(403, "ExpiredTokenException", EXPIRED);
            if ((this.faults.throttle ?? 0) > 0) {
                this.faults.throttle = (this.faults.throttle ?? 0) - 1;
                if (api === "lambda") {
                    throw new ApiError(
                        429,
                        "TooManyRequestsException",
                        "Rate Exceeded.",
                        { Reason: "CallerRateLimitExceeded", message: "Rate Exceeded." },
                        { "retry-after": "0" },
                    );
                }
                throw new ApiError(400, "ThrottlingException", "Rate exceeded");
            }
            if (api === "lambda") return await this.lambda(req, url, operation, raw, headers);
            if (api === "logs")
                return this.logs(operation, (body ?? {}) as Record<string, unknown>);
            return this.ecr(operation, (body ?? {}) as Record<string, unknown>);
        } catch (e) {
            if (e instanceof ApiError) return errorReply(api, e);
            throw e;
        }
    }

    // ---- Lambda -------------------------------------------------------------------------------------------------

    findFunction(ref: string): StandInFunction {
        // name, name:qualifier, full ARN (optionally :qualifier) or partial ARN 123456789012:function:name
        const m = /^(?:arn:aws:lambda:[^:]+:)?(?:\d{12}:function:)?([^:]+)(?::[^:]+)?$/.exec(ref);
        const fn = m ? this.state.functions.find((f) => f.name === m[1]) : undefined;
        if (!fn)
            throw new ApiError(
                404,
                "ResourceNotFoundException",
                `Function not found: ${functionArn(m?.[1] ?? ref)}`,
            );
        return fn;
    }

    async lambda(
        req: http.IncomingMessage,
        url: URL,
        operation: string,
        raw: Buffer,
        headers: Record<string, string>,
    ): Promise<Reply> {
        const segments = url.pathname.split("/").filter(Boolean);
        const ref = decodeURIComponent(segments[2] ?? "");
        switch (operation) {
            case "GetFunction": {
                const fn = this.findFunction(ref);
                return json(200, {
                    Configuration: this.configuration(fn),
                    Code: this.codeLocation(fn),
                });
            }
            case "GetFunctionConfiguration":
                return json(200, this.configuration(this.findFunction(ref)));
            case "Invoke":
                return this.invoke(this.findFunction(ref), raw, headers);
            default:
                throw new ApiError(
                    404,
                    "UnknownOperationException",
                    `Unknown operation ${req.method} ${url.pathname}`,
                );
        }
    }

    resolvedImage(fn: StandInFunction): { uri: string; digest: string } | undefined {
        if (!fn.imageUri) return undefined;
        const at = fn.imageUri.indexOf("@");
        if (at >= 0) return { uri: fn.imageUri, digest: fn.imageUri.slice(at + 1) };
        const m = /^(.+\/([^:/]+(?:\/[^:/]+)*)):([^:/]+)$/.exec(fn.imageUri);
        const repoName = m?.[1].replace(/^[^/]+\//, "");
        const image = m
            ? this.state.images.find(
                  (i) => i.repositoryName === repoName && (i.imageTags ?? []).includes(m[3]),
              )
            : undefined;
        return image && m
            ? { uri: `${m[1]}@${image.imageDigest}`, digest: image.imageDigest }
            : undefined;
    }

    configuration(fn: StandInFunction): Record<string, unknown> {
        const packageType = fn.packageType ?? (fn.imageUri || !fn.runtime ? "Image" : "Zip");
        const digest = this.resolvedImage(fn)?.digest;
        return {
            FunctionName: fn.name,
            FunctionArn: functionArn(fn.name),
            MemorySize: fn.memorySize ?? 128,
            Timeout: fn.timeout ?? 3,
            PackageType: packageType,
            ...(typeof fn.handler === "string" ? { Handler: fn.handler } : {}),
            ...(fn.runtime ? { Runtime: fn.runtime } : {}),
            LastModified: LAST_MODIFIED,
            CodeSha256: digest
                ? digest.replace(/^sha256:/, "")
                : crypto.createHash("sha256").update(fn.name).digest("base64"),
            Version: "$LATEST",
            State: "Active",
            LastUpdateStatus: "Successful",
            Architectures: ["x86_64"],
            Role: `arn:aws:iam::${ACCOUNT}:role/${fn.name}-role`,
        };
    }

    codeLocation(fn: StandInFunction): Record<string, unknown> {
        if (!fn.imageUri) return { RepositoryType: "S3" };
        const resolved = this.resolvedImage(fn);
        return {
            RepositoryType: "ECR",
            ImageUri: fn.imageUri,
            ...(resolved ? { ResolvedImageUri: resolved.uri } : {}),
        };
    }

    /** Any qualifier (?Qualifier= or name:qualifier) runs the one function; the executed version is always $LATEST. */
    async invoke(
        fn: StandInFunction,
        raw: Buffer,
        headers: Record<string, string>,
    ): Promise<Reply> {
        const type = headers["x-amz-invocation-type"] ?? "RequestResponse";
        const requestId = crypto.randomUUID();
        const base = { "x-amzn-requestid": requestId };
        // Event and DryRun invocations do not run the handler: the request record holds what was sent.
        if (type === "Event") return { status: 202, headers: base };
        if (type === "DryRun") return { status: 204, headers: base };
        if (type !== "RequestResponse") {
            throw new ApiError(
                400,
                "InvalidParameterValueException",
                `Unsupported invocation type: ${type}`,
            );
        }
        let event: unknown = undefined;
        if (raw.length) {
            try {
                event = JSON.parse(raw.toString("utf8"));
            } catch {
                throw new ApiError(
                    400,
                    "InvalidRequestContentException",
                    "Could not parse request body into json",
                );
            }
        }
        let clientContext: unknown;
        if (headers["x-amz-client-context"]) {
            try {
                clientContext = JSON.parse(
                    Buffer.from(headers["x-amz-client-context"], "base64").toString("utf8"),
                );
            } catch {
                throw new ApiError(
                    400,
                    "InvalidRequestContentException",
                    "Client context must be a valid Base64-encoded JSON object.",
                );
            }
        }
        let payload: unknown = null,
            logs: string[] = [],
            functionError: string | undefined;
        if (typeof fn.handler === "function") {
            try {
                const result = await fn.handler(event, {
                    requestId,
                    functionName: fn.name,
                    clientContext,
                });
                payload = result.payload;
                logs = result.logs ?? [];
            } catch (e) {
                const err = e instanceof Error ? e : new Error(String(e));
                payload = {
                    errorMessage: err.message,
                    errorType: err.name,
                    requestId: "",
                    stackTrace: [],
                };
                logs = Array.isArray((e as { logs?: unknown }).logs)
                    ? (e as { logs: string[] }).logs
                    : [];
                functionError = "Unhandled";
            }
        }
        const out: Record<string, string> = {
            ...base,
            "content-type": "application/json",
            "x-amz-executed-version": "$LATEST",
        };
        if (functionError) out["x-amz-function-error"] = functionError;
        if ((headers["x-amz-log-type"] ?? "None") === "Tail") {
            const text =
                `START RequestId: ${requestId} Version: $LATEST\n` +
                logs.map((l) => (l.endsWith("\n") ? l : `${l}\n`)).join("") +
                `END RequestId: ${requestId}\n` +
                `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: ${fn.memorySize ?? 128} MB\tMax Memory Used: 42 MB\t\n`;
            out["x-amz-log-result"] = Buffer.from(text, "utf8").subarray(-4096).toString("base64");
        }
        const body = Buffer.isBuffer(payload)
            ? payload
            : Buffer.from(JSON.stringify(payload ?? null), "utf8");
        return { status: 200, headers: out, body };
    }

    // ---- CloudWatch Logs ----------------------------------------------------------------------------------------

    groupNames(): string[] {
        return [
            ...new Set([
                ...this.state.logGroups,
                ...this.state.logEvents.map((e) => e.logGroupName),
            ]),
        ];
    }

    logs(operation: string, body: Record<string, unknown>): Reply {
        const reply = (b: unknown): Reply => json(200, b, {}, JSON_TYPE);
        switch (operation) {
            case "FilterLogEvents": {
                const ident = String(body.logGroupName ?? body.logGroupIdentifier ?? "");
                const group =
                    /^arn:aws:logs:[^:]*:\d*:log-group:(.+?)(?::\*)?$/.exec(ident)?.[1] ?? ident;
                if (!this.groupNames().includes(group)) {
                    throw new ApiError(
                        400,
                        "ResourceNotFoundException",
                        "The specified log group does not exist.",
                    );
                }
                const streams = Array.isArray(body.logStreamNames)
                    ? (body.logStreamNames as string[])
                    : undefined;
                const prefix =
                    typeof body.logStreamNamePrefix === "string"
                        ? body.logStreamNamePrefix
                        : undefined;
                const start = typeof body.startTime === "number" ? body.startTime : -Infinity;
                const end = typeof body.endTime === "number" ? body.endTime : Infinity;
                const pattern =
                    typeof body.filterPattern === "string" ? body.filterPattern : undefined;
                const events = this.state.logEvents
                    .map((e, index) => ({ e, index }))
                    .filter(
                        ({ e }) =>
                            e.logGroupName === group &&
                            e.timestamp >= start &&
                            e.timestamp <= end &&
                            (!streams || streams.includes(e.logStreamName)) &&
                            (!prefix || e.logStreamName.startsWith(prefix)) &&
                            matchesFilterPattern(pattern, e.message),
                    )
                    .sort((a, b) => a.e.timestamp - b.e.timestamp || a.index - b.index)
                    .map(({ e, index }) => ({
                        logStreamName: e.logStreamName,
                        timestamp: e.timestamp,
                        message: e.message,
                        ingestionTime: e.ingestionTime ?? e.timestamp,
                        eventId: e.eventId ?? `${e.timestamp}-${String(index).padStart(6, "0")}`,
                    }));
                const p = page(events, body.nextToken, this.state.pageSize, body.limit);
                return reply({
                    events: p.items,
                    searchedLogStreams: [],
                    ...(p.nextToken ? { nextToken: p.nextToken } : {}),
                });
            }
            case "DescribeLogGroups": {
                const prefix =
                    typeof body.logGroupNamePrefix === "string" ? body.logGroupNamePrefix : "";
                const pattern =
                    typeof body.logGroupNamePattern === "string" ? body.logGroupNamePattern : "";
                const logGroups = this.groupNames()
                    .sort()
                    .filter((g) => g.startsWith(prefix) && g.includes(pattern))
                    .map((g) => ({
                        logGroupName: g,
                        creationTime: 1704067200000,
                        metricFilterCount: 0,
                        storedBytes: 0,
                        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g}:*`,
                        logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g}`,
                    }));
                return reply({ logGroups });
            }
            case "StartLiveTail":
                // Refused, so the CLI's fallback to polling FilterLogEvents is exercised. The SDK prefixes this
                // operation's host with "stream-" (endpoint trait), so with the stand-in's endpoint a default client
                // fails with getaddrinfo ENOTFOUND stream-127.0.0.1 (3 attempts, no request arrives). A client with
                // `disableHostPrefix: true`, or whose http.Agent uses `loopbackLookup`, reaches this answer.
                throw new ApiError(
                    400,
                    "UnknownOperationException",
                    "StartLiveTail is not supported by the stand-in",
                );
            default:
                throw new ApiError(
                    400,
                    "UnknownOperationException",
                    `Unknown operation ${operation}`,
                );
        }
    }

    // ---- ECR ----------------------------------------------------------------------------------------------------

    findRepository(name: unknown): StandInRepository {
        const repo =
            this.state.repositories.find((r) => r.repositoryName === name) ??
            (this.state.images.some((i) => i.repositoryName === name)
                ? { repositoryName: String(name) }
                : undefined);
        if (!repo) {
            throw new ApiError(
                400,
                "RepositoryNotFoundException",
                `The repository with name '${String(name)}' does not exist in the registry with id '${ACCOUNT}'`,
            );
        }
        return repo;
    }

    ecr(operation: string, body: Record<string, unknown>): Reply {
        const reply = (b: unknown): Reply => json(200, b, {}, JSON_TYPE);
        switch (operation) {
            case "DescribeRepositories": {
                const names = Array.isArray(body.repositoryNames)
                    ? (body.repositoryNames as string[])
                    : [
                          ...new Set([
                              ...this.state.repositories.map((r) => r.repositoryName),
                              ...this.state.images.map((i) => i.repositoryName),
                          ]),
                      ];
                const repositories = names
                    .map((n) => this.findRepository(n))
                    .map((r) => ({
                        repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${r.repositoryName}`,
                        registryId: ACCOUNT,
                        repositoryName: r.repositoryName,
                        repositoryUri: r.repositoryUri ?? repositoryUri(r.repositoryName),
                        createdAt: 1704067200,
                        imageTagMutability: "MUTABLE",
                    }));
                return reply({ repositories });
            }
            case "DescribeImages": {
                const repo = this.findRepository(body.repositoryName);
                let images = this.state.images.filter(
                    (i) => i.repositoryName === repo.repositoryName,
                );
                const tagStatus =
                    (body.filter as { tagStatus?: string } | undefined)?.tagStatus ?? "ANY";
                if (tagStatus === "TAGGED")
                    images = images.filter((i) => (i.imageTags ?? []).length > 0);
                if (tagStatus === "UNTAGGED")
                    images = images.filter((i) => (i.imageTags ?? []).length === 0);
                if (Array.isArray(body.imageIds)) {
                    images = (body.imageIds as { imageDigest?: string; imageTag?: string }[]).map(
                        (id) => {
                            const found = images.find(
                                (i) =>
                                    (!id.imageDigest || i.imageDigest === id.imageDigest) &&
                                    (!id.imageTag || (i.imageTags ?? []).includes(id.imageTag)),
                            );
                            if (!found) {
                                throw new ApiError(
                                    400,
                                    "ImageNotFoundException",
                                    `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', ` +
                                        `imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${repo.repositoryName}' ` +
                                        `in the registry with id '${ACCOUNT}'`,
                                );
                            }
                            return found;
                        },
                    );
                }
                const details = images.map((i) => ({
                    registryId: ACCOUNT,
                    repositoryName: i.repositoryName,
                    imageDigest: i.imageDigest,
                    ...((i.imageTags ?? []).length ? { imageTags: i.imageTags } : {}),
                    imageSizeInBytes: i.imageSizeInBytes,
                    imagePushedAt: i.imagePushedAt.getTime() / 1000,
                    imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
                    artifactMediaType: "application/vnd.oci.image.config.v1+json",
                }));
                const p = page(details, body.nextToken, this.state.pageSize, body.maxResults);
                return reply({
                    imageDetails: p.items,
                    ...(p.nextToken ? { nextToken: p.nextToken } : {}),
                });
            }
            case "GetLifecyclePolicy": {
                const repo = this.findRepository(body.repositoryName);
                if (repo.lifecyclePolicyText === undefined) {
                    throw new ApiError(
                        400,
                        "LifecyclePolicyNotFoundException",
                        `Lifecycle policy does not exist for the repository with name '${repo.repositoryName}' in the registry with id '${ACCOUNT}'`,
                    );
                }
                return reply({
                    registryId: ACCOUNT,
                    repositoryName: repo.repositoryName,
                    lifecyclePolicyText: repo.lifecyclePolicyText,
                });
            }
            default:
                throw new ApiError(
                    400,
                    "UnknownOperationException",
                    `Unknown operation ${operation}`,
                );
        }
    }
}

/** A dns.lookup for http.Agent({ lookup }): names ending in "127.0.0.1" (the SDK's "stream-127.0.0.1") are loopback. */
export const loopbackLookup = ((
    hostname: string,
    options: dns.LookupOptions,
    callback: (...args: unknown[]) => void,
): void => {
    if (!hostname.endsWith("127.0.0.1")) return dns.lookup(hostname, options, callback as never);
    if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
}) as unknown as typeof dns.lookup;

function lambdaOperation(method: string, pathname: string): string {
    if (method === "POST" && /^\/2015-03-31\/functions\/[^/]+\/invocations\/?$/.test(pathname))
        return "Invoke";
    if (method === "GET" && /^\/2015-03-31\/functions\/[^/]+\/configuration\/?$/.test(pathname))
        return "GetFunctionConfiguration";
    if (method === "GET" && /^\/2015-03-31\/functions\/[^/]+\/?$/.test(pathname))
        return "GetFunction";
    return `${method} ${pathname}`;
}

export async function startAwsStandIn(options: StandInOptions = {}): Promise<AwsStandIn> {
    const standIn = new StandIn(options);
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            standIn.handle(req, Buffer.concat(chunks)).then(
                (reply) => {
                    const body =
                        reply.body === undefined ? Buffer.alloc(0) : Buffer.from(reply.body);
                    res.writeHead(reply.status, {
                        "x-amzn-requestid": crypto.randomUUID(),
                        ...reply.headers,
                        "content-length": String(body.length),
                    });
                    res.end(body);
                },
                (e: unknown) => {
                    const body = JSON.stringify({
                        __type: "ServiceException",
                        message: `stand-in failure: ${String(e)}`,
                    });
                    res.writeHead(500, {
                        "content-type": "application/json",
                        "x-amzn-errortype": "ServiceException",
                    });
                    res.end(body);
                },
            );
        });
    });
    server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return {
        endpoint,
        env: {
            AWS_ENDPOINT_URL_LAMBDA: endpoint,
            AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
            AWS_ENDPOINT_URL_ECR: endpoint,
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            AWS_REGION: REGION,
            AWS_DEFAULT_REGION: REGION,
            AWS_EC2_METADATA_DISABLED: "true",
        },
        requests: standIn.requests,
        state: standIn.state,
        get faults() {
            return standIn.faults;
        },
        set faults(f) {
            standIn.faults = f;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}
