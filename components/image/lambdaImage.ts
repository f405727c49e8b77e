import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import {
    stableRelativePath,
    validateBuildArgs,
    validateBuildPaths,
} from "../../lib/build/buildPaths";
import { hashBuildInputs, resolveDockerfile } from "../../lib/build/contextHash";
import {
    cacheTag,
    platformFor,
    registryHost,
    stageTag,
    tagRef,
    validateExtraTags,
} from "../../lib/tags";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import { knownValue, settled } from "../internal/outputs";
import { AwsxRepositoryLike, RepositoryRef, repositoryRef } from "./repositoryRef";
import { EcrRepository, TagMutability } from "../ecr/repository";
import { requireState, setState } from "../internal/componentState";

export interface LambdaImageArgs {
    /**
     * Repository the image is pushed to: an EcrRepository, an `@pulumi/awsx` `ecr.Repository`, or a plain
     * ECR repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`).
     */
    readonly repository: EcrRepository | AwsxRepositoryLike | string;
    /** Stage the image belongs to; must equal an EcrRepository's stage. Tags are `<stage>-<content hash>`. */
    readonly stage: string;
    /**
     * Tag mutability of an awsx or URL repository (extra tags are refused on IMMUTABLE ones). Leave unset
     * for an EcrRepository, whose own setting applies. @default "MUTABLE"
     */
    readonly tagMutability?: TagMutability;
    /** Build context directory, relative to the Pulumi project (absolute paths are made relative). */
    readonly context: string;
    /** Dockerfile path. @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** `x86_64` (built for linux/amd64) or `arm64` (linux/arm64); exactly one platform, as Lambda requires. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Docker build args; part of the content hash. Never put secrets here: use `secrets`. @default {} */
    readonly buildArgs?: Record<string, string>;
    /**
     * BuildKit secrets by id, read in the Dockerfile with `RUN --mount=type=secret,id=<id>`. Values are
     * kept secret and are in neither the image nor its history; only the ids are part of the content hash,
     * so rotating a token does not rebuild. @default {}
     */
    readonly secrets?: Record<string, pulumi.Input<string>>;
    /** Multi-stage target; part of the content hash. @default undefined (the last stage) */
    readonly target?: string;
    /** Extra tags pushed with the image, e.g. `["dev-latest"]`. Refused on IMMUTABLE repositories. @default [] */
    readonly extraTags?: string[];
    /** Use the repository as a BuildKit registry cache (`buildcache_<stage>` tag, mode=max); export failures are warnings. @default true */
    readonly cache?: boolean;
    /**
     * Pin the image already pushed under `<stage>-<hash>` instead of building it again (a rollback, or a
     * retry after a partial `up`). Costs one ECR ListImages call per run. @default true
     */
    readonly reuseExisting?: boolean;
    /**
     * Build during `pulumi preview` too. Off by default, so a preview writes nothing to any registry (a
     * preview build would still export the registry cache); the preflight and the test job build instead.
     * @default false
     */
    readonly buildOnPreview?: boolean;
    /** @deprecated Pushed images are always retained (the lifecycle policy expires them); accepted and ignored. @default true */
    readonly retainOnDelete?: boolean;
}

export interface ResolvedLambdaImageArgs {
    readonly stage: string;
    /** Context path relative to the working directory, `/`-separated: docker-build diffs it as a string. */
    readonly context: string;
    readonly dockerfile: string;
    readonly architecture: Architecture;
    readonly platform: "linux/amd64" | "linux/arm64";
    readonly buildArgs: Record<string, string>;
    /** Secret ids, sorted. */
    readonly secretIds: string[];
    readonly target?: string;
    readonly extraTags: string[];
    readonly cache: boolean;
    readonly reuseExisting: boolean;
    readonly buildOnPreview: boolean;
    /** `<stage>-<hash>` */
    readonly tag: string;
}

