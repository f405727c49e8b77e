export * from "./ecr/repository";
export * from "./image/lambdaImage";
export * from "./image/promotedImage";
export * from "./layer/promotedLayer";
export { PromoteImageRequest, PromoteImageResult, PromotionError, RegistryCredentials, promoteImage } from "../lib/registry";
export { AwsxRepositoryLike } from "./image/repositoryRef";
export * from "./lambda/imageFunction";
export * from "./api/httpApi";
export { FunctionEvent, routeSourceArnSuffix } from "./lambda/triggers";
export { HTTP_METHODS, parseRoute, validateScheduleExpression } from "../lib/lambda/events";
export { FunctionCommonArgs, LogFormat, TracingMode } from "./lambda/functionArgs";
export { DynamoDbAccessArgs, Effect, PolicyStatementArgs, dynamoDbTableStatement } from "./lambda/iam";
export { ValidationError, Architecture } from "../lib/validation";
export { hashBuildInputs, listContextFiles, clearHashMemo, BuildInputs, ContextEntry, HashOptions } from "../lib/build/contextHash";
export { lifecyclePolicy, LifecycleSettings } from "./ecr/lifecyclePolicy";
export { PinnedReference, cacheTag, digestUri, parsePinnedReference, platformFor, promotionTag, stageTag } from "../lib/tags";
export * from "./layer/dockerLayer";
export * from "./lambda/zipFunction";
export {
    buildLayer, BuildLayerOptions, LayerBuildResult, LAMBDA_UNZIPPED_LIMIT, LAMBDA_DIRECT_UPLOAD_LIMIT,
} from "../lib/build/layerBuild";
export * from "./service/lambdaService";
export { preflight, buildLocalImage, PreflightError, PreflightFunction, LocalImageOptions } from "../lib/local";
export { invokeLocal, invokeWithEmulator, InvokeOptions, InvokeResult, InvokeReport, formatReport } from "../lib/local";
export { readManifest, Manifest, DEFAULT_MANIFEST } from "../lib/manifest";
export { BuildSecretSource, parseSecretSpec } from "../lib/build/secrets";
export { checkManifestDeploy, deployManifest, usedImages, LAYER_REPOSITORY, ManifestDeploySettings, DeployedManifest } from "./service/deployManifest";
export { readPromotionSources, PromotionSources, PromotionRequest } from "./service/promotionSources";
