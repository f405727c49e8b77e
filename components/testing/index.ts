/**
 * `lambda-docker/testing`: unit-test a program that uses lambda-docker under Pulumi's mocks, without
 * answering every output the components read yourself.
 *
 * ```ts
 * import { ResourceRecorder, valueOf } from "lambda-docker/testing";
 * const recorder = new ResourceRecorder();
 * await recorder.install("dev", false, "my-project");   // pulumi.runtime.setMocks with complete answers
 * const program = await import("../index");              // then load the program
 * await valueOf(program.imageUri);
 * await recorder.settle();
 * recorder.one("aws:lambda/function:Function", "api-function").inputs.imageConfig;
 * ```
 *
 * The mocks answer what the components read: repository URLs and registry ids, image digests, ARNs and
 * names, ECR tokens and image listings, the partition, region and account; they record each resource
 * (type, name, parent, inputs, secret inputs) and each invoke, run no command (a PromotedImage's copy is
 * its recorded `command:local:Command`), and can stand in for other stacks (`stackOutputs`) and pushed tags
 * (`existingImages`). Layers still build with Docker unless `useLayerBuilder` replaces the builder.
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
