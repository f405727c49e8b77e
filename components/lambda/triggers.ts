/**
 * A function's triggers (HTTP routes, schedules, SQS), each a child of its function with least
 * privilege; the choices are in docs/design/components.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    Route,
    parseRoute,
    validateSqsBatching,
    validateScheduleExpression,
} from "../../lib/lambda/events";
import type { HttpApi } from "../api/httpApi";
import * as v from "../../lib/validation";
import { checkTriggerNames, routeSlugs } from "../../lib/lambda/names";

/** An HTTP route of a function on an HttpApi. */
export interface HttpRouteEvent {
    /** The service's HttpApi, or the id of an existing HTTP API (its execution ARN is derived from the id). */
    readonly api: HttpApi | pulumi.Input<string>;
    /** `"METHOD /path"` (`GET /orders/{id}`, `ANY /{proxy+}`) or `"$default"`. */
    readonly route: string;
}

/** An SQS queue that triggers a function. */
export interface SqsQueueEvent {
    readonly queueArn: pulumi.Input<string>;
    /** Messages per invocation, 1-10000. @default 10 */
    readonly batchSize?: number;
    /** @default true */
    readonly enabled?: boolean;
    /** Seconds to gather a batch, 0-300; at least 1 when `batchSize` is over 10. @default undefined (0) */
    readonly maximumBatchingWindowInSeconds?: number;
}

/**
 * A trigger of a function: exactly one of `schedule`, `http` and `sqs`. A schedule's options sit next
 * to it: `{ schedule: "cron(0 6 * * ? *)", input: { full: true }, enabled: false }`.
 */
export interface FunctionEvent {
    /** An EventBridge Scheduler expression: `rate(15 minutes)` or `cron(0 12 * * ? *)`. @default undefined */
    readonly schedule?: string;
    /** With `schedule`: the event the schedule sends (any JSON). @default undefined (Scheduler's empty event) */
    readonly input?: any;
    /** With `schedule`: false creates it disabled. @default true */
    readonly enabled?: boolean;
    /** A route on an HttpApi. @default undefined */
    readonly http?: HttpRouteEvent;
    /** An SQS queue. @default undefined */
    readonly sqs?: SqsQueueEvent;
}

export type ResolvedEvent =
    | {
          readonly kind: "schedule";
          readonly expression: string;
          readonly enabled: boolean;
          readonly input?: unknown;
      }
    | { readonly kind: "http"; readonly api: HttpApi | pulumi.Input<string>; readonly route: Route }
    | {
          readonly kind: "sqs";
          readonly queueArn: pulumi.Input<string>;
          readonly batchSize: number;
          readonly enabled: boolean;
          readonly window?: number;
      };

const KINDS = ["schedule", "http", "sqs"] as const;
const EVENT_ALLOWED =
    'one trigger: `{ schedule: "rate(...)", input?, enabled? }`, `{ http: { api, route } }` or `{ sqs: { queueArn, batchSize? } }`';

function isHttpApi(value: unknown): value is HttpApi {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as HttpApi).claimRoute === "function" &&
        pulumi.ComponentResource.isInstance(value as pulumi.Resource)
    );
}

