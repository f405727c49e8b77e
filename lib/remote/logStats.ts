/** `logs --stats`: what the REPORT lines (and error lines) of a window say about a function. */
import { LogEvent, isErrorEvent, parseReport, requestIdOf } from "./logFormat";

/** Below this fraction of the configured memory at the peak, `--stats` suggests a smaller memorySize. */
export const RIGHT_SIZE_FRACTION = 0.4;

export interface LogStats {
    /** REPORT lines: one per finished invocation. */
    readonly invocations: number;
    /**
     * Invocations with an error: distinct request ids among the error events (see `isErrorEvent`); an
     * error event without a request id counts on its own. A failed invocation that logged `[ERROR]` and
     * ended with `Status: error` counts once.
     */
    readonly errors: number;
    /** REPORT lines with an `Init Duration`. */
    readonly coldStarts: number;
    /** Nearest-rank percentiles of the REPORT lines' `Duration`, ms; undefined without REPORT lines. */
    readonly p50Ms?: number;
    readonly p95Ms?: number;
    readonly maxMs?: number;
    /** The highest `Max Memory Used` and `Memory Size`, MB. */
    readonly maxMemoryUsedMb?: number;
    readonly memorySizeMb?: number;
}

/** The nearest-rank percentile `p` (0-100] of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
    if (sorted.length === 0) return undefined;
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function logStats(events: Iterable<LogEvent>): LogStats {
    const durations: number[] = [];
    const failed = new Set<string>();
    let anonymousErrors = 0;
    let invocations = 0;
    let coldStarts = 0;
    let maxUsed: number | undefined;
    let size: number | undefined;
    for (const e of events) {
        const r = parseReport(e.message);
        if (r) {
            invocations++;
            durations.push(r.durationMs);
            if (r.initDurationMs !== undefined) coldStarts++;
            if (r.maxMemoryUsedMb !== undefined)
                maxUsed = Math.max(maxUsed ?? 0, r.maxMemoryUsedMb);
            if (r.memorySizeMb !== undefined) size = Math.max(size ?? 0, r.memorySizeMb);
        }
        if (isErrorEvent(e)) {
            const id = requestIdOf(e);
            if (id) failed.add(id);
            else anonymousErrors++;
        }
    }
    durations.sort((a, b) => a - b);
    return {
        invocations,
        errors: failed.size + anonymousErrors,
        coldStarts,
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
        maxMs: durations.at(-1),
        maxMemoryUsedMb: maxUsed,
        memorySizeMb: size,
    };
}

const ms = (n: number | undefined): string => (n === undefined ? "-" : `${n.toFixed(2)} ms`);

/** The stats as printed. */
export function formatLogStats(s: LogStats): string[] {
    const lines = [
        `invocations  ${s.invocations}`,
        `errors       ${s.errors}`,
        `cold starts  ${s.coldStarts}`,
        `duration     p50 ${ms(s.p50Ms)}  p95 ${ms(s.p95Ms)}  max ${ms(s.maxMs)}`,
    ];
    if (s.maxMemoryUsedMb !== undefined && s.memorySizeMb) {
        const share = s.maxMemoryUsedMb / s.memorySizeMb;
        lines.push(
            `memory       max ${s.maxMemoryUsedMb} MB used of ${s.memorySizeMb} MB (${Math.round(share * 100)}%)`,
        );
        if (share < RIGHT_SIZE_FRACTION)
            lines.push(
                `hint: memory use stayed below ${RIGHT_SIZE_FRACTION * 100}% of memorySize; a smaller memorySize may cost less (Lambda's CPU share scales with memory: compare the durations after a change).`,
            );
    }
    return lines;
}
