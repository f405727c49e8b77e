/**
 * The preflight: every function's handler imported inside its image, as Lambda's runtime would, and
 * its architecture checked: "handler not found" and "exec format error", found before any AWS call.
 */
import { resolveDockerfile } from "../build/contextHash";
import * as crypto from "crypto";
import { DockerError } from "../docker/cli";
import { runToEnd } from "../docker/run";
import { Architecture } from "../validation";
import { LocalImage, LocalImageOptions, buildLocalImage, imageArchitecture } from "./localImage";
import { Mount, mountsOf } from "./mounts";
import { localEnvironment } from "./runtimeEnvironment";
import { pythonProgram } from "./scripts";

export interface PreflightFunction {
    readonly name: string;
    readonly command: readonly string[];
    /** @default "x86_64" */
    readonly architecture?: Architecture;
    /** The function's configured environment, present while its handler imports. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** MB, for AWS_LAMBDA_FUNCTION_MEMORY_SIZE. @default 512 */
    readonly memorySize?: number;
    /** The runtime (`python3.12`), for AWS_EXECUTION_ENV. @default undefined (the image's own) */
    readonly runtime?: string;
}

export interface PreflightProblem {
    readonly name: string;
    readonly command: string;
    readonly problem: string;
}

export class PreflightError extends Error {
    constructor(
        public readonly problems: PreflightProblem[],
        what: string,
    ) {
        super(
            `Preflight failed for ${problems.length} function(s) in ${what}:\n` +
                problems
                    .map((p) => `  - function "${p.name}", command "${p.command}": ${p.problem}`)
                    .join("\n"),
        );
        this.name = "PreflightError";
    }
}

export interface PreflightOptions {
    /** AWS_REGION and AWS_DEFAULT_REGION while handlers import. @default "us-east-1" */
    readonly region?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Host directories mounted read-only (a zip function's code at /var/task). @default [] */
    readonly mounts?: readonly Mount[];
    /** Layers (zips or directories), extracted into /opt before the imports. @default [] */
    readonly layers?: readonly string[];
    /** The working directory the handlers import from. @default the image's WORKDIR */
    readonly workingDirectory?: string;
}

/** Checks every function's command and architecture against `image`; throws a PreflightError naming each failure. */
export async function preflightImage(
    image: string,
    functions: readonly PreflightFunction[],
    what: string,
    options: PreflightOptions = {},
): Promise<void> {
    const { region, env } = options;
    const problems: PreflightProblem[] = [];
    const arch = await imageArchitecture(image, env);
    const runnable = functions.filter((f) => {
        const wanted = f.architecture ?? "x86_64";
        if (arch === wanted) return true;
        problems.push({
            name: f.name,
            command: f.command[0],
            problem: `the image is ${arch} but the function is ${wanted} (Lambda would fail with "exec format error")`,
        });
        return false;
    });
    if (runnable.length > 0) {
        const specs = Object.fromEntries(
            runnable.map((f) => [
                f.name,
                {
                    environment: {
                        ...(f.environment ?? {}),
                        ...localEnvironment(
                            {
                                functionName: f.name,
                                handler: f.command[0],
                                memorySize: f.memorySize,
                                region,
                                runtime: f.runtime,
                            },
                            true,
                        ),
                    },
                },
            ]),
        );
        // The functions' environment (which may hold secrets) travels in the run's environment, never on a command line.
        const run = await runToEnd(
            {
                image,
                name: `lambda-docker-preflight-${crypto.randomBytes(4).toString("hex")}`,
                labels: { "lambda-docker.preflight": "true" },
                network: "none",
                mounts: mountsOf(options.mounts, options.layers),
                workingDir: options.workingDirectory,
                entrypoint: ["python3"],
                cmd: ["-c", pythonProgram("check_handlers")],
                env: { LAMBDA_DOCKER_FUNCTIONS: JSON.stringify(specs) },
            },
            env,
        );
        const line = run.stdout.split("\n").find((l) => l.startsWith("LAMBDA_DOCKER_PREFLIGHT "));
        if (run.code !== 0 || !line) {
            throw new DockerError(
                `Preflight could not run python3 in ${image} (exit ${run.code}): ${run.tail.slice(-5).join(" | ")}`,
            );
        }
        const results = JSON.parse(line.slice("LAMBDA_DOCKER_PREFLIGHT ".length)) as Record<
            string,
            string | null
        >;
        for (const f of runnable) {
            const problem = results[f.name];
            if (problem) problems.push({ name: f.name, command: f.command[0], problem });
        }
    }
    if (problems.length > 0)
        throw new PreflightError(
            problems.sort((a, b) => a.name.localeCompare(b.name)),
            what,
        );
}

/** Builds (or reuses) the local image, then runs `preflightImage` on it. */
export async function preflight(
    options: LocalImageOptions & {
        readonly functions: readonly PreflightFunction[];
        readonly region?: string;
    },
): Promise<LocalImage> {
    const local = await buildLocalImage(options);
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    await preflightImage(
        local.image,
        options.functions,
        `the image built from ${JSON.stringify(dockerfile)}`,
        { region: options.region, env: options.env },
    );
    return local;
}
