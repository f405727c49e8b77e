/**
 * lambda-docker as a Pulumi package for every language. Pulumi's Node.js plugin host finds the
 * component classes exported here, infers their schema from the args interfaces and serves them
 * (see PulumiPlugin.yaml). Served: the components whose args are plain data. LambdaImage (it takes an
 * EcrRepository reference) is served through LambdaService, which builds repository, image and
 * functions together.
 */
export { DockerLayer, EcrRepository, ImageFunction, LambdaService, ZipFunction } from "../components";
