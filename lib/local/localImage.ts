/**
 * The function image, built and run on the local Docker engine before any AWS call:
 * - `buildLocalImage` builds it (once per content hash) for the functions' platform;
 * - `preflight` checks that every function's command resolves inside it (the module imports with the
 *   image's working directory and PYTHONPATH, the attribute is callable) and that its architecture
 *   is the functions' — the "handler not found" and "exec format error" failures, found early;
 * `invokeLocal` (invoke.ts) runs one handler with an event, as `lambda-docker invoke` does.
 */
import * as path from "path";
import { hashBuildInputs, resolveDockerfile } from "../build/contextHash";
import { ImageSpec, Manifest, ZipFunctionSpec, imageFunctionsOf, zipFunctionsOf } from "../manifest/parse";
import { buildLayer } from "../build/layerBuild";
import { PLATFORMS } from "../tags";
import { Architecture } from "../validation";
import { LAYER_SETUP, Mount, mountFlags } from "./mounts";
import { DockerError, buildArgFlags, buildFailure, buildKitCommand, checkDaemon, runDocker } from "../docker/cli";
import { checkEmulation } from "../docker/emulation";

export interface LocalImageOptions {
    readonly context: string;
    /** @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** @default {} */
    readonly buildArgs?: Record<string, string>;
    /** @default undefined (the last stage) */
    readonly target?: string;
    /** The functions' architecture; the image is built for its platform. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Receives each build output line. @default undefined */
    readonly onOutput?: (line: string) => void;
    /** Environment for docker (DOCKER picks the binary). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

export interface LocalImage {
    /** Local tag, `lambda-docker-local:<content hash>`. */
    readonly image: string;
    /** False when an image with that content hash already existed. */
    readonly built: boolean;
    /** The build's output lines (empty when not built). */
    readonly output: string[];
}

/** The repository of locally built function images; `lambda-docker clean` removes the stale ones. */
export const LOCAL_IMAGE_REPOSITORY = "lambda-docker-local";
/** The label holding a local image's absolute build context. */
export const CONTEXT_LABEL = "lambda-docker.context";

/** The local tag of the image `options` describe: `lambda-docker-local:<content hash>`. Reads files, runs no docker command. */
export function localImageTag(options: Pick<LocalImageOptions, "context" | "dockerfile" | "buildArgs" | "target" | "architecture">): string {
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    const platform = PLATFORMS[options.architecture ?? "x86_64"];
    const hash = hashBuildInputs({ context: options.context, dockerfile, buildArgs: options.buildArgs ?? {}, target: options.target, platform });
    return `${LOCAL_IMAGE_REPOSITORY}:${hash.slice(0, 16)}`;
}

/** Builds the image locally unless an image of the same content hash exists. */
export async function buildLocalImage(options: LocalImageOptions): Promise<LocalImage> {
    const env = options.env ?? process.env;
    await checkDaemon(env);
    await checkEmulation(options.architecture ?? "x86_64", env);
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    const platform = PLATFORMS[options.architecture ?? "x86_64"];
    const buildArgs = options.buildArgs ?? {};
    const image = localImageTag(options);
    if ((await runDocker(["image", "inspect", image], { env })).code === 0) return { image, built: false, output: [] };

    const kit = await buildKitCommand(env);
    const command = kit === "buildx" ? ["buildx", "build", "--load", "--progress=plain"] : kit ? ["build", "--progress=plain"] : ["build"];
    const flags = buildArgFlags(buildArgs);
    if (options.target) flags.push("--target", options.target);
    // Which project the image belongs to, so `lambda-docker clean` only ever removes its own.
    flags.push("--label", `${CONTEXT_LABEL}=${path.resolve(options.context)}`);
    const output: string[] = [];
    const result = await runDocker([...command, "--platform", platform, "--file", dockerfile, "--tag", image, ...flags, options.context], {
        env: { ...env, DOCKER_BUILDKIT: kit ? "1" : "0" },
        tailLines: 40,
        onLine: (line) => {
            output.push(line);
            options.onOutput?.(line);
        },
    });
    if (result.code !== 0) {
        throw buildFailure(
            `Image build failed: docker build of Dockerfile ${JSON.stringify(dockerfile)} with context ${JSON.stringify(options.context)} exited with code ${result.code}.`,
            result.tail, buildArgs,
        );
    }
    return { image, built: true, output };
}

