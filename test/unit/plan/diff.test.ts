import * as assert from "node:assert/strict";
import { diffPlans, formatDiff } from "../../../plan/diff";
import { PlanEntry } from "../../../plan/format";
import { configOverride } from "../../../plan/plan";
import { withCheapStackTraces } from "../../../plan/program";

const entry = (
    name: string,
    inputs: Record<string, unknown>,
    type = "aws:lambda/function:Function",
): PlanEntry => ({ name, type, parentType: "lambda-docker:index:ImageFunction", inputs });

describe("plan diffs", () => {
    it("lists added, removed and changed resources with the inputs that changed", () => {
        const before = [
            entry("a", { memorySize: 512, timeout: 30 }),
            entry("b", { x: 1 }),
            entry("gone", {}),
        ];
        const after = [
            entry("a", { memorySize: 1024, timeout: 30, tracingConfig: { mode: "Active" } }),
            entry("b", { x: 1 }),
            entry("new", {}, "aws:cloudwatch/logGroup:LogGroup"),
        ];
        const diff = diffPlans(before, after);
        assert.deepEqual(
            diff.added.map((e) => e.name),
            ["new"],
        );
        assert.deepEqual(
            diff.removed.map((e) => e.name),
            ["gone"],
        );
        assert.deepEqual(
            diff.changed.map((c) => [c.entry.name, c.changes]),
            [
                [
                    "a",
                    [
                        { key: "memorySize", before: 512, after: 1024 },
                        { key: "tracingConfig", before: undefined, after: { mode: "Active" } },
                    ],
                ],
            ],
        );
        assert.equal(
            formatDiff(diff),
            [
                "+ aws:cloudwatch/logGroup:LogGroup  new",
                "- aws:lambda/function:Function  gone",
                "~ aws:lambda/function:Function  a",
                "      memorySize: 512 => 1024",
                '      tracingConfig: (unset) => {"mode":"Active"}',
                "1 to add, 1 to change, 1 to remove.",
            ].join("\n"),
        );
    });

    it("says so when nothing changed", () => {
        assert.equal(
            formatDiff(diffPlans([entry("a", { x: 1 })], [entry("a", { x: 1 })])),
            "No changes. 0 to add, 0 to change, 0 to remove.",
        );
    });
});

describe("plan command helpers", () => {
    it("reads -c key=value as pulumi preview does: bare keys are the project's, later values win", () => {
        const config = [
            "manifest=a.yaml",
            "aws:region=eu-west-1",
            "lambda-docker:manifest=b=c.yaml",
        ].reduce((acc, pair) => configOverride(pair, acc), {});
        assert.deepEqual(config, {
            "lambda-docker:manifest": "b=c.yaml",
            "aws:region": "eu-west-1",
        });
        for (const bad of ["manifest", "=x"]) {
            assert.throws(() => configOverride(bad, {}), {
                message: `\`--config\` takes key=value (e.g. lambda-docker:manifest=other.yaml); got "${bad}".`,
            });
        }
    });

    it("runs the program with stack traces that capture nothing, keeps error messages and restores V8's settings", async () => {
        const { stackTraceLimit, prepareStackTrace } = Error;
        const seen = await withCheapStackTraces(async () => [
            new Error().stack,
            new Error("bad `memorySize`").stack,
            Error.stackTraceLimit,
        ]);
        assert.deepEqual(seen, ["", "Error: bad `memorySize`", 0]);
        await assert.rejects(
            withCheapStackTraces(() => Promise.reject(new Error("boom"))),
            { message: "boom" },
        );
        assert.deepEqual(
            [Error.stackTraceLimit, Error.prepareStackTrace],
            [stackTraceLimit, prepareStackTrace],
        );
        assert.match(new Error("after").stack ?? "", /^Error: after\n {4}at /);
    });
});
