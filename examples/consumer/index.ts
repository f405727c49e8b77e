/**
 * Another team's program: an image function and a layer-backed zip function, built only from
 * lambda-docker's public API.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    DockerLayer,
    EcrRepository,
    ImageFunction,
    LambdaImage,
    ZipFunction,
    dynamoDbTableStatement,
} from "lambda-docker";

const config = new pulumi.Config();
const stage = pulumi.getStack();
const memorySize = config.getNumber("memorySize") ?? 256;

const repository = new EcrRepository("greeter", {
    stage,
    keepImages: 5,
    untaggedExpiryDays: 1,
    forceDelete: true,
});
const image = new LambdaImage("greeter", {
    repository,
    stage,
    context: "app",
    architecture: "x86_64",
});
const greeter = new ImageFunction("greeter", {
    image,
    command: ["handlers.greet.handler"],
    memorySize,
    timeout: 10,
    policyStatements: [
        dynamoDbTableStatement({
            region: aws.getRegionOutput().region,
            accountId: aws.getCallerIdentityOutput().accountId,
            tablePrefix: `greetings-${stage}-`,
            access: "read",
        }),
    ],
});

const layer = new DockerLayer("greeting", {
    context: "layer",
    compatibleRuntimes: ["python3.11"],
    layerName: `greeting-${stage}`,
});
const zipFn = new ZipFunction("hello", {
    code: "zip",
    handler: "hello.handler",
    runtime: "python3.11",
    layers: [layer],
    memorySize,
});

export const imageUri = image.imageUri;
export const greeterArn = greeter.arn;
export const layerArn = layer.arn;
export const helloArn = zipFn.arn;