export interface PreflightFunction {
    readonly name: string;
    readonly command: readonly string[];
    /** @default "x86_64" */
    readonly architecture?: Architecture;
    /** The function's configured environment, present while its handler imports. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** MB, for AWS_LAMBDA_FUNCTION_MEMORY_SIZE. @default 512 */
    readonly memorySize?: number;
}

export interface PreflightProblem {
    readonly name: string;
    readonly command: string;
    readonly problem: string;
}

export class PreflightError extends Error {
    constructor(public readonly problems: PreflightProblem[], what: string) {
        super(
            `Preflight failed for ${problems.length} function(s) in ${what}:\n` +
                problems.map((p) => `  - function "${p.name}", command "${p.command}": ${p.problem}`).join("\n"),
        );
        this.name = "PreflightError";
    }
}

/**
 * The variables Lambda sets in every function's environment (reserved names), for a local import:
 * the region, the function's identity, the task root, and credentials that look real but are not, so
 * module-level `boto3.client(...)` calls construct without reaching AWS (the container has no network).
 */
export function lambdaReservedEnvironment(fn: { name: string; handler: string; memorySize?: number }, region: string): Record<string, string> {
    return {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize ?? 512),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: "local",
        AWS_EXECUTION_ENV: "AWS_Lambda_python3.11",
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_ACCESS_KEY_ID: "AKIALAMBDADOCKERLOCAL",
        AWS_SECRET_ACCESS_KEY: "lambda-docker-local-preflight-not-a-secret",
        AWS_SESSION_TOKEN: "lambda-docker-local",
        _HANDLER: fn.handler,
        TZ: ":UTC",
    };
}

/**
 * Imports each handler inside the image the way the Lambda Python runtime does, one child interpreter
 * per function, so each import sees only that function's environment. It reports a missing module or
 * attribute ("not found"), a value that isn't callable, and an exception raised while importing, with
 * the last frame in the function's own code (not the standard library or site-packages).
 */
const CHECK_SCRIPT = `
import json, os, subprocess, sys
${LAYER_SETUP}
CHILD = r"""
import importlib, json, os, sys, traceback
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
if os.path.isdir("/opt/python") and "/opt/python" not in sys.path:
    sys.path.append("/opt/python")
handler = os.environ["_HANDLER"]
module, _, attr = handler.rpartition(".")
def own_frame(tb):
    frames = [f for f in traceback.extract_tb(tb) if "site-packages" not in f.filename and not f.filename.startswith("<") and "/lib/python" not in f.filename]
    if not frames:
        return ""
    root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    f = frames[-1]
    return " (%s:%d)" % (os.path.relpath(f.filename, root) if f.filename.startswith(root) else f.filename, f.lineno)
try:
    loaded = importlib.import_module(module)
except ModuleNotFoundError as e:
    if e.name and (module == e.name or module.startswith(e.name + ".")):
        result = "not found: there is no module '%s' in the image" % module
    else:
        result = "raised ModuleNotFoundError while importing: %s%s" % (e, own_frame(e.__traceback__))
except BaseException as e:
    result = "raised %s while importing: %s%s" % (type(e).__name__, e, own_frame(e.__traceback__))
else:
    if not hasattr(loaded, attr):
        result = "not found: module '%s' has no attribute '%s'" % (module, attr)
    elif not callable(getattr(loaded, attr)):
        result = "not callable: %s is a %s" % (handler, type(getattr(loaded, attr)).__name__)
    else:
        result = None
print("LAMBDA_DOCKER_RESULT " + json.dumps(result))
"""
results = {}
for name, spec in json.loads(os.environ["LAMBDA_DOCKER_FUNCTIONS"]).items():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_DOCKER_")}
    env.update(spec["environment"])
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True)
    line = [l for l in out.stdout.splitlines() if l.startswith("LAMBDA_DOCKER_RESULT ")]
    results[name] = json.loads(line[-1][len("LAMBDA_DOCKER_RESULT "):]) if line else "exited with code %d while importing: %s" % (out.returncode, (out.stderr.strip().splitlines() or [""])[-1])
print("LAMBDA_DOCKER_PREFLIGHT " + json.dumps(results, sort_keys=True))
`;

