/** A manifest's functions built and checked locally under a stack's settings (`npm start`, `check`, the dev preflight). */
import { buildLayer } from "../build/layerBuild";
import { DockerError, buildFailure, checkDaemon, runDocker } from "../docker/cli";
import { LocalImage, LocalImageOptions } from "../local/localImage";
import { TASK_ROOT } from "../local/mounts";
import { preflight, preflightImage } from "../local/preflight";
import { runtimeOfBaseImage } from "../local/runtimeEnvironment";
import { PLATFORMS } from "../tags";
import { Architecture } from "../validation";
import { imageFunctionsOf, localEnvironment, zipFunctionsOf } from "./queries";
import { BuiltImageSpec, Manifest, ZipFunctionSpec } from "./types";

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
export function manifestImageBuild(
    image: BuiltImageSpec,
    settings: Pick<ManifestBuildSettings, "buildArgs" | "architecture" | "onOutput" | "env">,
): LocalImageOptions {
    return {
        context: image.context,
        dockerfile: image.dockerfile,
        target: image.target,
        buildArgs: { ...settings.buildArgs, ...image.buildArgs },
        architecture: settings.architecture,
        onOutput: settings.onOutput,
        env: settings.env,
    };
}

/**
 * A zip function's layers on the host, in order: Docker-built ones built (or found in the cache),
 * prebuilt directories as they are. A published layer ARN can't be fetched offline and is refused.
 */
export async function zipFunctionLayers(
    manifest: Manifest,
    fn: ZipFunctionSpec,
    settings: Pick<ManifestBuildSettings, "buildArgs" | "architecture" | "onOutput" | "env">,
): Promise<string[]> {
    const layers: string[] = [];
    for (const ref of fn.layers) {
        const layer = manifest.layers[ref];
        if (layer === undefined) {
            throw new DockerError(
                `Layer ${ref} is a published layer version: local runs use only the manifest's own layers. Declare it under \`layers:\` (a directory or a Docker build) to run it locally.`,
            );
        }
        if (layer.kind === "directory") {
            layers.push(layer.path);
        } else {
            const built = await buildLayer({
                context: layer.context,
                dockerfile: layer.dockerfile,
                target: layer.target,
                buildArgs: { ...settings.buildArgs, ...layer.buildArgs },
                platform: PLATFORMS[fn.architecture ?? settings.architecture],
                onOutput: settings.onOutput,
                env: settings.env,
            });
            layers.push(built.zipPath);
        }
    }
    return layers;
}

/** `image` is here, pulled for the architecture if need be; `failure` makes the error when it can't be. */
async function ensureImage(
    image: string,
    architecture: Architecture,
    settings: Pick<ManifestBuildSettings, "env">,
    failure: (tail: readonly string[]) => Error,
): Promise<void> {
    await checkDaemon(settings.env);
    if ((await runDocker(["image", "inspect", image], { env: settings.env })).code === 0) return;
    const pulled = await runDocker(["pull", "--platform", PLATFORMS[architecture], image], {
        env: settings.env,
    });
    if (pulled.code !== 0) throw failure(pulled.tail);
}

/**
 * Builds every image of the manifest that has functions and imports each of its handlers as Lambda
 * would; a zip function's handler imports in the base image (BASE_IMAGE), its code at /var/task and its
 * layers in /opt.
 */
export async function preflightManifest(
    manifest: Manifest,
    settings: ManifestBuildSettings,
): Promise<Record<string, LocalImage>> {
    const built: Record<string, LocalImage> = {};
    for (const [imageName, image] of Object.entries(manifest.images)) {
        const functions = imageFunctionsOf(manifest, imageName).map(([name, f]) => ({
            name,
            command: f.command,
            architecture: f.architecture ?? settings.architecture,
            environment: localEnvironment(f, settings.environment),
            memorySize: f.memorySize ?? settings.memorySize,
            runtime:
                image.kind === "prebuilt"
                    ? ""
                    : runtimeOfBaseImage(
                          image.buildArgs?.BASE_IMAGE ?? settings.buildArgs.BASE_IMAGE,
                      ),
        }));
        if (functions.length === 0) continue;
        if (image.kind === "prebuilt") {
            await ensureImage(image.uri, functions[0].architecture, settings, (tail) =>
                buildFailure(
                    `Image "${imageName}" (${image.uri}) is not here and could not be pulled: log in to its registry (aws ecr get-login-password | docker login …) or pull it yourself.`,
                    tail,
                    {},
                ),
            );
            await preflightImage(image.uri, functions, `image ${JSON.stringify(image.uri)}`, {
                region: settings.region,
                env: settings.env,
            });
            continue;
        }
        built[imageName] = await preflight({
            ...manifestImageBuild(image, settings),
            functions,
            region: settings.region,
        });
    }
    const base = settings.buildArgs.BASE_IMAGE;
    const zips = zipFunctionsOf(manifest);
    if (zips.length > 0 && base === undefined)
        throw new DockerError(
            "Zip functions are checked in the base image: pass BASE_IMAGE (a build arg, the variable, or the stack's `lambda-docker:baseImage`).",
        );
    if (zips.length > 0) {
        // Once for all zip functions: the daemon answers, and the base image is here (pulled if need be).
        const [name, f] = zips[0];
        await ensureImage(base!, f.architecture ?? settings.architecture, settings, (tail) =>
            buildFailure(
                `Zip function "${name}" is checked in the base image ${JSON.stringify(base)}, which is not here and could not be pulled.`,
                tail,
                { BASE_IMAGE: base! },
            ),
        );
    }
    for (const [name, f] of zips) {
        await preflightImage(
            base!,
            [
                {
                    name,
                    command: [f.handler],
                    architecture: f.architecture ?? settings.architecture,
                    environment: localEnvironment(f, settings.environment),
                    memorySize: f.memorySize ?? settings.memorySize,
                    runtime: f.runtime,
                },
            ],
            `the base image ${JSON.stringify(base)} with the code of ${JSON.stringify(f.code)}`,
            {
                region: settings.region,
                env: settings.env,
                mounts: [{ source: f.code, target: TASK_ROOT }],
                layers: await zipFunctionLayers(manifest, f, settings),
                workingDirectory: TASK_ROOT,
            },
        );
    }
    return built;
}
