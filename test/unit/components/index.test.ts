import * as assert from "node:assert/strict";
import * as root from "../../../components";
import * as testing from "../../../components/testing";
import * as local from "../../../lib/local";
import * as manifest from "../../../lib/manifest";
import * as registry from "../../../lib/registry";

describe("the package's public API, by entry point", () => {
    it("lambda-docker: what a Pulumi program uses, and nothing else", () => {
        assert.deepEqual(Object.keys(root).sort(), [
            "DockerLayer",
            "EcrRepository",
            "Effect",
            "EncryptionType",
            "HttpApi",
            "ImageFunction",
            "LambdaImage",
            "LambdaService",
            "LogFormat",
            "PromotedImage",
            "PromotedLayer",
            "TagMutability",
            "TracingMode",
            "ValidationError",
            "ZipFunction",
            "checkManifestDeploy",
            "deployManifest",
            "dynamoDbTableStatement",
            "manifestProgram",
            "readPromotionSources",
            "usedImages",
        ]);
    });

    it("lambda-docker/testing: the recording mocks engine and the stand-ins for builds and registry reads", () => {
        assert.deepEqual(Object.keys(testing).sort(), [
            "ACCOUNT",
            "REGION",
            "REGISTRY",
            "ResourceRecorder",
            "assetPath",
            "deployedStackOutputs",
            "useLayerBuilder",
            "useLayerFetcher",
            "valueOf",
        ]);
    });

    it("lambda-docker/local, /manifest and /registry: the tooling, which loads no Pulumi", () => {
        assert.deepEqual(Object.keys(local).sort(), [
            "LOCAL_IMAGE_REPOSITORY",
            "PreflightError",
            "buildLayer",
            "buildLocalImage",
            "clearHashMemo",
            "formatReport",
            "hasEmulator",
            "hashBuildInputs",
            "imageArchitecture",
            "invokeLocal",
            "invokeWithEmulator",
            "listContextFiles",
            "localEnvironment",
            "localImageTag",
            "parseSecretSpec",
            "preflight",
            "preflightImage",
            "preflightManifest",
            "runtimeOfBaseImage",
            "timeoutMessage",
        ]);
        assert.deepEqual(Object.keys(manifest).sort(), [
            "DEFAULT_IMAGE_NAME",
            "DEFAULT_MANIFEST",
            "MANIFEST_KEYS",
            "PLACEHOLDER_PREFIX",
            "builtImages",
            "checkManifestDeploy",
            "imageFunctionsOf",
            "localEnvironment",
            "parseManifest",
            "queueVisibilityTimeouts",
            "readManifest",
            "zipFunctionsOf",
        ]);
        assert.deepEqual(Object.keys(registry).sort(), [
            "PromotionError",
            "layerArtifact",
            "promoteImage",
            "pullLayerArtifact",
            "pushLayerArtifact",
        ]);
    });
});
