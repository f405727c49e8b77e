/**
 * Runs the root program (index.ts) under the recording mocks engine, fed a real stack file the way
 * the Pulumi CLI would feed it (mocks read neither Pulumi.yaml nor stack files: every value a string).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { Recorded, ResourceRecorder, valueOf } from "./engine";

const ROOT = path.resolve(__dirname, "..");
export const recorder = new ResourceRecorder();

/** Stack-file config as the CLI hands it to a program: fully qualified keys, string values. */
export function stackConfig(stack: string): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(
        Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

export interface ProgramRun {
    outputs: Record<string, pulumi.Output<unknown>>;
    resources: Recorded[];
}

export async function runProgram(stack: string, overrides: Record<string, string> = {}): Promise<ProgramRun> {
    await recorder.install(stack);
    pulumi.runtime.setAllConfig({ ...stackConfig(stack), ...overrides });
    const cwd = process.cwd();
    process.chdir(ROOT); // Pulumi runs the program from the project directory
    try {
        const modulePath = require.resolve(path.join(ROOT, "index.ts"));
        delete require.cache[modulePath];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require(modulePath) as () => Promise<Record<string, pulumi.Output<unknown>>>;
        const outputs = await program();
        for (const output of Object.values(outputs)) await valueOf(pulumi.output(output));
        return { outputs, resources: [...(await recorder.settle())] };
    } finally {
        process.chdir(cwd);
    }
}

