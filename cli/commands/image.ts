/**
 * `lambda-docker check` and `lambda-docker invoke`: the function image on the local Docker engine,
 * before any AWS call. Functions and their commands come from the manifest (lambda-docker.yaml); with
 * `--stack <name>`, the base image, architecture, region, memory, timeout and environment come from
 * that stack's file, as `pulumi up --stack <name>` would use them.
 */
import { Command } from "commander";
import * as fs from "fs";
import { buildLocalImage, invokeLocal, invokeWithEmulator, preflightImage } from "../../lib/local";
import { ManifestBuildSettings, manifestImageBuild, preflightManifest, zipFunctionLayers } from "../../lib/manifest/localBuild";
import { DEFAULT_MANIFEST, FunctionSpec, Manifest, imageFunctionsOf, readManifest, zipFunctionsOf } from "../../lib/manifest/parse";
import { ARCHITECTURES, Architecture } from "../../lib/validation";
import { CONFIG_DEFAULTS } from "../../config/stackConfig";
import { localBaseImage, localStackSettings } from "../../config/stackFile";
import { choice, collectKeyValue, positiveInteger } from "../options";
import { withProgress } from "../output";

interface CommonOpts {
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

function commonOptions(cmd: Command): Command {
    return cmd
        .option("-m, --manifest <file>", `the functions manifest (default: the stack's \`lambda-docker:manifest\`, else ${DEFAULT_MANIFEST})`)
        .option("-s, --stack <name>", "read the base image, architecture, region, memory, timeout and environment from stacks/Pulumi.<name>.yaml")
        .option("--image <ref>", "use this local image instead of building the manifest's (for a zip function: instead of the base image)")
        .option("--architecture <arch>", `the functions' architecture: ${ARCHITECTURES.join(" or ")} (default: the stack's, else x86_64)`, choice(ARCHITECTURES))
        .option("--build-arg <KEY=VALUE>", "build arg, repeatable; BASE_IMAGE here wins over the BASE_IMAGE variable and the stack", collectKeyValue, {})
        .option("--region <region>", "AWS_REGION (default: the stack's aws:region, else us-east-1)")
        .option("--env <KEY=VALUE>", "environment variable for the functions, repeatable (wins over --env-file and the stack)", collectKeyValue, {})
        .option("--env-file <file>", "more environment variables, KEY=VALUE lines (dotenv)")
        .option("-v, --verbose", "print docker's whole build output");
}

/** `KEY=VALUE` lines of a dotenv file: `#` comments, blank lines, optional `export `, optional matching quotes. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
    const out: Record<string, string> = {};
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) return;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
        if (!m) throw new Error(`--env-file ${file}, line ${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`);
        const value = m[2];
        out[m[1]] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
    });
    return out;
}

/**
 * The settings of a local command. Precedence, highest first: flags; the BASE_IMAGE variable (base
 * image only); the stack file (`--stack`); the project's defaults. Pure apart from reading files.
 */
export function localSettings(opts: CommonOpts, env: NodeJS.ProcessEnv = process.env): LocalSettings {
    const stack = opts.stack ? localStackSettings(opts.stack, env) : undefined;
    const manifestFile = opts.manifest ?? stack?.config.manifest ?? DEFAULT_MANIFEST;
    const baseImage = localBaseImage(opts.buildArg.BASE_IMAGE, env, stack?.config.baseImage);
    const fromFile = opts.envFile ? parseEnvFile(fs.readFileSync(opts.envFile, "utf8"), opts.envFile) : {};
    return {
        manifestFile,
        manifest: readManifest(manifestFile),
        architecture: opts.architecture ?? stack?.config.architecture ?? "x86_64",
        region: opts.region ?? stack?.config.region ?? "us-east-1",
        buildArgs: { ...opts.buildArg, BASE_IMAGE: baseImage },
        environment: { ...(stack?.environment ?? {}), ...fromFile, ...opts.env },
        memorySize: stack?.config.memorySize ?? CONFIG_DEFAULTS.memorySize,
        timeout: stack?.config.timeout ?? CONFIG_DEFAULTS.timeout,
    };
}

/** The build settings of the manifest's images under these settings. */
export function buildSettings(s: LocalSettings, onOutput?: (line: string) => void): ManifestBuildSettings {
    return { buildArgs: s.buildArgs, architecture: s.architecture, region: s.region, environment: s.environment, memorySize: s.memorySize, onOutput };
}

export function checkCommand(): Command {
    return commonOptions(new Command("check"))
        .description("Build the image locally and import every function's handler in it as Lambda would (its environment, reserved variables, no network)")
        .action(async (opts: CommonOpts) => {
            const s = localSettings(opts);
            const functions = imageFunctionsOf(s.manifest);
            if (opts.image) {
                const checked = functions.map(([name, f]) => ({
                    name, command: f.command, architecture: f.architecture ?? s.architecture, environment: { ...s.environment, ...f.environment }, memorySize: f.memorySize ?? s.memorySize,
                }));
                await preflightImage(opts.image, checked, `image ${JSON.stringify(opts.image)}`, { region: s.region });
            } else {
                await withProgress("image", opts.verbose === true, (onOutput) => preflightManifest(s.manifest, buildSettings(s, onOutput)));
            }
            for (const [name, f] of functions) process.stdout.write(`ok  ${name}  ${f.command[0]}\n`);
            for (const [name, f] of zipFunctionsOf(s.manifest)) {
                process.stdout.write(opts.image ? `--  ${name}  ${f.handler}  (a zip function: not checked with --image)\n` : `ok  ${name}  ${f.handler}\n`);
            }
        });
}

function readEvent(source: string | undefined): unknown {
    if (source === undefined) return {};
    const text = fs.readFileSync(source === "-" ? 0 : source, "utf8");
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new Error(`--event ${JSON.stringify(source)} is not JSON: ${(e as Error).message}`);
    }
}

