/**
 * buildLayer: a Lambda layer zip from a Docker build, cached by a content hash of its inputs, written
 * atomically after the size check. See docs/design/build.md.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { existingDirectory, validateBuildArgs, validateBuildPaths } from "./buildPaths";
import { hashBuildInputs } from "./contextHash";
import * as v from "../validation";
import {
    DockerError,
    buildArgFlags,
    buildFailure,
    buildKitCommand,
    checkDaemon,
    runDocker,
} from "../docker/cli";
import { checkEmulation } from "../docker/emulation";
import { BuildSecretSource, secretFlags, validateSecrets } from "./secrets";
import { EXPORT_STAGE, withExportStage } from "./dockerfile";
import { listTree, unzippedSize, writeZip } from "./zip";
import { LAMBDA_DIRECT_UPLOAD_LIMIT, LAMBDA_UNZIPPED_LIMIT } from "../lambda/rules";

export { LAMBDA_DIRECT_UPLOAD_LIMIT, LAMBDA_UNZIPPED_LIMIT };
/** Bumped whenever the zip rules change, so old cache entries are not reused. */
const ZIP_FORMAT = "1";

export const LAYER_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export const BUILDERS = ["auto", "buildkit", "classic"] as const;

export interface BuildLayerOptions {
    /** Build context directory (the Dockerfile inside unless `dockerfile` is given). */
    readonly context: string;
    /** Dockerfile path. @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** Docker build args. @default {} */
    readonly buildArgs?: Record<string, string>;
    /** Stage whose asset directory is exported. @default undefined (the last stage) */
    readonly target?: string;
    /** `linux/amd64` or `linux/arm64`. @default undefined (the daemon's platform) */
    readonly platform?: (typeof LAYER_PLATFORMS)[number];
    /** Absolute directory in the image whose contents become the zip root (`/asset/python/x` -> `python/x`). @default "/asset" */
    readonly assetPath?: string;
    /** Where zips are cached by input hash. @default ".lambda-docker/cache" */
    readonly cacheDir?: string;
    /** Also copy the zip here (atomically). @default undefined */
    readonly out?: string;
    /** Keep `__pycache__`/`.pyc` (see the zip rules). @default false */
    readonly keepBytecode?: boolean;
    /** `buildkit`, `classic`, or `auto` (BuildKit when the CLI can run it). @default $LAMBDA_DOCKER_BUILDER or "auto" */
    readonly builder?: (typeof BUILDERS)[number];
    /**
     * BuildKit secrets by id, read with `RUN --mount=type=secret,id=<id>`: from an environment variable,
     * a file, or a value. Only the ids are hashed; the classic builder can't take them. @default {}
     */
    readonly secrets?: Readonly<Record<string, BuildSecretSource>>;
    /** Build without Docker's build cache (`--no-cache`); does not bypass the zip cache. @default false */
    readonly noCache?: boolean;
    /** Receives each line of docker's output while it builds. @default undefined */
    readonly onOutput?: (line: string) => void;
    /** Environment for docker (DOCKER picks the binary). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
}

export interface LayerBuildResult {
    /** The layer zip, in the cache. */
    readonly zipPath: string;
    /** sha256 (hex) of the zip bytes. */
    readonly sha256: string;
    readonly unzippedBytes: number;
    readonly zippedBytes: number;
    /** True when the zip came from the cache and no docker command ran. */
    readonly cached: boolean;
    /** The input hash that names the cache entry. */
    readonly inputHash: string;
}

export interface ResolvedLayerBuild {
    readonly context: string;
    readonly dockerfile: string;
    readonly buildArgs: Record<string, string>;
    readonly target?: string;
    readonly platform?: (typeof LAYER_PLATFORMS)[number];
    readonly assetPath: string;
    readonly cacheDir: string;
    readonly keepBytecode: boolean;
    readonly builder: (typeof BUILDERS)[number];
    /** Secret ids, sorted (the values stay in `options.secrets`). */
    readonly secretIds: string[];
    /** The Dockerfile with the asset-export stage appended. */
    readonly exportDockerfile: string;
    readonly inputHash: string;
}

