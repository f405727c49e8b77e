/** `lambda-docker/manifest`: read, validate and query `lambda-docker.yaml`. */
export * from "./types";
export { parseManifest, readManifest } from "./parse";
export { imageFunctionsOf, queueVisibilityTimeouts, zipFunctionsOf } from "./queries";
