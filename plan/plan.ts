/** The offline plan of a stack: index.ts under the mocks engine, no Docker, no cloud, no preflight. */
import * as fs from "fs";
import * as path from "path";
import { useLayerBuilder } from "../components/layer/dockerLayer";
import { PlanEntry, planEntries } from "./format";
import { planLayerBuilder } from "./layerBuilder";
import { runProgram, withCheapStackTraces } from "./program";
import { packageRoot } from "../lib/commandLine";

export interface Plan {
    readonly stack: string;
    readonly resources: PlanEntry[];
}

export const SNAPSHOT_DIR = path.join(packageRoot(__dirname), "plan", "snapshots");

export function snapshotPath(stack: string): string {
    return path.join(SNAPSHOT_DIR, `${stack}.json`);
}

/** Stacks with a stack file in stacks/. */
export function stacks(): string[] {
    return fs
        .readdirSync(path.join(packageRoot(__dirname), "stacks"))
        .flatMap((f) => (/^Pulumi\.(.+)\.yaml$/.exec(f) ?? []).slice(1))
        .sort();
}

/** The plan of `stack`; `config` overrides stack-file keys (fully qualified, string values), as `pulumi preview -c` would. */
export async function planStack(stack: string, config: Record<string, string> = {}): Promise<Plan> {
    useLayerBuilder(planLayerBuilder);
    try {
        const run = await withCheapStackTraces(() =>
            runProgram(stack, { ...config, "lambda-docker:preflight": "false" }),
        );
        return { stack, resources: await planEntries(run.resources) };
    } finally {
        useLayerBuilder(undefined);
    }
}

export function serializePlan(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

/** `-c key=value`, repeatable, as `pulumi preview -c`: a key without a namespace is the project's. */
export function configOverride(
    pair: string,
    previous: Record<string, string>,
): Record<string, string> {
    const eq = pair.indexOf("=");
    if (eq <= 0)
        throw new Error(
            `\`--config\` takes key=value (e.g. lambda-docker:manifest=other.yaml); got "${pair}".`,
        );
    const key = pair.slice(0, eq);
    return { ...previous, [key.includes(":") ? key : `lambda-docker:${key}`]: pair.slice(eq + 1) };
}