/** Validates options and computes the input hash; reads files, runs no docker command. */
export function resolveLayerBuild(options: BuildLayerOptions): ResolvedLayerBuild {
    const dockerfile = validateBuildPaths(options.context, options.dockerfile);
    const buildArgs = validateBuildArgs("buildArgs", options.buildArgs);
    const target =
        options.target === undefined
            ? undefined
            : v.matches(
                  "target",
                  options.target,
                  /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
                  "a build stage name",
              );
    const platform =
        options.platform === undefined
            ? undefined
            : v.oneOf("platform", options.platform, LAYER_PLATFORMS);
    const assetPath = v.matches(
        "assetPath",
        options.assetPath ?? "/asset",
        /^\/[^\0]*[^/]$/,
        'an absolute directory path in the image, not "/" (e.g. "/asset")',
    );
    const keepBytecode = v.boolean("keepBytecode", options.keepBytecode ?? false);
    const builder = v.oneOf(
        "builder",
        options.builder ?? (options.env ?? process.env).LAMBDA_DOCKER_BUILDER ?? "auto",
        BUILDERS,
    );
    const secretIds = validateSecrets("secrets", options.secrets);
    if (secretIds.length > 0 && builder === "classic") {
        v.fail(
            "builder",
            '"buildkit" or "auto" when `secrets` are given (the classic builder has no build secrets)',
            builder,
        );
    }
    const exportDockerfile = withExportStage(
        fs.readFileSync(dockerfile, "utf8"),
        dockerfile,
        assetPath,
        target,
    );
    const inputHash = hashBuildInputs({
        context: options.context,
        dockerfile,
        buildArgs,
        target,
        platform,
        extra: {
            assetPath,
            keepBytecode: String(keepBytecode),
            zipFormat: ZIP_FORMAT,
            ...(secretIds.length > 0 ? { secrets: secretIds.join(",") } : {}),
        },
    });
    return {
        context: options.context,
        dockerfile,
        buildArgs,
        target,
        platform,
        assetPath,
        cacheDir: options.cacheDir ?? path.join(".lambda-docker", "cache"),
        keepBytecode,
        builder,
        secretIds,
        exportDockerfile,
        inputHash,
    };
}

interface CacheMeta {
    sha256: string;
    unzippedBytes: number;
    zippedBytes: number;
}

export function cachePaths(cacheDir: string, inputHash: string): { zip: string; meta: string } {
    return {
        zip: path.join(cacheDir, `${inputHash}.zip`),
        meta: path.join(cacheDir, `${inputHash}.json`),
    };
}

/** The cached result for these inputs, or undefined. Runs no docker command. */
export function lookupLayerCache(resolved: ResolvedLayerBuild): LayerBuildResult | undefined {
    const paths = cachePaths(resolved.cacheDir, resolved.inputHash);
    try {
        const meta = JSON.parse(fs.readFileSync(paths.meta, "utf8")) as CacheMeta;
        if (fs.statSync(paths.zip).size !== meta.zippedBytes) return undefined;
        return { zipPath: paths.zip, ...meta, cached: true, inputHash: resolved.inputHash };
    } catch {
        return undefined;
    }
}

export function formatBytes(n: number): string {
    return `${n.toLocaleString("en-US")} bytes (${(n / 1048576).toFixed(1)} MiB)`;
}

function oversizeError(resolved: ResolvedLayerBuild, bytes: number): Error {
    return new Error(
        `Layer from ${JSON.stringify(resolved.dockerfile)} unzips to ${formatBytes(bytes)}, over Lambda's limit of ` +
            `${formatBytes(LAMBDA_UNZIPPED_LIMIT)} for a function and all its layers. Ship these dependencies in a ` +
            "container image instead: LambdaImage + ImageFunction (up to 10 GB).",
    );
}

function layerBuildFailure(
    resolved: ResolvedLayerBuild,
    what: string,
    tail: string[],
): DockerError {
    const missingAsset = tail.some(
        (l) => l.includes(resolved.assetPath) && /not found|no such file|could not find/i.test(l),
    );
    const hint = missingAsset
        ? `\nThe image has no ${resolved.assetPath} directory: install into it (e.g. pip install -t ${resolved.assetPath}/python …) or set assetPath.`
        : "";
    return buildFailure(
        `Layer build failed: ${what} of Dockerfile ${JSON.stringify(resolved.dockerfile)} with context ${JSON.stringify(resolved.context)}.${hint}`,
        tail,
        resolved.buildArgs,
    );
}

function buildFlags(resolved: ResolvedLayerBuild, options: BuildLayerOptions): string[] {
    const flags = buildArgFlags(resolved.buildArgs);
    if (resolved.platform) flags.push("--platform", resolved.platform);
    if (options.noCache) flags.push("--no-cache");
    return flags;
}

