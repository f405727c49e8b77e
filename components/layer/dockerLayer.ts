import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import {
    BuildLayerOptions,
    LayerBuildResult,
    buildLayer,
    formatBytes,
    resolveLayerBuild,
    zipDirectoryLayer,
} from "../../lib/build/layerBuild";
import { existingDirectory, stableRelativePath } from "../../lib/build/buildPaths";
import { cliCommand, cliInvocation } from "../../lib/commandLine";
import { underMocks } from "../internal/underMocks";
import { InitSlot, LayerSource, requireState, setState } from "../internal/componentState";
import { createLayerVersion, sourceCodeHash } from "./layerVersion";
import { layerArtifact } from "../../lib/registry/artifact";
import { parseTarget } from "../../lib/registry/reference";
import { BuildSecretSource } from "../../lib/build/secrets";
import { urnName, urnSuffixedName } from "../internal/names";
import { knownValue } from "../internal/outputs";
import { PLATFORMS, stageTag } from "../../lib/tags";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import { commandEnvironment } from "../image/promotedImage";

type LayerBuilder = (options: BuildLayerOptions) => Promise<LayerBuildResult>;
let defaultBuilder: LayerBuilder = buildLayer;

/**
 * Replaces the builder DockerLayers use, for tooling and tests that run a program without Docker (the
 * offline plan, mocks tests); `undefined` restores `buildLayer`. A module setting rather than an arg,
 * so the args stay plain data that other languages can pass.
 */
export function useLayerBuilder(builder: LayerBuilder | undefined): void {
    defaultBuilder = builder ?? buildLayer;
}

/** Where a build secret's value comes from: exactly one of the three. */
export interface DockerLayerSecret {
    /** An environment variable of the process running the program. @default undefined */
    readonly env?: string;
    /** A file. @default undefined */
    readonly src?: string;
    /** The value itself, e.g. `config.requireSecret("pipToken")`; must be known when the program runs. @default undefined */
    readonly value?: pulumi.Input<string>;
}

export interface DockerLayerArgs {
    /** Build context directory, with the Dockerfile inside unless `dockerfile` is given. Exactly one of `context` and `directory`. @default undefined */
    readonly context?: string;
    /**
     * A prebuilt layer directory instead of a Docker build (vendored wheels, say): its contents become the
     * zip root (`python/…`), zipped deterministically as they are. Exactly one of `context` and `directory`.
     * @default undefined
     */
    readonly directory?: string;
    /** Dockerfile path. @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** Docker build args, e.g. `{ BASE_IMAGE: "…" }`. @default {} */
    readonly buildArgs?: Record<string, string>;
    /** Stage whose `assetPath` is exported. @default undefined (the last stage) */
    readonly target?: string;
    /** Directory in the image whose contents become the zip root: `/asset/python/x` -> `python/x`. @default "/asset" */
    readonly assetPath?: string;
    /** `x86_64` or `arm64`: the build platform and the layer's compatible architecture. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Runtimes the layer declares. @default ["python3.11"] */
    readonly compatibleRuntimes?: string[];
    /**
     * Layer name. @default `<component name>-<8 hex of the component's URN>`: unique per project, stack
     * and parent, so two stacks or projects in one account never publish versions of one layer
     */
    readonly layerName?: string;
    /** Layer description. @default undefined */
    readonly description?: pulumi.Input<string>;
    /** Zip cache directory, relative to the project. @default ".lambda-docker/cache" */
    readonly cacheDir?: string;
    /** Keep `__pycache__`/`.pyc` in the zip (only with hash-based .pyc; see buildLayer). @default false */
    readonly keepBytecode?: boolean;
    /** S3 bucket for zips over Lambda's 50 MB direct-upload limit; without it such a layer is an error. @default undefined */
    readonly s3Bucket?: pulumi.Input<string>;
    /** Keep old layer versions when a new one replaces them (functions still pinned to them keep working). @default false */
    readonly retainOldVersions?: boolean;
    /**
     * BuildKit secrets by id, read with `RUN --mount=type=secret,id=<id>` (a private package index token,
     * say): `{ env: "VARIABLE" }`, `{ src: "file" }` or `{ value: config.requireSecret("token") }`. Only the
     * ids are part of the content hash; values reach neither the state, the image history nor the zip.
     * @default {}
     */
    readonly secrets?: Record<string, DockerLayerSecret>;
    /**
     * Also push the zip as an OCI artifact into this repository (its URL, e.g. an EcrRepository's
     * `repositoryUrl`), tagged `<stage>-<16 hex of its sha256>`, so that another stage publishes exactly
     * this zip with a PromotedLayer instead of building it again.
     * @default undefined (not pushed)
     */
    readonly artifactRepository?: pulumi.Input<string>;
    /** The stage the artifact's tag starts with; required with `artifactRepository`. @default undefined */
    readonly stage?: string;
    /** Plain environment variables for the artifact push command (`AWS_PROFILE`…); never a secret. @default {} */
    readonly environment?: Record<string, string>;
}

