/** `lambda-docker/manifest`: read, validate and query `lambda-docker.yaml`. */
export { DEFAULT_IMAGE_NAME, DEFAULT_MANIFEST, MANIFEST_KEYS, PLACEHOLDER_PREFIX } from "./types";
export type {
    EventSpec,
    FunctionOverrides,
    FunctionSpec,
    ImageFunctionSpec,
    BuiltImageSpec,
    ConfigRef,
    ImageSpec,
    PrebuiltImageSpec,
    SampleSpec,
    LayerSpec,
    Manifest,
    QueueSpec,
    ZipFunctionSpec,
} from "./types";
export { parseManifest, readManifest } from "./parse";
export {
    builtImages,
    checkManifestDeploy,
    imageFunctionsOf,
    localEnvironment,
    queueVisibilityTimeouts,
    zipFunctionsOf,
} from "./queries";
