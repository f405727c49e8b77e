import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerLayer, EcrRepository, PromotedLayer, ZipFunction } from "../../../../components";
import { LayerBuildResult } from "../../../../lib/build/layerBuild";
import { useLayerBuilder, useLayerFetcher } from "../../../../components/testing";
import { layerArtifact } from "../../../../lib/registry/artifact";
import { ACCOUNT, REGION, REGISTRY, ResourceRecorder, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();
const SHA = "ab".repeat(32);
const CLI = "node dist/cli/main.js";
const DEV_LAYERS = `${REGISTRY}/layer_artifacts-repository-dev`;
const PROD_LAYERS = `${REGISTRY}/layers-repository-abc1234`;
const ARTIFACT = layerArtifact(SHA, 400, 1000).manifest.digest;

describe("layers promoted by digest, under mocks", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-promoted-layer-"));
        fs.writeFileSync(
            path.join(dir, "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nRUN mkdir -p /asset/python\n",
        );
        fs.writeFileSync(path.join(dir, "api.py"), "def handler(event, context):\n    return {}\n");
    });
    afterEach(() => {
        useLayerBuilder(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("DockerLayer with artifactRepository pushes its zip as an artifact through a command the engine plans, tagged <stage>-<16 hex of the zip>", async () => {
        await recorder.install("dev");
        useLayerBuilder(
            async (): Promise<LayerBuildResult> => ({
                zipPath: path.join(".lambda-docker", "cache", "core.zip"),
                sha256: SHA,
                unzippedBytes: 1000,
                zippedBytes: 400,
                cached: true,
                inputHash: "h",
            }),
        );
        const layer = new DockerLayer("core", {
            context: dir,
            artifactRepository: DEV_LAYERS,
            stage: "dev",
        });
        assert.equal(
            await valueOf(layer.artifactUri),
            `${DEV_LAYERS}:dev-${SHA.slice(0, 16)}@${ARTIFACT}`,
        );
        await recorder.settle();
        const push = recorder.one("command:local:Command", "core-artifact");
        assert.equal(push.parentType, "lambda-docker:index:DockerLayer");
        assert.deepEqual(push.inputs, {
            create: `${CLI} layer push --zip .lambda-docker/cache/core.zip --target ${DEV_LAYERS} --tag dev-${SHA.slice(0, 16)}`,
            logging: "stderr",
        });
    });

    it("DockerLayer without artifactRepository pushes nothing, and refuses `stage` alone or a repository without `stage`", async () => {
        await recorder.install("dev");
        useLayerBuilder(
            async (): Promise<LayerBuildResult> => ({
                zipPath: "z.zip",
                sha256: SHA,
                unzippedBytes: 1,
                zippedBytes: 1,
                cached: true,
                inputHash: "h",
            }),
        );
        const layer = new DockerLayer("plain", { context: dir });
        assert.equal(await valueOf(layer.artifactUri), "");
        assert.throws(() => new DockerLayer("x", { context: dir, stage: "dev" }), {
            message:
                'DockerLayer "x": `stage` must be unset unless `artifactRepository` is given; got "dev".',
        });
        assert.throws(
            () => new DockerLayer("y", { context: dir, artifactRepository: DEV_LAYERS }),
            {
                message:
                    'DockerLayer "y": `stage` must be given with `artifactRepository`: the stage the artifact\'s tag starts with (`<stage>-<16 hex of the zip>`); got undefined.',
            },
        );
        await recorder.settle();
        assert.deepEqual(recorder.ofType("command:local:Command"), []);
    });

    it("PromotedLayer publishes the source's exact zip (read from its own repository first), copies the artifact, and ZipFunction takes it", async () => {
        await recorder.install("prod");
        const repository = new EcrRepository("layers", { stage: "prod" });
        const source = `${DEV_LAYERS}:dev-${SHA.slice(0, 16)}@${ARTIFACT}`;
        const layer = new PromotedLayer("core", {
            source,
            sha256: SHA,
            repository,
            stage: "prod",
            layerName: "core-prod",
            compatibleRuntimes: ["python3.11"],
        });
        const fn = new ZipFunction("report", {
            code: dir,
            handler: "api.handler",
            layers: [layer],
        });
        assert.equal(
            await valueOf(layer.arn),
            `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:core-prod:1`,
        );
        assert.equal(await valueOf(layer.sha256), SHA);
        assert.equal(
            await valueOf(layer.artifactUri),
            `${PROD_LAYERS}:prod-${SHA.slice(0, 16)}-${ARTIFACT.slice(7, 19)}@${ARTIFACT}`,
        );
        await valueOf(fn.arn);
        await recorder.settle();
        assert.deepEqual(recorder.fetchedLayers, [
            { sources: [`${PROD_LAYERS}@${ARTIFACT}`, `${DEV_LAYERS}@${ARTIFACT}`], sha256: SHA },
        ]);
        assert.deepEqual(recorder.one("command:local:Command", "core-artifact").inputs, {
            create: `${CLI} promote --layer --source ${source} --target ${PROD_LAYERS} --tag prod-${SHA.slice(0, 16)}-${ARTIFACT.slice(7, 19)}`,
            logging: "stderr",
        });
        const lv = recorder.one("aws:lambda/layerVersion:LayerVersion", "core-layer");
        assert.equal(lv.parentType, "lambda-docker:index:PromotedLayer");
        assert.equal(lv.inputs.sourceCodeHash, Buffer.from(SHA, "hex").toString("base64"));
        assert.equal(await lv.inputs.code.path, `.lambda-docker/cache/promoted/${SHA}.zip`);
        assert.deepEqual(recorder.one("lambda-docker:index:PromotedLayer", "core").inputs, {
            sha256: SHA,
            source,
            stage: "prod",
        });
        assert.deepEqual(
            recorder.one("aws:lambda/function:Function", "report-function").inputs.layers,
            [`arn:aws:lambda:${REGION}:${ACCOUNT}:layer:core-prod:1`],
        );
        assert.deepEqual(recorder.ofType("docker-build:index:Image"), []);
    });

    it("PromotedLayer fails with the fetcher's refusal, before any child exists", async () => {
        await recorder.install("prod");
        useLayerFetcher(async () => {
            throw new Error(
                "The layer artifact x holds zip sha256:00…, not the expected sha256:ab…; refusing to publish it.",
            );
        });
        const layer = new PromotedLayer("core", {
            source: `${DEV_LAYERS}@${ARTIFACT}`,
            sha256: SHA,
            repository: PROD_LAYERS,
            stage: "prod",
        });
        await assert.rejects(valueOf(layer.unzippedBytes), {
            message:
                'PromotedLayer "core": The layer artifact x holds zip sha256:00…, not the expected sha256:ab…; refusing to publish it.',
        });
        await recorder.settle();
        assert.deepEqual(recorder.summary(), ["lambda-docker:index:PromotedLayer core"]);
    });

    it("PromotedLayer reads no registry under mocks without a stand-in fetcher", async () => {
        await recorder.install("prod");
        useLayerFetcher(undefined);
        const layer = new PromotedLayer("core", {
            source: `${DEV_LAYERS}@${ARTIFACT}`,
            sha256: SHA,
            repository: PROD_LAYERS,
            stage: "prod",
        });
        await assert.rejects(valueOf(layer.zippedBytes), {
            message:
                "PromotedLayer \"core\": a PromotedLayer reads no registry under Pulumi's mocks: install lambda-docker/testing's ResourceRecorder, or replace the read with useLayerFetcher.",
        });
    });

    it("PromotedLayer refuses a source that is not pinned and a sha256 that is not 64 hex digits", async () => {
        await recorder.install("prod");
        assert.throws(
            () =>
                new PromotedLayer("core", {
                    source: `${DEV_LAYERS}:dev-x`,
                    sha256: SHA,
                    repository: PROD_LAYERS,
                    stage: "prod",
                }),
            {
                message:
                    'PromotedLayer "core": `source` must be a digest-pinned image reference `<registry>/<repository>[:<tag>]@sha256:<64 hex>`; ' +
                    `got "${DEV_LAYERS}:dev-x".`,
            },
        );
        assert.throws(
            () =>
                new PromotedLayer("core", {
                    source: `${DEV_LAYERS}@${ARTIFACT}`,
                    sha256: "AB",
                    repository: PROD_LAYERS,
                    stage: "prod",
                }),
            {
                message:
                    'PromotedLayer "core": `sha256` must be the source zip\'s sha256: 64 lowercase hex digits; got "AB".',
            },
        );
    });
});
