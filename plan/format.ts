/**
 * A normalized, sorted plan of what a program registers: name, type, parent type and inputs, with
 * secrets redacted and assets shown by their (project-relative) path. No timestamps, nothing
 * machine-specific, so two machines print the same plan for the same commit.
 */
import * as pulumi from "@pulumi/pulumi";
import { Recorded } from "./engine";

export interface PlanEntry {
    readonly name: string;
    readonly type: string;
    readonly parentType: string;
    readonly inputs: Record<string, unknown>;
}

async function normalize(value: unknown): Promise<unknown> {
    if (pulumi.asset.Archive.isInstance(value))
        return `archive:${await (value as unknown as { path: Promise<string> }).path}`;
    if (pulumi.asset.Asset.isInstance(value))
        return `asset:${await (value as unknown as { path: Promise<string> }).path}`;
    if (Array.isArray(value)) return Promise.all((value as unknown[]).map(normalize));
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            const v = (value as Record<string, unknown>)[key];
            if (v !== undefined) out[key] = await normalize(v);
        }
        return out;
    }
    return value;
}

/** JSON documents stored as strings (policies) are shown parsed, so a diff shows the changed field. */
function expandJson(value: unknown): unknown {
    if (typeof value === "string" && /^[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

export async function planEntries(resources: readonly Recorded[]): Promise<PlanEntry[]> {
    const entries = await Promise.all(
        resources.map(async (r) => {
            const inputs: Record<string, unknown> = {};
            // A component's inputs are identity data only (what it is, which digest it promotes), so they show too.
            const keys = Object.keys(r.inputs).sort();
            for (const key of keys) {
                if (r.inputs[key] === undefined) continue;
                inputs[key] = r.secretInputs.includes(key)
                    ? "[secret]"
                    : expandJson(await normalize(r.inputs[key]));
            }
            return { name: r.name, type: r.type, parentType: r.parentType, inputs };
        }),
    );
    return entries.sort((a, b) =>
        a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name),
    );
}

function render(value: unknown, indent: string): string[] {
    if (typeof value !== "object" || value === null) return [JSON.stringify(value)];
    const text = JSON.stringify(value);
    if (text.length <= 100) return [text];
    return JSON.stringify(value, null, 2)
        .split("\n")
        .map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

/** Human-readable plan: components first, each with the resources it parents. */
export function formatPlan(entries: readonly PlanEntry[], title: string): string {
    const components = entries.filter((e) => e.type.startsWith("lambda-docker:"));
    const lines = [title, ""];
    const shown = new Set<PlanEntry>();
    const show = (e: PlanEntry, depth: number) => {
        shown.add(e);
        const pad = "    ".repeat(depth);
        lines.push(`${pad}+ ${e.type}  ${e.name}`);
        for (const [key, value] of Object.entries(e.inputs)) {
            const [first, ...rest] = render(value, `${pad}      `);
            lines.push(`${pad}      ${key}: ${first}`, ...rest);
        }
    };
    for (const c of components) {
        show(c, 0);
        for (const child of entries) {
            if (
                child !== c &&
                child.parentType === c.type &&
                child.name.startsWith(`${c.name}-`) &&
                !shown.has(child)
            )
                show(child, 1);
        }
    }
    for (const e of entries) if (!shown.has(e)) show(e, 0);
    const count = (type: string) => entries.filter((e) => e.type === type).length;
    lines.push(
        "",
        `${entries.length} resources (${components.length} lambda-docker components). ` +
            `Images built: ${count("docker-build:index:Image")}; promoted by digest: ${count("lambda-docker:index:PromotedImage")}.`,
    );
    return lines.join("\n");
}
