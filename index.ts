/**
 * The campaign service: one ECR repository and one image shared by the image functions of
 * lambda-docker.yaml (each with its own command), plus the campaign-core layer, built with Docker,
 * and a zip function that uses it. Composition only: settings come from stacks/Pulumi.<stack>.yaml
 * through parseStackConfig, and the stack name is the stage.
 *
 * The program is async so that, with `lambda-docker:preflight` (on in dev), the image is built locally
 * and every command checked before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { DockerLayer, EcrRepository, ImageFunction, LambdaImage, ZipFunction } from "./components";
import { preflight } from "./components/docker/localImage";
import { readManifest } from "./components/core/manifest";
import { parseStackConfig } from "./config/stackConfig";

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
            functions: Object.entries(manifest.functions).map(([name, f]) => ({ name, command: f.command, architecture: config.architecture })),
            onOutput: (line) => void pulumi.log.debug(line),
        });
    }

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
    const image = new LambdaImage("app", {
        repository,
        stage: config.stage,
        context: manifest.image.context,
        dockerfile: manifest.image.dockerfile,
        architecture: config.architecture,
        buildArgs,
        extraTags: config.latestTag ? [`${config.stage}-latest`] : [],
        retainOnDelete: config.protect,
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
        imageTags: image.tags,
        layerArn: core.arn,
        layerSha256: core.sha256,
        functionNames: Object.fromEntries(functions.map(([name, fn]) => [name, fn.functionName])),
        functionArns: Object.fromEntries(functions.map(([name, fn]) => [name, fn.arn])),
    };
};
