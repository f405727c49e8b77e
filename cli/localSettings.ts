/** The settings of a local command (`check`, `invoke`, `serve`): flags over the stack file over the defaults. */
import { Command } from "commander";
import * as fs from "fs";
import { ManifestBuildSettings } from "../lib/manifest/localBuild";
import { DEFAULT_MANIFEST, Manifest, checkManifestDeploy, readManifest } from "../lib/manifest";
import { FUNCTION_DEFAULTS } from "../lib/lambda/rules";
import { ARCHITECTURES, Architecture } from "../lib/validation";
import { localBaseImage, localStackSettings } from "../config/stackFile";
import { parseEnvFile } from "./envFile";
import { choice, collectKeyValue } from "./options";

export interface CommonOpts {
    manifest?: string;
    image?: string;
    architecture?: Architecture;
    buildArg: Record<string, string>;
    stack?: string;
    region?: string;
    env: Record<string, string>;
    envFile?: string;
    verbose?: boolean;
}

/** Everything a local command needs, from the flags over the stack file over the defaults. */
export interface LocalSettings {
    readonly manifestFile: string;
    readonly manifest: Manifest;
    readonly architecture: Architecture;
    readonly region: string;
    readonly buildArgs: Record<string, string>;
    readonly environment: Record<string, string>;
    readonly memorySize: number;
    readonly timeout: number;
}

export function commonOptions(cmd: Command): Command {
    return cmd
        .option(
            "-m, --manifest <file>",
            `the functions manifest (default: the stack's \`lambda-docker:manifest\`, else ${DEFAULT_MANIFEST})`,
        )
        .option(
            "-s, --stack <name>",
            "read the base image, architecture, region, memory, timeout and environment from stacks/Pulumi.<name>.yaml",
        )
        .option(
            "--image <ref>",
            "use this local image instead of building the manifest's (for a zip function: instead of the base image)",
        )
        .option(
            "--architecture <arch>",
            `the functions' architecture: ${ARCHITECTURES.join(" or ")} (default: the stack's, else x86_64)`,
            choice(ARCHITECTURES),
        )
        .option(
            "--build-arg <KEY=VALUE>",
            "build arg, repeatable; BASE_IMAGE here wins over the BASE_IMAGE variable and the stack",
            collectKeyValue,
            {},
        )
        .option("--region <region>", "AWS_REGION (default: the stack's aws:region, else us-east-1)")
        .option(
            "--env <KEY=VALUE>",
            "environment variable for the functions, repeatable (wins over --env-file and the stack)",
            collectKeyValue,
            {},
        )
        .option("--env-file <file>", "more environment variables, KEY=VALUE lines (dotenv)")
        .option("-v, --verbose", "print docker's whole build output");
}

/**
 * The settings of a local command. Precedence, highest first: flags; the BASE_IMAGE variable (base
 * image only); the stack file (`--stack`); the project's defaults. Pure apart from reading files.
 */
export function localSettings(
    opts: CommonOpts,
    env: NodeJS.ProcessEnv = process.env,
): LocalSettings {
    const stack = opts.stack ? localStackSettings(opts.stack, env) : undefined;
    const manifestFile = opts.manifest ?? stack?.config.manifest ?? DEFAULT_MANIFEST;
    const baseImage = localBaseImage(opts.buildArg.BASE_IMAGE, env, stack?.config.baseImage);
    const fromFile = opts.envFile
        ? parseEnvFile(fs.readFileSync(opts.envFile, "utf8"), opts.envFile)
        : {};
    const manifest = readManifest(manifestFile);
    const timeout = stack?.config.timeout ?? FUNCTION_DEFAULTS.timeout;
    // The plan's own checks: what a local command accepts, the plan accepts.
    checkManifestDeploy(manifest, { timeout, source: manifestFile });
    return {
        manifestFile,
        manifest,
        architecture: opts.architecture ?? stack?.config.architecture ?? "x86_64",
        region: opts.region ?? stack?.config.region ?? FUNCTION_DEFAULTS.region,
        buildArgs: { ...opts.buildArg, BASE_IMAGE: baseImage },
        environment: { ...(stack?.environment ?? {}), ...fromFile, ...opts.env },
        memorySize: stack?.config.memorySize ?? FUNCTION_DEFAULTS.memorySize,
        timeout,
    };
}

/** The build settings of the manifest's images under these settings. */
export function buildSettings(
    s: LocalSettings,
    onOutput?: (line: string) => void,
): ManifestBuildSettings {
    return {
        buildArgs: s.buildArgs,
        architecture: s.architecture,
        region: s.region,
        environment: s.environment,
        memorySize: s.memorySize,
        onOutput,
    };
}
