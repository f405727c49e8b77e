/** Function events: schedule, httpApi, http and sqs. */
import { HTTP_METHODS } from "../../lambda/rules";
import { Converter, isPlaceholder, show } from "./converter";
import { Cursor } from "./variables";

export function convertEvents(cv: Converter, list: Cursor, base: string, key: string): unknown[] {
    const out: unknown[] = [];
    if (!["seq", "missing"].includes(cv.r.kind(list))) {
        cv.line(
            `${base}.events`,
            "not converted",
            `${cv.describe(list)} is not a list of events the importer can read`,
        );
        return out;
    }
    const n = cv.r.length(list);
    for (let i = 0; i < n; i++) {
        const e = cv.r.child(list, i);
        const kinds = cv.r.keys(e);
        const kind = kinds[0];
        const item = `${base}.events[${i}]${kind === undefined ? "" : `.${kind}`}`;
        if (kinds.length !== 1) {
            cv.line(
                item,
                "not converted",
                `${cv.describe(e)} is not an event the importer can read`,
            );
            continue;
        }
        const c = cv.r.child(e, kind);
        const converted =
            kind === "schedule"
                ? scheduleEvent(cv, c, item, key, out.length)
                : kind === "httpApi"
                  ? httpApiEvent(cv, c, item, key, out.length)
                  : kind === "http"
                    ? httpEvent(cv, c, item, key, out.length)
                    : kind === "sqs"
                      ? sqsEvent(cv, c, item, key, out.length)
                      : (cv.line(
                            item,
                            "not converted",
                            `the manifest has no ${kind} events (only schedule, http and sqs); add the trigger in your Pulumi program`,
                        ),
                        []);
        out.push(...converted);
    }
    return out;
}

export function unknownKeys(
    cv: Converter,
    c: Cursor,
    item: string,
    allowed: string[],
    ignored: Record<string, string>,
): string[] | undefined {
    const keys = cv.r.keys(c);
    const refused = keys.filter((k) => !allowed.includes(k) && ignored[k] === undefined);
    if (refused.length > 0) {
        cv.line(
            item,
            "not converted",
            `${refused.join(", ")} cannot be expressed in the manifest, and dropping it would change what the function receives or who may call it`,
        );
        return undefined;
    }
    return keys.filter((k) => ignored[k] !== undefined);
}

export function scheduleEvent(
    cv: Converter,
    c: Cursor,
    item: string,
    key: string,
    index: number,
): unknown[] {
    if (cv.r.kind(c) !== "map") {
        const expression = cv.takeString(c, item, `${key}.events[${index}].schedule`);
        if (expression === undefined)
            return (
                cv.line(item, "not converted", `${cv.describe(c)} is not a schedule expression`),
                []
            );
        if (!isPlaceholder(expression))
            cv.line(item, "converted", `→ ${key}.events[${index}]: schedule ${expression}`);
        return [{ schedule: expression }];
    }
    const ignored = unknownKeys(cv, c, item, ["rate", "enabled", "input"], {
        name: "the rule is named by Pulumi",
        description: "no manifest equivalent",
        method: "lambda-docker schedules with an EventBridge rule",
    });
    if (ignored === undefined) return [];
    const rate = cv.r.child(c, "rate");
    const rates: Cursor[] =
        cv.r.kind(rate) === "seq"
            ? Array.from({ length: cv.r.length(rate) }, (_, i) => cv.r.child(rate, i))
            : [rate];
    const enabledCursor = cv.r.child(c, "enabled");
    const enabled =
        cv.r.kind(enabledCursor) === "missing"
            ? true
            : cv.take(enabledCursor, `${item}.enabled`, undefined);
    const inputCursor = cv.r.child(c, "input");
    const out: unknown[] = [];
    const expressions: string[] = [];
    for (const r of rates) {
        const k = `${key}.events[${index + out.length}].schedule`;
        const expression = cv.takeString(r, item, `${k}.expression`);
        if (expression === undefined) continue;
        const schedule: Record<string, unknown> = { expression };
        if (enabled !== true) schedule.enabled = enabled;
        if (cv.r.kind(inputCursor) !== "missing")
            schedule.input = cv.take(inputCursor, `${item}.input`, `${k}.input`);
        out.push(Object.keys(schedule).length === 1 ? { schedule: expression } : { schedule });
        expressions.push(expression);
    }
    if (out.length === 0) {
        cv.line(item, "not converted", "it has no rate");
        return [];
    }
    const targets = out.map((_, j) => `${key}.events[${index + j}]`).join(", ");
    const extras = `${enabled === false ? " (disabled)" : ""}${cv.r.kind(inputCursor) !== "missing" ? " with its input" : ""}`;
    cv.line(item, "converted", `→ ${targets}: schedule ${expressions.join(", ")}${extras}`);
    for (const k of ignored)
        cv.line(
            `${item}.${k}`,
            "not converted",
            k === "name"
                ? "the rule is named by Pulumi"
                : k === "method"
                  ? "lambda-docker schedules with an EventBridge rule"
                  : "no manifest equivalent",
        );
    return out;
}