/** Validates and applies defaults without hashing the context (the expensive part). @internal */
export function validateLambdaImageArgs(
    args: LambdaImageArgs,
    repositoryStage: string,
    immutable: boolean,
): Omit<ResolvedLambdaImageArgs, "tag"> {
    const stage = v.stage("stage", args.stage);
    if (stage !== repositoryStage) {
        v.fail(
            "stage",
            `the repository's stage "${repositoryStage}" (its lifecycle policy counts only \`${repositoryStage}-\` tags)`,
            stage,
        );
    }
    const dockerfile = validateBuildPaths(args.context, args.dockerfile);
    const architecture = v.architecture("architecture", args.architecture ?? "x86_64");
    const platform = platformFor(architecture);
    const buildArgs = validateBuildArgs("buildArgs", args.buildArgs);
    const target =
        args.target === undefined
            ? undefined
            : v.matches(
                  "target",
                  args.target,
                  /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
                  "a build stage name",
              );
    const extraTags = validateExtraTags("extraTags", args.extraTags ?? [], stage, immutable);
    const secrets = args.secrets ?? {};
    if (typeof secrets !== "object" || secrets === null || Array.isArray(secrets))
        v.fail("secrets", "a map of secret ids to values", secrets);
    const secretIds = Object.keys(secrets).sort();
    secretIds.forEach((id) =>
        v.matches(
            `secrets.${id}`,
            id,
            /^[A-Za-z0-9_.-]{1,64}$/,
            "keyed by a BuildKit secret id of 1-64 [A-Za-z0-9_.-]",
        ),
    );
    if (args.retainOnDelete !== undefined) v.boolean("retainOnDelete", args.retainOnDelete);
    return {
        stage,
        context: stableRelativePath(args.context),
        dockerfile: stableRelativePath(dockerfile),
        architecture,
        platform,
        buildArgs,
        secretIds,
        target,
        extraTags,
        cache: v.boolean("cache", args.cache ?? true),
        reuseExisting: v.boolean("reuseExisting", args.reuseExisting ?? true),
        buildOnPreview: v.boolean("buildOnPreview", args.buildOnPreview ?? false),
    };
}

/** Validates, applies defaults and computes the content-addressed tag. @internal */
export function resolveLambdaImageArgs(
    args: LambdaImageArgs,
    repositoryStage: string,
    immutable: boolean,
): ResolvedLambdaImageArgs {
    const valid = validateLambdaImageArgs(args, repositoryStage, immutable);
    // Secret ids (never values) join the hash through a reserved build-arg name no Dockerfile can declare.
    const hashedArgs =
        valid.secretIds.length > 0
            ? { ...valid.buildArgs, "lambda-docker:secrets": valid.secretIds.join(",") }
            : valid.buildArgs;
    const hash = hashBuildInputs({
        context: args.context,
        dockerfile: resolveDockerfile(args.context, args.dockerfile),
        buildArgs: hashedArgs,
        target: valid.target,
        platform: valid.platform,
    });
    return { ...valid, tag: stageTag(valid.stage, hash) };
}

/** The resolved build settings of a LambdaImage (architecture, tag, platform), as plain values. @internal */
export function imageSettings(image: LambdaImage): ResolvedLambdaImageArgs {
    return requireState(
        "lambdaImage",
        image,
        "`image` must be a LambdaImage created by lambda-docker, or an image URI string.",
    );
}

/**
 * Fails with the output's name when a known value is empty: a real engine always fills these (or leaves
 * them unknown at preview, when this never runs); hand-written mocks often don't, and would otherwise
 * produce `undefined@undefined` image URIs. lambda-docker/testing's mocks answer every one.
 */
function required(
    output: pulumi.Output<string>,
    name: string,
    what: string,
    key: string,
): pulumi.Output<string> {
    return output.apply((value) => {
        if (typeof value !== "string" || value === "") throw missing(name, what, key, value);
        return value;
    });
}

function missing(name: string, what: string, key: string, value: unknown): Error {
    return new Error(
        `LambdaImage "${name}": ${what} has no \`${key}\` (got ${JSON.stringify(value)}); mocks must return it from newResource, as lambda-docker/testing's do.`,
    );
}

/** The digest a tag points at in an `aws.ecr.getImages` listing, if the tag is there. @internal */
export function existingDigest(
    imageIds: readonly { imageTag?: string; imageDigest?: string }[],
    tag: string,
): string | undefined {
    return imageIds.find((i) => i.imageTag === tag && i.imageDigest)?.imageDigest;
}

interface ImageData {
    readonly digest: pulumi.Output<string>;
    /** True when this run builds and pushes; false when the tag was already in the repository. */
    readonly building: boolean;
}

/**
 * A Lambda container image built with BuildKit and pushed to an ECR repository under a per-stage,
 * content-addressed tag. Functions use `imageUri`, pinned by digest.
 *
 * When the tag is already in the repository (a rollback to an older commit, or a retry after an `up`
 * that pushed and then failed), the image is not built again: its pushed digest is pinned, which also
 * keeps IMMUTABLE repositories from refusing the push. Otherwise a `@pulumi/docker-build` Image builds
 * and pushes it during `up` only. Pushed images are always retained: the repository's lifecycle policy
 * expires them, and forgetting the build record never deletes what functions may still run.
 */
export class LambdaImage extends pulumi.ComponentResource {
    /** `<repositoryUrl>@sha256:…`, the form Lambda accepts and the one that pins the exact image. */
    public readonly imageUri: pulumi.Output<string>;
    /** Manifest digest of the pushed image. */
    public readonly digest: pulumi.Output<string>;
    /** Every pushed reference, `<repositoryUrl>:<tag>`; the first is the content-addressed tag. */
    public readonly tags: pulumi.Output<string[]>;
    /** The content-addressed tag, `<stage>-<hash>`. */
    public readonly tag: string;
    /** Whether this run builds and pushes: false when the tag was already pushed and is reused (true at a first preview, before the repository exists). */
    public readonly building: pulumi.Output<boolean>;
    /** `x86_64` or `arm64`. */
    public readonly architecture: Architecture;

