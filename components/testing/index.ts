/**
 * `lambda-docker/testing`: unit-test a program that uses lambda-docker under Pulumi's mocks, which
 * answer every output the components read (usage: the README's "Testing your program").
 */
export {
    ACCOUNT,
    REGION,
    REGISTRY,
    ResourceRecorder,
    assetPath,
    deployedStackOutputs,
    valueOf,
} from "./engine";
export type { DeployedShape, Recorded } from "./engine";
export { useLayerFetcher } from "../layer/promotedLayer";
export { useLayerBuilder } from "../layer/dockerLayer";
