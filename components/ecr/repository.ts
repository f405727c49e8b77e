import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicy } from "./lifecyclePolicy";
import { CACHE_TAG_FILTER } from "../../lib/tags";
import * as v from "../../lib/validation";
import { requireState, setState } from "../internal/componentState";

/** ECR tag mutability. */
export const TagMutability = { Mutable: "MUTABLE", Immutable: "IMMUTABLE" } as const;
export type TagMutability = (typeof TagMutability)[keyof typeof TagMutability];
export const TAG_MUTABILITIES: readonly TagMutability[] = Object.values(TagMutability);
/** ECR encryption: S3-managed keys or KMS. */
export const EncryptionType = { AES256: "AES256", KMS: "KMS" } as const;
export type EncryptionType = (typeof EncryptionType)[keyof typeof EncryptionType];
export const ENCRYPTION_TYPES: readonly EncryptionType[] = Object.values(EncryptionType);

export interface EcrRepositoryArgs {
    /** Stage whose images this repository keeps: tags `<stage>-…` are counted by the lifecycle policy. Pattern `[a-z0-9-]+`. */
    readonly stage: string;
    /** Newest `<stage>-…` images kept; older ones expire. @default 10 */
    readonly keepImages?: number;
    /** Days after which untagged images expire. @default 1 */
    readonly untaggedExpiryDays?: number;
    /**
     * `MUTABLE` or `IMMUTABLE`. With `IMMUTABLE` and `buildCache`, the repository is created as
     * `IMMUTABLE_WITH_EXCLUSION` so the build-cache tag (`buildcache_*`, re-pushed on every build) stays writable.
     * @default "MUTABLE"
     */
    readonly tagMutability?: TagMutability;
    /** Scan images for vulnerabilities on push. @default true */
    readonly scanOnPush?: boolean;
    /** `AES256` (S3-managed keys) or `KMS`. @default "AES256" */
    readonly encryptionType?: EncryptionType;
    /** KMS key ARN for `encryptionType: "KMS"`; AWS's managed `aws/ecr` key when omitted. @default undefined */
    readonly kmsKey?: pulumi.Input<string>;
    /** Delete the repository even when it still holds images. Meant for dev stacks. @default false */
    readonly forceDelete?: boolean;
    /** Keep the build-cache tag writable on immutable repositories (see `tagMutability`). @default true */
    readonly buildCache?: boolean;
    /** Repository name. @default auto-named from the component name */
    readonly repositoryName?: pulumi.Input<string>;
    /**
     * Adopt the existing repository named `repositoryName` (e.g. one a CloudFormation stack created, now
     * retained) instead of creating it: Pulumi imports it on the first `up`, with its images. The other
     * args must describe it as it is (a preview shows any difference, and the import refuses one).
     * @default false
     */
    readonly adoptExisting?: boolean;
    /** Tags for the repository. @default {} */
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface ResolvedEcrRepositoryArgs {
    readonly stage: string;
    readonly keepImages: number;
    readonly untaggedExpiryDays: number;
    readonly tagMutability: TagMutability;
    readonly scanOnPush: boolean;
    readonly encryptionType: EncryptionType;
    readonly forceDelete: boolean;
    readonly buildCache: boolean;
    /** The repository to import, when `adoptExisting`. */
    readonly adopt?: string;
}

/** ECR's repository name grammar (up to 256 characters). */
export const REPOSITORY_NAME_PATTERN =
    /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Applies defaults and validates; throws before anything is created. @internal */
export function resolveEcrRepositoryArgs(args: EcrRepositoryArgs): ResolvedEcrRepositoryArgs {
    const resolved: ResolvedEcrRepositoryArgs = {
        stage: v.stage("stage", args.stage),
        keepImages: v.atLeast("keepImages", args.keepImages ?? 10, 1),
        untaggedExpiryDays: v.atLeast("untaggedExpiryDays", args.untaggedExpiryDays ?? 1, 1),
        tagMutability: v.oneOf("tagMutability", args.tagMutability ?? "MUTABLE", TAG_MUTABILITIES),
        scanOnPush: v.boolean("scanOnPush", args.scanOnPush ?? true),
        encryptionType: v.oneOf(
            "encryptionType",
            args.encryptionType ?? "AES256",
            ENCRYPTION_TYPES,
        ),
        forceDelete: v.boolean("forceDelete", args.forceDelete ?? false),
        buildCache: v.boolean("buildCache", args.buildCache ?? true),
    };
    if (args.kmsKey !== undefined && resolved.encryptionType !== "KMS") {
        v.fail("kmsKey", 'left unset unless `encryptionType` is "KMS"', args.kmsKey);
    }
    if (v.boolean("adoptExisting", args.adoptExisting ?? false)) {
        if (typeof args.repositoryName !== "string") {
            v.fail(
                "repositoryName",
                "the existing repository's name as a plain string when `adoptExisting` is true",
                args.repositoryName,
            );
        }
        return {
            ...resolved,
            adopt: v.matches(
                "repositoryName",
                args.repositoryName,
                REPOSITORY_NAME_PATTERN,
                "an ECR repository name ([a-z0-9._/-], 2-256 characters)",
            ),
        };
    }
    return resolved;
}

/** What images built into a repository need to know at construction time (plain values, not outputs). @internal */
export function repositorySettings(repository: EcrRepository): ResolvedEcrRepositoryArgs {
    return requireState(
        "repository",
        repository,
        "`repository` must be an EcrRepository created by lambda-docker.",
    );
}

/** An ECR repository for Lambda images: scan on push, per-stage lifecycle rules, tag mutability and encryption. */
export class EcrRepository extends pulumi.ComponentResource {
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
    public readonly repositoryUrl: pulumi.Output<string>;
    public readonly repositoryName: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly registryId: pulumi.Output<string>;

