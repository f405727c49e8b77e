/** The offline plan of a stack: index.ts under the mocks engine, no Docker, no cloud, no preflight. */
import * as fs from "fs";
import * as path from "path";
import { useLayerBuilder } from "../components/dockerLayer";
import { PlanEntry, planEntries } from "./format";
import { planLayerBuilder } from "./layerBuilder";
import { runProgram } from "./program";

export interface Plan {
    readonly stack: string;
    readonly resources: PlanEntry[];
}

export const SNAPSHOT_DIR = path.resolve(__dirname, "snapshots");

export function snapshotPath(stack: string): string {
    return path.join(SNAPSHOT_DIR, `${stack}.json`);
}

/** Stacks with a stack file in stacks/. */
export function stacks(): string[] {
    return fs.readdirSync(path.resolve(__dirname, "..", "stacks"))
        .flatMap((f) => (/^Pulumi\.(.+)\.yaml$/.exec(f) ?? []).slice(1))
        .sort();
}

/**
 * Runs `fn` with stack traces that cost (almost) nothing. The SDK captures a stack trace for each of the
 * four promises behind every output property of every resource, and one more per resource for its
 * source position; under ts-node, source-map-support maps each of them frame by frame. That was most
 * of the plan's per-function cost, and the mocks engine reads none of it. So while the program runs,
 * errors capture no frames, and the SDK's message-less bookkeeping errors skip the mapping. The
 * program's own errors keep their messages, which is what the plan reports.
 */
export async function withCheapStackTraces<T>(fn: () => Promise<T>): Promise<T> {
    const { stackTraceLimit, prepareStackTrace } = Error;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = (err, frames) =>
        err.message === "" ? "" : prepareStackTrace ? prepareStackTrace(err, frames) : [String(err), ...frames.map((f) => `    at ${f}`)].join("\n");
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        Error.prepareStackTrace = prepareStackTrace;
    }
}

/** The plan of `stack`; `config` overrides stack-file keys (fully qualified, string values), as `pulumi preview -c` would. */
export async function planStack(stack: string, config: Record<string, string> = {}): Promise<Plan> {
    useLayerBuilder(planLayerBuilder);
    try {
        const run = await withCheapStackTraces(() => runProgram(stack, { ...config, "lambda-docker:preflight": "false" }));
        return { stack, resources: await planEntries(run.resources) };
    } finally {
        useLayerBuilder(undefined);
    }
}

export function serializePlan(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}
