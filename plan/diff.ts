/** Differences between two plans: added, removed and changed resources, with the inputs that changed. */
import { isDeepStrictEqual } from "util";
import { PlanEntry } from "./format";

export interface PlanChange {
    readonly key: string;
    readonly before: unknown;
    readonly after: unknown;
}

export interface PlanDiff {
    readonly added: PlanEntry[];
    readonly removed: PlanEntry[];
    readonly changed: { readonly entry: PlanEntry; readonly changes: PlanChange[] }[];
}

const id = (e: PlanEntry) => `${e.type}::${e.name}`;

export function diffPlans(before: readonly PlanEntry[], after: readonly PlanEntry[]): PlanDiff {
    const old = new Map(before.map((e) => [id(e), e]));
    const now = new Map(after.map((e) => [id(e), e]));
    const changed: PlanDiff["changed"] = [];
    for (const [key, entry] of now) {
        const prev = old.get(key);
        if (!prev) continue;
        const keys = [
            ...new Set([...Object.keys(prev.inputs), ...Object.keys(entry.inputs)]),
        ].sort();
        const changes = keys
            .filter((k) => !isDeepStrictEqual(prev.inputs[k], entry.inputs[k]))
            .map((k) => ({ key: k, before: prev.inputs[k], after: entry.inputs[k] }));
        if (prev.parentType !== entry.parentType)
            changes.unshift({ key: "(parent)", before: prev.parentType, after: entry.parentType });
        if (changes.length > 0) changed.push({ entry, changes });
    }
    return {
        added: after.filter((e) => !old.has(id(e))),
        removed: before.filter((e) => !now.has(id(e))),
        changed,
    };
}

export function formatDiff(diff: PlanDiff): string {
    const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v));
    const lines = [
        ...diff.added.map((e) => `+ ${e.type}  ${e.name}`),
        ...diff.removed.map((e) => `- ${e.type}  ${e.name}`),
        ...diff.changed.flatMap(({ entry, changes }) => [
            `~ ${entry.type}  ${entry.name}`,
            ...changes.map((c) => `      ${c.key}: ${show(c.before)} => ${show(c.after)}`),
        ]),
    ];
    const summary = `${diff.added.length} to add, ${diff.changed.length} to change, ${diff.removed.length} to remove.`;
    return lines.length === 0 ? `No changes. ${summary}` : `${lines.join("\n")}\n${summary}`;
}