/** Validates `events` and claims their routes for `functionName`; throws before anything is created. */
export function validateEvents(functionName: string, events: unknown): ResolvedEvent[] {
    if (events === undefined) return [];
    if (!Array.isArray(events)) v.fail("events", "a list of triggers", events);
    const resolved = events.map((event: unknown, i): ResolvedEvent => {
        const key = `events[${i}]`;
        if (typeof event !== "object" || event === null) v.fail(key, EVENT_ALLOWED, event);
        const e = event as Record<string, unknown>;
        const kinds = Object.keys(e).filter((k) => e[k] !== undefined);
        const kind = kinds.filter((k) => (KINDS as readonly string[]).includes(k));
        const extra = kinds.filter(
            (k) =>
                !(KINDS as readonly string[]).includes(k) &&
                !(kind[0] === "schedule" && (k === "input" || k === "enabled")),
        );
        if (kind.length !== 1 || extra.length > 0) v.fail(key, EVENT_ALLOWED, kinds);
        if (e.schedule !== undefined) {
            const expression = validateScheduleExpression(`${key}.schedule`, e.schedule);
            const enabled = e.enabled === undefined ? true : v.boolean(`${key}.enabled`, e.enabled);
            return {
                kind: "schedule",
                expression,
                enabled,
                ...(e.input === undefined ? {} : { input: e.input }),
            };
        }
        if (e.http !== undefined) {
            const h = e.http as { api?: unknown; route?: unknown };
            const route = parseRoute(`${key}.http.route`, h.route);
            const api = h.api;
            if (
                !isHttpApi(api) &&
                !(typeof api === "string" && /^[a-z0-9]{10}$/.test(api)) &&
                !pulumi.Output.isInstance(api) &&
                !(api instanceof Promise)
            ) {
                v.fail(
                    `${key}.http.api`,
                    'an HttpApi (`new HttpApi("api", { stage })`) or an HTTP API id: every http event names the API it is routed on',
                    api === undefined ? undefined : typeof api === "string" ? api : typeof api,
                );
            }
            return { kind: "http", api: api as HttpApi | pulumi.Input<string>, route };
        }
        const q = e.sqs as {
            queueArn?: unknown;
            batchSize?: unknown;
            enabled?: unknown;
            maximumBatchingWindowInSeconds?: unknown;
        };
        if (q.queueArn === undefined || q.queueArn === null || q.queueArn === "")
            v.fail(
                `${key}.sqs.queueArn`,
                "the ARN of an SQS queue (a string or an output)",
                q.queueArn,
            );
        const { batchSize, window } = validateSqsBatching(`${key}.sqs`, {
            batchSize: q.batchSize,
            window: q.maximumBatchingWindowInSeconds,
            windowKey: "maximumBatchingWindowInSeconds",
            fifo: typeof q.queueArn === "string" && q.queueArn.endsWith(".fifo"),
        });
        return {
            kind: "sqs",
            queueArn: q.queueArn as pulumi.Input<string>,
            batchSize,
            enabled: q.enabled === undefined ? true : v.boolean(`${key}.sqs.enabled`, q.enabled),
            window,
        };
    });
    const schedules = resolved
        .filter((e) => e.kind === "schedule")
        .map((e) => (e as { expression: string }).expression);
    const twice = schedules.find((s, i) => schedules.indexOf(s) !== i);
    if (twice !== undefined)
        v.fail(
            "events",
            "distinct schedules (the same expression twice would invoke the function twice)",
            twice,
        );
    // Claim routes only once every event is valid, so a refused function leaves no claim behind.
    const http = resolved.flatMap((e, i) => (e.kind === "http" ? [{ e, i }] : []));
    for (const { e, i } of http) {
        const owner = isHttpApi(e.api) ? e.api.routeOwner(e.route.routeKey) : undefined;
        const again = http.find(
            (o) => o.i < i && o.e.api === e.api && o.e.route.routeKey === e.route.routeKey,
        );
        if (owner !== undefined || again !== undefined) {
            v.fail(
                `events[${i}].http.route`,
                `a route no other function of this HttpApi has (function "${owner ?? functionName}" already has ${JSON.stringify(e.route.routeKey)})`,
                e.route.routeKey,
            );
        }
    }
    checkTriggerNames(functionName, resolved);
    for (const { e, i } of http)
        if (isHttpApi(e.api))
            e.api.claimRoute(e.route.routeKey, functionName, `events[${i}].http.route`);
    return resolved;
}

/** The execute-api source ARN suffix of a route: `*\/GET/orders/*` (any stage, path parameters as `*`). */
export function routeSourceArnSuffix(route: Route): string {
    if (route.method === "$default") return "*/$default";
    const method = route.method === "ANY" ? "*" : route.method;
    const path = (route.path ?? "/").replace(/\{[^}]+\}/g, "*");
    return `*/${method}${path}`;
}

export interface TriggerTarget {
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly fn: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly tags?: Record<string, pulumi.Input<string>>;
}

