/**
 * What `lambda-docker.yaml` declares, as resources: a repository and an image per used image (or a
 * promotion), a layer per layer (built, or promoted), a queue per queue, every function with its
 * triggers, and one HTTP API for every route. `index.ts` calls it; so can any program.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    checkManifestDeploy,
    Manifest,
    imageFunctionsOf,
    queueVisibilityTimeouts,
} from "../../lib/manifest";
export { checkManifestDeploy } from "../../lib/manifest";
import type {
    BuiltImageSpec,
    EventSpec,
    FunctionSpec,
    PrebuiltImageSpec,
} from "../../lib/manifest";
import { DEFAULT_RUNTIME } from "../../lib/lambda/rules";
import { Architecture } from "../../lib/validation";
import { HttpApi } from "../api/httpApi";
import { EcrRepository, TagMutability } from "../ecr/repository";
import { LambdaImage } from "../image/lambdaImage";
import { PromotedImage } from "../image/promotedImage";
import { ImageFunction } from "../lambda/imageFunction";
import { ZipFunction } from "../lambda/zipFunction";
import { DockerLayer } from "../layer/dockerLayer";
import { PromotedLayer } from "../layer/promotedLayer";
import { ServiceEvent, functionEvents, mergeFunctionSettings } from "./functionSettings";
import type { PromotionSources } from "./promotionSources";

/** The repository that holds a stage's layer zips as artifacts; not a name an image can have (no `_` there). */
export const LAYER_REPOSITORY = "layer_artifacts";

/** The stage's settings a manifest is deployed with (a program reads them from its stack config). */
export interface ManifestDeploySettings {
    readonly stage: string;
    readonly architecture: Architecture;
    readonly memorySize: number;
    readonly timeout: number;
    readonly logRetentionDays: number;
    /** Every function's environment, under its own (e.g. LOG_LEVEL and STAGE). */
    readonly environment: Record<string, string>;
    /** Every image's and Docker-built layer's build args, under their own (e.g. BASE_IMAGE). */
    readonly buildArgs: Record<string, string>;
    readonly repositories: {
        readonly keepImages: number;
        readonly untaggedExpiryDays: number;
        readonly tagMutability: TagMutability;
        readonly scanOnPush: boolean;
        readonly forceDelete: boolean;
        /** Protect the repositories (prod). */
        readonly protect: boolean;
    };
    /** Also push a moving `<stage>-latest` tag (MUTABLE repositories only). */
    readonly latestTag: boolean;
    /** Promote these instead of building (see readPromotionSources). @default undefined (build) */
    readonly promotion?: PromotionSources;
    /** Plain environment for the commands the engine runs (e.g. `{ AWS_PROFILE }`). @default undefined */
    readonly commandEnvironment?: Record<string, string>;
    /** Where the manifest came from, for error messages. @default "lambda-docker.yaml" */
    readonly source?: string;
    /**
     * Reads a config key a function's environment names (`{ config, secret }`), e.g.
     * `(k, secret) => secret ? cfg.requireSecret(k) : cfg.require(k)`. @default undefined (such a manifest is refused)
     */
    readonly config?: (key: string, secret: boolean) => pulumi.Input<string>;
}

export interface DeployedManifest {
    readonly repositories: Record<string, EcrRepository>;
    readonly images: Record<string, LambdaImage | PromotedImage>;
    readonly layers: Record<string, DockerLayer | PromotedLayer>;
    readonly queues: Record<string, aws.sqs.Queue>;
    readonly functions: Record<string, ImageFunction | ZipFunction>;
    readonly api?: HttpApi;
    /** The stack outputs a promoting stack and the CLI read (`images`, `layers`, `functionNames`…). */
    readonly outputs: Record<string, unknown>;
}

/** The images some function uses, in manifest order. */
export function usedImages(manifest: Manifest): string[] {
    return Object.keys(manifest.images).filter((n) => imageFunctionsOf(manifest, n).length > 0);
}

/** A manifest event as plain service data; queues resolve to the stage's queue ARNs. */
function serviceEvent(
    e: EventSpec,
    queueArn: (queue: string) => pulumi.Input<string>,
): ServiceEvent {
    if ("schedule" in e)
        return {
            schedule: e.schedule.expression,
            enabled: e.schedule.enabled,
            input: e.schedule.input,
        };
    if ("http" in e) return { http: e.http.route };
    return {
        sqs: {
            queueArn: queueArn(e.sqs.queue),
            batchSize: e.sqs.batchSize,
            maximumBatchingWindowInSeconds: e.sqs.maximumBatchingWindow,
            enabled: e.sqs.enabled,
        },
    };
}

