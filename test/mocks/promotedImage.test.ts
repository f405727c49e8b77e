import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcrRepository, ImageFunction, PromoteRequest, PromotedImage, usePromoter } from "../../components";
import { REGISTRY, ResourceRecorder, valueOf } from "../../plan/engine";

const recorder = new ResourceRecorder();
const DIGEST = `sha256:${"d".repeat(64)}`;
const DEV_ACCOUNT = "210987654321"; // dev in its own account, same region
const DEV_REPO = `${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app-dev`;
const PROD_URL = `${REGISTRY}/app-repository-abc1234`;

describe("PromotedImage under mocks", () => {
    // The mocks engine installs a promoter that records each request and copies nothing.
    const requests: PromoteRequest[] = recorder.promotions;

    it("promotes the source digest under <stage>-<source tag hash> and pins functions to it, building nothing", async () => {
        await recorder.install("prod");
        const repo = new EcrRepository("app", { stage: "prod", tagMutability: "IMMUTABLE" });
        const image = new PromotedImage("app", { repository: repo, stage: "prod", source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}` });
        const fn = new ImageFunction("api", { image, command: ["src.api.handler"] });
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        assert.equal(await valueOf(image.tag), "prod-3f2a9c0d1e2b4a5f");
        assert.deepEqual(await valueOf(image.tags), [`${PROD_URL}:prod-3f2a9c0d1e2b4a5f`]);
        assert.equal(await valueOf(image.digest), DIGEST);
        await valueOf(fn.arn);
        await recorder.settle();
        assert.deepEqual(requests, [{
            source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}`, target: PROD_URL, tag: "prod-3f2a9c0d1e2b4a5f", architecture: "x86_64",
            credentials: {
                [REGISTRY]: { username: "AWS", password: "mock-ecr-password" },
                [`${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`]: { username: "AWS", password: "mock-ecr-password" },
            },
        }]);
        assert.deepEqual(recorder.ofType("docker-build:index:Image"), []);
        const f = recorder.one("aws:lambda/function:Function", "api-function");
        assert.equal(f.inputs.imageUri, `${PROD_URL}@${DIGEST}`);
        assert.deepEqual(f.inputs.architectures, ["x86_64"]);
        assert.deepEqual(recorder.one("lambda-docker:index:PromotedImage", "app").inputs,
            { source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}`, stage: "prod" });
    });

    it("derives the tag from the digest when the source has no tag, and accepts the source as an output", async () => {
        await recorder.install("prod");
        const image = new PromotedImage("app", { repository: PROD_URL, stage: "prod", source: pulumi.output(`${DEV_REPO}@${DIGEST}`) });
        assert.equal(await valueOf(image.tag), `prod-${"d".repeat(16)}`);
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        assert.equal(requests.length, 1);
    });

    it("writes nothing at preview while imageUri and tag are already known", async () => {
        await recorder.install("prod", true);
        const image = new PromotedImage("app", { repository: PROD_URL, stage: "prod", source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}` });
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        assert.equal(await valueOf(image.tag), "prod-3f2a9c0d1e2b4a5f");
        assert.deepEqual(requests, []);
    });

    it("fails the update with the promoter's refusal", async () => {
        await recorder.install("prod");
        usePromoter(async () => {
            throw new Error("`tag` prod-x already points at sha256:eee…; promotion refused");
        });
        const image = new PromotedImage("app", { repository: PROD_URL, stage: "prod", source: `${DEV_REPO}@${DIGEST}` });
        await assert.rejects(valueOf(image.imageUri), { message: "`tag` prod-x already points at sha256:eee…; promotion refused" });
    });

    it("refuses a source that is not digest-pinned, a stage other than the repository's, and a function of another architecture", async () => {
        await recorder.install("prod");
        const repo = new EcrRepository("app", { stage: "prod" });
        await recorder.settle();
        recorder.resources.length = 0;
        assert.throws(() => new PromotedImage("p", { repository: repo, stage: "prod", source: `${DEV_REPO}:dev-latest` }), {
            message: "PromotedImage \"p\": `source` must be a digest-pinned image reference `<registry>/<repository>[:<tag>]@sha256:<64 hex>`; " +
                `got "${DEV_REPO}:dev-latest".`,
        });
        assert.throws(() => new PromotedImage("p", { repository: repo, stage: "dev", source: `${DEV_REPO}@${DIGEST}` }), {
            message: "PromotedImage \"p\": `stage` must be the repository's stage \"prod\" (its lifecycle policy counts only `prod-` tags); got \"dev\".",
        });
        const arm = new PromotedImage("arm", { repository: repo, stage: "prod", source: `${DEV_REPO}@${DIGEST}`, architecture: "arm64" });
        assert.throws(() => new ImageFunction("f", { image: arm, command: ["a.handler"], architecture: "x86_64" }), {
            message: "ImageFunction \"f\": `architecture` must be the image's architecture \"arm64\" (a mismatch fails at invoke with \"exec format error\"); got \"x86_64\".",
        });
        await valueOf(arm.imageUri);
        await recorder.settle();
        assert.deepEqual(recorder.summary(), ["lambda-docker:index:PromotedImage arm"]);
    });
});
