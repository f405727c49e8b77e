/**
 * A stack's settings as the local tools read them: `stacks/Pulumi.<stack>.yaml` (the project's
 * `stackConfigDir`), the same file `pulumi up --stack <stack>` reads, so `npm start`, `check`, `invoke`
 * and `layer build` build and run with the stack's base image, architecture, region and environment.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ValidationError } from "../lib/validation";
import { CONFIG_DEFAULTS, StackConfig, functionEnvironment, parseStackConfig } from "./stackConfig";

/** Finds the Pulumi project at or above `from`. */
export function findProject(from: string = process.cwd()): {
    dir: string;
    name: string;
    stackConfigDir: string;
} {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as {
                name?: string;
                stackConfigDir?: string;
            };
            return {
                dir,
                name: String(doc.name ?? ""),
                stackConfigDir: path.join(dir, doc.stackConfigDir ?? "."),
            };
        }
        if (path.dirname(dir) === dir) {
            throw new ValidationError(
                "--stack",
                `\`--stack\` needs a Pulumi project: no Pulumi.yaml in ${path.resolve(from)} or above.`,
            );
        }
    }
}

/** The stack file's config as Pulumi hands it to a program: fully qualified keys, string values. */
export function readStackFile(stack: string, from?: string): Record<string, string> {
    const project = findProject(from);
    const file = path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.existsSync(project.stackConfigDir)
            ? fs
                  .readdirSync(project.stackConfigDir)
                  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
                  .filter((s): s is string => s !== undefined)
                  .sort()
            : [];
        throw new ValidationError(
            "--stack",
            `\`--stack\` must name a stack of this project (${stacks.join(", ") || "none found"}); got ${JSON.stringify(stack)}: ${path.relative(process.cwd(), file)} does not exist.`,
        );
    }
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as {
        config?: Record<string, unknown>;
    };
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const name = key.includes(":") ? key : `${project.name}:${key}`;
        if (typeof value === "object" && value !== null && "secure" in value) continue; // ciphertext: only the Pulumi CLI decrypts it
        out[name] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/**
 * The base image of a local build, one rule for every local command: a `--build-arg BASE_IMAGE=…` flag,
 * else the BASE_IMAGE variable, else the stack's `lambda-docker:baseImage`, else the project default.
 * Always set, so a build's tag is the same whichever command built it.
 */
export function localBaseImage(
    flag: string | undefined,
    env: NodeJS.ProcessEnv,
    stackBaseImage: string | undefined,
): string {
    return flag ?? (env.BASE_IMAGE?.trim() || stackBaseImage || CONFIG_DEFAULTS.baseImage);
}

export interface LocalStackSettings {
    readonly config: StackConfig;
    /** The environment every function gets from the stack (the manifest adds each function's own). */
    readonly environment: Record<string, string>;
    /** BASE_IMAGE: the `BASE_IMAGE` variable when set, else the stack's `lambda-docker:baseImage`. */
    readonly baseImage: string;
}

/**
 * The settings local tools use for `stack`. BASE_IMAGE in the environment replaces the stack's base
 * image for local builds only (an offline machine's local copy); deploys always use the stack file, so
 * every machine computes the same image tags.
 */
export function localStackSettings(
    stack: string,
    env: NodeJS.ProcessEnv = process.env,
    from?: string,
): LocalStackSettings {
    const config = parseStackConfig(stack, readStackFile(stack, from));
    return {
        config,
        environment: functionEnvironment(config),
        baseImage: localBaseImage(undefined, env, config.baseImage),
    };
}
