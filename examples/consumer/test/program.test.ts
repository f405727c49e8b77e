/**
 * A consumer's unit test of its own program, with lambda-docker/testing's mocks (node's test runner,
 * so the example needs no test framework).
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ResourceRecorder, useLayerBuilder, valueOf } from "lambda-docker/testing";

test("the greeter program pins its image function by digest and wires the layer into the zip function", async () => {
    const recorder = new ResourceRecorder();
    await recorder.install("dev", false, "lambda-docker-consumer");
    useLayerBuilder(async () => ({
        zipPath: "layer.zip",
        sha256: "c".repeat(64),
        unzippedBytes: 10,
        zippedBytes: 5,
        cached: true,
        inputHash: "h",
    }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../index") as {
        imageUri: import("@pulumi/pulumi").Output<string>;
        helloArn: import("@pulumi/pulumi").Output<string>;
    };
    const imageUri = await valueOf(program.imageUri);
    await valueOf(program.helloArn);
    await recorder.settle();
    assert.match(
        imageUri,
        /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/greeter-repository-abc1234@sha256:[0-9a-f]{64}$/,
    );
    assert.deepEqual(
        recorder.summary().filter((s) => s.startsWith("lambda-docker:")),
        [
            "lambda-docker:index:DockerLayer greeting",
            "lambda-docker:index:EcrRepository greeter",
            "lambda-docker:index:ImageFunction greeter",
            "lambda-docker:index:LambdaImage greeter",
            "lambda-docker:index:ZipFunction hello",
        ],
    );
    assert.equal(
        recorder.one("aws:lambda/function:Function", "greeter-function").inputs.imageUri,
        imageUri,
    );
    assert.deepEqual(recorder.one("aws:lambda/function:Function", "hello-function").inputs.layers, [
        "arn:aws:lambda:us-east-1:123456789012:layer:greeting-dev:1",
    ]);
});
