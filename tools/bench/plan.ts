/**
 * The offline plan at 1, 50, 200 and 1,000 image functions: time and memory per function, beside a
 * CDK app with the same functions synthesized the same way when aws-cdk-lib is installed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { median, sectionHeader } from "../benchUtil";

export const title = "Offline plan";

const ROOT = path.resolve(__dirname, "..", "..");
const SIZES = [1, 200, 1000];
const RUNS = 3;
const CDK_DIR = process.env.CDK_BENCH_DIR ?? "/tmp/cdk-bench";
/** The CDK release compared with, pinned so runs on other days compare the same thing. */
const CDK_VERSION = "2.276.0";
const CONSTRUCTS_VERSION = "10.8.1";
/** Loaded into every Node process of a measured run: each appends its peak resident set (KiB). */
const PEAK_RSS = `process.on("exit", () => require("fs").appendFileSync(process.env.LD_BENCH_RSS, process.resourceUsage().maxRSS + "\\n"));`;

function manifest(dir: string, functions: number): string {
    const file = path.join(dir, `functions-${functions}.yaml`);
    const lines = ["image:", `  context: ${JSON.stringify(path.join(ROOT, "app"))}`, "functions:"];
    for (let i = 0; i < functions; i++)
        lines.push(
            `  fn-${String(i).padStart(4, "0")}:`,
            "    command: [src.functions.api.handler.handler]",
        );
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
}

interface Run {
    readonly ms: number;
    /** The largest peak resident set of the run's Node processes (npm's own is smaller), in MB. */
    readonly peakMb: number;
}

/** One whole process: its wall time, and its peak memory; `check` validates its stdout. */
function runProcess(
    dir: string,
    cmd: string,
    args: string[],
    cwd: string,
    check: (stdout: string) => void,
): Run {
    const preload = path.join(dir, "peak-rss.js");
    const rssFile = path.join(dir, "peak-rss.txt");
    fs.writeFileSync(preload, PEAK_RSS);
    fs.rmSync(rssFile, { force: true });
    const env = { ...process.env, LD_BENCH_RSS: rssFile, NODE_OPTIONS: `--require ${preload}` };
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
        throw new Error(`${cmd} ${args.join(" ")} failed:\n${result.stderr.slice(-2000)}`);
    check(result.stdout);
    const peaks = fs.readFileSync(rssFile, "utf8").trim().split("\n").map(Number);
    return { ms, peakMb: (Math.max(...peaks) * 1024) / 1e6 };
}

/** The median run by time, and the median peak memory, of `RUNS` runs. */
function medianRun(runs: Run[]): Run {
    return { ms: median(runs.map((r) => r.ms)), peakMb: median(runs.map((r) => r.peakMb)) };
}

const CDK_APP = `
const load = (m) => require(require.resolve(m, { paths: [process.env.CDK_BENCH_DIR] }));
const cdk = load("aws-cdk-lib");
const { aws_ecr: ecr, aws_iam: iam, aws_lambda: lambda, aws_logs: logs } = cdk;
const [functions, outdir] = [Number(process.argv[2]), process.argv[3]];
// CloudFormation takes 500 resources per stack; a real app would split them, the synth work is the same.
const app = new cdk.App({ outdir, context: { "@aws-cdk/core:stackResourceLimit": 0 } });
const stack = new cdk.Stack(app, "Bench", { env: { account: "123456789012", region: "us-east-1" } });
const repo = new ecr.Repository(stack, "App", { imageScanOnPush: true, lifecycleRules: [{ maxImageCount: 10 }] });
for (let i = 0; i < functions; i++) {
    const logGroup = new logs.LogGroup(stack, "Fn" + i + "Logs", { retention: logs.RetentionDays.TWO_WEEKS });
    const fn = new lambda.DockerImageFunction(stack, "Fn" + i, {
        code: lambda.DockerImageCode.fromEcr(repo, { tagOrDigest: "sha256:" + "a".repeat(64), cmd: ["src.functions.api.handler.handler"] }),
        architecture: lambda.Architecture.X86_64, memorySize: 512, timeout: cdk.Duration.seconds(30),
        environment: { LOG_LEVEL: "INFO", STAGE: "dev" }, logGroup,
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [logGroup.logGroupArn] }));
}
const template = app.synth().getStackByName("Bench").template;
console.log(Object.keys(template.Resources).length + " resources");
`;

/** True when the pinned aws-cdk-lib loads from CDK_DIR, installing it there (outside the repository) if needed. */
function cdkAvailable(): boolean {
    const installed = () => {
        const pkg = path.join(CDK_DIR, "node_modules", "aws-cdk-lib", "package.json");
        return (
            fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).version === CDK_VERSION
        );
    };
    if (installed()) return true;
    fs.mkdirSync(CDK_DIR, { recursive: true });
    if (!fs.existsSync(path.join(CDK_DIR, "package.json")))
        fs.writeFileSync(
            path.join(CDK_DIR, "package.json"),
            '{"name":"cdk-bench","private":true}\n',
        );
    spawnSync(
        "npm",
        [
            "install",
            "--no-save",
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            `aws-cdk-lib@${CDK_VERSION}`,
            `constructs@${CONSTRUCTS_VERSION}`,
        ],
        { cwd: CDK_DIR, stdio: "ignore" },
    );
    return installed();
}