/** Creates the triggers' resources, children of `target.parent`. */
export function createTriggers(
    target: TriggerTarget,
    events: readonly ResolvedEvent[],
): pulumi.Resource[] {
    const { name, parent, fn, role, tags } = target;
    const created: pulumi.Resource[] = [];
    const opts = { parent };

    const integrations = new Map<HttpApi | pulumi.Input<string>, aws.apigatewayv2.Integration>();
    const apiId = (api: HttpApi | pulumi.Input<string>): pulumi.Input<string> =>
        isHttpApi(api) ? api.apiId : api;
    const executionArn = (api: HttpApi | pulumi.Input<string>): pulumi.Input<string> => {
        if (isHttpApi(api)) return api.executionArn;
        const region = aws.getRegionOutput({}, opts).name;
        const identity = aws.getCallerIdentityOutput({}, opts);
        return pulumi.interpolate`arn:${aws.getPartitionOutput({}, opts).partition}:execute-api:${region}:${identity.accountId}:${api}`;
    };
    const httpEvents = events.filter(
        (e): e is Extract<ResolvedEvent, { kind: "http" }> => e.kind === "http",
    );
    const slugs = routeSlugs(httpEvents.map((e) => e.route));
    httpEvents.forEach((e, i) => {
        let integration = integrations.get(e.api);
        if (!integration) {
            const suffix = integrations.size === 0 ? "" : `-${integrations.size + 1}`;
            integration = new aws.apigatewayv2.Integration(
                `${name}-integration${suffix}`,
                {
                    apiId: apiId(e.api),
                    integrationType: "AWS_PROXY",
                    integrationMethod: "POST",
                    integrationUri: fn.invokeArn,
                    payloadFormatVersion: "2.0",
                },
                opts,
            );
            integrations.set(e.api, integration);
            created.push(integration);
        }
        const slug = slugs[i];
        created.push(
            new aws.apigatewayv2.Route(
                `${name}-route-${slug}`,
                {
                    apiId: apiId(e.api),
                    routeKey: e.route.routeKey,
                    target: pulumi.interpolate`integrations/${integration.id}`,
                },
                opts,
            ),
        );
        created.push(
            new aws.lambda.Permission(
                `${name}-invoke-${slug}`,
                {
                    action: "lambda:InvokeFunction",
                    function: fn.name,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: pulumi.interpolate`${executionArn(e.api)}/${routeSourceArnSuffix(e.route)}`,
                },
                opts,
            ),
        );
    });

    const schedules = events.filter(
        (e): e is Extract<ResolvedEvent, { kind: "schedule" }> => e.kind === "schedule",
    );
    if (schedules.length > 0) {
        const account = aws.getCallerIdentityOutput({}, opts).accountId;
        const schedulerRole = new aws.iam.Role(
            `${name}-scheduler`,
            {
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "scheduler.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": account } },
                        },
                    ],
                }),
                tags,
            },
            opts,
        );
        const invoke = new aws.iam.RolePolicy(
            `${name}-scheduler-invoke`,
            {
                role: schedulerRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["lambda:InvokeFunction"],
                            Resource: [fn.arn, pulumi.interpolate`${fn.arn}:*`],
                        },
                    ],
                }),
            },
            opts,
        );
        created.push(schedulerRole, invoke);
        schedules.forEach((s, i) => {
            created.push(
                new aws.scheduler.Schedule(
                    `${name}-schedule-${i}`,
                    {
                        scheduleExpression: s.expression,
                        state: s.enabled ? "ENABLED" : "DISABLED",
                        flexibleTimeWindow: { mode: "OFF" },
                        target: {
                            arn: fn.arn,
                            roleArn: schedulerRole.arn,
                            input: s.input === undefined ? undefined : JSON.stringify(s.input),
                        },
                    },
                    { parent, dependsOn: [invoke] },
                ),
            );
        });
    }

    events
        .filter((e): e is Extract<ResolvedEvent, { kind: "sqs" }> => e.kind === "sqs")
        .forEach((q, i) => {
            const grant = new aws.iam.RolePolicy(
                `${name}-sqs-${i}`,
                {
                    role: role.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: [
                                    "sqs:ReceiveMessage",
                                    "sqs:DeleteMessage",
                                    "sqs:GetQueueAttributes",
                                ],
                                Resource: [q.queueArn],
                            },
                        ],
                    }),
                },
                opts,
            );
            created.push(
                grant,
                new aws.lambda.EventSourceMapping(
                    `${name}-sqs-${i}`,
                    {
                        eventSourceArn: q.queueArn,
                        functionName: fn.arn,
                        batchSize: q.batchSize,
                        enabled: q.enabled,
                        maximumBatchingWindowInSeconds: q.window,
                    },
                    { parent, dependsOn: [grant] },
                ),
            );
        });
    return created;
}
