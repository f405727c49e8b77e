/** A temporary project for the remote commands' tests: a manifest, a stack file, the fake `pulumi`'s outputs, and the built CLI run against the AWS stand-in. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChildProcess } from "child_process";
import { startCli } from "../../support/cli";
import { REPO_ROOT } from "../../support/paths";
import { ACCOUNT, AwsStandIn, REGION, functionArn } from "../../support/awsStandIn";

export const FAKE_PULUMI_DIR = path.join(REPO_ROOT, "test", "support", "fake-pulumi");
export const REPO_URL = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app-dev`;
export const DEPLOYED = { api: "api-1111111", worker: "worker-2222222", cron: "cron-3333333" };

export const MANIFEST = `images:
  app: { context: app }
queues:
  jobs: {}
functions:
  api:
    command: [h.handler]
    events:
      - http: GET /health
      - http: ANY /items/{proxy+}
    samples:
      - { event: events/health.json, status: 200, expect: { body: ok } }
      - events/ping.json
  worker:
    command: [w.handler]
    events:
      - sqs: { queue: jobs, batchSize: 5 }
    samples:
      - { event: events/job.json, status: 200 }
  cron:
    command: [c.handler]
    events:
      - schedule: { expression: rate(1 hour) }
`;

export const OUTPUTS = {
    functionNames: DEPLOYED,
    functionArns: Object.fromEntries(Object.entries(DEPLOYED).map(([k, v]) => [k, functionArn(v)])),
    images: {
        app: {
            repositoryUrl: REPO_URL,
            uri: `${REPO_URL}@sha256:${"ab".repeat(32)}`,
            digest: `sha256:${"ab".repeat(32)}`,
            tags: ["dev-0123456789ab"],
        },
    },
    layers: {
        core: {
            arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:core-dev:3`,
            sha256: "c0ffee",
            artifact: "s3://bucket/core.zip",
        },
    },
    apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/",
    architecture: "x86_64",
};

export interface Project {
    readonly dir: string;
    readonly outputsDir: string;
    remove(): void;
}

export function makeProject(): Project {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-remote-"));
    const outputsDir = path.join(dir, ".outputs");
    const write = (rel: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
    };
    write("Pulumi.yaml", "name: lambda-docker\nruntime: nodejs\nstackConfigDir: stacks\n");
    write(
        "stacks/Pulumi.dev.yaml",
        "config:\n  aws:region: us-east-1\n  lambda-docker:memorySize: 512\n",
    );
    write("lambda-docker.yaml", MANIFEST);
    write("app/Dockerfile", "FROM scratch\n");
    write("events/health.json", '{"rawPath": "/health"}\n');
    write("events/ping.json", '{"rawPath": "/ping"}\n');
    write("events/job.json", '{"Records": [{"body": "job"}]}\n');
    write(".outputs/dev.json", JSON.stringify(OUTPUTS, null, 2));
    return { dir, outputsDir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of a CLI run: no AWS_* of the machine, the stand-in's, the fake pulumi first on PATH. */
export function cliEnv(
    standIn: AwsStandIn,
    project: Project,
    extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
        if (!k.startsWith("AWS_") && k !== "PULUMI") env[k] = v;
    return {
        ...env,
        ...standIn.env,
        PATH: `${FAKE_PULUMI_DIR}${path.delimiter}${process.env.PATH ?? ""}`,
        FAKE_PULUMI_OUTPUTS_DIR: project.outputsDir,
        ...extra,
    };
}

export interface Run {
    readonly status: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Collects a running CLI's output to its end (asynchronously: the stand-in serves from this process). */
export function finished(child: ChildProcess): Promise<Run> {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
    });
}

/** `lambda-docker <args>` in the project, to its end. */
export function run(
    args: string[],
    standIn: AwsStandIn,
    project: Project,
    options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
    const child = startCli(args, {
        cwd: project.dir,
        env: cliEnv(standIn, project, options.env),
        stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin?.end(options.input ?? "");
    return finished(child);
}
