import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EcrRepository, ImageFunction, PromotedImage } from "../../../../components";
import { REGISTRY, ResourceRecorder, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();
const DIGEST = `sha256:${"d".repeat(64)}`;
const DEV_ACCOUNT = "210987654321"; // dev in its own account, same region
const DEV_REPO = `${DEV_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app-dev`;
const PROD_URL = `${REGISTRY}/app-repository-abc1234`;
const CLI = "node dist/cli/main.js";

describe("PromotedImage under mocks", () => {
    it("copies through a command:local:Command the engine plans (the source digest under <stage>-<hash>-<12 hex>), and pins functions to it, building nothing", async () => {
        await recorder.install("prod");
        const repo = new EcrRepository("app", { stage: "prod", tagMutability: "IMMUTABLE" });
        const image = new PromotedImage("app", {
            repository: repo,
            stage: "prod",
            source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}`,
        });
        const fn = new ImageFunction("api", { image, command: ["src.api.handler"] });
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        assert.equal(await valueOf(image.tag), "prod-3f2a9c0d1e2b4a5f-dddddddddddd");
        assert.deepEqual(await valueOf(image.tags), [
            `${PROD_URL}:prod-3f2a9c0d1e2b4a5f-dddddddddddd`,
        ]);
        assert.equal(await valueOf(image.digest), DIGEST);
        await valueOf(fn.arn);
        await recorder.settle();
        const copy = recorder.one("command:local:Command", "app-promotion");
        assert.equal(copy.parentType, "lambda-docker:index:PromotedImage");
        assert.deepEqual(copy.inputs, {
            create: `${CLI} promote --source ${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST} --target ${PROD_URL} --tag prod-3f2a9c0d1e2b4a5f-dddddddddddd --architecture x86_64`,
            logging: "stderr",
        });
        assert.deepEqual(copy.secretInputs, []);
        assert.deepEqual(recorder.ofType("docker-build:index:Image"), []);
        const f = recorder.one("aws:lambda/function:Function", "api-function");
        assert.equal(f.inputs.imageUri, `${PROD_URL}@${DIGEST}`);
        assert.deepEqual(f.inputs.architectures, ["x86_64"]);
        assert.deepEqual(recorder.one("lambda-docker:index:PromotedImage", "app").inputs, {
            source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}`,
            stage: "prod",
        });
    });

    it("derives the tag from the digest when the source has no tag, accepts the source as an output, and passes a plain environment", async () => {
        await recorder.install("prod");
        const image = new PromotedImage("app", {
            repository: PROD_URL,
            stage: "prod",
            source: pulumi.output(`${DEV_REPO}@${DIGEST}`),
            environment: { AWS_PROFILE: "prod" },
        });
        assert.equal(await valueOf(image.tag), `prod-${"d".repeat(16)}-${"d".repeat(12)}`);
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        await recorder.settle();
        assert.deepEqual(recorder.one("command:local:Command", "app-promotion").inputs, {
            create: `${CLI} promote --source ${DEV_REPO}@${DIGEST} --target ${PROD_URL} --tag prod-${"d".repeat(16)}-${"d".repeat(12)} --architecture x86_64`,
            environment: { AWS_PROFILE: "prod" },
            logging: "stderr",
        });
    });

    it("at preview, knows imageUri and tag and shows the copy with its digest, which runs nothing", async () => {
        await recorder.install("prod", true);
        const image = new PromotedImage("app", {
            repository: PROD_URL,
            stage: "prod",
            source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST}`,
        });
        assert.equal(await valueOf(image.imageUri), `${PROD_URL}@${DIGEST}`);
        assert.equal(await valueOf(image.tag), "prod-3f2a9c0d1e2b4a5f-dddddddddddd");
        await recorder.settle();
        assert.match(
            recorder.one("command:local:Command", "app-promotion").inputs.create,
            new RegExp(`--source ${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST} `),
        );
    });

    it("a changed digest changes the copy's command and every function's imageUri: a visible diff", async () => {
        const run = async (digest: string) => {
            await recorder.install("prod");
            const image = new PromotedImage("app", {
                repository: PROD_URL,
                stage: "prod",
                source: `${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${digest}`,
            });
            new ImageFunction("api", { image, command: ["src.api.handler"] });
            await valueOf(image.imageUri);
            await recorder.settle();
            return [
                recorder.one("command:local:Command", "app-promotion").inputs.create,
                recorder.one("aws:lambda/function:Function", "api-function").inputs.imageUri,
            ];
        };
        const other = `sha256:${"e".repeat(64)}`;
        assert.deepEqual(await run(DIGEST), [
            `${CLI} promote --source ${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${DIGEST} --target ${PROD_URL} --tag prod-3f2a9c0d1e2b4a5f-dddddddddddd --architecture x86_64`,
            `${PROD_URL}@${DIGEST}`,
        ]);
        assert.deepEqual(await run(other), [
            `${CLI} promote --source ${DEV_REPO}:dev-3f2a9c0d1e2b4a5f@${other} --target ${PROD_URL} --tag prod-3f2a9c0d1e2b4a5f-eeeeeeeeeeee --architecture x86_64`,
            `${PROD_URL}@${other}`,
        ]);
    });

    it("refuses a source that is not digest-pinned, a stage other than the repository's, credentials as inputs, a secret environment, and a function of another architecture", async () => {
        await recorder.install("prod");
        const repo = new EcrRepository("app", { stage: "prod" });
        await recorder.settle();
        recorder.resources.length = 0;
        assert.throws(
            () =>
                new PromotedImage("p", {
                    repository: repo,
                    stage: "prod",
                    source: `${DEV_REPO}:dev-latest`,
                }),
            {
                message:
                    'PromotedImage "p": `source` must be a digest-pinned image reference `<registry>/<repository>[:<tag>]@sha256:<64 hex>`; ' +
                    `got "${DEV_REPO}:dev-latest".`,
            },
        );
        assert.throws(
            () =>
                new PromotedImage("p", {
                    repository: repo,
                    stage: "dev",
                    source: `${DEV_REPO}@${DIGEST}`,
                }),
            {
                message:
                    'PromotedImage "p": `stage` must be the repository\'s stage "prod" (its lifecycle policy counts only `prod-` tags); got "dev".',
            },
        );
        assert.throws(
            () =>
                new PromotedImage("p", {
                    repository: repo,
                    stage: "prod",
                    source: `${DEV_REPO}@${DIGEST}`,
                    sourceCredentials: { username: "u", password: "p" },
                }),
            {
                message:
                    'PromotedImage "p": `sourceCredentials` must be unset: credentials would be kept in the state; run `docker login <registry>` for a non-ECR source ' +
                    '(ECR sources use the AWS credentials of the process); got "[set]".',
            },
        );
        assert.throws(
            () =>
                new PromotedImage("p", {
                    repository: repo,
                    stage: "prod",
                    source: `${DEV_REPO}@${DIGEST}`,
                    environment: { TOKEN: pulumi.secret("x") as unknown as string },
                }),
            {
                message:
                    'PromotedImage "p": `environment.TOKEN` must be a plain string (never a secret or an output: the state keeps it); got "an Output".',
            },
        );
        const arm = new PromotedImage("arm", {
            repository: repo,
            stage: "prod",
            source: `${DEV_REPO}@${DIGEST}`,
            architecture: "arm64",
        });
        assert.throws(
            () =>
                new ImageFunction("f", {
                    image: arm,
                    command: ["a.handler"],
                    architecture: "x86_64",
                }),
            {
                message:
                    'ImageFunction "f": `architecture` must be the image\'s architecture "arm64" (a mismatch fails at invoke with "exec format error"); got "x86_64".',
            },
        );
        await valueOf(arm.imageUri);
        await recorder.settle();
        assert.deepEqual(recorder.summary(), [
            "command:local:Command arm-promotion",
            "lambda-docker:index:PromotedImage arm",
        ]);
    });
});
