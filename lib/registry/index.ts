/** Promotion by digest over the OCI distribution API, and layer zips as artifacts. */
export { PromoteImageRequest, PromoteImageResult, promoteImage } from "./promote";
export { PushLayerRequest, PushLayerResult, PullLayerRequest, layerArtifact, pullLayerArtifact, pushLayerArtifact } from "./artifact";
export { PromotionError, RegistryCredentials } from "./reference";