interface ArtifactTarget {
    readonly url: pulumi.Output<string>;
    readonly stage: string;
    readonly cli: string;
    readonly environment?: Record<string, string>;
}

interface ResolvedDockerLayerArgs {
    readonly build: BuildLayerOptions;
    /** Set for a prebuilt directory: zipped as is, no Docker. */
    readonly directory?: string;
    readonly architecture: Architecture;
    readonly compatibleRuntimes: string[];
    /** The explicit layer name; undefined means the URN-derived default. */
    readonly layerName?: string;
    readonly retainOldVersions: boolean;
    readonly artifact?: ArtifactTarget;
}

/** @internal */
export function resolveDockerLayerArgs(
    name: string,
    args: DockerLayerArgs,
): ResolvedDockerLayerArgs {
    const architecture = v.architecture("architecture", args.architecture ?? "x86_64");
    let directory: string | undefined;
    if (args.directory !== undefined) {
        for (const key of [
            "context",
            "dockerfile",
            "buildArgs",
            "target",
            "assetPath",
            "secrets",
        ] as const) {
            if (args[key] !== undefined)
                v.fail(
                    key,
                    "absent when `directory` is given (a prebuilt directory is zipped as it is, without a Docker build)",
                    args[key],
                );
        }
        directory = existingDirectory("directory", args.directory);
    } else if (args.context === undefined) {
        v.fail(
            "context",
            "a build context directory, or give `directory` (a prebuilt layer directory)",
            args.context,
        );
    }
    const build: BuildLayerOptions = {
        context: args.context ?? "",
        dockerfile: args.dockerfile,
        buildArgs: args.buildArgs,
        target: args.target,
        assetPath: args.assetPath,
        platform: PLATFORMS[architecture],
        cacheDir: args.cacheDir,
        keepBytecode: args.keepBytecode,
    };
    const secretSources = Object.fromEntries(
        Object.entries(args.secrets ?? {}).map(([id, src]) => [
            id,
            src !== null &&
            typeof src === "object" &&
            src.value !== undefined &&
            typeof src.value !== "string"
                ? { ...src, value: "" }
                : src,
        ]),
    );
    // validates before anything exists
    if (directory === undefined)
        resolveLayerBuild({
            ...build,
            secrets:
                args.secrets === undefined
                    ? undefined
                    : (secretSources as BuildLayerOptions["secrets"]),
        });
    const compatibleRuntimes = v.compatibleRuntimes("compatibleRuntimes", args.compatibleRuntimes);
    const layerName = v.layerName(name, args.layerName);
    return {
        build,
        directory,
        architecture,
        compatibleRuntimes,
        layerName,
        retainOldVersions: v.boolean("retainOldVersions", args.retainOldVersions ?? false),
        artifact: resolveArtifactTarget(args),
    };
}

function resolveArtifactTarget(args: DockerLayerArgs): ArtifactTarget | undefined {
    if (args.artifactRepository === undefined) {
        for (const key of ["stage", "environment"] as const) {
            if (args[key] !== undefined)
                v.fail(key, "unset unless `artifactRepository` is given", args[key]);
        }
        return undefined;
    }
    if (typeof args.artifactRepository === "string")
        parseTarget("artifactRepository", args.artifactRepository);
    if (args.stage === undefined)
        v.fail(
            "stage",
            "given with `artifactRepository`: the stage the artifact's tag starts with (`<stage>-<16 hex of the zip>`)",
            args.stage,
        );
    const stage = v.stage("stage", args.stage);
    const environment =
        args.environment === undefined
            ? undefined
            : commandEnvironment("environment", args.environment);
    return {
        url: pulumi.output(args.artifactRepository),
        stage,
        cli: cliInvocation(),
        environment,
    };
}