const resourcesLine = (expected: number) => (stdout: string) => {
    const m = /(\d+) resources/.exec(stdout);
    if (!m || Number(m[1]) !== expected)
        throw new Error(`expected ${expected} resources, the output says ${m?.[1] ?? "nothing"}`);
};

export async function bench(dir: string): Promise<string[]> {
    const plan = SIZES.map((n) => {
        const file = manifest(dir, n);
        // index.ts: 5 resources per image function, 5 around them (the repository, its lifecycle policy, the image, their components).
        const check = resourcesLine(5 * n + 5);
        const args = [
            "run",
            "--silent",
            "plan",
            "--",
            "--stack",
            "dev",
            "-c",
            `lambda-docker:manifest=${file}`,
        ];
        return medianRun(
            Array.from({ length: RUNS }, () => runProcess(dir, "npm", args, ROOT, check)),
        );
    });
    let cdk: Run[] | undefined;
    if (cdkAvailable()) {
        fs.writeFileSync(path.join(dir, "cdk-app.js"), CDK_APP);
        process.env.CDK_BENCH_DIR = CDK_DIR;
        cdk = SIZES.map((n) =>
            medianRun(
                Array.from({ length: RUNS }, (_, run) => {
                    const out = path.join(dir, `cdk.out-${n}-${run}`);
                    // 4 resources per function (role, policy, log group, function) and the repository.
                    const args = [path.join(dir, "cdk-app.js"), String(n), out];
                    return runProcess(dir, process.execPath, args, dir, resourcesLine(4 * n + 1));
                }),
            ),
        );
    }
    const [one, two, thousand] = [0, 1, 2];
    const perFn = (r: Run[], a: number, b: number) => (r[b].ms - r[a].ms) / (SIZES[b] - SIZES[a]);
    const perFnMb = (r: Run[]) =>
        (r[thousand].peakMb - r[one].peakMb) / (SIZES[thousand] - SIZES[one]);
    const early = perFn(plan, one, two);
    const late = perFn(plan, two, thousand);
    const mbPerFn = perFnMb(plan);
    const both = (f: (r: Run[]) => string) => `${f(plan)} |${cdk ? ` ${f(cdk)} |` : ""}`;
    const out = [
        ...sectionHeader(title),
        `Each figure is the median of ${RUNS} runs of a whole process: \`npm run plan -- -c lambda-docker:manifest=<n functions>\` ` +
            `(index.ts under the mocks engine composing a manifest of n image functions, 5n + 5 resources)` +
            `${cdk ? `; \`node cdk-app.js n\`, a CDK app (aws-cdk-lib ${CDK_VERSION}, pinned) with the same functions synthesized in-process (4n + 1 resources)` : ""}. ` +
            "Memory is the peak resident set of the largest Node process of the run (`process.resourceUsage().maxRSS`).",
        "",
        `| functions | plan time | plan peak memory |${cdk ? " CDK synth time | CDK peak memory |" : ""}`,
        `|---|---|---|${cdk ? "---|---|" : ""}`,
        ...SIZES.map(
            (n, i) =>
                `| ${n} | ${plan[i].ms.toFixed(0)} ms | ${plan[i].peakMb.toFixed(0)} MB |` +
                (cdk ? ` ${cdk[i].ms.toFixed(0)} ms | ${cdk[i].peakMb.toFixed(0)} MB |` : ""),
        ),
        "",
        `| per function | plan |${cdk ? " CDK |" : ""}`,
        `|---|---|${cdk ? "---|" : ""}`,
        `| time, 1 → 200 functions | ${both((r) => `${perFn(r, one, two).toFixed(1)} ms`)}`,
        `| time, 200 → 1,000 functions | ${both((r) => `${perFn(r, two, thousand).toFixed(1)} ms`)}`,
        `| peak memory, 1 → 1,000 functions | ${both((r) => `${perFnMb(r).toFixed(3)} MB`)}`,
        "",
        `Targets: at most 0.4 MB per function at 1,000 functions (${mbPerFn.toFixed(3)} MB: ${mbPerFn <= 0.4 ? "met" : "NOT met"}); ` +
            `the time per function does not grow from 200 to 1,000 functions (${late.toFixed(1)} ms against ${early.toFixed(1)} ms: ${late <= early * 1.1 ? "met" : "NOT met"}).`,
    ];
    if (cdk)
        out.push(
            `Plan / CDK at 1,000 functions: ${(plan[thousand].ms / cdk[thousand].ms).toFixed(2)}× the time, ${(plan[thousand].peakMb / cdk[thousand].peakMb).toFixed(2)}× the memory.`,
        );
    else
        out.push(
            "",
            `(CDK not compared: aws-cdk-lib ${CDK_VERSION} could not be installed in ${CDK_DIR}.)`,
        );
    if (mbPerFn > 0.4 || late > early * 1.1) process.exitCode = 1;
    return out;
}
