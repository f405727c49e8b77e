/**
 * `lambda-docker serve`: the manifest's HTTP routes on a local server, each request an API Gateway HTTP API
 * payload 2.0 event (httpApi.ts) for the function's warm container (warmContainer.ts), plus hand-fired
 * schedule and SQS events. See docs/design/serve.md.
 */
import * as crypto from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import type { Manifest } from "../../manifest";
import { ManifestBuildSettings } from "../../manifest/localBuild";
import { localEnvironment } from "../../manifest/queries";
import { InvokeResult } from "../invoke";
import { scheduledEvent, sqsBodies, sqsEvent } from "./events";
import {
    HttpResponse,
    RouteSpec,
    httpApiEvent,
    httpApiResponse,
    integrationFailure,
    notFound,
    routeTable,
} from "./httpApi";
import { functionTarget } from "./targets";
import { WarmFunction } from "./warmContainer";

/** Where the hand-fired events are POSTed: `<prefix>/schedule/<fn>`, `<prefix>/sqs/<fn>`. */
export const CONTROL_PREFIX = "/_lambda-docker";

export interface ServeOptions {
    readonly manifest: Manifest;
    readonly settings: Pick<
        ManifestBuildSettings,
        "buildArgs" | "architecture" | "region" | "environment" | "memorySize" | "env"
    >;
    /** Seconds, for functions that set none. @default 30 */
    readonly timeout?: number;
    /** Run this image instead of building (see `invoke --image`). @default undefined */
    readonly image?: string;
    /** @default "127.0.0.1" */
    readonly host?: string;
    /** 0 picks a free port. @default 3000 */
    readonly port?: number;
    /** Give the containers a network. @default false */
    readonly network?: boolean;
    /** Receives every output line (each function's logs prefixed with its name, and serve's notes). */
    readonly onOutput: (line: string) => void;
    /** Receives each image build output line. @default undefined */
    readonly onBuildOutput?: (line: string) => void;
}

export interface RouteLine {
    readonly method: string;
    readonly path: string;
    readonly target: string;
}

export interface Serving {
    /** `http://host:port`. */
    readonly url: string;
    /** The routes, then the control endpoints of the functions with schedules or queues. */
    readonly routes: readonly RouteLine[];
    /** Stops accepting requests and removes every container serve started. */
    close(): Promise<void>;
}

/** The manifest's HTTP routes. */
export function manifestRoutes(manifest: Manifest): RouteSpec[] {
    return Object.entries(manifest.functions).flatMap(([name, f]) =>
        f.events.flatMap((e) => ("http" in e ? [{ routeKey: e.http.route, target: name }] : [])),
    );
}

/** The route table as printed: `GET  http://127.0.0.1:3000/orders/{id}  → api`. */
export function formatRoutes(url: string, routes: readonly RouteLine[]): string[] {
    const width = Math.max(0, ...routes.map((r) => r.method.length));
    const paths = routes.map((r) => `${url}${r.path}`);
    const pathWidth = Math.max(0, ...paths.map((p) => p.length));
    return routes.map(
        (r, i) => `${r.method.padEnd(width)}  ${paths[i].padEnd(pathWidth)}  → ${r.target}`,
    );
}

function send(res: http.ServerResponse, r: HttpResponse): void {
    const headers: http.OutgoingHttpHeaders = { ...r.headers, "content-length": r.body.length };
    if (r.cookies.length > 0) headers["set-cookie"] = r.cookies;
    res.writeHead(r.statusCode, headers);
    res.end(r.body);
}

