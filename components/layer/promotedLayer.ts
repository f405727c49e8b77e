import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { cliCommand, cliInvocation } from "../../lib/commandLine";
import { InitSlot, LayerZip, requireState, setState } from "../internal/componentState";
import { createLayerVersion } from "./layerVersion";
import { urnName } from "../internal/names";
import { knownValue } from "../internal/outputs";
import { AwsxRepositoryLike, RepositoryRef, repositoryRef } from "../image/repositoryRef";
import { parsePinnedReference, promotionTag } from "../../lib/tags";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import { underMocks } from "../internal/underMocks";
import { EcrRepository } from "../ecr/repository";
import { commandEnvironment } from "../image/promotedImage";
import type { PullLayerRequest, PulledLayer } from "../../lib/registry/artifact";

type LayerFetcher = (request: PullLayerRequest) => Promise<PulledLayer>;
/** Loaded on first use: a program without a PromotedLayer loads no registry client. */
type ArtifactModule = typeof import("../../lib/registry/artifact");
const pullLayerArtifact: LayerFetcher = async (request) => {
    // A mocks run does no network I/O: the real read only runs under a real engine.
    if (underMocks()) {
        throw new Error(
            "a PromotedLayer reads no registry under Pulumi's mocks: install lambda-docker/testing's ResourceRecorder, or replace the read with useLayerFetcher.",
        );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const artifact = require("../../lib/registry/artifact") as ArtifactModule;
    return artifact.pullLayerArtifact(request);
};
let fetcher: LayerFetcher = pullLayerArtifact;

/**
 * Replaces how PromotedLayers read their zip, for tooling and tests that run a program without a
 * registry (the offline plan and lambda-docker/testing install one); `undefined` restores the real one.
 */
export function useLayerFetcher(replacement: LayerFetcher | undefined): void {
    fetcher = replacement ?? pullLayerArtifact;
}

export interface PromotedLayerArgs {
    /** The source stage's layer artifact, `<registry>/<repository>[:<tag>]@sha256:<64 hex>`: its DockerLayer's `artifactUri`. */
    readonly source: string;
    /** sha256 (hex) of the zip the source stage deployed (its DockerLayer's `sha256`): the artifact must hold exactly that zip. */
    readonly sha256: string;
    /** This stage's repository for layer artifacts: the artifact is copied into it, and read from it first. */
    readonly repository: EcrRepository | AwsxRepositoryLike | string;
    /** This stage; must equal an EcrRepository's stage. The copy is tagged `<stage>-<hash>-<12 hex of the digest>`. */
    readonly stage: string;
    /** `x86_64` or `arm64`: the layer's compatible architecture (the source built it for one). @default "x86_64" */
    readonly architecture?: Architecture;
    /** Runtimes the layer declares. @default ["python3.11"] */
    readonly compatibleRuntimes?: string[];
    /** Layer name. @default `<component name>-<8 hex of the component's URN>` */
    readonly layerName?: string;
    /** Layer description. @default undefined */
    readonly description?: pulumi.Input<string>;
    /** Where fetched zips are kept, by sha256, relative to the project. @default ".lambda-docker/cache/promoted" */
    readonly cacheDir?: string;
    /** S3 bucket for zips over Lambda's 50 MB direct-upload limit. @default undefined */
    readonly s3Bucket?: pulumi.Input<string>;
    /** Keep old layer versions when a new one replaces them. @default false */
    readonly retainOldVersions?: boolean;
    /** Plain environment variables for the copy command (`AWS_PROFILE`…); never a secret. @default {} */
    readonly environment?: Record<string, string>;
}

interface ResolvedPromotedLayerArgs {
    readonly source: string;
    readonly digest: string;
    readonly sha256: string;
    readonly repo: RepositoryRef;
    readonly stage: string;
    readonly architecture: Architecture;
    readonly compatibleRuntimes: string[];
    readonly layerName?: string;
    readonly cacheDir: string;
    readonly retainOldVersions: boolean;
    readonly environment?: Record<string, string>;
    readonly cli: string;
}

/** @internal */
export function resolvePromotedLayerArgs(
    name: string,
    args: PromotedLayerArgs,
): ResolvedPromotedLayerArgs {
    const source = parsePinnedReference("source", args.source);
    const sha256 = v.matches(
        "sha256",
        args.sha256,
        /^[0-9a-f]{64}$/,
        "the source zip's sha256: 64 lowercase hex digits",
    );
    const repo = repositoryRef(args.repository, undefined);
    const stage = v.stage("stage", args.stage);
    if (repo.stage !== undefined && stage !== repo.stage)
        v.fail("stage", `the repository's stage "${repo.stage}"`, stage);
    const compatibleRuntimes = v.compatibleRuntimes("compatibleRuntimes", args.compatibleRuntimes);
    const layerName = v.layerName(name, args.layerName);
    return {
        source: args.source,
        digest: source.digest,
        sha256,
        repo,
        stage,
        architecture: v.architecture("architecture", args.architecture ?? "x86_64"),
        compatibleRuntimes,
        layerName,
        cacheDir: args.cacheDir ?? path.join(".lambda-docker", "cache", "promoted"),
        retainOldVersions: v.boolean("retainOldVersions", args.retainOldVersions ?? false),
        environment:
            args.environment === undefined
                ? undefined
                : commandEnvironment("environment", args.environment),
        cli: cliInvocation(),
    };
}

const pendingInit = new InitSlot<{
    resolved: ResolvedPromotedLayerArgs;
    args: PromotedLayerArgs;
}>();

type PromotedLayerData = { arn: pulumi.Output<string>; artifactUri: pulumi.Output<string> };

/**
 * A layer another stage built, published here from the exact zip that stage deployed: prod builds
 * nothing. While the program runs, the zip is read (from the local cache, else this stage's repository,
 * else the source's), and its sha256 must be the source stage's. During `up`, `<name>-artifact` (a
 * `command:local:Command` running `lambda-docker promote --layer`) copies the artifact into this stage's
 * repository, so a later rollback needs nothing from the source; `<name>-layer` publishes the zip.
 */
export class PromotedLayer extends pulumi.ComponentResource<PromotedLayerData> {
    /** Versioned layer ARN. */
    public readonly arn: pulumi.Output<string>;
    /** sha256 (hex) of the zip: the source stage's. */
    public readonly sha256: pulumi.Output<string>;
    public readonly unzippedBytes: pulumi.Output<number>;
    public readonly zippedBytes: pulumi.Output<number>;
    /** `<repositoryUrl>:<tag>@sha256:…`: the artifact in this stage's repository. */
    public readonly artifactUri: pulumi.Output<string>;

    constructor(name: string, args: PromotedLayerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const resolved = v.withContext("PromotedLayer", name, () =>
            resolvePromotedLayerArgs(name, args),
        );
        pendingInit.fill({ resolved, args });
        // Identity data only: which zip, into which stage.
        super(
            "lambda-docker:index:PromotedLayer",
            name,
            { source: resolved.source, sha256: resolved.sha256, stage: resolved.stage },
            opts,
        );
        const data = pulumi.output(this.getData());
        const { built: zip } = requireState(
            "layerZip",
            this,
            "PromotedLayer: initialize did not run",
        );
        this.arn = data.apply((d) => d.arn);
        this.artifactUri = data.apply((d) => d.artifactUri);
        this.sha256 = pulumi.output(resolved.sha256);
        this.unzippedBytes = pulumi.output(zip.then((z) => z.unzippedBytes));
        this.zippedBytes = pulumi.output(zip.then((z) => z.zippedBytes));
        setState("layer", this, { architecture: resolved.architecture, built: zip, arn: this.arn });
    }

    protected async initialize(
        _props: unknown,
        _opts?: pulumi.ComponentResourceOptions,
        name = "",
    ): Promise<PromotedLayerData> {
        const { resolved, args } = pendingInit.take();
        const zip = this.fetch(name, resolved);
        setState("layerZip", this, { architecture: resolved.architecture, built: zip });
        const done = pulumi.runtime.rpcKeepAlive();
        try {
            const fetched = await zip;
            const layer = createLayerVersion(
                this,
                name,
                {
                    kind: "PromotedLayer",
                    layerName: pulumi.output(resolved.layerName ?? urnName(this, name)),
                    description: args.description,
                    compatibleRuntimes: resolved.compatibleRuntimes,
                    architecture: resolved.architecture,
                    retainOldVersions: resolved.retainOldVersions,
                    s3Bucket: args.s3Bucket,
                },
                fetched,
            );
            const tag = promotionTag(
                resolved.stage,
                parsePinnedReference("source", resolved.source),
            );
            const copy = new command.local.Command(
                `${name}-artifact`,
                {
                    create: resolved.repo.url.apply((url) =>
                        cliCommand(resolved.cli, [
                            "promote",
                            "--layer",
                            "--source",
                            resolved.source,
                            "--target",
                            url,
                            "--tag",
                            tag,
                        ]),
                    ),
                    environment: resolved.environment,
                    logging: "stderr",
                },
                { parent: this },
            );
            const artifactUri = pulumi
                .all([resolved.repo.url, copy.urn])
                .apply(([url]) => `${url}:${tag}@${resolved.digest}`);
            this.registerOutputs({
                arn: layer.arn,
                sha256: resolved.sha256,
                unzippedBytes: fetched.unzippedBytes,
                zippedBytes: fetched.zippedBytes,
                artifactUri,
            });
            return { arn: layer.arn, artifactUri };
        } finally {
            done();
        }
    }

    /** The zip, read from this stage's own copy first (when its repository exists), then the source's. */
    private async fetch(name: string, resolved: ResolvedPromotedLayerArgs): Promise<LayerZip> {
        const url = await knownValue(resolved.repo.url);
        const sourceRepo = parsePinnedReference("source", resolved.source).repository;
        const sources = [
            ...(url === undefined ? [] : [`${url}@${resolved.digest}`]),
            `${sourceRepo}@${resolved.digest}`,
        ];
        try {
            const pulled = await fetcher({
                sources,
                sha256: resolved.sha256,
                dir: resolved.cacheDir,
            });
            return {
                zipPath: pulled.zipPath,
                sha256: pulled.sha256,
                zippedBytes: pulled.zippedBytes,
                unzippedBytes: pulled.unzippedBytes,
            };
        } catch (e) {
            throw new Error(`PromotedLayer "${name}": ${(e as Error).message}`);
        }
    }
}