function jsonOption(flag: string) {
    return (value: string): Record<string, unknown> => {
        try {
            const parsed = JSON.parse(value) as unknown;
            if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
        } catch {
            // reported below
        }
        throw new Error(`${flag} must be a JSON object; got ${JSON.stringify(value)}`);
    };
}

interface InvokeOpts extends CommonOpts {
    event?: string;
    timeout?: number;
    memory?: number;
    network?: boolean;
    emulator?: boolean;
    clientContext?: Record<string, unknown>;
    identity?: { cognitoIdentityId?: string; cognitoIdentityPoolId?: string };
}

/**
 * What runs a function locally: an image function's image (built unless `--image`); a zip function's
 * code mounted at /var/task in the base image, with its manifest layers (built or zipped) extracted
 * into /opt as Lambda does.
 */
export async function invocationTarget(s: LocalSettings, fn: FunctionSpec, image: string | undefined, onOutput: (line: string) => void) {
    const settings = buildSettings(s, onOutput);
    if (fn.kind === "image") {
        const built = image ?? (await buildLocalImage(manifestImageBuild(s.manifest.images[fn.image], { ...settings, architecture: fn.architecture ?? s.architecture }))).image;
        return { image: built, command: fn.command, workingDirectory: fn.workingDirectory };
    }
    const layers = await zipFunctionLayers(s.manifest, fn, settings);
    return {
        image: image ?? s.buildArgs.BASE_IMAGE, command: [fn.handler], workingDirectory: "/var/task",
        mounts: [{ source: fn.code, target: "/var/task" }], layers,
    };
}

export function invokeCommand(): Command {
    return commonOptions(new Command("invoke"))
        .description("Run one function's handler in the locally built image with an event, by the Lambda Python runtime's rules; the result JSON alone goes to stdout")
        .argument("<function>", "function name from the manifest")
        .option("-e, --event <file>", "JSON event file, '-' for stdin (default: {})")
        .option("--timeout <seconds>", "stop the invocation after this long, as Lambda would (default: the stack's timeout, else 30)", positiveInteger)
        .option("--memory <mb>", "the container's memory limit and context.memory_limit_in_mb (default: the stack's memorySize, else 512)", positiveInteger)
        .option("--network", "give the container a network (default: none, so nothing leaves the machine)")
        .option("--emulator", "run through the image's Lambda Runtime Interface Emulator (AWS base images have it), on a port published on 127.0.0.1")
        .option("--client-context <json>", "context.client_context, e.g. '{\"custom\": {\"tenant\": \"a\"}}'", jsonOption("--client-context"))
        .option("--identity <json>", "context.identity, e.g. '{\"cognitoIdentityId\": \"…\", \"cognitoIdentityPoolId\": \"…\"}'", jsonOption("--identity"))
        .action(async (name: string, opts: InvokeOpts) => {
            const s = localSettings(opts);
            const fn = s.manifest.functions[name];
            if (!fn) throw new Error(`No function ${JSON.stringify(name)} in ${s.manifestFile}; it has ${Object.keys(s.manifest.functions).join(", ")}.`);
            const event = readEvent(opts.event);
            const target = await withProgress(fn.kind === "image" ? "image" : "layers", opts.verbose === true, (onOutput) => invocationTarget(s, fn, opts.image, onOutput));

            const controller = new AbortController();
            let signalled: NodeJS.Signals | undefined;
            const onSignal = (signal: NodeJS.Signals): void => {
                signalled = signal;
                controller.abort();
            };
            process.once("SIGINT", onSignal);
            process.once("SIGTERM", onSignal);
            try {
                const out = await (opts.emulator ? invokeWithEmulator : invokeLocal)({
                    ...target, functionName: name, event, environment: { ...s.environment, ...fn.environment, ...opts.env }, region: s.region,
                    timeout: opts.timeout ?? fn.timeout ?? s.timeout, memorySize: opts.memory ?? fn.memorySize ?? s.memorySize, network: opts.network === true,
                    clientContext: opts.clientContext, identity: opts.identity,
                    onLog: (line) => void process.stderr.write(`${line}\n`),
                    signal: controller.signal,
                });
                const pretty = process.stdout.isTTY === true && typeof out.result === "object";
                process.stdout.write(`${pretty ? JSON.stringify(out.result, null, 2) : out.payload}\n`);
                if (out.failed) process.exitCode = 1;
            } catch (e) {
                if (signalled) {
                    process.stderr.write(`lambda-docker: ${(e as Error).message}\n`);
                    process.exit(signalled === "SIGINT" ? 130 : 143);
                }
                throw e;
            } finally {
                process.removeListener("SIGINT", onSignal);
                process.removeListener("SIGTERM", onSignal);
            }
        });
}