export function routeKeyOf(method: string, routePath: string): string {
    const m = method.toUpperCase() === "*" ? "ANY" : method.toUpperCase();
    const p = `/${routePath.replace(/^\/+/, "")}`;
    return `${m} ${p}`;
}

export function httpApiEvent(
    cv: Converter,
    c: Cursor,
    item: string,
    key: string,
    index: number,
): unknown[] {
    let method: string | undefined;
    let routePath: string | undefined;
    if (cv.r.kind(c) === "map") {
        if (cv.r.kind(cv.r.child(c, "authorizer")) !== "missing") {
            cv.line(
                item,
                "not converted",
                "it has an authorizer, which the manifest cannot express: without it the route would be public; add the route with its authorizer in your Pulumi program",
            );
            return [];
        }
        if (unknownKeys(cv, c, item, ["method", "path"], {}) === undefined) return [];
        method = cv.takeString(cv.r.child(c, "method"), `${item}.method`, undefined);
        routePath = cv.takeString(cv.r.child(c, "path"), `${item}.path`, undefined);
    } else {
        const s = cv.takeString(c, item, undefined) ?? "";
        if (s.trim() === "*") routePath = "*";
        else {
            const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(s);
            if (m) [, method, routePath] = m;
            else
                return (
                    cv.line(item, "not converted", `${show(s)} is not "METHOD /path" or "*"`),
                    []
                );
        }
    }
    let route: string;
    if (routePath === "*" && (method === undefined || method === "*")) route = "$default";
    else if (
        method === undefined ||
        routePath === undefined ||
        isPlaceholder(method) ||
        isPlaceholder(routePath)
    ) {
        cv.line(item, "not converted", "its method and path could not both be read");
        return [];
    } else route = routeKeyOf(method, routePath);
    if (
        route !== "$default" &&
        !(HTTP_METHODS as readonly string[]).includes(route.split(" ")[0])
    ) {
        cv.line(
            item,
            "not converted",
            `${show(method)} is not an HTTP API method (${HTTP_METHODS.join(", ")}, or *)`,
        );
        return [];
    }
    cv.line(item, "converted", `→ ${key}.events[${index}]: http ${route}`);
    return [{ http: route }];
}

