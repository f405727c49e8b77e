/** `lambda-docker/local`: build function images and layers, and run handlers on the local Docker engine, by Lambda's rules. */
export {
    buildLocalImage,
    localImageTag,
    imageArchitecture,
    LOCAL_IMAGE_REPOSITORY,
} from "./localImage";
export type { LocalImage, LocalImageOptions } from "./localImage";
export { preflight, preflightImage, PreflightError } from "./preflight";
export type { PreflightFunction, PreflightOptions, PreflightProblem } from "./preflight";
export { invokeLocal } from "./invoke";
export type { InvokeOptions, InvokeResult } from "./invoke";
export { hasEmulator, invokeWithEmulator } from "./emulator";
export { formatReport, timeoutMessage } from "./report";
export type { InvokeReport } from "./report";
export { localEnvironment, runtimeOfBaseImage } from "./runtimeEnvironment";
export { buildLayer } from "../build/layerBuild";
export type { BuildLayerOptions, LayerBuildResult } from "../build/layerBuild";
export { parseSecretSpec } from "../build/secrets";
export type { BuildSecretSource } from "../build/secrets";
export { hashBuildInputs, listContextFiles, clearHashMemo } from "../build/contextHash";
export type { BuildInputs, ContextEntry, HashOptions } from "../build/contextHash";
export { preflightManifest } from "../manifest/localBuild";
export type { ManifestBuildSettings } from "../manifest/localBuild";
