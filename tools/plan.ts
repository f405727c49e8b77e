/**
 * `npm run plan -- --stack dev [--json file] [--diff old.json]`: the offline plan of a stack, for
 * reviewing infrastructure changes without cloud access. `npm run plan:update` rewrites the committed
 * snapshots in plan/snapshots/ (a test fails when they are stale).
 */
import { Command } from "commander";
import * as fs from "fs";
import { diffPlans, formatDiff } from "../plan/diff";
import { formatPlan } from "../plan/format";
import { configOverride, Plan, planStack, serializePlan, snapshotPath, stacks } from "../plan/plan";

// Without an engine, pulumi.log writes to console.log; keep stdout for the plan itself.
console.log = (...args: unknown[]) => console.error(...args);

const program = new Command("plan")
    .description("Offline plan of a stack under the mocks engine (no Docker, no cloud)")
    .option("-s, --stack <stack>", "stack to plan", "dev")
    .option("--json <file>", "write the plan as JSON ('-' for stdout)")
    .option("--diff <old.json>", "show what changed since a plan written with --json")
    .option(
        "-c, --config <key=value>",
        "override a stack config value (repeatable)",
        configOverride,
        {},
    )
    .option("--update", "rewrite plan/snapshots/<stack>.json for every stack")
    .action(
        async (opts: {
            stack: string;
            config: Record<string, string>;
            json?: string;
            diff?: string;
            update?: boolean;
        }) => {
            if (opts.update) {
                fs.mkdirSync(snapshotPath("x").replace(/x\.json$/, ""), { recursive: true });
                for (const stack of stacks()) {
                    fs.writeFileSync(snapshotPath(stack), serializePlan(await planStack(stack)));
                    process.stdout.write(`updated ${snapshotPath(stack)}\n`);
                }
                return;
            }
            const plan = await planStack(opts.stack, opts.config);
            if (opts.json) {
                if (opts.json === "-") process.stdout.write(serializePlan(plan));
                else fs.writeFileSync(opts.json, serializePlan(plan));
            }
            if (opts.diff) {
                const old = JSON.parse(fs.readFileSync(opts.diff, "utf8")) as Plan;
                process.stdout.write(`${formatDiff(diffPlans(old.resources, plan.resources))}\n`);
            } else if (!opts.json || opts.json !== "-") {
                process.stdout.write(
                    `${formatPlan(plan.resources, `OFFLINE PLAN for stack "${opts.stack}" (mocks engine: ARNs, IDs and digests are placeholders; layers show their input hash)`)}\n`,
                );
            }
        },
    );

program.parseAsync(process.argv).catch((err: Error) => {
    process.stderr.write(`plan: ${err.message}\n`);
    process.exitCode = 1;
});
