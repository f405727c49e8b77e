/**
 * Runs the root program (index.ts) under the recording mocks engine, fed a real stack file the way
 * the Pulumi CLI would feed it (mocks read neither Pulumi.yaml nor stack files: every value a string).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readManifest } from "../lib/manifest";
import { parseStackConfig } from "../config/stackConfig";
import { readStackFile } from "../config/stackFile";
import { Recorded, ResourceRecorder, valueOf } from "./engine";
import { packageRoot } from "../lib/commandLine";

// The project directory, whether this runs from source or compiled into dist/plan.
const ROOT = packageRoot(__dirname);
export const recorder = new ResourceRecorder();

/** Stack-file config as the CLI hands it to a program: fully qualified keys, string values. */
export function stackConfig(stack: string): Record<string, string> {
    return readStackFile(stack, ROOT);
}

export interface ProgramRun {
    outputs: Record<string, pulumi.Output<unknown>>;
    resources: Recorded[];
}

export async function runProgram(
    stack: string,
    overrides: Record<string, string> = {},
): Promise<ProgramRun> {
    await recorder.install(stack);
    const config = { ...stackConfig(stack), ...overrides };
    pulumi.runtime.setAllConfig(config);
    const cwd = process.cwd();
    process.chdir(ROOT); // Pulumi runs the program from the project directory
    try {
        recorder.deployed = deployedShape(stack, config);
        const modulePath = require.resolve(path.join(__dirname, "..", "index")); // index.ts, or dist/index.js compiled
        delete require.cache[modulePath];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require(modulePath) as () => Promise<
            Record<string, pulumi.Output<unknown>>
        >;
        const outputs = await program();
        for (const output of Object.values(outputs)) await valueOf(pulumi.output(output));
        return { outputs, resources: [...(await recorder.settle())] };
    } finally {
        process.chdir(cwd);
    }
}

/** What the source stack of a promoting stack exports: this program's manifest, deployed (the mocks stand in for it). */
function deployedShape(
    stack: string,
    config: Record<string, string>,
): { images: string[]; layers: string[] } {
    try {
        const manifest = readManifest(parseStackConfig(stack, config).manifest);
        return { images: Object.keys(manifest.images), layers: Object.keys(manifest.layers) };
    } catch {
        return { images: ["app"], layers: [] }; // the program reports the error itself
    }
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
        err.message === ""
            ? ""
            : prepareStackTrace
              ? prepareStackTrace(err, frames)
              : [String(err), ...frames.map((f) => `    at ${f}`)].join("\n");
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        Error.prepareStackTrace = prepareStackTrace;
    }
}
