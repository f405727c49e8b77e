/** One settings merge and one event mapping for every composition: LambdaService and deployManifest. */
import * as pulumi from "@pulumi/pulumi";
import type { HttpApi } from "../api/httpApi";
import type { PolicyStatementArgs } from "../lambda/iam";
import type { FunctionEvent, SqsQueueEvent } from "../lambda/triggers";

/** A composed function's trigger as plain data: routes (`"GET /orders/{id}"`) go on the composition's one HttpApi. */
export interface ServiceEvent {
    /** `rate(...)` or `cron(...)`. @default undefined */
    readonly schedule?: string;
    /** With `schedule`: the event it sends (any JSON). @default undefined */
    readonly input?: any;
    /** With `schedule`: false creates it disabled. @default true */
    readonly enabled?: boolean;
    /** A route on the service's HttpApi, `"METHOD /path"`. @default undefined */
    readonly http?: string;
    /** An SQS queue. @default undefined */
    readonly sqs?: SqsQueueEvent;
}

/** Events as the function components take them; `api` creates the one HttpApi on the first route. */
export function functionEvents(
    events: readonly ServiceEvent[],
    api: () => HttpApi,
): FunctionEvent[] {
    return events.map(
        (e): FunctionEvent =>
            e.http !== undefined
                ? { ...e, http: { api: api(), route: e.http } }
                : { ...e, http: undefined },
    );
}

/** What every function of a composition gets unless it says otherwise. */
export interface ServiceDefaults {
    readonly memorySize?: number;
    readonly timeout?: number;
    readonly logRetentionDays?: number;
    readonly environment?: Record<string, pulumi.Input<string>>;
    readonly policyStatements?: readonly PolicyStatementArgs[];
}

/** What one function of a composition may say for itself. */
export interface FunctionOverridesLike {
    readonly memorySize?: number;
    readonly timeout?: number;
    readonly environment?: Record<string, pulumi.Input<string>>;
    readonly reservedConcurrentExecutions?: number;
    readonly policyStatements?: readonly PolicyStatementArgs[];
    readonly description?: string;
}

/** A function's settings: its own, else the composition's; environments merge (the function's win), statements add up. */
export function mergeFunctionSettings(defaults: ServiceDefaults, fn: FunctionOverridesLike) {
    return {
        memorySize: fn.memorySize ?? defaults.memorySize,
        timeout: fn.timeout ?? defaults.timeout,
        logRetentionDays: defaults.logRetentionDays,
        environment: { ...(defaults.environment ?? {}), ...(fn.environment ?? {}) },
        reservedConcurrentExecutions: fn.reservedConcurrentExecutions,
        description: fn.description,
        policyStatements: [...(defaults.policyStatements ?? []), ...(fn.policyStatements ?? [])],
    };
}