function json(status: number, body: unknown): HttpResponse {
    return {
        statusCode: status,
        headers: { "content-type": "application/json" },
        cookies: [],
        body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

/** Starts the server; resolves once it listens. */
export async function serve(o: ServeOptions): Promise<Serving> {
    const table = routeTable(manifestRoutes(o.manifest)); // throws on a bad or duplicate route key
    const functions = new Map<string, WarmFunction>();
    const builds = new Map<string, Promise<string>>();
    const warm = (name: string): WarmFunction => {
        let f = functions.get(name);
        if (!f) {
            const spec = o.manifest.functions[name];
            f = new WarmFunction({
                functionName: name,
                target: functionTarget({
                    manifest: o.manifest,
                    functionName: name,
                    settings: o.settings,
                    image: o.image,
                    builds,
                    note: (m) => o.onOutput(`lambda-docker serve: ${name}: ${m}`),
                    onBuildOutput: o.onBuildOutput,
                }),
                environment: localEnvironment(spec, o.settings.environment),
                timeout: spec.timeout ?? o.timeout,
                memorySize: spec.memorySize ?? o.settings.memorySize,
                region: o.settings.region,
                network: o.network,
                onLog: (line) => o.onOutput(`${name} | ${line}`),
                env: o.settings.env,
            });
            functions.set(name, f);
        }
        return f;
    };
    const invoke = async (name: string, event: unknown): Promise<InvokeResult | undefined> => {
        try {
            return await warm(name).invoke(event);
        } catch (e) {
            o.onOutput(`lambda-docker serve: ${name}: ${(e as Error).message}`);
            return undefined;
        }
    };

    const control = async (method: string, path: string, body: Buffer): Promise<HttpResponse> => {
        const m = /^\/(schedule|sqs)\/([^/]+)$/.exec(path.slice(CONTROL_PREFIX.length));
        const name = m ? decodeURIComponent(m[2]) : "";
        if (!m || !(name in o.manifest.functions)) return notFound();
        if (method !== "POST") return json(405, { message: "Method Not Allowed" });
        const spec = o.manifest.functions[name];
        const now = new Date();
        let event: unknown;
        if (m[1] === "schedule") {
            const schedule = spec.events.find((e) => "schedule" in e);
            event = scheduledEvent({
                input: schedule && "schedule" in schedule ? schedule.schedule.input : undefined,
                name: `${name}-schedule-0`,
                region: o.settings.region,
                id: crypto.randomUUID(),
                now,
            });
        } else {
            const bodies = sqsBodies(body.toString("utf8"));
            const queue = spec.events.find((e) => "sqs" in e);
            event = sqsEvent(bodies, {
                queue: queue && "sqs" in queue ? queue.sqs.queue : `${name}-queue`,
                region: o.settings.region,
                ids: bodies.map(() => crypto.randomUUID()),
                now,
            });
        }
        const out = await invoke(name, event);
        if (!out) return integrationFailure();
        return json(out.failed ? 500 : 200, out.payload);
    };

    const handle = async (req: http.IncomingMessage): Promise<HttpResponse> => {
        const url = req.url ?? "/";
        const q = url.indexOf("?");
        const path = q < 0 ? url : url.slice(0, q);
        const body = await readBody(req);
        if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`))
            return control(req.method ?? "GET", path, body);
        const match = table.match(req.method ?? "GET", path);
        if (!match) return notFound();
        const event = httpApiEvent(
            {
                method: req.method ?? "GET",
                path,
                rawQueryString: q < 0 ? "" : url.slice(q + 1),
                rawHeaders: req.rawHeaders,
                body,
                sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
                protocol: `HTTP/${req.httpVersion}`,
            },
            match,
            { requestId: crypto.randomUUID(), now: new Date() },
        );
        const out = await invoke(match.target, event);
        return !out || out.failed ? integrationFailure() : httpApiResponse(out.result);
    };

    const server = http.createServer((req, res) => {
        handle(req).then(
            (r) => send(res, r),
            (e: Error) => {
                o.onOutput(`lambda-docker serve: ${e.message}`);
                send(res, integrationFailure());
            },
        );
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(o.port ?? 3000, o.host ?? "127.0.0.1", () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    const routes: RouteLine[] = [
        ...manifestRoutes(o.manifest).map((r) => {
            const [method, path] =
                r.routeKey === "$default" ? ["ANY", "/*"] : r.routeKey.split(" ");
            return { method, path, target: r.target };
        }),
        ...Object.entries(o.manifest.functions).flatMap(([name, f]) =>
            (["schedule", "sqs"] as const)
                .filter((kind) => f.events.some((e) => kind in e))
                .map((kind) => ({
                    method: "POST",
                    path: `${CONTROL_PREFIX}/${kind}/${name}`,
                    target: name,
                })),
        ),
    ];
    return {
        url,
        routes,
        async close() {
            server.closeAllConnections();
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            await Promise.all([...functions.values()].map((f) => f.stop()));
            await closed;
        },
    };
}
