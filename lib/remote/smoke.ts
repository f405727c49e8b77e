/**
 * `lambda-docker smoke`: each manifest function's sample events (`functions.<fn>.samples`) invoked on
 * the deployed function (RequestResponse), their responses checked: no function error, `statusCode`
 * equal to the sample's `status`, the payload containing the sample's `expect` (a JSON subset).
 */
import * as fs from "fs";
import * as path from "path";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionSpec } from "../manifest/types";
import { isExpiredCredentials } from "./clients";
import { functionErrorSummary, invokeRemote } from "./invoke";

/**
 * Where `actual` differs from the subset `expected` (objects: every expected key, recursively; arrays
 * and scalars: equal), as `$.a.b: expected 1, got 2`; undefined when it contains it.
 */
export function subsetMismatch(expected: unknown, actual: unknown, at = "$"): string | undefined {
    if (typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
        if (typeof actual !== "object" || actual === null || Array.isArray(actual))
            return `${at}: expected an object, got ${JSON.stringify(actual) ?? "nothing"}`;
        for (const [k, v] of Object.entries(expected)) {
            const m = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${at}.${k}`);
            if (m) return m;
        }
        return undefined;
    }
    if (Array.isArray(expected)) {
        if (!Array.isArray(actual) || actual.length !== expected.length)
            return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual) ?? "nothing"}`;
        for (let i = 0; i < expected.length; i++) {
            const m = subsetMismatch(expected[i], actual[i], `${at}[${i}]`);
            if (m) return m;
        }
        return undefined;
    }
    return expected === actual
        ? undefined
        : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual) ?? "nothing"}`;
}

/** Runs `tasks` with at most `limit` at once; results in order. */
export async function bounded<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
    const results: T[] = new Array<T>(tasks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < tasks.length) {
            const i = next++;
            results[i] = await tasks[i]();
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    return results;
}

export interface SampleResult {
    /** The event file, relative to `root`. */
    readonly event: string;
    /** Why it failed; undefined when it passed. */
    readonly failure?: string;
    readonly ms: number;
}

export interface FunctionSmoke {
    readonly fn: string;
    /** The deployed name; undefined for a function without samples. */
    readonly deployed?: string;
    readonly samples: SampleResult[];
}

/** One sample: invoke, then check the function error, the status and the subset. */
async function runSample(
    client: LambdaClient,
    functionName: string,
    sample: FunctionSpec["samples"][number],
    root: string,
): Promise<SampleResult> {
    const event = path.relative(root, sample.event);
    const start = Date.now();
    const fail = (failure: string): SampleResult => ({ event, failure, ms: Date.now() - start });
    let body: unknown;
    try {
        body = JSON.parse(fs.readFileSync(sample.event, "utf8"));
    } catch (e) {
        return fail(`cannot read the event: ${(e as Error).message}`);
    }
    let out;
    try {
        out = await invokeRemote(client, functionName, body, { tail: false });
    } catch (e) {
        if (isExpiredCredentials(e)) throw e; // every other sample would fail alike: the command stops
        return fail(`invoke failed: ${(e as Error).name}: ${(e as Error).message}`);
    }
    if (out.functionError) return fail(`function error ${functionErrorSummary(out)}`);
    if (sample.status !== undefined) {
        const got = (out.result as { statusCode?: unknown } | null)?.statusCode;
        if (got !== sample.status)
            return fail(
                `expected status ${sample.status}, got ${got === undefined ? "no statusCode" : JSON.stringify(got)}`,
            );
    }
    if (sample.expect !== undefined) {
        const m = subsetMismatch(sample.expect, out.result);
        if (m) return fail(`response does not match expect: ${m}`);
    }
    return { event, ms: out.ms };
}

/**
 * Every sample of every function, at most `concurrency` invocations at once. `deployed` maps the
 * manifest's function names to deployed names or ARNs; `onResult` hears each function as it finishes,
 * in the manifest's order.
 */
export async function smoke(
    client: LambdaClient,
    functions: Readonly<Record<string, FunctionSpec>>,
    deployed: (fn: string) => string,
    options: { concurrency: number; root: string; onResult?: (r: FunctionSmoke) => void },
): Promise<FunctionSmoke[]> {
    const names = Object.keys(functions);
    const tasks: (() => Promise<SampleResult>)[] = [];
    const slots: { fn: string; deployed?: string; indexes: number[] }[] = [];
    for (const fn of names) {
        const samples = functions[fn].samples ?? [];
        if (samples.length === 0) {
            slots.push({ fn, indexes: [] });
            continue;
        }
        let target: string | undefined;
        try {
            target = deployed(fn);
        } catch (e) {
            const failure = (e as Error).message;
            const indexes = samples.map((s) => {
                tasks.push(async () => ({
                    event: path.relative(options.root, s.event),
                    failure,
                    ms: 0,
                }));
                return tasks.length - 1;
            });
            slots.push({ fn, indexes });
            continue;
        }
        const name = target;
        const indexes = samples.map((s) => {
            tasks.push(() => runSample(client, name, s, options.root));
            return tasks.length - 1;
        });
        slots.push({ fn, deployed: name, indexes });
    }
    // Each task's promise, started under the bound; each function reported once all of its samples are in.
    const started: Promise<SampleResult>[] = [];
    const gates = tasks.map(() => {
        let open!: (r: SampleResult) => void;
        started.push(new Promise<SampleResult>((r) => (open = r)));
        return open;
    });
    let fatal: unknown;
    const run = bounded(
        options.concurrency,
        tasks.map((t, i) => async () => {
            try {
                const r = await t();
                gates[i](r);
                return r;
            } catch (e) {
                // Reported as a failure so no function waits forever; thrown once the report is out.
                fatal ??= e;
                const r = { event: "", failure: (e as Error).message, ms: 0 };
                gates[i](r);
                return r;
            }
        }),
    );
    const out: FunctionSmoke[] = [];
    for (const slot of slots) {
        const samples = await Promise.all(slot.indexes.map((i) => started[i]));
        const r: FunctionSmoke = { fn: slot.fn, deployed: slot.deployed, samples };
        options.onResult?.(r);
        out.push(r);
    }
    await run;
    if (fatal !== undefined) throw fatal;
    return out;
}

/** One line per function: `ok   api  2 samples  312 ms`, `FAIL worker  sample events/x.json: …`, `-    cron  no samples`. */
export function formatSmoke(r: FunctionSmoke, width: number): string {
    const name = r.fn.padEnd(width);
    if (r.samples.length === 0) return `-    ${name}  no samples`;
    const failed = r.samples.filter((s) => s.failure !== undefined);
    if (failed.length === 0) {
        const ms = r.samples.reduce((t, s) => t + s.ms, 0);
        const n = r.samples.length;
        return `ok   ${name}  ${n} sample${n === 1 ? "" : "s"}  ${ms} ms`;
    }
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more failing)` : "";
    return `FAIL ${name}  sample ${failed[0].event}: ${failed[0].failure}${more}`;
}
