/** Promotion by digest over the OCI distribution API. */
export { PromoteImageRequest, PromoteImageResult, promoteImage } from "./promote";
export { PromotionError, RegistryCredentials } from "./reference";