    constructor(name: string, args: EcrRepositoryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const resolved = v.withContext("EcrRepository", name, () => {
            if (args.repositoryName === undefined) {
                // ECR names are lowercase; Pulumi auto-names the repository `<name>-repository-<7 random>`.
                v.matches(
                    "name",
                    name,
                    /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
                    "lowercase letters, digits and inner . _ - when `repositoryName` is not given (ECR repository names are lowercase)",
                );
                v.autoNamedChild(
                    name,
                    "-repository",
                    256,
                    "the ECR repository (unless `repositoryName` is given)",
                );
            }
            return resolveEcrRepositoryArgs(args);
        });
        super("lambda-docker:index:EcrRepository", name, {}, opts);
        setState("repository", this, resolved);

        const withExclusion = resolved.tagMutability === "IMMUTABLE" && resolved.buildCache;
        const repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: args.repositoryName,
                imageScanningConfiguration: { scanOnPush: resolved.scanOnPush },
                imageTagMutability: withExclusion
                    ? "IMMUTABLE_WITH_EXCLUSION"
                    : resolved.tagMutability,
                imageTagMutabilityExclusionFilters: withExclusion
                    ? [{ filter: CACHE_TAG_FILTER, filterType: "WILDCARD" }]
                    : undefined,
                encryptionConfigurations: [
                    {
                        encryptionType: resolved.encryptionType,
                        kmsKey: resolved.encryptionType === "KMS" ? args.kmsKey : undefined,
                    },
                ],
                forceDelete: resolved.forceDelete,
                tags: args.tags,
            },
            // `import` is a no-op once the repository is in the state, so it may stay set after adoption.
            { parent: this, import: resolved.adopt },
        );

        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            { repository: repository.name, policy: JSON.stringify(lifecyclePolicy(resolved)) },
            { parent: this },
        );

        this.repositoryUrl = repository.repositoryUrl;
        this.repositoryName = repository.name;
        this.arn = repository.arn;
        this.registryId = repository.registryId;
        this.registerOutputs({
            repositoryUrl: this.repositoryUrl,
            repositoryName: this.repositoryName,
            arn: this.arn,
            registryId: this.registryId,
        });
    }
}
