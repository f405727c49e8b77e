/** What an invocation reports: Lambda's REPORT line and its timeout message. */

export interface InvokeReport {
    readonly requestId: string;
    readonly durationMs: number;
    readonly billedDurationMs: number;
    readonly memorySizeMb: number;
    /** Undefined when the container was killed before it could measure (a timeout). */
    readonly maxMemoryUsedMb?: number;
    /** Only on a cold start (or a re-import after a source edit, in `serve`); a warm REPORT has none, as on Lambda. */
    readonly initDurationMs?: number;
}

/** The REPORT line, in Lambda's format. */
export function formatReport(r: InvokeReport): string {
    return (
        `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
        `Memory Size: ${r.memorySizeMb} MB\t${r.maxMemoryUsedMb === undefined ? "" : `Max Memory Used: ${r.maxMemoryUsedMb} MB\t`}${r.initDurationMs === undefined ? "" : `Init Duration: ${r.initDurationMs.toFixed(2)} ms`}`
    );
}

/** Lambda's timeout message for `seconds`. */
export function timeoutMessage(seconds: number): string {
    return `Task timed out after ${seconds.toFixed(2)} seconds`;
}
