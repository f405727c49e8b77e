/**
 * Reading a Lambda log group's events: Lambda's JSON log format (`{"timestamp","level","message","logger",
 * "requestId"}`), the Python runtime's text format (`[LEVEL]\t<time>\t<requestId>\t<message>`) and the
 * platform's START / END / REPORT lines, each printed as `<time> <LEVEL> <requestId> <message>`.
 */

export interface LogEvent {
    readonly timestamp: number;
    readonly message: string;
    readonly logStreamName?: string;
    readonly eventId?: string;
}

/** What a REPORT line says (durations ms, memory MB). */
export interface ReportLine {
    readonly requestId: string;
    readonly durationMs: number;
    readonly billedMs?: number;
    readonly memorySizeMb?: number;
    readonly maxMemoryUsedMb?: number;
    readonly initDurationMs?: number;
    /** `Status: error` / `timeout` (newer runtimes and the JSON platform format add it). */
    readonly status?: string;
}

const field = (line: string, name: string): string | undefined =>
    new RegExp(`${name}:\\s*([^\\t]+?)\\s*(?:\\t|$)`).exec(line)?.[1];
const number = (s: string | undefined): number | undefined => {
    const n = s === undefined ? NaN : parseFloat(s);
    return Number.isFinite(n) ? n : undefined;
};

/** A text REPORT line's fields, or undefined. */
export function parseReport(message: string): ReportLine | undefined {
    const line = message.trimEnd();
    if (!line.startsWith("REPORT RequestId:")) return undefined;
    const durationMs = number(field(line, "Duration"));
    if (durationMs === undefined) return undefined;
    return {
        requestId: field(line, "RequestId") ?? "",
        durationMs,
        billedMs: number(field(line, "Billed Duration")),
        memorySizeMb: number(field(line, "Memory Size")),
        maxMemoryUsedMb: number(field(line, "Max Memory Used")),
        initDurationMs: number(field(line, "Init Duration")),
        status: field(line, "Status"),
    };
}

interface Parsed {
    time: string;
    level?: string;
    requestId?: string;
    text: string;
}

function parse(e: LogEvent): Parsed {
    const time = new Date(e.timestamp).toISOString();
    const line = e.message.replace(/\n+$/, "");
    if (line.startsWith("{")) {
        try {
            const j = JSON.parse(line) as Record<string, unknown>;
            if (typeof j.level === "string" && "message" in j) {
                const msg = typeof j.message === "string" ? j.message : JSON.stringify(j.message);
                return {
                    time: typeof j.timestamp === "string" ? j.timestamp : time,
                    level: j.level.toUpperCase(),
                    requestId: typeof j.requestId === "string" ? j.requestId : undefined,
                    text: msg,
                };
            }
        } catch {
            // not JSON after all: printed as text
        }
    }
    const text = /^\[([A-Z]+)\]\t([^\t]+)\t([^\t]*)\t([\s\S]*)$/.exec(line);
    if (text)
        return {
            time: text[2],
            level: text[1],
            requestId: text[3] || undefined,
            text: text[4],
        };
    const platform = /^(START|END|REPORT) RequestId: (\S+)\s*([\s\S]*)$/.exec(line);
    if (platform)
        return {
            time,
            level: platform[1],
            requestId: platform[2],
            text: platform[3].replace(/\t+/g, "  ").trim(),
        };
    // "2024-01-01T00:00:00.000Z <requestId> Task timed out after 3.00 seconds"
    const timedOut = /^(\S+Z) ([0-9a-f-]{36}) (Task timed out[\s\S]*)$/.exec(line);
    if (timedOut)
        return { time: timedOut[1], level: "ERROR", requestId: timedOut[2], text: timedOut[3] };
    return { time, text: line };
}

/** One event as printed: `<time> <LEVEL> <requestId> <message>` (the parts an event has). */
export function formatLogEvent(e: LogEvent): string {
    const p = parse(e);
    return [p.time, p.level, p.requestId, p.text]
        .filter((x) => x !== undefined && x !== "")
        .join(" ");
}

/**
 * Whether an event reports an error: a JSON log line of level ERROR (or CRITICAL/FATAL), a text line
 * with `[ERROR]`, a `Task timed out` line, or a REPORT line with `Status: error` or `timeout`.
 */
export function isErrorEvent(e: LogEvent): boolean {
    const p = parse(e);
    if (p.level === "ERROR" || p.level === "CRITICAL" || p.level === "FATAL") return true;
    if (e.message.includes("[ERROR]") || e.message.includes("Task timed out")) return true;
    const status = parseReport(e.message)?.status;
    return status === "error" || status === "timeout";
}

/** The request id an event names, if any. */
export function requestIdOf(e: LogEvent): string | undefined {
    return parse(e).requestId;
}
