/** A function image built on the local Docker engine, once per content hash, for the functions' platform. */
import * as path from "path";
import { hashBuildInputs, resolveDockerfile } from "../build/contextHash";
import { PLATFORMS } from "../tags";
import { Architecture } from "../validation";
import {
    DockerError,
    buildArgFlags,
    buildFailure,
    buildKitCommand,
    checkDaemon,
    runDocker,
} from "../docker/cli";
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
export function localImageTag(
    options: Pick<
        LocalImageOptions,
        "context" | "dockerfile" | "buildArgs" | "target" | "architecture"
    >,
): string {
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    const platform = PLATFORMS[options.architecture ?? "x86_64"];
    const hash = hashBuildInputs({
        context: options.context,
        dockerfile,
        buildArgs: options.buildArgs ?? {},
        target: options.target,
        platform,
    });
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
    if ((await runDocker(["image", "inspect", image], { env })).code === 0)
        return { image, built: false, output: [] };

    const kit = await buildKitCommand(env);
    const command =
        kit === "buildx"
            ? ["buildx", "build", "--load", "--progress=plain"]
            : kit
              ? ["build", "--progress=plain"]
              : ["build"];
    const flags = buildArgFlags(buildArgs);
    if (options.target) flags.push("--target", options.target);
    // Which project the image belongs to, so `lambda-docker clean` only ever removes its own.
    flags.push("--label", `${CONTEXT_LABEL}=${path.resolve(options.context)}`);
    const output: string[] = [];
    const result = await runDocker(
        [
            ...command,
            "--platform",
            platform,
            "--file",
            dockerfile,
            "--tag",
            image,
            ...flags,
            options.context,
        ],
        {
            env: { ...env, DOCKER_BUILDKIT: kit ? "1" : "0" },
            tailLines: 40,
            onLine: (line) => {
                output.push(line);
                options.onOutput?.(line);
            },
        },
    );
    if (result.code !== 0) {
        throw buildFailure(
            `Image build failed: docker build of Dockerfile ${JSON.stringify(dockerfile)} with context ${JSON.stringify(options.context)} exited with code ${result.code}.`,
            result.tail,
            buildArgs,
        );
    }
    return { image, built: true, output };
}

const DOCKER_ARCHITECTURES: Record<string, Architecture> = { amd64: "x86_64", arm64: "arm64" };

/** The Lambda architecture of a local image, from `docker image inspect`. */
export async function imageArchitecture(image: string, env?: NodeJS.ProcessEnv): Promise<string> {
    const result = await runDocker(["image", "inspect", "--format", "{{.Architecture}}", image], {
        env,
    });
    if (result.code !== 0)
        throw new DockerError(
            `Image ${JSON.stringify(image)} not found locally: ${result.tail.join(" | ")}`,
        );
    const arch = result.stdout.trim();
    return DOCKER_ARCHITECTURES[arch] ?? arch;
}
