import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { registerImageSource } from "./core/imageSource";
import { AwsxRepositoryLike, ECR_REPOSITORY_URL } from "./core/repositoryRef";
import { PinnedReference, parsePinnedReference, promotionTag, registryHost } from "./core/tags";
import * as v from "./core/validation";
import { Architecture } from "./core/validation";
import { EcrRepository, TagMutability, repositoryRef } from "./ecrRepository";

/** What PromotedImage asks of `promoteImage` (components/registry). */
export interface PromoteRequest {
    readonly source: string;
    readonly target: string;
    readonly tag: string;
    readonly architecture?: Architecture;
    readonly credentials?: Record<string, { username: string; password: string }>;
}
export interface PromoteResult {
    readonly imageUri: string;
    readonly digest: string;
    readonly mountedBlobs: number;
    readonly copiedBlobs: number;
}
export type Promoter = (request: PromoteRequest) => Promise<PromoteResult>;

// Loaded on first use: programs that promote nothing never load the registry client.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const promoteImage: Promoter = (request) => (require("./registry") as { promoteImage: Promoter }).promoteImage(request);
let promoter: Promoter = promoteImage;

/**
 * Replaces what PromotedImage calls to copy an image, for tooling and tests that run a program without
 * a registry (the offline plan, mocks tests); `undefined` restores `promoteImage`.
 */
export function usePromoter(replacement: Promoter | undefined): void {
    promoter = replacement ?? promoteImage;
}

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
     * Credentials for the source registry when it is not an ECR registry in the target's region (those use
     * the target's ECR token; other ECR registries get one from ECR with the default AWS credentials).
     * @default undefined
     */
    readonly sourceCredentials?: pulumi.Input<{ username: pulumi.Input<string>; password: pulumi.Input<string> }>;
}

/** Validates what can be checked before anything exists; the source is checked here when it is a plain string. */
export function resolvePromotedImageArgs(args: PromotedImageArgs, repositoryStage: string | undefined): { stage: string; architecture: Architecture; source?: PinnedReference } {
    const stage = v.stage("stage", args.stage);
    if (repositoryStage !== undefined && stage !== repositoryStage) {
        v.fail("stage", `the repository's stage "${repositoryStage}" (its lifecycle policy counts only \`${repositoryStage}-\` tags)`, stage);
    }
    const architecture = v.architecture("architecture", args.architecture ?? "x86_64");
    const source = typeof args.source === "string" ? parsePinnedReference("source", args.source) : undefined;
    if (args.source === undefined || args.source === null) v.fail("source", "a digest-pinned image reference", args.source);
    return { stage, architecture, source };
}

/** The ECR region of a registry host, if it is one. */
function ecrRegion(host: string): string | undefined {
    return ECR_REPOSITORY_URL.exec(`${host}/x`)?.[2];
}

/**
 * An image promoted by digest from another repository (usually the dev stage's) into this stage's
 * repository, for `ImageFunction`: prod runs exactly the bytes dev tested, and builds nothing.
 *
 * Its `imageUri` (`<repositoryUrl>@<source digest>`) and `tag` are known at preview, and a preview
 * writes nothing. During `up` the copy is made before anything reads `imageUri`: blobs are mounted
 * within a registry and copied across registries, and the manifest is put under the tag byte for byte.
 * A tag that already holds the digest is a no-op, so a retry or a rollback writes nothing; a tag that
 * holds another digest is refused. The promoted image is never deleted: the repository's lifecycle
 * policy expires it.
 */
export class PromotedImage extends pulumi.ComponentResource {
    /** `<repositoryUrl>@sha256:…`: the source digest in this repository. */
    public readonly imageUri: pulumi.Output<string>;
    public readonly digest: pulumi.Output<string>;
    /** `<stage>-<hash>` */
    public readonly tag: pulumi.Output<string>;
    /** The promoted reference, `<repositoryUrl>:<tag>`. */
    public readonly tags: pulumi.Output<string[]>;
    public readonly architecture: Architecture;

    constructor(name: string, args: PromotedImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const [resolved, repo] = v.withContext("PromotedImage", name, () => {
            const ref = repositoryRef(args.repository, args.tagMutability);
            return [resolvePromotedImageArgs(args, ref.stage), ref] as const;
        });
        // Identity data only (which digest, into which stage), so a preview shows a promotion as it changes.
        super("lambda-docker:index:PromotedImage", name, { source: args.source, stage: resolved.stage }, opts);
        this.architecture = resolved.architecture;

        const source = pulumi.output(args.source).apply((s) => resolved.source ?? v.withContext("PromotedImage", name, () => parsePinnedReference("source", s)));
        this.digest = source.apply((s) => s.digest);
        this.tag = source.apply((s) => promotionTag(resolved.stage, s));
        this.tags = pulumi.all([repo.url, this.tag]).apply(([url, tag]) => [`${url}:${tag}`]);

        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repo.registryId, region: repo.region }, { parent: this });
        const copy = pulumi
            .all([repo.url, source, this.tag, pulumi.output(args.source), auth.userName, auth.password, pulumi.output(args.sourceCredentials)])
            .apply(async ([url, src, tag, sourceRef, username, password, sourceCredentials]) => {
                const imageUri = `${url}@${src.digest}`;
                if (pulumi.runtime.isDryRun()) return imageUri; // a preview writes nothing
                const targetHost = registryHost(url);
                const sourceHost = registryHost(src.repository);
                const credentials: Record<string, { username: string; password: string }> = { [targetHost]: { username, password } };
                if (sourceCredentials) {
                    credentials[sourceHost] = { username: sourceCredentials.username as string, password: sourceCredentials.password as string };
                } else if (sourceHost !== targetHost && ecrRegion(sourceHost) !== undefined && ecrRegion(sourceHost) === ecrRegion(targetHost)) {
                    credentials[sourceHost] = { username, password }; // one regional ECR token serves every account's registry
                }
                const result = await promoter({ source: sourceRef, target: url, tag, architecture: resolved.architecture, credentials });
                if (result.digest !== src.digest) {
                    throw new Error(`PromotedImage "${name}": the promotion produced ${result.digest}, not the source digest ${src.digest}.`);
                }
                return imageUri;
            });
        // Secret-free: the credentials above are the apply's inputs, not the URI's.
        this.imageUri = pulumi.unsecret(copy);
        registerImageSource(this, { architecture: resolved.architecture, imageUri: this.imageUri });
        this.registerOutputs({ imageUri: this.imageUri, digest: this.digest, tag: this.tag, tags: this.tags });
    }
}
