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

export async function planStack(stack: string): Promise<Plan> {
    useLayerBuilder(planLayerBuilder);
    try {
        const run = await runProgram(stack, { "lambda-docker:preflight": "false" });
        return { stack, resources: await planEntries(run.resources) };
    } finally {
        useLayerBuilder(undefined);
    }
}

export function serializePlan(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}
