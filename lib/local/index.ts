/** `lambda-docker/local`: build a function image and run its handlers on the local Docker engine, by Lambda's rules. */
export { buildLocalImage, localImageTag, imageArchitecture, LOCAL_IMAGE_REPOSITORY } from "./localImage";
export type { LocalImage, LocalImageOptions } from "./localImage";
export { preflight, preflightImage, PreflightError } from "./preflight";
export type { PreflightFunction, PreflightOptions, PreflightProblem } from "./preflight";
export { invokeLocal } from "./invoke";
export type { InvokeOptions, InvokeResult } from "./invoke";
export { hasEmulator, invokeWithEmulator } from "./emulator";
export { formatReport, timeoutMessage } from "./report";
export type { InvokeReport } from "./report";
export { localEnvironment, runtimeOfBaseImage } from "./runtimeEnvironment";
