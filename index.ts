/**
 * The campaign service, composed from lambda-docker.yaml: an ECR repository and an image per manifest
 * image (shared by the image functions that name it, each with its own command), a layer per manifest
 * layer (Docker-built or a prebuilt directory), a queue per manifest queue, and every function with
 * its triggers (one HTTP API for the service's routes, schedules, queues). No function or layer is
 * written here: settings come from stacks/Pulumi.<stack>.yaml through parseStackConfig, each function's
 * own overrides from the manifest, and the stack name is the stage.
 *
 * A stack with `lambda-docker:promoteFrom` (prod) builds nothing: it promotes each of the source
 * stack's image digests and layer artifacts into its own repositories, so it runs exactly what the
 * source stack tested.
 *
 * The program is async so that, with `lambda-docker:preflight` (on in dev), every image is built
 * locally and every handler checked before any resource exists, and so that a promoting stack checks
 * the source stack's outputs before it creates anything.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    DockerLayer, EcrRepository, FunctionEvent, HttpApi, ImageFunction, LambdaImage, PromotedImage, PromotedLayer, ZipFunction,
} from "./components";
import { preflightManifest } from "./lib/manifest/localBuild";
import { EventSpec, FunctionSpec, imageFunctionsOf, queueVisibilityTimeouts, readManifest } from "./lib/manifest/parse";
import * as v from "./lib/validation";
import { StackConfig, functionEnvironment, parseStackConfig } from "./config/stackConfig";

/** The repository that holds a stage's layer zips as artifacts; not a name an image can have (no `_` there). */
const LAYER_REPOSITORY = "layer_artifacts";

interface PromotionSources {
    /** Per image: `<source tag>@<digest>`. */
    readonly images: Record<string, string>;
    /** Per layer: the source's artifact and its zip's sha256. */
    readonly layers: Record<string, { artifact: string; sha256: string }>;
}

/** What a promoting stack promotes, read from the source stack's outputs and checked before anything is created. */
async function promotionSources(config: StackConfig & { promoteFrom: string }, imageNames: string[], layerNames: string[]): Promise<PromotionSources> {
    const source = new pulumi.StackReference(config.promoteFrom);
    const read = async (name: string): Promise<unknown> => (await source.getOutputDetails(name)).value;
    const [architecture, images, layers] = await Promise.all([read("architecture"), read("images"), read("layers")]);
    const where = `the outputs of stack "${config.promoteFrom}" (\`lambda-docker:promoteFrom\`)`;
    const exported = (typeof images === "object" && images !== null ? images : {}) as Record<string, { repositoryUrl?: unknown; digest?: unknown; tags?: unknown }>;
    const missing = imageNames.filter((n) => typeof exported[n]?.digest !== "string" || !Array.isArray(exported[n]?.tags));
    if (missing.length > 0) {
        throw new Error(`Stack "${config.stage}": ${where} have no image ${missing.map((n) => JSON.stringify(n)).join(", ")} (\`images.<name>.digest\` and \`tags\`); run \`pulumi up --stack ${config.promoteFrom}\` first.`);
    }
    const exportedLayers = (typeof layers === "object" && layers !== null ? layers : {}) as Record<string, { artifact?: unknown; sha256?: unknown }>;
    const missingLayers = layerNames.filter((n) => typeof exportedLayers[n]?.artifact !== "string" || exportedLayers[n]?.artifact === "" || typeof exportedLayers[n]?.sha256 !== "string");
    if (missingLayers.length > 0) {
        throw new Error(
            `Stack "${config.stage}": ${where} have no layer artifact for ${missingLayers.map((n) => JSON.stringify(n)).join(", ")} (\`layers.<name>.artifact\` and \`sha256\`); ` +
                `run \`pulumi up --stack ${config.promoteFrom}\` first (a stage builds layers once and pushes them as artifacts for the next to promote).`,
        );
    }
    if (architecture !== config.architecture) {
        throw new Error(
            `Stack "${config.stage}": \`lambda-docker:architecture\` must be the source stack's architecture ${JSON.stringify(architecture)} ` +
                `(${where}); got ${JSON.stringify(config.architecture)}.`,
        );
    }
    // The source's content-addressed tag travels with the digest, so prod-<hash>-… matches dev-<hash>.
    return {
        images: Object.fromEntries(imageNames.map((n) => {
            const image = exported[n] as { repositoryUrl: string; digest: string; tags: string[] };
            return [n, config.imageDigest ? `${image.repositoryUrl}@${config.imageDigest}` : `${image.tags[0]}@${image.digest}`];
        })),
        layers: Object.fromEntries(layerNames.map((n) => [n, exportedLayers[n] as { artifact: string; sha256: string }])),
    };
}

/** The manifest's events as the function components take them. */
function functionEvents(events: readonly EventSpec[], api: () => HttpApi, queueArn: (queue: string) => pulumi.Input<string>): FunctionEvent[] {
    return events.map((e): FunctionEvent => {
        if ("schedule" in e) return { schedule: e.schedule.expression, enabled: e.schedule.enabled, input: e.schedule.input };
        if ("http" in e) return { http: { api: api(), route: e.http.route } };
        return { sqs: { queueArn: queueArn(e.sqs.queue), batchSize: e.sqs.batchSize, enabled: e.sqs.enabled } };
    });
}