    constructor(name: string, args: LambdaImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const [resolved, repo] = v.withContext("LambdaImage", name, () => {
            const ref = repositoryRef(args.repository, args.tagMutability);
            return [
                resolveLambdaImageArgs(args, ref.stage ?? args.stage, ref.immutable),
                ref,
            ] as const;
        });
        super("lambda-docker:index:LambdaImage", name, {}, opts);
        setState("lambdaImage", this, resolved);
        this.tag = resolved.tag;
        this.architecture = resolved.architecture;

        const tags = repo.url.apply((url) =>
            [resolved.tag, ...resolved.extraTags].map((t) => tagRef(url, t)),
        );
        const data = this.create(name, resolved, repo, args.secrets ?? {}, tags);
        this.digest = pulumi.output(data).apply((d) => d.digest);
        this.building = pulumi.output(data).apply((d) => d.building);
        this.imageUri = pulumi.interpolate`${repo.url}@${this.digest}`;
        this.tags = tags;
        setState("image", this, { architecture: resolved.architecture, imageUri: this.imageUri });
    }

    private async create(
        name: string,
        resolved: ResolvedLambdaImageArgs,
        repo: RepositoryRef,
        secrets: Record<string, pulumi.Input<string>>,
        tags: pulumi.Output<string[]>,
    ): Promise<ImageData> {
        const done = pulumi.runtime.rpcKeepAlive(); // the Image may be registered after the lookup resolves
        try {
            const url = await settled(repo.url);
            if (url.known && (typeof url.value !== "string" || url.value === ""))
                throw missing(name, "the repository", "repositoryUrl", url.value);
            const existing = resolved.reuseExisting
                ? await this.lookup(repo, resolved.tag)
                : undefined;
            const digest =
                existing !== undefined
                    ? pulumi.output(existing)
                    : required(
                          this.build(name, resolved, repo, secrets, tags).digest,
                          name,
                          `docker-build Image "${name}-image"`,
                          "digest",
                      );
            this.registerOutputs({
                imageUri: pulumi.interpolate`${repo.url}@${digest}`,
                digest,
                tags,
            });
            return { digest, building: existing === undefined };
        } finally {
            done();
        }
    }

    /** The digest `tag` already has in the repository; undefined when it has none, or the repository is not known yet. */
    private async lookup(repo: RepositoryRef, tag: string): Promise<string | undefined> {
        const [repositoryName, registryId] = await Promise.all([
            knownValue(repo.name),
            knownValue(repo.registryId),
        ]);
        if (repositoryName === undefined) return undefined;
        const listing = await aws.ecr.getImages(
            { repositoryName, registryId, region: repo.region },
            { parent: this },
        );
        return existingDigest(listing.imageIds ?? [], tag);
    }

    private build(
        name: string,
        resolved: ResolvedLambdaImageArgs,
        repo: RepositoryRef,
        secrets: Record<string, pulumi.Input<string>>,
        tags: pulumi.Output<string[]>,
    ): dockerBuild.Image {
        const auth = aws.ecr.getAuthorizationTokenOutput(
            { registryId: repo.registryId, region: repo.region },
            { parent: this },
        );
        const cacheRef = pulumi.interpolate`${repo.url}:${cacheTag(resolved.stage)}`;
        return new dockerBuild.Image(
            `${name}-image`,
            {
                context: { location: resolved.context },
                dockerfile: { location: resolved.dockerfile },
                platforms: [resolved.platform],
                buildArgs: resolved.buildArgs,
                secrets: resolved.secretIds.length > 0 ? pulumi.secret(secrets) : undefined,
                // A rotated token must not rebuild: the ids are in the content tag, the values are not.
                ignoreSecretsInDiffCalculation:
                    resolved.secretIds.length > 0 ? resolved.secretIds : undefined,
                target: resolved.target,
                tags,
                push: true,
                buildOnPreview: resolved.buildOnPreview,
                registries: [
                    {
                        address: repo.url.apply(registryHost),
                        username: auth.userName,
                        password: pulumi.secret(auth.password),
                    },
                ],
                cacheFrom: resolved.cache ? [{ registry: { ref: cacheRef } }] : undefined,
                cacheTo: resolved.cache
                    ? [
                          {
                              registry: {
                                  ref: cacheRef,
                                  mode: "max",
                                  imageManifest: true,
                                  ociMediaTypes: true,
                                  ignoreError: true,
                              },
                          },
                      ]
                    : undefined,
            },
            // docker-build's delete removes the pushed digest from the registry: never let it, since a
            // function may run that digest and a later run reuses the tag instead of keeping this record.
            { parent: this, retainOnDelete: true },
        );
    }
}
