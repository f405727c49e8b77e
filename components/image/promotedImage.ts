import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { cliCommand, cliInvocation } from "../../lib/commandLine";
import { AwsxRepositoryLike, repositoryRef } from "./repositoryRef";
import { PinnedReference, parsePinnedReference, promotionTag } from "../../lib/tags";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import { EcrRepository, TagMutability } from "../ecr/repository";
import { setState } from "../internal/componentState";

export interface PromotedImageArgs {
    /**
     * Repository the image is promoted into: an EcrRepository, an `@pulumi/awsx` `ecr.Repository`, or a
     * plain ECR repository URL.
     */
    readonly repository: EcrRepository | AwsxRepositoryLike | string;
    /** The target stage; must equal an EcrRepository's stage. The tag is `<stage>-<hash of the source>`. */
    readonly stage: string;
    /**
     * The image to promote, pinned by digest: `<registry>/<repository>[:<tag>]@sha256:<64 hex>`, e.g. the
     * dev stack's `imageUri`. Given a content-addressed source tag (`dev-3f2a…`), the target tag keeps its hash.
     */
    readonly source: pulumi.Input<string>;
    /** `x86_64` or `arm64`: the image's architecture must match, or the promotion is refused. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Tag mutability of an awsx or URL repository; leave unset for an EcrRepository. @default "MUTABLE" */
    readonly tagMutability?: TagMutability;
    /**
     * Plain environment variables for the copy command, e.g. `{ AWS_PROFILE: "prod" }` or `{ DOCKER_CONFIG: "…" }`.
     * Never a secret: the engine keeps a command's environment in the state. ECR registries are reached with
     * the AWS SDK's default credentials of the process running Pulumi; other registries with what `docker login` stored.
     * @default {}
     */
    readonly environment?: Record<string, string>;
    /** @deprecated Registry credentials are no longer program inputs (they would be kept in the state): run `docker login` for a non-ECR source. Refused when set. */
    readonly sourceCredentials?: unknown;
}

export interface ResolvedPromotedImageArgs {
    readonly stage: string;
    readonly architecture: Architecture;
    /** Set when `source` is a plain string. */
    readonly source?: PinnedReference;
    readonly environment?: Record<string, string>;
}

/** Validates what can be checked before anything exists; the source is checked here when it is a plain string. @internal */
export function resolvePromotedImageArgs(
    args: PromotedImageArgs,
    repositoryStage: string | undefined,
): ResolvedPromotedImageArgs {
    const stage = v.stage("stage", args.stage);
    if (repositoryStage !== undefined && stage !== repositoryStage) {
        v.fail(
            "stage",
            `the repository's stage "${repositoryStage}" (its lifecycle policy counts only \`${repositoryStage}-\` tags)`,
            stage,
        );
    }
    const architecture = v.architecture("architecture", args.architecture ?? "x86_64");
    if (args.source === undefined || args.source === null)
        v.fail("source", "a digest-pinned image reference", args.source);
    const source =
        typeof args.source === "string" ? parsePinnedReference("source", args.source) : undefined;
    if (args.sourceCredentials !== undefined) {
        v.fail(
            "sourceCredentials",
            "unset: credentials would be kept in the state; run `docker login <registry>` for a non-ECR source (ECR sources use the AWS credentials of the process)",
            "[set]",
        );
    }
    const environment =
        args.environment === undefined
            ? undefined
            : commandEnvironment("environment", args.environment);
    return { stage, architecture, source, environment };
}

/** A plain map of environment variable names to values for a command the engine runs. @internal */
export function commandEnvironment(key: string, env: unknown): Record<string, string> | undefined {
    if (typeof env !== "object" || env === null || Array.isArray(env))
        v.fail(key, "a map of environment variable names to plain strings", env);
    for (const [k, value] of Object.entries(env)) {
        v.matches(
            `${key}.${k}`,
            k,
            /^[A-Za-z_][A-Za-z0-9_]*$/,
            "keyed by an environment variable name",
        );
        if (typeof value !== "string")
            v.fail(
                `${key}.${k}`,
                "a plain string (never a secret or an output: the state keeps it)",
                pulumi.Output.isInstance(value) ? "an Output" : value,
            );
    }
    return Object.keys(env).length > 0 ? { ...(env as Record<string, string>) } : undefined;
}

