/**
 * The offline plan (`npm run plan`) at 1, 50 and 200 image functions, as a user runs it, and the
 * per-function cost (t200 - t1) / 199 (target ≤ 10 ms). In the same run, if aws-cdk-lib is installed
 * in CDK_BENCH_DIR (default /tmp/cdk-bench, outside the repository; the section tries
 * `npm install --no-save aws-cdk-lib constructs` there once), a CDK app with the same functions
 * (DockerImageFunction from an ECR repository, a log group and a policy each) is synthesized the same
 * way, as a separate process.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { median, sectionHeader } from "../benchUtil";

export const title = "Offline plan";

const ROOT = path.resolve(__dirname, "..", "..");
const SIZES = [1, 50, 200];
const RUNS = 3;
const CDK_DIR = process.env.CDK_BENCH_DIR ?? "/tmp/cdk-bench";

function manifest(dir: string, functions: number): string {
    const file = path.join(dir, `functions-${functions}.yaml`);
    const lines = ["image:", `  context: ${JSON.stringify(path.join(ROOT, "app"))}`, "functions:"];
    for (let i = 0; i < functions; i++)
        lines.push(
            `  fn-${String(i).padStart(3, "0")}:`,
            "    command: [src.functions.api.handler.handler]",
        );
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
}

/** Wall time of one process, in ms; `check` validates its stdout. */
function timeProcess(
    cmd: string,
    args: string[],
    cwd: string,
    check: (stdout: string) => void,
): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
        throw new Error(`${cmd} ${args.join(" ")} failed:\n${result.stderr.slice(-2000)}`);
    check(result.stdout);
    return ms;
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

/** True when aws-cdk-lib can be loaded from CDK_DIR, installing it there once if needed. */
function cdkAvailable(): boolean {
    const installed = () =>
        fs.existsSync(path.join(CDK_DIR, "node_modules", "aws-cdk-lib", "package.json"));
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
            "aws-cdk-lib",
            "constructs",
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
    const plan: number[] = [];
    for (const n of SIZES) {
        const file = manifest(dir, n);
        // index.ts: 5 resources per image function, 5 around them (the repository, its lifecycle policy, the image, their components).
        const check = resourcesLine(5 * n + 5);
        plan.push(
            median(
                Array.from({ length: RUNS }, () =>
                    timeProcess(
                        "npm",
                        [
                            "run",
                            "--silent",
                            "plan",
                            "--",
                            "--stack",
                            "dev",
                            "-c",
                            `lambda-docker:manifest=${file}`,
                        ],
                        ROOT,
                        check,
                    ),
                ),
            ),
        );
    }
    let cdk: number[] | undefined;
    let cdkVersion = "";
    if (cdkAvailable()) {
        fs.writeFileSync(path.join(dir, "cdk-app.js"), CDK_APP);
        cdkVersion = JSON.parse(
            fs.readFileSync(
                path.join(CDK_DIR, "node_modules", "aws-cdk-lib", "package.json"),
                "utf8",
            ),
        ).version as string;
        process.env.CDK_BENCH_DIR = CDK_DIR;
        cdk = SIZES.map((n) =>
            median(
                Array.from({ length: RUNS }, (_, run) => {
                    const out = path.join(dir, `cdk.out-${n}-${run}`);
                    // 4 resources per function (role, policy, log group, function) and the repository.
                    return timeProcess(
                        process.execPath,
                        [path.join(dir, "cdk-app.js"), String(n), out],
                        dir,
                        resourcesLine(4 * n + 1),
                    );
                }),
            ),
        );
    }
    const perFn = (t: number[]) => (t[2] - t[0]) / (SIZES[2] - SIZES[0]);
    const perFn50 = (t: number[]) => (t[1] - t[0]) / (SIZES[1] - SIZES[0]);
    const out = [
        ...sectionHeader(title),
        `Each figure is the median of ${RUNS} runs of a whole process: \`npm run plan -- -c lambda-docker:manifest=<n functions>\` ` +
            `(index.ts under the mocks engine composing a manifest of n image functions, 5n + 5 resources)${cdk ? `; \`node cdk-app.js n\`, a CDK app (aws-cdk-lib ${cdkVersion}) with the same functions synthesized in-process (4n + 1 resources)` : ""}.`,
        "",
        `| functions | plan |${cdk ? " CDK synth |" : ""}`,
        `|---|---|${cdk ? "---|" : ""}`,
        ...SIZES.map(
            (n, i) =>
                `| ${n} | ${plan[i].toFixed(0)} ms |${cdk ? ` ${cdk[i].toFixed(0)} ms |` : ""}`,
        ),
        `| per function, (t50 - t1) / 49 | ${perFn50(plan).toFixed(1)} ms |${cdk ? ` ${perFn50(cdk).toFixed(1)} ms |` : ""}`,
        `| per function, (t200 - t1) / 199 | ${perFn(plan).toFixed(1)} ms (target ≤ 10 ms: ${perFn(plan) <= 10 ? "met" : "NOT met"}) |${cdk ? ` ${perFn(cdk).toFixed(1)} ms |` : ""}`,
    ];
    if (cdk) out.push(`| plan / CDK at 200 functions | ${(plan[2] / cdk[2]).toFixed(2)}× | |`);
    else out.push("", `(CDK not compared: aws-cdk-lib could not be installed in ${CDK_DIR}.)`);
    return out;
}