/** What a function using this layer needs to know before it creates anything. @internal */
export function layerInfo(layer: DockerLayer): LayerSource {
    return requireState(
        "layer",
        layer,
        "`layers` entries must be DockerLayers created by lambda-docker, or layer ARN strings.",
    );
}

/** Secret sources with their values resolved; a value still unknown (a resource not created yet) is an error. */
async function resolveSecrets(
    name: string,
    secrets: DockerLayerArgs["secrets"],
): Promise<BuildLayerOptions["secrets"]> {
    if (secrets === undefined) return undefined;
    const entries = await Promise.all(
        Object.entries(secrets).map(async ([id, source]) => {
            if (source.value === undefined) return [id, source as BuildSecretSource] as const;
            const value = await knownValue(source.value);
            if (value === undefined) {
                throw new Error(
                    `DockerLayer "${name}": \`secrets.${id}.value\` must be known when the program runs (a config secret or a variable), not the output of a resource that does not exist yet.`,
                );
            }
            return [id, { value }] as const;
        }),
    );
    return Object.fromEntries(entries);
}

/** The default layer name: the component name and 8 hex of its URN (project, stack, parents and name). @internal */
export function defaultLayerName(name: string, urn: string): string {
    return urnSuffixedName(name, urn);
}

export { sourceCodeHash };

/** The build args and paths of the DockerLayer under construction, kept out of its inputs (see InitSlot). */
const pendingInit = new InitSlot<{ resolved: ResolvedDockerLayerArgs; args: DockerLayerArgs }>();

type DockerLayerData = {
    arn: pulumi.Output<string>;
    version: pulumi.Output<string>;
    artifactUri?: pulumi.Output<string>;
};

/**
 * A Lambda layer extracted from a Docker build into a deterministic zip (or, with `directory`, a
 * prebuilt directory zipped as it is). The build runs while the
 * program runs (a fresh CI machine builds it too, or finds it in the cache), so the zip and its
 * sha256 exist at preview: unchanged inputs give the same sha256 and no diff.
 *
 * The component registers only identity data as its inputs (layer name and architecture): build args,
 * secrets and machine paths never reach the state, a `--diff` or a PR comment.
 */
export class DockerLayer extends pulumi.ComponentResource<DockerLayerData> {
    /** Versioned layer ARN, as functions reference it. Unknown at a preview that creates the layer. */
    public readonly arn: pulumi.Output<string>;
    /** sha256 (hex) of the layer zip; known at preview. */
    public readonly sha256: pulumi.Output<string>;
    /** Bytes once extracted; known at preview. */
    public readonly unzippedBytes: pulumi.Output<number>;
    /** Bytes of the zip; known at preview. */
    public readonly zippedBytes: pulumi.Output<number>;
    /**
     * With `artifactRepository`: `<repositoryUrl>:<stage>-<16 hex of the zip's sha256>@sha256:…`, the pushed artifact a PromotedLayer copies; known at
     * preview, settled once pushed. "" without `artifactRepository`.
     */
    public readonly artifactUri: pulumi.Output<string>;

    constructor(name: string, args: DockerLayerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const resolved = v.withContext("DockerLayer", name, () =>
            resolveDockerLayerArgs(name, args),
        );
        pendingInit.fill({ resolved, args });
        super(
            "lambda-docker:index:DockerLayer",
            name,
            { layerName: resolved.layerName, architecture: resolved.architecture },
            opts,
        );
        const { architecture, built } = requireState(
            "layerZip",
            this,
            "DockerLayer: initialize did not run",
        );
        this.arn = pulumi.output(this.getData()).apply((d) => d.arn);
        const info: LayerSource = { architecture, built, arn: this.arn };
        setState("layer", this, info);
        this.sha256 = pulumi.output(built.then((b) => b.sha256));
        this.unzippedBytes = pulumi.output(built.then((b) => b.unzippedBytes));
        this.zippedBytes = pulumi.output(built.then((b) => b.zippedBytes));
        this.artifactUri = pulumi.output(this.getData()).apply((d) => d.artifactUri ?? "");
    }