function createImages(
    manifest: Manifest,
    s: ManifestDeploySettings,
    repositoryOf: (name: string) => EcrRepository,
) {
    const repositories: Record<string, EcrRepository> = {};
    const images: Record<string, LambdaImage | PromotedImage> = {};
    for (const name of usedImages(manifest)) {
        const spec = manifest.images[name];
        // A prebuilt image runs as pinned; a promoting stage copies it into its own repository like a built one.
        if (spec.kind === "prebuilt" && !s.promotion) continue;
        const repository = (repositories[name] = repositoryOf(name));
        images[name] = s.promotion
            ? new PromotedImage(name, {
                  repository,
                  stage: s.stage,
                  source: s.promotion.images[name],
                  architecture: s.architecture,
                  environment: s.commandEnvironment,
              })
            : new LambdaImage(name, {
                  repository,
                  stage: s.stage,
                  context: (spec as BuiltImageSpec).context,
                  dockerfile: (spec as BuiltImageSpec).dockerfile,
                  target: (spec as BuiltImageSpec).target,
                  architecture: s.architecture,
                  buildArgs: { ...s.buildArgs, ...(spec as BuiltImageSpec).buildArgs },
                  extraTags: s.latestTag ? [`${s.stage}-latest`] : [],
              });
    }
    return { repositories, images };
}

function createLayers(
    manifest: Manifest,
    s: ManifestDeploySettings,
    repository: EcrRepository | undefined,
): Record<string, DockerLayer | PromotedLayer> {
    const runtimes = (layer: string) =>
        [
            ...new Set(
                Object.values(manifest.functions).flatMap((f) =>
                    f.kind === "zip" && f.layers.includes(layer) ? [f.runtime] : [],
                ),
            ),
        ].sort();
    return Object.fromEntries(
        Object.entries(manifest.layers).map(([name, spec]) => {
            const common = {
                architecture: s.architecture,
                compatibleRuntimes: runtimes(name).length > 0 ? runtimes(name) : [DEFAULT_RUNTIME],
                layerName: `${name}-${s.stage}`,
                description: spec.description,
                environment: s.commandEnvironment,
            };
            const layer = s.promotion
                ? new PromotedLayer(name, {
                      ...common,
                      source: s.promotion.layers[name].artifact,
                      sha256: s.promotion.layers[name].sha256,
                      repository: repository!,
                      stage: s.stage,
                  })
                : new DockerLayer(name, {
                      ...(spec.kind === "docker"
                          ? {
                                context: spec.context,
                                dockerfile: spec.dockerfile,
                                target: spec.target,
                                buildArgs: { ...s.buildArgs, ...spec.buildArgs },
                            }
                          : { directory: spec.path }),
                      ...common,
                      artifactRepository: repository?.repositoryUrl,
                      stage: s.stage,
                  });
            return [name, layer] as const;
        }),
    );
}

function createQueues(
    manifest: Manifest,
    s: ManifestDeploySettings,
): Record<string, aws.sqs.Queue> {
    const visibility = queueVisibilityTimeouts(manifest, s.timeout);
    return Object.fromEntries(
        Object.keys(manifest.queues).map((name) => [
            name,
            new aws.sqs.Queue(name, {
                name: `${name}-${s.stage}`,
                visibilityTimeoutSeconds: visibility[name],
                messageRetentionSeconds: manifest.queues[name].messageRetentionSeconds,
                sqsManagedSseEnabled: true,
            }),
        ]),
    );
}

/**
 * Creates everything `manifest` declares for one stage; see the module doc. It lets each function's
 * registrations start before the next function exists: constructed in one synchronous loop, every
 * resource of every function waits at once, with its outputs' promises and serialized inputs (0.86 MB
 * per function under the plan at 1,000 functions, against 0.14 MB this way; BENCHMARKS.md).
 */
