export * from "./ecrRepository";
export * from "./lambdaImage";
export * from "./promotedImage";
export * from "./promotedLayer";
export { PromoteImageRequest, PromoteImageResult, PromotionError, RegistryCredentials, promoteImage } from "./registry";
export { AwsxRepositoryLike } from "./core/repositoryRef";
export * from "./imageFunction";
export * from "./httpApi";
export { FunctionEvent, routeSourceArnSuffix } from "./lambda/triggers";
export { HTTP_METHODS, parseRoute, validateScheduleExpression } from "./core/events";
export { FunctionCommonArgs, LogFormat, TracingMode } from "./lambda/functionBase";
export { DynamoDbAccessArgs, Effect, PolicyStatementArgs, dynamoDbTableStatement } from "./core/iam";
export { ValidationError, Architecture } from "./core/validation";
export { hashBuildInputs, listContextFiles, clearHashMemo, BuildInputs, ContextEntry, HashOptions } from "./core/contextHash";
export { lifecyclePolicy, LifecycleSettings } from "./core/lifecycle";
export { PinnedReference, cacheTag, digestUri, parsePinnedReference, platformFor, promotionTag, stageTag } from "./core/tags";
export * from "./dockerLayer";
export * from "./zipFunction";
export {
    buildLayer, BuildLayerOptions, LayerBuildResult, LAMBDA_UNZIPPED_LIMIT, LAMBDA_DIRECT_UPLOAD_LIMIT,
} from "./docker/layer";
export * from "./lambdaService";
export { preflight, buildLocalImage, PreflightError, PreflightFunction, LocalImageOptions } from "./docker/localImage";
export { invokeLocal, invokeWithEmulator, InvokeOptions, InvokeResult, InvokeReport, formatReport } from "./docker/invoke";
export { readManifest, Manifest, DEFAULT_MANIFEST } from "./core/manifest";
export { BuildSecretSource, parseSecretSpec } from "./docker/secrets";
