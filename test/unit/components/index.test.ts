import * as assert from "node:assert/strict";
import * as root from "../../../components";
import * as testing from "../../../components/testing";

describe("the package's public API", () => {
    it("exports the local tools and promotion from the root, and the mocks from lambda-docker/testing", () => {
        for (const name of ["preflight", "invokeLocal", "buildLocalImage", "readManifest", "promoteImage", "parseSecretSpec", "PromotedImage", "PromotedLayer", "useLayerFetcher", "clearHashMemo"]) {
            assert.equal(typeof (root as Record<string, unknown>)[name], "function", name);
        }
        assert.deepEqual(Object.keys(testing).sort(), [
            "ACCOUNT", "REGION", "REGISTRY", "ResourceRecorder", "assetPath", "deployedStackOutputs", "useLayerBuilder", "useLayerFetcher", "valueOf",
        ]);
    });
});