export async function deployManifest(
    manifest: Manifest,
    s: ManifestDeploySettings,
): Promise<DeployedManifest> {
    checkManifestDeploy(manifest, s); // refused before anything exists
    if (s.config === undefined) {
        for (const [name, f] of Object.entries(manifest.functions)) {
            const [k] = Object.keys(f.configEnvironment);
            if (k !== undefined)
                throw new Error(
                    `Manifest ${JSON.stringify(s.source ?? "lambda-docker.yaml")}: \`functions.${name}.environment.${k}\` reads the config key ${JSON.stringify(f.configEnvironment[k].config)}: pass \`config\` to deployManifest (index.ts does) to read it.`,
                );
        }
    }
    const repositoryOf = (name: string): EcrRepository =>
        new EcrRepository(
            name,
            { stage: s.stage, ...s.repositories },
            { protect: s.repositories.protect },
        );
    const { repositories, images } = createImages(manifest, s, repositoryOf);
    const layerRepository =
        Object.keys(manifest.layers).length > 0 ? repositoryOf(LAYER_REPOSITORY) : undefined;
    const layers = createLayers(manifest, s, layerRepository);
    const queues = createQueues(manifest, s);
    const queueArn = (queue: string): pulumi.Input<string> => queues[queue]?.arn ?? queue;
    let api: HttpApi | undefined;
    const httpApi = (): HttpApi =>
        (api ??= new HttpApi("http", { stage: s.stage, logRetentionDays: s.logRetentionDays }));
    const defaults = {
        memorySize: s.memorySize,
        timeout: s.timeout,
        logRetentionDays: s.logRetentionDays,
        environment: s.environment,
        policyStatements: manifest.policyStatements,
    };
    const createFunction = (name: string, f: FunctionSpec): ImageFunction | ZipFunction => {
        const merged = mergeFunctionSettings(defaults, f);
        const common = {
            ...merged,
            environment: {
                ...merged.environment,
                ...Object.fromEntries(
                    Object.entries(f.configEnvironment).map(([k, ref]) => [
                        k,
                        s.config!(ref.config, ref.secret),
                    ]),
                ),
            },
            architecture: f.architecture ?? s.architecture,
            events: functionEvents(
                f.events.map((e) => serviceEvent(e, queueArn)),
                httpApi,
            ),
        };
        return f.kind === "image"
            ? new ImageFunction(name, {
                  ...common,
                  image: images[f.image] ?? (manifest.images[f.image] as PrebuiltImageSpec).uri,
                  command: f.command,
                  entryPoint: f.entryPoint,
                  workingDirectory: f.workingDirectory,
              })
            : new ZipFunction(name, {
                  ...common,
                  code: f.code,
                  ...(f.include.length > 0 ? { include: f.include } : {}),
                  ...(f.exclude.length > 0 ? { exclude: f.exclude } : {}),
                  handler: f.handler,
                  runtime: f.runtime,
                  layers: f.layers.map((l) => layers[l] ?? l),
              });
    };
    const functions: Record<string, ImageFunction | ZipFunction> = {};
    for (const [name, f] of Object.entries(manifest.functions)) {
        functions[name] = createFunction(name, f);
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return {
        repositories,
        images,
        layers,
        queues,
        functions,
        api,
        outputs: stackOutputs(s, repositories, images, layers, functions, api, manifest),
    };
}

function stackOutputs(
    s: ManifestDeploySettings,
    repositories: DeployedManifest["repositories"],
    images: DeployedManifest["images"],
    layers: DeployedManifest["layers"],
    functions: DeployedManifest["functions"],
    api: HttpApi | undefined,
    manifest: Manifest,
): Record<string, unknown> {
    const names = Object.keys(images);
    // A prebuilt image is its own output: a promoting stage copies it from its pinned URI.
    const prebuilt = usedImages(manifest).flatMap((n) => {
        const spec = manifest.images[n];
        if (names.includes(n) || spec.kind !== "prebuilt") return [];
        const [repository, digest] = spec.uri.split("@");
        return [
            [
                n,
                {
                    repositoryUrl: repository.replace(/:[^/:]+$/, ""),
                    uri: spec.uri,
                    digest,
                    tags: [],
                },
            ],
        ];
    });
    const first = names[0];
    return {
        ...(first === undefined
            ? {}
            : {
                  repositoryUrl: repositories[first].repositoryUrl,
                  imageUri: images[first].imageUri,
                  imageDigest: images[first].digest,
                  imageTags: images[first].tags,
              }),
        images: {
            ...Object.fromEntries(
                names.map((n) => [
                    n,
                    {
                        repositoryUrl: repositories[n].repositoryUrl,
                        uri: images[n].imageUri,
                        digest: images[n].digest,
                        tags: images[n].tags,
                    },
                ]),
            ),
            ...Object.fromEntries(prebuilt),
        },
        architecture: s.architecture,
        layers: Object.fromEntries(
            Object.entries(layers).map(([n, l]) => [
                n,
                { arn: l.arn, sha256: l.sha256, artifact: l.artifactUri },
            ]),
        ),
        ...(api ? { apiUrl: api.url } : {}),
        functionNames: Object.fromEntries(
            Object.entries(functions).map(([n, fn]) => [n, fn.functionName]),
        ),
        functionArns: Object.fromEntries(Object.entries(functions).map(([n, fn]) => [n, fn.arn])),
    };
}