/**
 * An image promoted by digest from another repository (usually the dev stage's) into this stage's
 * repository, for `ImageFunction`: prod runs exactly the bytes dev tested, and builds nothing.
 *
 * The copy is a `command:local:Command` child (`<name>-promotion`) that runs `lambda-docker promote`, so
 * the engine knows it: a preview and a saved plan show it with the digest it copies, `up --plan` refuses
 * an unapproved digest before anything is written, and a mocks run writes nothing. It has no delete
 * step: `destroy` never deletes the image (the repository's lifecycle policy expires it). The tag is
 * `<stage>-<hash>-<12 hex of the digest>`, so a promotion never moves a tag, and a digest the target
 * already holds (a rollback) is tagged there without reading the source.
 */
export class PromotedImage extends pulumi.ComponentResource {
    /** `<repositoryUrl>@sha256:…`: the source digest in this repository; known at preview, settled once the copy is made. */
    public readonly imageUri: pulumi.Output<string>;
    /** The source digest, `sha256:<64 hex>`. */
    public readonly digest: pulumi.Output<string>;
    /** `<stage>-<hash>-<12 hex of the digest>` */
    public readonly tag: pulumi.Output<string>;
    /** The promoted reference, `<repositoryUrl>:<tag>`. */
    public readonly tags: pulumi.Output<string[]>;
    /** `x86_64` or `arm64`. */
    public readonly architecture: Architecture;
    /** The copy, as the engine runs it. */
    public readonly promotion: command.local.Command;

    constructor(name: string, args: PromotedImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const [resolved, repo, cli] = v.withContext("PromotedImage", name, () => {
            const ref = repositoryRef(args.repository, args.tagMutability);
            return [resolvePromotedImageArgs(args, ref.stage), ref, cliInvocation()] as const;
        });
        // Identity data only (which digest, into which stage), so a preview shows a promotion as it changes.
        super(
            "lambda-docker:index:PromotedImage",
            name,
            { source: args.source, stage: resolved.stage },
            opts,
        );
        this.architecture = resolved.architecture;

        const sourceRef = pulumi.output(args.source);
        const source = sourceRef.apply(
            (s) =>
                resolved.source ??
                v.withContext("PromotedImage", name, () => parsePinnedReference("source", s)),
        );
        this.digest = source.apply((s) => s.digest);
        this.tag = source.apply((s) => promotionTag(resolved.stage, s));
        this.tags = pulumi.all([repo.url, this.tag]).apply(([url, tag]) => [`${url}:${tag}`]);
        this.promotion = new command.local.Command(
            `${name}-promotion`,
            {
                create: pulumi
                    .all([sourceRef, repo.url, this.tag])
                    .apply(([ref, url, tag]) =>
                        cliCommand(cli, [
                            "promote",
                            "--source",
                            ref,
                            "--target",
                            url,
                            "--tag",
                            tag,
                            "--architecture",
                            resolved.architecture,
                        ]),
                    ),
                environment: resolved.environment,
                // stdout is the command's JSON result; its progress goes to stderr.
                logging: "stderr",
            },
            { parent: this },
        );
        // Known at preview (a URN is), and settled only once the copy is made: functions wait for it.
        this.imageUri = pulumi
            .all([repo.url, this.digest, this.promotion.urn])
            .apply(([url, digest]) => `${url}@${digest}`);
        setState("image", this, { architecture: resolved.architecture, imageUri: this.imageUri });
        this.registerOutputs({
            imageUri: this.imageUri,
            digest: this.digest,
            tag: this.tag,
            tags: this.tags,
        });
    }
}
