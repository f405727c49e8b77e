/**
 * `lambda-docker`: what a Pulumi program uses. Local tooling is `lambda-docker/local`, the manifest
 * `lambda-docker/manifest`, promotion `lambda-docker/registry`, test mocks `lambda-docker/testing`.
 */
export { EcrRepository, EncryptionType, TagMutability } from "./ecr/repository";
export type { EcrRepositoryArgs } from "./ecr/repository";
export { LambdaImage } from "./image/lambdaImage";
export type { LambdaImageArgs } from "./image/lambdaImage";
export { PromotedImage } from "./image/promotedImage";
export type { PromotedImageArgs } from "./image/promotedImage";
export type { AwsxRepositoryLike } from "./image/repositoryRef";
export { DockerLayer } from "./layer/dockerLayer";
export type { DockerLayerArgs, DockerLayerSecret } from "./layer/dockerLayer";
export { PromotedLayer } from "./layer/promotedLayer";
export type { PromotedLayerArgs } from "./layer/promotedLayer";
export { ImageFunction } from "./lambda/imageFunction";
export type { ImageFunctionArgs } from "./lambda/imageFunction";
export { ZipFunction } from "./lambda/zipFunction";
export type { ZipFunctionArgs } from "./lambda/zipFunction";
export { LogFormat, TracingMode } from "./lambda/functionArgs";
export type { FunctionCommonArgs, FunctionVpcConfig } from "./lambda/functionArgs";
export type { FunctionEvent, HttpRouteEvent, SqsQueueEvent } from "./lambda/triggers";
export { Effect, dynamoDbTableStatement } from "./lambda/iam";
export type { DynamoDbAccessArgs, PolicyStatementArgs } from "./lambda/iam";
export { HttpApi } from "./api/httpApi";
export type { HttpApiArgs, HttpApiCors } from "./api/httpApi";
export { LambdaService } from "./service/lambdaService";
export type { LambdaServiceArgs, ServiceEvent, ServiceFunctionArgs } from "./service/lambdaService";
export { checkManifestDeploy, deployManifest, usedImages } from "./service/deployManifest";
export type { DeployedManifest, ManifestDeploySettings } from "./service/deployManifest";
export { manifestProgram } from "./service/manifestProgram";
export { readPromotionSources } from "./service/promotionSources";
export type { PromotionRequest, PromotionSources } from "./service/promotionSources";
export { ValidationError } from "../lib/validation";
export type { Architecture } from "../lib/validation";