const DOCKER_ARCHITECTURES: Record<string, Architecture> = { amd64: "x86_64", arm64: "arm64" };

/** The Lambda architecture of a local image, from `docker image inspect`. */
export async function imageArchitecture(image: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const result = await runDocker(["image", "inspect", "--format", "{{.Architecture}}", image], { env });
    if (result.code !== 0) throw new DockerError(`Image ${JSON.stringify(image)} not found locally: ${result.tail.join(" | ")}`);
    const arch = result.stdout.trim();
    return DOCKER_ARCHITECTURES[arch] ?? arch;
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
export async function preflightImage(image: string, functions: readonly PreflightFunction[], what: string, options: PreflightOptions = {}): Promise<void> {
    const { region, env } = options;
    const problems: PreflightProblem[] = [];
    const arch = await imageArchitecture(image, env);
    const runnable = functions.filter((f) => {
        const wanted = f.architecture ?? "x86_64";
        if (arch === wanted) return true;
        problems.push({ name: f.name, command: f.command[0], problem: `the image is ${arch} but the function is ${wanted} (Lambda would fail with "exec format error")` });
        return false;
    });
    if (runnable.length > 0) {
        const specs = Object.fromEntries(runnable.map((f) => [f.name, {
            environment: { ...(f.environment ?? {}), ...lambdaReservedEnvironment({ name: f.name, handler: f.command[0], memorySize: f.memorySize }, region ?? "us-east-1") },
        }]));
        const run = await runDocker(
            ["run", "--rm", "--network", "none", ...mountFlags(options.mounts, options.layers), ...(options.workingDirectory ? ["--workdir", options.workingDirectory] : []),
                "--entrypoint", "python3", "-e", `LAMBDA_DOCKER_FUNCTIONS=${JSON.stringify(specs)}`, image, "-c", CHECK_SCRIPT],
            { env },
        );
        const line = run.stdout.split("\n").find((l) => l.startsWith("LAMBDA_DOCKER_PREFLIGHT "));
        if (run.code !== 0 || !line) {
            throw new DockerError(`Preflight could not run python3 in ${image} (exit ${run.code}): ${run.tail.slice(-5).join(" | ")}`);
        }
        const results = JSON.parse(line.slice("LAMBDA_DOCKER_PREFLIGHT ".length)) as Record<string, string | null>;
        for (const f of runnable) {
            const problem = results[f.name];
            if (problem) problems.push({ name: f.name, command: f.command[0], problem });
        }
    }
    if (problems.length > 0) throw new PreflightError(problems.sort((a, b) => a.name.localeCompare(b.name)), what);
}

/** Builds (or reuses) the local image, then runs `preflightImage` on it. */
export async function preflight(options: LocalImageOptions & { readonly functions: readonly PreflightFunction[]; readonly region?: string }): Promise<LocalImage> {
    const local = await buildLocalImage(options);
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    await preflightImage(local.image, options.functions, `the image built from ${JSON.stringify(dockerfile)}`, { region: options.region, env: options.env });
    return local;
}

/** The settings a manifest's functions get from their stack, before their own overrides. */
export interface ManifestBuildSettings {
    /** Build args of every image (each image's own `buildArgs` win), e.g. `{ BASE_IMAGE }`. */
    readonly buildArgs: Readonly<Record<string, string>>;
    readonly architecture: Architecture;
    readonly region: string;
    /** Every function's environment before its own. */
    readonly environment: Readonly<Record<string, string>>;
    readonly memorySize: number;
    readonly onOutput?: (line: string) => void;
    readonly env?: NodeJS.ProcessEnv;
}

/** The local build of one manifest image under the stack's settings. */
export function manifestImageBuild(image: ImageSpec, settings: Pick<ManifestBuildSettings, "buildArgs" | "architecture" | "onOutput" | "env">): LocalImageOptions {
    return {
        context: image.context, dockerfile: image.dockerfile, target: image.target,
        buildArgs: { ...settings.buildArgs, ...image.buildArgs }, architecture: settings.architecture, onOutput: settings.onOutput, env: settings.env,
    };
}

/**
 * A zip function's layers on the host, in order: Docker-built ones built (or found in the cache),
 * prebuilt directories as they are. A published layer ARN can't be fetched offline and is refused.
 */
export async function zipFunctionLayers(manifest: Manifest, fn: ZipFunctionSpec, settings: Pick<ManifestBuildSettings, "buildArgs" | "architecture" | "onOutput" | "env">): Promise<string[]> {
    const layers: string[] = [];
    for (const ref of fn.layers) {
        const layer = manifest.layers[ref];
        if (layer === undefined) {
            throw new DockerError(`Layer ${ref} is a published layer version: local runs use only the manifest's own layers. Declare it under \`layers:\` (a directory or a Docker build) to run it locally.`);
        }
        if (layer.kind === "directory") {
            layers.push(layer.path);
        } else {
            const built = await buildLayer({
                context: layer.context, dockerfile: layer.dockerfile, target: layer.target, buildArgs: { ...settings.buildArgs, ...layer.buildArgs },
                platform: PLATFORMS[fn.architecture ?? settings.architecture], onOutput: settings.onOutput, env: settings.env,
            });
            layers.push(built.zipPath);
        }
    }
    return layers;
}

/** Where a zip function's code is mounted, and its handlers import from. */
export const TASK_ROOT = "/var/task";

/**
 * Builds every image of the manifest that has functions and imports each of its handlers as Lambda
 * would; a zip function's handler imports in the base image (BASE_IMAGE), its code at /var/task and its
 * layers in /opt.
 */
export async function preflightManifest(manifest: Manifest, settings: ManifestBuildSettings): Promise<Record<string, LocalImage>> {
    const built: Record<string, LocalImage> = {};
    for (const imageName of Object.keys(manifest.images)) {
        const functions = imageFunctionsOf(manifest, imageName).map(([name, f]) => ({
            name, command: f.command, architecture: f.architecture ?? settings.architecture,
            environment: { ...settings.environment, ...f.environment }, memorySize: f.memorySize ?? settings.memorySize,
        }));
        if (functions.length === 0) continue;
        built[imageName] = await preflight({ ...manifestImageBuild(manifest.images[imageName], settings), functions, region: settings.region });
    }
    const base = settings.buildArgs.BASE_IMAGE;
    const zips = zipFunctionsOf(manifest);
    if (zips.length > 0 && base === undefined) throw new DockerError("Zip functions are checked in the base image: pass BASE_IMAGE (a build arg, the variable, or the stack's `lambda-docker:baseImage`).");
    if (zips.length > 0) {
        // Once for all zip functions: the daemon answers, and the base image is here (pulled if need be).
        await checkDaemon(settings.env);
        if ((await runDocker(["image", "inspect", base!], { env: settings.env })).code !== 0) {
            const [name, f] = zips[0];
            const pulled = await runDocker(["pull", "--platform", PLATFORMS[f.architecture ?? settings.architecture], base!], { env: settings.env });
            if (pulled.code !== 0) throw buildFailure(`Zip function "${name}" is checked in the base image ${JSON.stringify(base)}, which is not here and could not be pulled.`, pulled.tail, { BASE_IMAGE: base! });
        }
    }
    for (const [name, f] of zips) {
        await preflightImage(base!, [{
            name, command: [f.handler], architecture: f.architecture ?? settings.architecture,
            environment: { ...settings.environment, ...f.environment }, memorySize: f.memorySize ?? settings.memorySize,
        }], `the base image ${JSON.stringify(base)} with the code of ${JSON.stringify(f.code)}`, {
            region: settings.region, env: settings.env, mounts: [{ source: f.code, target: TASK_ROOT }],
            layers: await zipFunctionLayers(manifest, f, settings), workingDirectory: TASK_ROOT,
        });
    }
    return built;
}