async function exportWithBuildKit(
    resolved: ResolvedLayerBuild,
    workDir: string,
    dest: string,
    options: BuildLayerOptions,
    command: "buildx" | "embedded",
): Promise<void> {
    const dockerfile = path.join(workDir, "Dockerfile");
    fs.writeFileSync(dockerfile, resolved.exportDockerfile);
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile before <context>/.dockerignore.
    const specificIgnore = `${resolved.dockerfile}.dockerignore`;
    if (fs.existsSync(specificIgnore))
        fs.copyFileSync(specificIgnore, `${dockerfile}.dockerignore`);
    const build = command === "buildx" ? ["buildx", "build"] : ["build"];
    const base = options.env ?? process.env;
    const secrets = secretFlags(options.secrets ?? {}, base);
    const env = { ...base, ...secrets.env, DOCKER_BUILDKIT: "1" };
    const result = await runDocker(
        [
            ...build,
            "--progress=plain",
            "--file",
            dockerfile,
            "--target",
            EXPORT_STAGE,
            ...buildFlags(resolved, options),
            ...secrets.flags,
            "--output",
            `type=local,dest=${dest}`,
            resolved.context,
        ],
        { onLine: options.onOutput, env },
    );
    if (result.code !== 0)
        throw layerBuildFailure(
            resolved,
            `docker ${build.join(" ")} (BuildKit) exited with code ${result.code}`,
            result.tail,
        );
}

/**
 * The images a classic build created, from its output: each step ends with ` ---> <id>`. A FROM step
 * prints its base image's id, and a step answered from the cache prints ` ---> Using cache` first:
 * those images were there before, and are never in the list.
 */
export function classicBuildImages(output: readonly string[]): string[] {
    const created: string[] = [];
    let existing = false;
    for (const line of output) {
        const step = /^Step \d+\/\d+ : (\S+)/.exec(line);
        if (step) existing = step[1].toUpperCase() === "FROM";
        if (/^ ---> Using cache$/.test(line)) existing = true;
        const m = /^ ---> ([0-9a-f]{12})$/.exec(line);
        if (m && !existing) created.push(m[1]);
    }
    return created;
}

async function exportWithClassicBuilder(
    resolved: ResolvedLayerBuild,
    dest: string,
    options: BuildLayerOptions,
): Promise<void> {
    const id = `${resolved.inputHash.slice(0, 12)}-${crypto.randomBytes(4).toString("hex")}`;
    const image = `lambda-docker-layer:${id}`;
    const container = `lambda-docker-layer-${id}`;
    const env = { ...(options.env ?? process.env), DOCKER_BUILDKIT: "0" };
    const run = (args: string[], onLine = options.onOutput) => runDocker(args, { onLine, env });
    try {
        const target = resolved.target ? ["--target", resolved.target] : [];
        const output: string[] = [];
        // --force-rm: the failed step's container is removed too, not only those of steps that succeeded.
        const built = await run(
            [
                "build",
                "--force-rm",
                "--file",
                resolved.dockerfile,
                "--tag",
                image,
                ...target,
                ...buildFlags(resolved, options),
                resolved.context,
            ],
            (line) => {
                output.push(line);
                options.onOutput?.(line);
            },
        );
        if (built.code !== 0) {
            // The steps that succeeded before the failure left untagged images: remove them, newest first.
            // No --force: an image something else uses (a tag, a container) stays.
            for (const created of classicBuildImages(output).reverse())
                await runDocker(["rmi", created], { env });
            throw layerBuildFailure(
                resolved,
                `docker build exited with code ${built.code}`,
                built.tail,
            );
        }
        // The command is never run; `docker create` only needs one when the image has none.
        const created = await run(["create", "--name", container, image, "lambda-docker-export"]);
        if (created.code !== 0)
            throw layerBuildFailure(
                resolved,
                `docker create exited with code ${created.code}`,
                created.tail,
            );
        const copied = await run(["cp", `${container}:${resolved.assetPath}/.`, dest]);
        if (copied.code !== 0)
            throw layerBuildFailure(
                resolved,
                `docker cp of ${resolved.assetPath} exited with code ${copied.code}`,
                copied.tail,
            );
    } finally {
        await runDocker(["rm", "--force", container], { env });
        await runDocker(["rmi", "--force", image], { env });
    }
}

