/** `lambda-docker/registry`: promotion by digest over the OCI distribution API, and layer zips as artifacts. */
export { promoteImage } from "./promote";
export type { PromoteImageRequest, PromoteImageResult } from "./promote";
export { layerArtifact, pullLayerArtifact, pushLayerArtifact } from "./artifact";
export type { PullLayerRequest, PulledLayer, PushLayerRequest, PushLayerResult } from "./artifact";
export { PromotionError } from "./reference";
export type { RegistryCredentials } from "./reference";
