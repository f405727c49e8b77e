/**
 * A function's CloudWatch Logs: a window of events (FilterLogEvents, every page), and following it
 * (StartLiveTail, else polling FilterLogEvents).
 */
import {
    CloudWatchLogsClient,
    DescribeLogGroupsCommand,
    FilterLogEventsCommand,
    StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { setTimeout as sleep } from "timers/promises";
import type { LogEvent } from "./logFormat";

/** The log group Lambda writes a function's logs to. */
export const logGroupOf = (functionName: string): string => `/aws/lambda/${functionName}`;

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** `--since`: a duration back from `now` (30s, 10m, 1h, 2d, 1w) or an ISO 8601 time; epoch ms. */
export function parseSince(value: string, now: number = Date.now()): number {
    const d = /^(\d+)([smhdw])$/.exec(value.trim());
    if (d) return now - Number(d[1]) * UNITS[d[2]];
    const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(t))
        throw new Error(
            `\`--since\` must be a duration (30s, 10m, 1h, 2d, 1w) or an ISO time (2024-05-01T12:00:00Z); got ${JSON.stringify(value)}`,
        );
    return t;
}

export interface FilterOptions {
    readonly group: string;
    /** Epoch ms, inclusive. */
    readonly start: number;
    readonly end?: number;
    /** A CloudWatch Logs filter pattern. @default undefined (every event) */
    readonly filter?: string;
    readonly signal?: AbortSignal;
}

/** Every event in the window, a page at a time: FilterLogEvents is followed through each nextToken. */
export async function* filterLogEvents(
    client: CloudWatchLogsClient,
    o: FilterOptions,
): AsyncGenerator<LogEvent[]> {
    let nextToken: string | undefined;
    do {
        const out = await client.send(
            new FilterLogEventsCommand({
                logGroupName: o.group,
                startTime: o.start,
                endTime: o.end,
                filterPattern: o.filter,
                nextToken,
            }),
            { abortSignal: o.signal },
        );
        yield (out.events ?? []).map((e) => ({
            timestamp: e.timestamp ?? 0,
            message: e.message ?? "",
            logStreamName: e.logStreamName,
            eventId: e.eventId,
        }));
        nextToken = out.nextToken;
    } while (nextToken);
}

/** Every event in the window. */
export async function collectLogEvents(
    client: CloudWatchLogsClient,
    o: FilterOptions,
): Promise<LogEvent[]> {
    const all: LogEvent[] = [];
    for await (const page of filterLogEvents(client, o)) all.push(...page);
    return all;
}

/** How far back each poll looks again: events arrive in CloudWatch Logs a few seconds after their timestamp. */
export const POLL_LOOKBACK_MS = 10_000;

export interface FollowOptions extends FilterOptions {
    /** Between polls. @default 1000 */
    readonly pollIntervalMs?: number;
    /** A client for StartLiveTail; without one, polling only. @default undefined */
    readonly liveTail?: CloudWatchLogsClient;
    readonly onEvent: (e: LogEvent) => void;
    /** Why it polls (live tail refused). */
    readonly onNotice?: (message: string) => void;
}

const aborted = (e: unknown, signal?: AbortSignal): boolean =>
    signal?.aborted === true || (e as Error)?.name === "AbortError";

/**
 * Prints the window, then what arrives, until `signal` aborts (then resolves, leaving no timer or
 * request behind). Polling dedupes by eventId over a look-back, so late events still print once.
 */
export async function followLogs(client: CloudWatchLogsClient, o: FollowOptions): Promise<void> {
    const seen = new Map<string, number>();
    let cursor = o.start;
    const emit = (e: LogEvent): void => {
        const id = e.eventId ?? `${e.timestamp}:${e.logStreamName ?? ""}:${e.message}`;
        if (seen.has(id)) return;
        seen.set(id, e.timestamp);
        cursor = Math.max(cursor, e.timestamp);
        o.onEvent(e);
    };
    const poll = async (): Promise<void> => {
        const from = Math.max(o.start, cursor - POLL_LOOKBACK_MS);
        for await (const page of filterLogEvents(client, { ...o, start: from, end: undefined }))
            page.forEach(emit);
        for (const [id, ts] of seen) if (ts < from) seen.delete(id);
    };
    try {
        await poll();
        if (o.liveTail) {
            try {
                await liveTail(client, o.liveTail, o, (e) => {
                    cursor = Math.max(cursor, e.timestamp);
                    o.onEvent(e);
                });
            } catch (e) {
                if (aborted(e, o.signal)) return;
                o.onNotice?.(
                    `live tail unavailable (${(e as Error).name}: ${(e as Error).message}); polling every ${(o.pollIntervalMs ?? 1000) / 1000} s`,
                );
            }
        }
        while (!o.signal?.aborted) {
            await sleep(o.pollIntervalMs ?? 1000, undefined, { signal: o.signal });
            await poll();
        }
    } catch (e) {
        if (aborted(e, o.signal)) return;
        throw e;
    }
}

/** StartLiveTail on the group until the session ends or `signal` aborts; throws when refused. */
async function liveTail(
    logs: CloudWatchLogsClient,
    tail: CloudWatchLogsClient,
    o: FollowOptions,
    onEvent: (e: LogEvent) => void,
): Promise<void> {
    // StartLiveTail wants the group's ARN (without the ":*" that DescribeLogGroups' `arn` has).
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: o.group }), {
        abortSignal: o.signal,
    });
    const group = groups.logGroups?.find((g) => g.logGroupName === o.group);
    const arn = group?.logGroupArn ?? group?.arn?.replace(/:\*$/, "");
    if (!arn) throw new Error(`no log group ${o.group}`);
    const out = await tail.send(
        new StartLiveTailCommand({
            logGroupIdentifiers: [arn],
            ...(o.filter ? { logEventFilterPattern: o.filter } : {}),
        }),
        { abortSignal: o.signal },
    );
    for await (const item of out.responseStream ?? []) {
        for (const r of item.sessionUpdate?.sessionResults ?? [])
            onEvent({
                timestamp: r.timestamp ?? 0,
                message: r.message ?? "",
                logStreamName: r.logStreamName,
            });
        if (o.signal?.aborted) return;
    }
}