function atomicCopy(from: string, to: string): void {
    fs.mkdirSync(path.dirname(path.resolve(to)), { recursive: true });
    const tmp = `${to}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
    try {
        fs.copyFileSync(from, tmp);
        fs.renameSync(tmp, to);
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

async function buildUncached(
    resolved: ResolvedLayerBuild,
    options: BuildLayerOptions,
): Promise<LayerBuildResult> {
    await checkDaemon(options.env);
    if (resolved.platform)
        await checkEmulation(resolved.platform === "linux/arm64" ? "arm64" : "x86_64", options.env);
    const kit = resolved.builder === "classic" ? undefined : await buildKitCommand(options.env);
    if (resolved.secretIds.length > 0 && !kit) {
        throw new DockerError(
            "Build `secrets` need BuildKit: a docker client with buildx, or one older than 23.0 (which embeds BuildKit); set DOCKER.",
        );
    }
    if (resolved.builder === "buildkit" && !kit) {
        throw new DockerError(
            '`builder` "buildkit" needs a docker client with buildx (or one older than 23.0, which embeds BuildKit); use builder "auto" or "classic", or set DOCKER.',
        );
    }
    fs.mkdirSync(resolved.cacheDir, { recursive: true });
    const workDir = fs.mkdtempSync(path.join(resolved.cacheDir, ".build-"));
    try {
        const dest = path.join(workDir, "asset");
        if (kit) await exportWithBuildKit(resolved, workDir, dest, options, kit);
        else await exportWithClassicBuilder(resolved, dest, options);
        if (!fs.existsSync(dest))
            throw layerBuildFailure(resolved, `no ${resolved.assetPath} was exported`, []);
        const entries = listTree(dest, { keepBytecode: resolved.keepBytecode });
        const unzipped = unzippedSize(entries);
        if (unzipped > LAMBDA_UNZIPPED_LIMIT) throw oversizeError(resolved, unzipped);
        const zipTmp = path.join(workDir, "layer.zip");
        const zipped = await writeZip(entries, zipTmp);
        const meta: CacheMeta = {
            sha256: zipped.sha256,
            unzippedBytes: zipped.unzippedBytes,
            zippedBytes: zipped.zippedBytes,
        };
        const paths = cachePaths(resolved.cacheDir, resolved.inputHash);
        fs.writeFileSync(path.join(workDir, "meta.json"), JSON.stringify(meta));
        // The zip first, then the metadata that makes it a cache hit.
        fs.renameSync(zipTmp, paths.zip);
        fs.renameSync(path.join(workDir, "meta.json"), paths.meta);
        return { zipPath: paths.zip, ...meta, cached: false, inputHash: resolved.inputHash };
    } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
    }
}

const inflight = new Map<string, Promise<LayerBuildResult>>();

/** Builds (or finds in the cache) the layer zip described by `options`. */
export async function buildLayer(options: BuildLayerOptions): Promise<LayerBuildResult> {
    const resolved = resolveLayerBuild(options);
    let result = lookupLayerCache(resolved);
    if (!result) {
        const key = path.resolve(cachePaths(resolved.cacheDir, resolved.inputHash).zip);
        let pending = inflight.get(key);
        if (!pending) {
            pending = buildUncached(resolved, options).finally(() => inflight.delete(key));
            inflight.set(key, pending);
        }
        result = await pending;
    }
    if (result.unzippedBytes > LAMBDA_UNZIPPED_LIMIT)
        throw oversizeError(resolved, result.unzippedBytes);
    if (options.out) atomicCopy(result.zipPath, options.out);
    return result;
}

/**
 * A prebuilt layer directory (its contents become the zip root: `python/…`, `bin/…`), zipped
 * deterministically as it is, without Docker, into the cache as `layer-<sha256>.zip`. Bytecode is left
 * out unless `keepBytecode`; the size limits are those of a Docker-built layer.
 */
export async function zipDirectoryLayer(options: {
    directory: string;
    cacheDir?: string;
    keepBytecode?: boolean;
    out?: string;
}): Promise<LayerBuildResult> {
    const directory = existingDirectory("directory", options.directory);
    const cacheDir = options.cacheDir ?? path.join(".lambda-docker", "cache");
    const entries = listTree(directory, { keepBytecode: options.keepBytecode ?? false });
    const unzipped = unzippedSize(entries);
    if (unzipped > LAMBDA_UNZIPPED_LIMIT) {
        throw new Error(
            `Layer directory ${JSON.stringify(directory)} holds ${formatBytes(unzipped)}, over Lambda's limit of ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} ` +
                "for a function and all its layers. Ship these dependencies in a container image instead: LambdaImage + ImageFunction (up to 10 GB).",
        );
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = path.join(
        cacheDir,
        `.layer-${process.pid}-${crypto.randomBytes(4).toString("hex")}.zip`,
    );
    try {
        const zipped = await writeZip(entries, tmp);
        const zipPath = path.join(cacheDir, `layer-${zipped.sha256}.zip`);
        const cached = fs.existsSync(zipPath);
        fs.renameSync(tmp, zipPath);
        if (options.out) atomicCopy(zipPath, options.out);
        return {
            zipPath,
            sha256: zipped.sha256,
            unzippedBytes: zipped.unzippedBytes,
            zippedBytes: zipped.zippedBytes,
            cached,
            inputHash: zipped.sha256,
        };
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}
