/**
 * The remote commands as a user feels them: time from the command to its first output, for
 * `invoke --remote` and `logs`, against the floor of one bare HTTP round trip (`node -e` POSTing to the
 * same stand-in's invoke path), in the same run. The stand-in (test/support/awsStandIn.ts) answers at
 * once, so what remains is the CLI's own cost: Node start, the SDK load, the fake `pulumi` spawn
 * (`--stack`) or none (`--function-name`), signing and the request.
 */
import { spawn, spawnSync } from "child_process";
import { startAwsStandIn } from "../../test/support/awsStandIn";
import { builtCli } from "../../test/support/cli";
import { DEPLOYED, cliEnv, makeProject } from "../../test/remote/support/project";
import { REPO_ROOT } from "../../test/support/paths";
import { median, sectionHeader } from "../benchUtil";

export const title = "Remote commands: first output against one HTTP round trip";

const PAIRS = 11;

/** Ms from spawn to the first byte on stdout or stderr; fails unless the process exits 0. */
function firstOutput(
    cmd: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
): Promise<number> {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        let first: number | undefined;
        let err = "";
        const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const seen = (): void => {
            first ??= Number(process.hrtime.bigint() - start) / 1e6;
        };
        child.stdout.on("data", seen);
        child.stderr.on("data", (c: Buffer) => {
            seen();
            err += c.toString("utf8");
        });
        child.on("error", reject);
        child.on("close", (code) =>
            code === 0 && first !== undefined
                ? resolve(first)
                : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${err}`)),
        );
    });
}

interface Pairs {
    readonly ms: number;
    readonly floorMs: number;
    readonly ratio: number;
}

async function pairs(
    n: number,
    run: () => Promise<number>,
    floor: () => Promise<number>,
): Promise<Pairs> {
    await run();
    await floor();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; i++) {
        a.push(await run());
        b.push(await floor());
    }
    return { ms: median(a), floorMs: median(b), ratio: median(a.map((x, i) => x / b[i])) };
}

function cli(): string {
    try {
        return builtCli();
    } catch {
        spawnSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
        return builtCli();
    }
}

export async function bench(): Promise<string[]> {
    const main = cli();
    const project = makeProject();
    const standIn = await startAwsStandIn({
        functions: [{ name: DEPLOYED.api, handler: () => ({ payload: { ok: true } }) }],
        logEvents: [
            {
                logGroupName: `/aws/lambda/${DEPLOYED.api}`,
                logStreamName: "s",
                timestamp: Date.now(),
                message: "hello",
            },
        ],
    });
    try {
        const env = cliEnv(standIn, project);
        const node = process.execPath;
        const floorScript = `const r = require("http").request(${JSON.stringify(`${standIn.endpoint}/2015-03-31/functions/${DEPLOYED.api}/invocations`)}, { method: "POST" }, (res) => { res.pipe(process.stdout); }); r.end("{}");`;
        const floor = () => firstOutput(node, ["-e", floorScript], project.dir, env);
        const cmd = (args: string[]) => () => firstOutput(node, [main, ...args], project.dir, env);
        const rows: [string, Pairs][] = [
            [
                "`invoke api --remote --function-name <name>`",
                await pairs(
                    PAIRS,
                    cmd(["invoke", "api", "--remote", "--function-name", DEPLOYED.api]),
                    floor,
                ),
            ],
            [
                "`invoke api --remote --stack dev` (fake `pulumi` spawn)",
                await pairs(PAIRS, cmd(["invoke", "api", "--remote", "--stack", "dev"]), floor),
            ],
            [
                "`logs api --stack dev`",
                await pairs(PAIRS, cmd(["logs", "api", "--stack", "dev"]), floor),
            ],
        ];
        return [
            ...sectionHeader(title),
            `Medians of ${PAIRS} back-to-back pairs after one warm-up, each a whole process timed from spawn to its first byte of output; ` +
                "the ratio is the median of the pairs' ratios. The floor is `node -e` making one HTTP POST to the stand-in's invoke path and printing the answer. " +
                "The stand-in answers at once, so the difference is the CLI's own start, the SDK's load and signing (and the `pulumi` spawn with `--stack`).",
            "",
            "| command | first output | floor | ratio |",
            "|---|---|---|---|",
            ...rows.map(
                ([name, p]) =>
                    `| ${name} | ${p.ms.toFixed(0)} ms | ${p.floorMs.toFixed(0)} ms | ${p.ratio.toFixed(2)}× |`,
            ),
        ];
    } finally {
        await standIn.stop();
        project.remove();
    }
}
