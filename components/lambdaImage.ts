import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { stableRelativePath, validateBuildArgs, validateBuildPaths } from "./core/buildPaths";
import { hashBuildInputs, resolveDockerfile } from "./core/contextHash";
import { cacheTag, platformFor, registryHost, stageTag, tagRef, validateExtraTags } from "./core/tags";
import * as v from "./core/validation";
import { Architecture } from "./core/validation";
import { EcrRepository, repositorySettings } from "./ecrRepository";
import { registerImageSource } from "./core/imageSource";

export interface LambdaImageArgs {
    /** Repository the image is pushed to. */
    readonly repository: EcrRepository;
    /** Stage the image belongs to; must equal the repository's stage. Tags are `<stage>-<content hash>`. */
    readonly stage: string;
    /** Build context directory, relative to the Pulumi project (absolute paths are made relative). */
    readonly context: string;
    /** Dockerfile path. @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** `x86_64` (built for linux/amd64) or `arm64` (linux/arm64); exactly one platform, as Lambda requires. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Docker build args; part of the content hash. @default {} */
    readonly buildArgs?: Record<string, string>;
    /** Multi-stage target; part of the content hash. @default undefined (the last stage) */
    readonly target?: string;
    /** Extra tags pushed with the image, e.g. `["dev-latest"]`. Refused on IMMUTABLE repositories. @default [] */
    readonly extraTags?: string[];
    /** Use the repository as a BuildKit registry cache (`buildcache_<stage>` tag, mode=max). @default true */
    readonly cache?: boolean;
    /** Keep the pushed image when this resource is deleted (set in prod: deletes go by digest). @default false */
    readonly retainOnDelete?: boolean;
    /** Build during `pulumi preview` too, so a broken Dockerfile fails the preview. @default true */
    readonly buildOnPreview?: boolean;
}

export interface ResolvedLambdaImageArgs {
    readonly stage: string;
    /** Context path relative to the working directory, `/`-separated: docker-build diffs it as a string. */
    readonly context: string;
    readonly dockerfile: string;
    readonly architecture: Architecture;
    readonly platform: "linux/amd64" | "linux/arm64";
    readonly buildArgs: Record<string, string>;
    readonly target?: string;
    readonly extraTags: string[];
    readonly cache: boolean;
    readonly retainOnDelete: boolean;
    readonly buildOnPreview: boolean;
    /** `<stage>-<hash>` */
    readonly tag: string;
}

/** Validates and applies defaults without hashing the context (the expensive part). */
export function validateLambdaImageArgs(args: LambdaImageArgs, repositoryStage: string, immutable: boolean): Omit<ResolvedLambdaImageArgs, "tag"> {
    const stage = v.stage("stage", args.stage);
    if (stage !== repositoryStage) {
        v.fail("stage", `the repository's stage "${repositoryStage}" (its lifecycle policy counts only \`${repositoryStage}-\` tags)`, stage);
    }
    const dockerfile = validateBuildPaths(args.context, args.dockerfile);
    const architecture = v.architecture("architecture", args.architecture ?? "x86_64");
    const platform = platformFor(architecture);
    const buildArgs = validateBuildArgs("buildArgs", args.buildArgs);
    const target = args.target === undefined ? undefined : v.matches("target", args.target, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a build stage name");
    const extraTags = validateExtraTags("extraTags", args.extraTags ?? [], stage, immutable);
    return {
        stage,
        context: stableRelativePath(args.context),
        dockerfile: stableRelativePath(dockerfile),
        architecture,
        platform,
        buildArgs,
        target,
        extraTags,
        cache: v.boolean("cache", args.cache ?? true),
        retainOnDelete: v.boolean("retainOnDelete", args.retainOnDelete ?? false),
        buildOnPreview: v.boolean("buildOnPreview", args.buildOnPreview ?? true),
    };
}

/** Validates, applies defaults and computes the content-addressed tag. */
export function resolveLambdaImageArgs(args: LambdaImageArgs, repositoryStage: string, immutable: boolean): ResolvedLambdaImageArgs {
    const valid = validateLambdaImageArgs(args, repositoryStage, immutable);
    const hash = hashBuildInputs({
        context: args.context, dockerfile: resolveDockerfile(args.context, args.dockerfile), buildArgs: valid.buildArgs, target: valid.target, platform: valid.platform,
    });
    return { ...valid, tag: stageTag(valid.stage, hash) };
}

const settings = new WeakMap<LambdaImage, ResolvedLambdaImageArgs>();

/** The resolved build settings of a LambdaImage (architecture, tag, platform), as plain values. */
export function imageSettings(image: LambdaImage): ResolvedLambdaImageArgs {
    const found = settings.get(image);
    if (!found) throw new Error("`image` must be a LambdaImage created by lambda-docker, or an image URI string.");
    return found;
}

/**
 * A Lambda container image built with BuildKit and pushed to an EcrRepository under a per-stage,
 * content-addressed tag. Functions use `imageUri`, pinned by digest.
 */
export class LambdaImage extends pulumi.ComponentResource {
    /** `<repositoryUrl>@sha256:…`, the form Lambda accepts and the one that pins the exact image. */
    public readonly imageUri: pulumi.Output<string>;
    /** Manifest digest of the pushed image. */
    public readonly digest: pulumi.Output<string>;
    /** Every pushed reference, `<repositoryUrl>:<tag>`; the first is the content-addressed tag. */
    public readonly tags: pulumi.Output<string[]>;

    constructor(name: string, args: LambdaImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const resolved = v.withContext("LambdaImage", name, () => {
            if (!(args.repository instanceof EcrRepository)) v.fail("repository", "an EcrRepository", typeof args.repository);
            const repo = repositorySettings(args.repository);
            return resolveLambdaImageArgs(args, repo.stage, repo.tagMutability === "IMMUTABLE");
        });
        super("lambda-docker:index:LambdaImage", name, {}, opts);
        settings.set(this, resolved);

        const repositoryUrl = args.repository.repositoryUrl;
        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: args.repository.registryId }, { parent: this });
        const cacheRef = pulumi.interpolate`${repositoryUrl}:${cacheTag(resolved.stage)}`;
        const tags = pulumi.all([repositoryUrl]).apply(([url]) =>
            [resolved.tag, ...resolved.extraTags].map((t) => tagRef(url, t)),
        );

        const image = new dockerBuild.Image(
            `${name}-image`,
            {
                context: { location: resolved.context },
                dockerfile: { location: resolved.dockerfile },
                platforms: [resolved.platform],
                buildArgs: resolved.buildArgs,
                target: resolved.target,
                tags,
                push: true,
                buildOnPreview: resolved.buildOnPreview,
                registries: [
                    {
                        address: repositoryUrl.apply(registryHost),
                        username: auth.userName,
                        password: pulumi.secret(auth.password),
                    },
                ],
                cacheFrom: resolved.cache ? [{ registry: { ref: cacheRef } }] : undefined,
                cacheTo: resolved.cache
                    ? [{ registry: { ref: cacheRef, mode: "max", imageManifest: true, ociMediaTypes: true } }]
                    : undefined,
            },
            { parent: this, retainOnDelete: resolved.retainOnDelete },
        );

        this.digest = image.digest;
        this.imageUri = pulumi.interpolate`${repositoryUrl}@${image.digest}`;
        this.tags = tags;
        registerImageSource(this, { architecture: resolved.architecture, imageUri: this.imageUri });
        this.registerOutputs({ imageUri: this.imageUri, digest: this.digest, tags: this.tags });
    }
}
