/**
 * The repository an image is pushed or promoted into, whatever manages it: a lambda-docker
 * EcrRepository, an `@pulumi/awsx` `ecr.Repository` (matched by shape, so this package does not
 * depend on awsx), or a plain ECR repository URL whose stage rules come from the image's args.
 */
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validation";
import {
    EcrRepository,
    TAG_MUTABILITIES,
    TagMutability,
    repositorySettings,
} from "../ecr/repository";

/** The parts of `awsx.ecr.Repository` we use: its URL and the underlying `aws.ecr.Repository`. */
export interface AwsxRepositoryLike {
    readonly url: pulumi.Output<string>;
    readonly repository: {
        readonly name: pulumi.Output<string>;
        readonly registryId: pulumi.Output<string>;
    };
}

/** What an image needs of its repository. */
export interface RepositoryRef {
    readonly url: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    readonly registryId: pulumi.Output<string>;
    /** The stage the repository's lifecycle rules count, when the repository says (an EcrRepository does). */
    readonly stage?: string;
    readonly immutable: boolean;
    /** The repository's region when it differs from the provider's: a plain URL names it. @default the provider's region */
    readonly region?: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`: the only registry Lambda runs images from. */
export const ECR_REPOSITORY_URL =
    /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9][a-z0-9._/-]{0,255})$/;

/** Splits a plain ECR repository URL into its registry (account) id and repository name; throws a ValidationError otherwise. */
export function parseEcrRepositoryUrl(
    key: string,
    url: unknown,
): { registryId: string; name: string; region: string } {
    const m = typeof url === "string" ? ECR_REPOSITORY_URL.exec(url) : null;
    if (!m)
        v.fail(
            key,
            "an EcrRepository, an awsx.ecr.Repository or an ECR repository URL `<account>.dkr.ecr.<region>.amazonaws.com/<name>`",
            url,
        );
    return { registryId: m[1], region: m[2], name: m[4] };
}

export function isAwsxRepository(value: unknown): value is AwsxRepositoryLike {
    const r = value as Partial<AwsxRepositoryLike> | null;
    return (
        typeof r === "object" &&
        r !== null &&
        pulumi.Output.isInstance(r.url) &&
        typeof r.repository === "object" &&
        r.repository !== null &&
        pulumi.Output.isInstance(r.repository.name) &&
        pulumi.Output.isInstance(r.repository.registryId)
    );
}

/**
 * The repository an image goes into, in one shape: an EcrRepository (its stage and mutability are
 * known), an awsx.ecr.Repository or a plain ECR URL (their mutability comes from `tagMutability`,
 * which must be left unset for an EcrRepository).
 */
export function repositoryRef(
    repository: unknown,
    tagMutability: TagMutability | undefined,
): RepositoryRef {
    if (repository instanceof EcrRepository) {
        if (tagMutability !== undefined) {
            v.fail(
                "tagMutability",
                "left unset when `repository` is an EcrRepository (its own `tagMutability` applies)",
                tagMutability,
            );
        }
        const settings = repositorySettings(repository);
        return {
            url: repository.repositoryUrl,
            name: repository.repositoryName,
            registryId: repository.registryId,
            stage: settings.stage,
            immutable: settings.tagMutability === "IMMUTABLE",
        };
    }
    const immutable =
        v.oneOf("tagMutability", tagMutability ?? "MUTABLE", TAG_MUTABILITIES) === "IMMUTABLE";
    if (isAwsxRepository(repository)) {
        return {
            url: repository.url,
            name: repository.repository.name,
            registryId: repository.repository.registryId,
            immutable,
        };
    }
    const parsed = parseEcrRepositoryUrl("repository", repository);
    return {
        url: pulumi.output(repository as string),
        name: pulumi.output(parsed.name),
        registryId: pulumi.output(parsed.registryId),
        immutable,
        region: parsed.region,
    };
}
