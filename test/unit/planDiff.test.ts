import * as assert from "node:assert/strict";
import { diffPlans, formatDiff } from "../../plan/diff";
import { PlanEntry } from "../../plan/format";

const entry = (name: string, inputs: Record<string, unknown>, type = "aws:lambda/function:Function"): PlanEntry => ({ name, type, parentType: "lambda-docker:index:ImageFunction", inputs });

describe("plan diffs", () => {
    it("lists added, removed and changed resources with the inputs that changed", () => {
        const before = [entry("a", { memorySize: 512, timeout: 30 }), entry("b", { x: 1 }), entry("gone", {})];
        const after = [entry("a", { memorySize: 1024, timeout: 30, tracingConfig: { mode: "Active" } }), entry("b", { x: 1 }), entry("new", {}, "aws:cloudwatch/logGroup:LogGroup")];
        const diff = diffPlans(before, after);
        assert.deepEqual(diff.added.map((e) => e.name), ["new"]);
        assert.deepEqual(diff.removed.map((e) => e.name), ["gone"]);
        assert.deepEqual(diff.changed.map((c) => [c.entry.name, c.changes]), [["a", [
            { key: "memorySize", before: 512, after: 1024 },
            { key: "tracingConfig", before: undefined, after: { mode: "Active" } },
        ]]]);
        assert.equal(formatDiff(diff), [
            "+ aws:cloudwatch/logGroup:LogGroup  new",
            "- aws:lambda/function:Function  gone",
            "~ aws:lambda/function:Function  a",
            "      memorySize: 512 => 1024",
            "      tracingConfig: (unset) => {\"mode\":\"Active\"}",
            "1 to add, 1 to change, 1 to remove.",
        ].join("\n"));
    });

    it("says so when nothing changed", () => {
        assert.equal(formatDiff(diffPlans([entry("a", { x: 1 })], [entry("a", { x: 1 })])), "No changes. 0 to add, 0 to change, 0 to remove.");
    });
});
