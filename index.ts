/**
 * The campaign service: one ECR repository and one image shared by the image functions of
 * lambda-docker.yaml (each with its own command), plus the campaign-core layer, built with Docker,
 * and a zip function that uses it. Composition only: settings come from stacks/Pulumi.<stack>.yaml
 * through parseStackConfig, and the stack name is the stage.
 *
 * A stack with `lambda-docker:promoteFrom` (prod) builds no image: it promotes the source stack's
 * digest into its own repository, so it runs exactly what the source stack tested.
 *
 * The program is async so that, with `lambda-docker:preflight` (on in dev), the image is built locally
 * and every command checked before any resource exists, and so that a promoting stack checks the
 * source stack's outputs before it creates anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerLayer, EcrRepository, ImageFunction, LambdaImage, PromotedImage, ZipFunction } from "./components";
import { preflight } from "./components/docker/localImage";
import { readManifest } from "./components/core/manifest";
import { StackConfig, parseStackConfig } from "./config/stackConfig";

/** What a promoting stack reads from its source stack, checked before anything is created. */
async function promotionSource(config: StackConfig & { promoteFrom: string }): Promise<pulumi.Output<string>> {
    const source = new pulumi.StackReference(config.promoteFrom);
    const read = async (name: string): Promise<unknown> => (await source.getOutputDetails(name)).value;
    const [architecture, digest, tags, repositoryUrl] = await Promise.all([read("architecture"), read("imageDigest"), read("imageTags"), read("repositoryUrl")]);
    const where = `the outputs of stack "${config.promoteFrom}" (\`lambda-docker:promoteFrom\`)`;
    if (typeof repositoryUrl !== "string" || typeof digest !== "string" || !Array.isArray(tags)) {
        throw new Error(`Stack "${config.stage}": ${where} have no repositoryUrl, imageDigest and imageTags; run \`pulumi up --stack ${config.promoteFrom}\` first.`);
    }
    if (architecture !== config.architecture) {
        throw new Error(
            `Stack "${config.stage}": \`lambda-docker:architecture\` must be the source stack's architecture ${JSON.stringify(architecture)} ` +
                `(${where}); got ${JSON.stringify(config.architecture)}.`,
        );
    }
    // The source's content-addressed tag travels with the digest, so prod-<hash> matches dev-<hash>.
    return pulumi.output(config.imageDigest ? `${repositoryUrl}@${config.imageDigest}` : `${tags[0]}@${digest}`);
}

export = async () => {
    const config = parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig());
    const manifest = readManifest(config.manifest);
    const buildArgs = { BASE_IMAGE: config.baseImage };
    const functionSettings = {
        architecture: config.architecture,
        memorySize: config.memorySize,
        timeout: config.timeout,
        logRetentionDays: config.logRetentionDays,
        environment: { LOG_LEVEL: config.logLevel, STAGE: config.stage },
    };

    if (config.preflight) {
        await preflight({
            context: manifest.image.context,
            dockerfile: manifest.image.dockerfile,
            buildArgs,
            architecture: config.architecture,
            // Each handler imports with the environment and region it gets on Lambda.
            functions: Object.entries(manifest.functions).map(([name, f]) => ({
                name, command: f.command, architecture: config.architecture, environment: functionSettings.environment, memorySize: config.memorySize,
            })),
            region: config.region,
            onOutput: (line) => void pulumi.log.debug(line),
        });
    }

    const promotion = config.promoteFrom ? await promotionSource({ ...config, promoteFrom: config.promoteFrom }) : undefined;

    const repository = new EcrRepository(
        "app",
        {
            stage: config.stage,
            keepImages: config.keepImages,
            untaggedExpiryDays: config.untaggedExpiryDays,
            tagMutability: config.tagMutability,
            scanOnPush: config.scanOnPush,
            forceDelete: config.forceDelete,
        },
        { protect: config.protect },
    );
    const image = config.promoteFrom
        ? new PromotedImage("app", {
              repository,
              stage: config.stage,
              source: promotion!,
              architecture: config.architecture,
          })
        : new LambdaImage("app", {
              repository,
              stage: config.stage,
              context: manifest.image.context,
              dockerfile: manifest.image.dockerfile,
              architecture: config.architecture,
              buildArgs,
              extraTags: config.latestTag ? [`${config.stage}-latest`] : [],
          });
    const imageFunctions = Object.entries(manifest.functions).map(
        ([name, f]) => [name, new ImageFunction(name, { image, command: f.command, ...functionSettings })] as const,
    );

    const core = new DockerLayer("core", {
        context: "layers/core",
        buildArgs,
        architecture: config.architecture,
        compatibleRuntimes: ["python3.11"],
        layerName: `campaign-core-${config.stage}`,
        description: "campaign_core, built with Docker",
    });
    const reportApi = new ZipFunction("report-api", {
        code: "app/zip",
        handler: "report_api.handler",
        runtime: "python3.11",
        layers: [core],
        ...functionSettings,
    });

    const functions = [...imageFunctions, ["report-api", reportApi] as const];
    return {
        repositoryUrl: repository.repositoryUrl,
        imageUri: image.imageUri,
        imageDigest: image.digest,
        imageTags: image.tags,
        architecture: config.architecture,
        layerArn: core.arn,
        layerSha256: core.sha256,
        functionNames: Object.fromEntries(functions.map(([name, fn]) => [name, fn.functionName])),
        functionArns: Object.fromEntries(functions.map(([name, fn]) => [name, fn.arn])),
    };
};