    /** Builds first; the layer version is created only from a zip that passed every size check. */
    protected async initialize(
        _props: unknown,
        _opts?: pulumi.ComponentResourceOptions,
        name = "",
    ): Promise<DockerLayerData> {
        const { resolved, args } = pendingInit.take();
        const built =
            resolved.directory !== undefined
                ? zipDirectoryLayer({
                      directory: resolved.directory,
                      cacheDir: resolved.build.cacheDir,
                      keepBytecode: resolved.build.keepBytecode,
                  })
                : resolveSecrets(name, args.secrets).then((secrets) =>
                      this.startBuild(name, { ...resolved, build: { ...resolved.build, secrets } }),
                  );
        setState("layerZip", this, { architecture: resolved.architecture, built });
        const layerName = pulumi.output(resolved.layerName ?? urnName(this, name));
        const done = pulumi.runtime.rpcKeepAlive(); // the program must not end while Docker runs
        try {
            return this.createLayer(name, resolved, args, await built, layerName);
        } finally {
            done();
        }
    }

    private createLayer(
        name: string,
        resolved: ResolvedDockerLayerArgs,
        args: DockerLayerArgs,
        result: LayerBuildResult,
        layerName: pulumi.Output<string>,
    ): DockerLayerData {
        const layer = createLayerVersion(
            this,
            name,
            {
                kind: "DockerLayer",
                layerName,
                description: args.description,
                compatibleRuntimes: resolved.compatibleRuntimes,
                architecture: resolved.architecture,
                retainOldVersions: resolved.retainOldVersions,
                s3Bucket: args.s3Bucket,
            },
            result,
        );
        const artifactUri = resolved.artifact
            ? this.pushArtifact(name, resolved.artifact, result)
            : undefined;
        this.registerOutputs({
            arn: layer.arn,
            sha256: result.sha256,
            unzippedBytes: result.unzippedBytes,
            zippedBytes: result.zippedBytes,
            artifactUri: artifactUri ?? "",
        });
        return { arn: layer.arn, version: layer.version.apply(String), artifactUri };
    }

    /** `<name>-artifact`: `lambda-docker layer push` of the zip, a write the engine knows; the URI follows from the zip alone. */
    private pushArtifact(
        name: string,
        target: ArtifactTarget,
        result: LayerBuildResult,
    ): pulumi.Output<string> {
        const artifact = layerArtifact(result.sha256, result.zippedBytes, result.unzippedBytes);
        const zipPath = stableRelativePath(result.zipPath);
        const tag = stageTag(target.stage, result.sha256);
        const push = new command.local.Command(
            `${name}-artifact`,
            {
                create: target.url.apply((url) =>
                    cliCommand(target.cli, [
                        "layer",
                        "push",
                        "--zip",
                        zipPath,
                        "--target",
                        url,
                        "--tag",
                        tag,
                    ]),
                ),
                environment: target.environment,
                logging: "stderr",
            },
            { parent: this },
        );
        // The tag travels with the digest, so the promoted tag keeps the zip's hash (dev-<sha> -> prod-<sha>-…).
        return pulumi
            .all([target.url, push.urn])
            .apply(([url]) => `${url}:${tag}@${artifact.manifest.digest}`);
    }

    /** Runs the build with its output in the engine's debug log and its latest line as this resource's status. */
    private startBuild(name: string, resolved: ResolvedDockerLayerArgs): Promise<LayerBuildResult> {
        const streamId = crypto.randomInt(1, 2 ** 31);
        // A real engine shows the ephemeral status line in place; the mocks engine (tests, the offline
        // plan) would print every line as `info: [runtime] …`, so there it all goes to debug.
        const status = underMocks()
            ? (line: string) => void pulumi.log.debug(line, this)
            : (line: string) => void pulumi.log.info(line, this, streamId, true);
        return defaultBuilder({
            ...resolved.build,
            onOutput: (line) => {
                void pulumi.log.debug(line, this);
                status(line.slice(0, 120));
            },
        }).then((result) => {
            status(
                `layer ${resolved.layerName ?? name}: ${result.cached ? "cached" : "built"} zip sha256 ${result.sha256.slice(0, 12)}, ` +
                    `${formatBytes(result.unzippedBytes)} unzipped`,
            );
            return result;
        });
    }
}
