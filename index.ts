/**
 * The campaign service: one ECR repository, one image shared by every image function (each with its
 * own command). Composition only: settings come from stacks/Pulumi.<stack>.yaml through
 * parseStackConfig, and the stack name is the stage.
 */
import * as pulumi from "@pulumi/pulumi";
import { EcrRepository, ImageFunction, LambdaImage } from "./components";
import { parseStackConfig } from "./config/stackConfig";

const config = parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig());

/** Function name -> image command (the handler first). All run the one `app` image. */
const IMAGE_FUNCTIONS: Record<string, string[]> = {
    "campaign-orchestrator": ["src.functions.campaign.orchestrator.handler"],
    "report-sync": ["src.functions.reports.sync.handler"],
    api: ["src.functions.api.handler.handler"],
};

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
    context: "app",
    architecture: config.architecture,
    buildArgs: { BASE_IMAGE: config.baseImage },
    extraTags: config.latestTag ? [`${config.stage}-latest`] : [],
    retainOnDelete: config.protect,
});

const functions = Object.entries(IMAGE_FUNCTIONS).map(
    ([name, command]) =>
        [
            name,
            new ImageFunction(name, {
                image,
                command,
                architecture: config.architecture,
                memorySize: config.memorySize,
                timeout: config.timeout,
                logRetentionDays: config.logRetentionDays,
                environment: { LOG_LEVEL: config.logLevel, STAGE: config.stage },
            }),
        ] as const,
);

export const repositoryUrl = repository.repositoryUrl;
export const imageUri = image.imageUri;
export const imageTags = image.tags;
export const functionNames = Object.fromEntries(functions.map(([name, fn]) => [name, fn.functionName]));
export const functionArns = Object.fromEntries(functions.map(([name, fn]) => [name, fn.arn]));