export function httpEvent(
    cv: Converter,
    c: Cursor,
    item: string,
    key: string,
    index: number,
): unknown[] {
    let method: string | undefined;
    let routePath: string | undefined;
    const notKept: string[] = [];
    if (cv.r.kind(c) === "map") {
        for (const k of ["authorizer", "private"]) {
            const v2 = cv.r.child(c, k);
            if (cv.r.kind(v2) !== "missing" && cv.r.value(v2).value !== false) {
                cv.line(
                    item,
                    "not converted",
                    `it has ${k === "private" ? "private: true (an API key)" : "an authorizer"}, which the manifest cannot express: without it the route would be public; add the route with its ${k === "private" ? "API key" : "authorizer"} in your Pulumi program`,
                );
                return [];
            }
        }
        const integration = cv.r.value(cv.r.child(c, "integration")).value;
        if (
            integration !== undefined &&
            !["lambda-proxy", "aws_proxy", "AWS_PROXY"].includes(String(integration))
        ) {
            cv.line(
                item,
                "not converted",
                `integration ${show(integration)} (request/response templates) is not a proxy integration, the only kind an HTTP API route has`,
            );
            return [];
        }
        const ignored = unknownKeys(
            cv,
            c,
            item,
            ["method", "path", "integration", "authorizer", "private"],
            {
                cors: "CORS is configured on the API, in your Pulumi program",
                operationId: "documentation only",
                summary: "documentation only",
                description: "documentation only",
            },
        );
        if (ignored === undefined) return [];
        notKept.push(...ignored);
        method = cv.takeString(cv.r.child(c, "method"), `${item}.method`, undefined);
        routePath = cv.takeString(cv.r.child(c, "path"), `${item}.path`, undefined) ?? "";
    } else {
        const s = cv.takeString(c, item, undefined) ?? "";
        const m = /^\s*(\S+)\s+(\S*)\s*$/.exec(s);
        if (!m) return (cv.line(item, "not converted", `${show(s)} is not "METHOD path"`), []);
        [, method, routePath] = m;
    }
    if (method === undefined || isPlaceholder(method) || isPlaceholder(routePath ?? "")) {
        cv.line(item, "not converted", "its method and path could not both be read");
        return [];
    }
    const route = routeKeyOf(method, routePath ?? "");
    if (!(HTTP_METHODS as readonly string[]).includes(route.split(" ")[0])) {
        cv.line(
            item,
            "not converted",
            `${show(method)} is not an HTTP method (${HTTP_METHODS.join(", ")})`,
        );
        return [];
    }
    cv.line(
        item,
        "converted",
        `→ ${key}.events[${index}]: http ${route}: a REST API (v1) endpoint becomes an HTTP API route, with a new URL and payload format 2.0 (requestContext.http.method, rawPath, …); check the handler reads it`,
    );
    for (const k of notKept) {
        cv.line(
            `${item}.${k}`,
            "not converted",
            k === "cors"
                ? "CORS is configured on the API, in your Pulumi program"
                : "documentation only",
        );
    }
    return [{ http: route }];
}

export function sqsEvent(
    cv: Converter,
    c: Cursor,
    item: string,
    key: string,
    index: number,
): unknown[] {
    const k = `${key}.events[${index}].sqs`;
    if (cv.r.kind(c) !== "map") {
        const queue = cv.take(c, item, k);
        cv.line(
            item,
            isPlaceholder(queue) ? "placeholder" : "converted",
            `→ ${key}.events[${index}]: sqs ${isPlaceholder(queue) ? "(queue is a placeholder)" : String(queue)}`,
        );
        return [{ sqs: queue }];
    }
    const ignored = unknownKeys(cv, c, item, ["arn", "batchSize", "enabled"], {
        maximumBatchingWindow: "the manifest has no batching window",
        maximumConcurrency: "the manifest has no maximum concurrency",
    });
    if (ignored === undefined) return [];
    const queue = cv.take(cv.r.child(c, "arn"), `${item}.arn`, `${k}.queue`);
    const sqs: Record<string, unknown> = { queue };
    const batch = cv.r.child(c, "batchSize");
    if (cv.r.kind(batch) !== "missing")
        sqs.batchSize = cv.take(batch, `${item}.batchSize`, `${k}.batchSize`);
    const enabled = cv.r.child(c, "enabled");
    if (cv.r.kind(enabled) !== "missing")
        sqs.enabled = cv.take(enabled, `${item}.enabled`, `${k}.enabled`);
    const detail = `${isPlaceholder(queue) ? "(queue is a placeholder)" : String(queue)}${sqs.batchSize !== undefined ? `, batch size ${sqs.batchSize}` : ""}${sqs.enabled === false ? " (disabled)" : ""}`;
    cv.line(
        item,
        isPlaceholder(queue) ? "placeholder" : "converted",
        `→ ${key}.events[${index}]: sqs ${detail}`,
    );
    for (const x of ignored)
        cv.line(
            `${item}.${x}`,
            "not converted",
            x === "maximumBatchingWindow"
                ? "the manifest has no batching window"
                : "the manifest has no maximum concurrency",
        );
    return [Object.keys(sqs).length === 1 ? { sqs: queue } : { sqs }];
}