export = async () => {
    const config = parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig());
    const manifest = readManifest(config.manifest);
    const environment = functionEnvironment(config);
    const buildArgs = { BASE_IMAGE: config.baseImage };
    const imageNames = Object.keys(manifest.images).filter((n) => imageFunctionsOf(manifest, n).length > 0);
    const visibility = v.withContext("Manifest", config.manifest, () => queueVisibilityTimeouts(manifest, config.timeout));

    if (config.preflight) {
        // Each handler imports with the environment and region it gets on Lambda.
        await preflightManifest(manifest, {
            buildArgs, architecture: config.architecture, region: config.region, environment, memorySize: config.memorySize,
            onOutput: (line) => void pulumi.log.debug(line),
        });
    }
    const layerNames = Object.keys(manifest.layers);
    const promotions = config.promoteFrom ? await promotionSources({ ...config, promoteFrom: config.promoteFrom }, imageNames, layerNames) : undefined;
    // The commands the engine runs (promotions, artifact pushes) use the stack's AWS profile too.
    const commandEnvironment = config.profile ? { AWS_PROFILE: config.profile } : undefined;
    const repositoryOf = (name: string): EcrRepository => new EcrRepository(
        name,
        {
            stage: config.stage, keepImages: config.keepImages, untaggedExpiryDays: config.untaggedExpiryDays,
            tagMutability: config.tagMutability, scanOnPush: config.scanOnPush, forceDelete: config.forceDelete,
        },
        { protect: config.protect },
    );

    const repositories: Record<string, EcrRepository> = {};
    const images: Record<string, LambdaImage | PromotedImage> = {};
    for (const name of imageNames) {
        const spec = manifest.images[name];
        const repository = repositoryOf(name);
        repositories[name] = repository;
        images[name] = promotions
            ? new PromotedImage(name, { repository, stage: config.stage, source: promotions.images[name], architecture: config.architecture, environment: commandEnvironment })
            : new LambdaImage(name, {
                  repository, stage: config.stage, context: spec.context, dockerfile: spec.dockerfile, target: spec.target,
                  architecture: config.architecture, buildArgs: { ...buildArgs, ...spec.buildArgs },
                  extraTags: config.latestTag ? [`${config.stage}-latest`] : [],
              });
    }

    const runtimes = (layer: string) => [...new Set(Object.values(manifest.functions).flatMap((f) => (f.kind === "zip" && f.layers.includes(layer) ? [f.runtime] : [])))].sort();
    const layerRepository = layerNames.length > 0 ? repositoryOf(LAYER_REPOSITORY) : undefined;
    const layers = Object.fromEntries(Object.entries(manifest.layers).map(([name, spec]) => {
        const common = {
            architecture: config.architecture,
            compatibleRuntimes: runtimes(name).length > 0 ? runtimes(name) : ["python3.11"],
            layerName: `${name}-${config.stage}`,
            description: spec.description,
            environment: commandEnvironment,
        };
        const layer = promotions
            ? new PromotedLayer(name, { ...common, source: promotions.layers[name].artifact, sha256: promotions.layers[name].sha256, repository: layerRepository!, stage: config.stage })
            : new DockerLayer(name, {
                  ...(spec.kind === "docker"
                      ? { context: spec.context, dockerfile: spec.dockerfile, target: spec.target, buildArgs: { ...buildArgs, ...spec.buildArgs } }
                      : { directory: spec.path }),
                  ...common,
                  artifactRepository: layerRepository?.repositoryUrl, stage: config.stage,
              });
        return [name, layer] as const;
    }));

    const queues = Object.fromEntries(Object.keys(manifest.queues).map((name) => [name, new aws.sqs.Queue(name, {
        name: `${name}-${config.stage}`,
        visibilityTimeoutSeconds: visibility[name],
        messageRetentionSeconds: manifest.queues[name].messageRetentionSeconds,
        sqsManagedSseEnabled: true,
    })]));
    const queueArn = (queue: string): pulumi.Input<string> => queues[queue]?.arn ?? queue;
    let api: HttpApi | undefined;
    const httpApi = (): HttpApi => (api ??= new HttpApi("http", { stage: config.stage, logRetentionDays: config.logRetentionDays }));

    const functions = Object.entries(manifest.functions).map(([name, f]: [string, FunctionSpec]) => {
        const common = {
            architecture: f.architecture ?? config.architecture,
            memorySize: f.memorySize ?? config.memorySize,
            timeout: f.timeout ?? config.timeout,
            logRetentionDays: config.logRetentionDays,
            environment: { ...environment, ...f.environment },
            reservedConcurrentExecutions: f.reservedConcurrentExecutions,
            description: f.description,
            policyStatements: [...manifest.policyStatements, ...f.policyStatements],
            events: functionEvents(f.events, httpApi, queueArn),
        };
        const fn = f.kind === "image"
            ? new ImageFunction(name, { ...common, image: images[f.image], command: f.command, entryPoint: f.entryPoint, workingDirectory: f.workingDirectory })
            : new ZipFunction(name, { ...common, code: f.code, handler: f.handler, runtime: f.runtime, layers: f.layers.map((l) => layers[l] ?? l) });
        return [name, fn] as const;
    });

    const first = imageNames[0];
    return {
        ...(first === undefined ? {} : {
            repositoryUrl: repositories[first].repositoryUrl,
            imageUri: images[first].imageUri,
            imageDigest: images[first].digest,
            imageTags: images[first].tags,
        }),
        images: Object.fromEntries(imageNames.map((n) => [n, {
            repositoryUrl: repositories[n].repositoryUrl, uri: images[n].imageUri, digest: images[n].digest, tags: images[n].tags,
        }])),
        architecture: config.architecture,
        layers: Object.fromEntries(Object.entries(layers).map(([n, l]) => [n, { arn: l.arn, sha256: l.sha256, artifact: l.artifactUri }])),
        ...(api ? { apiUrl: api.url } : {}),
        functionNames: Object.fromEntries(functions.map(([name, fn]) => [name, fn.functionName])),
        functionArns: Object.fromEntries(functions.map(([name, fn]) => [name, fn.arn])),
    };
};
