/**
 * Which deployed function a remote command talks to: the stack's outputs (`pulumi stack output --json`)
 * map manifest names to deployed names and ARNs; `--function-name` overrides them.
 */
import { spawn } from "child_process";

/** The stack outputs the remote commands read (components/service/deployManifest.ts `stackOutputs`). */
export interface StackOutputs {
    readonly functionNames?: Record<string, string>;
    readonly functionArns?: Record<string, string>;
    readonly images?: Record<
        string,
        { repositoryUrl?: string; uri?: string; digest?: string; tags?: string[] }
    >;
    readonly layers?: Record<string, { arn?: string; sha256?: string; artifact?: string }>;
    readonly apiUrl?: string;
    readonly architecture?: string;
}

/** The Pulumi CLI: `PULUMI` when set, else `pulumi` on PATH. */
export function pulumiBinary(env: NodeJS.ProcessEnv = process.env): string {
    return env.PULUMI?.trim() || "pulumi";
}

/** `pulumi stack output --json --stack <stack>`, run in `cwd` (the Pulumi project). */
export function readStackOutputs(
    stack: string,
    cwd: string,
    env: NodeJS.ProcessEnv = process.env,
): Promise<StackOutputs> {
    const binary = pulumiBinary(env);
    return new Promise((resolve, reject) => {
        const child = spawn(binary, ["stack", "output", "--json", "--stack", stack], {
            cwd,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        child.on("error", (e: NodeJS.ErrnoException) =>
            reject(
                e.code === "ENOENT"
                    ? new Error(
                          `The Pulumi CLI (${binary}) is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) to read the stack's outputs, or pass --function-name <name or ARN>.`,
                      )
                    : e,
            ),
        );
        child.on("close", (code) => {
            const stderr = Buffer.concat(err).toString("utf8").trim();
            if (code !== 0) {
                reject(
                    new Error(
                        `\`${binary} stack output --json --stack ${stack}\` failed (exit ${code}): ${stderr}`,
                    ),
                );
                return;
            }
            try {
                resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as StackOutputs);
            } catch (e) {
                reject(
                    new Error(
                        `\`${binary} stack output --json\` printed no JSON: ${(e as Error).message}`,
                    ),
                );
            }
        });
    });
}

/** A deployed function: its name (for log groups) and its ARN when known. */
export interface DeployedFunction {
    readonly name: string;
    readonly arn?: string;
    /** The region the ARN names, if any. */
    readonly region?: string;
}

const ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:([^:]+)(?::.+)?$/;

/** A `--function-name` value: a name, or an ARN (its region is then the function's). */
export function functionFromFlag(nameOrArn: string): DeployedFunction {
    const m = ARN.exec(nameOrArn);
    return m ? { name: m[2], arn: nameOrArn, region: m[1] } : { name: nameOrArn };
}

/** The deployed function of manifest function `fn` in the stack's outputs; an unknown one lists the known. */
export function deployedFunction(
    outputs: StackOutputs,
    fn: string,
    stack: string,
): DeployedFunction {
    const names = outputs.functionNames ?? {};
    const name = names[fn];
    if (name === undefined) {
        const known = Object.keys(names).sort();
        throw new Error(
            `No function ${JSON.stringify(fn)} in stack ${JSON.stringify(stack)}'s outputs; it has ${known.length ? known.join(", ") : "none (is it deployed?)"}.`,
        );
    }
    const arn = outputs.functionArns?.[fn];
    return arn ? { ...functionFromFlag(arn), name } : { name };
}

/** The repository name in an ECR repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
export function repositoryName(repositoryUrl: string): string {
    const slash = repositoryUrl.indexOf("/");
    return slash < 0 ? repositoryUrl : repositoryUrl.slice(slash + 1);
}
