import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerLayer, ZipFunction } from "../../../../components";
import { BuildLayerOptions, LayerBuildResult } from "../../../../lib/build/layerBuild";
import { defaultLayerName } from "../../../../components/layer/dockerLayer";
import { useLayerBuilder } from "../../../../components/testing";
import { urnSuffixedName } from "../../../../components/internal/names";
import { ACCOUNT, REGION, ResourceRecorder, assetPath, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();
const SHA = "ab".repeat(32);
/** The default layer name of a top-level DockerLayer in the dev stack. */
const devLayer = (name: string) =>
    defaultLayerName(
        name,
        `urn:pulumi:dev::lambda-docker::lambda-docker:index:DockerLayer::${name}`,
    );

/** A stand-in for buildLayer, installed for the test, that records its options and returns a fixed zip. */
function fakeBuilder(result: Partial<LayerBuildResult> = {}) {
    const calls: BuildLayerOptions[] = [];
    const zipPath = path.join(".lambda-docker", "cache", "fake.zip");
    const build = async (options: BuildLayerOptions): Promise<LayerBuildResult> => {
        calls.push(options);
        return {
            zipPath,
            sha256: SHA,
            unzippedBytes: 1000,
            zippedBytes: 400,
            cached: false,
            inputHash: "h",
            ...result,
        };
    };
    useLayerBuilder(build);
    return { build, calls };
}

describe("DockerLayer and ZipFunction under mocks", () => {
    let dir: string;
    let layerContext: string;
    let code: string;
    beforeEach(async () => {
        await recorder.install("dev");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-layer-"));
        layerContext = path.join(dir, "layer");
        fs.mkdirSync(layerContext);
        fs.writeFileSync(
            path.join(layerContext, "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nRUN mkdir -p /asset/python\n",
        );
        code = path.join(dir, "code");
        fs.mkdirSync(code);
        fs.writeFileSync(
            path.join(code, "api.py"),
            "def handler(event, context):\n    return {'ok': True}\n",
        );
    });
    afterEach(() => {
        useLayerBuilder(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("creates a LayerVersion from the built zip with its sha256 as sourceCodeHash", async () => {
        const { calls } = fakeBuilder();
        const layer = new DockerLayer("core", {
            context: layerContext,
            buildArgs: { BASE_IMAGE: "local/python" },
            compatibleRuntimes: ["python3.11", "python3.12"],
        });
        assert.equal(await valueOf(layer.sha256), SHA);
        assert.equal(await valueOf(layer.unzippedBytes), 1000);
        assert.equal(await valueOf(layer.zippedBytes), 400);
        assert.equal(devLayer("core"), `core-${"fb84e799"}`);
        assert.equal(
            await valueOf(layer.arn),
            `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${devLayer("core")}:1`,
        );
        await recorder.settle();
        assert.deepEqual(recorder.summary(), [
            "aws:lambda/layerVersion:LayerVersion core-layer",
            "lambda-docker:index:DockerLayer core",
        ]);
        const lv = recorder.one("aws:lambda/layerVersion:LayerVersion", "core-layer");
        assert.equal(lv.parentType, "lambda-docker:index:DockerLayer");
        assert.equal(lv.inputs.layerName, devLayer("core"));
        assert.deepEqual(recorder.one("lambda-docker:index:DockerLayer", "core").inputs, {
            architecture: "x86_64",
        });
        assert.equal(lv.inputs.sourceCodeHash, Buffer.from(SHA, "hex").toString("base64"));
        assert.deepEqual(lv.inputs.compatibleRuntimes, ["python3.11", "python3.12"]);
        assert.deepEqual(lv.inputs.compatibleArchitectures, ["x86_64"]);
        assert.equal(lv.inputs.skipDestroy, false);
        assert.equal(await assetPath(lv.inputs.code), ".lambda-docker/cache/fake.zip");
        assert.equal(calls.length, 1);
        assert.equal(calls[0].context, layerContext);
        assert.equal(calls[0].platform, "linux/amd64");
        assert.deepEqual(calls[0].buildArgs, { BASE_IMAGE: "local/python" });
    });

    it("names a layer per project and stack by default, and keeps an explicit name", async () => {
        fakeBuilder();
        new DockerLayer("core", { context: layerContext });
        new DockerLayer("named", { context: layerContext, layerName: "campaign-core-dev" });
        await recorder.settle();
        assert.equal(
            recorder.one("aws:lambda/layerVersion:LayerVersion", "core-layer").inputs.layerName,
            devLayer("core"),
        );
        assert.equal(
            recorder.one("aws:lambda/layerVersion:LayerVersion", "named-layer").inputs.layerName,
            "campaign-core-dev",
        );
        assert.notEqual(
            devLayer("core"),
            defaultLayerName(
                "core",
                "urn:pulumi:prod::lambda-docker::lambda-docker:index:DockerLayer::core",
            ),
        );
        assert.notEqual(
            devLayer("core"),
            defaultLayerName(
                "core",
                "urn:pulumi:dev::other-project::lambda-docker:index:DockerLayer::core",
            ),
        );
        assert.throws(() => new DockerLayer("x".repeat(56), { context: layerContext }), {
            message: `DockerLayer "${"x".repeat(56)}": \`name\` must be 1-55 of [a-zA-Z0-9_-] when \`layerName\` is not given (the default layer name adds 9 characters to it, and Lambda allows 64); got "${"x".repeat(56)}".`,
        });
    });

    it("knows sha256 and sizes from the build alone, before the layer version exists (as at preview)", async () => {
        fakeBuilder();
        const original = recorder.mocks.newResource;
        let release: () => void = () => undefined;
        const held = new Promise<void>((r) => (release = r));
        recorder.mocks.newResource = async (args) => {
            if (args.type === "aws:lambda/layerVersion:LayerVersion") await held; // the layer version never answers until released
            return original(args);
        };
        try {
            const layer = new DockerLayer("core", { context: layerContext });
            assert.deepEqual(
                [
                    await valueOf(layer.sha256),
                    await valueOf(layer.unzippedBytes),
                    await valueOf(layer.zippedBytes),
                ],
                [SHA, 1000, 400],
            );
            let arnKnown = false;
            void valueOf(layer.arn).then(() => (arnKnown = true));
            await new Promise((r) => setTimeout(r, 50));
            assert.equal(arnKnown, false);
            release();
            assert.match(await valueOf(layer.arn), /:layer:core-[0-9a-f]{8}:1$/);
        } finally {
            recorder.mocks.newResource = original;
        }
    });

    it("logs build lines to debug only under the mocks engine", async () => {
        useLayerBuilder(async (options) => {
            options.onOutput?.("#5 [build 2/3] RUN pip install …");
            return {
                zipPath: "z.zip",
                sha256: SHA,
                unzippedBytes: 1,
                zippedBytes: 1,
                cached: false,
                inputHash: "h",
            };
        });
        const written: string[] = [];
        const write = process.stdout.write.bind(process.stdout);
        const log = console.log;
        (process.stdout as { write: unknown }).write = (chunk: string) => (
            written.push(String(chunk)),
            true
        );
        console.log = (...a: unknown[]) => void written.push(a.join(" "));
        try {
            await valueOf(new DockerLayer("quiet", { context: layerContext }).arn);
        } finally {
            (process.stdout as { write: unknown }).write = write;
            console.log = log;
        }
        assert.deepEqual(
            written.filter((w) => w.includes("[runtime]") || w.includes("RUN pip install")),
            [],
        );
    });

    it("builds for arm64 when asked and declares that architecture", async () => {
        const { calls } = fakeBuilder();
        new DockerLayer("core", { context: layerContext, architecture: "arm64" });
        await recorder.settle();
        assert.equal(calls[0].platform, "linux/arm64");
        assert.deepEqual(
            recorder.one("aws:lambda/layerVersion:LayerVersion", "core-layer").inputs
                .compatibleArchitectures,
            ["arm64"],
        );
    });

    it("refuses a zip over 50 MB without an S3 bucket, and uploads it through S3 with one", async () => {
        fakeBuilder({ zippedBytes: 60_000_000 });
        const layer = new DockerLayer("big", { context: layerContext });
        await assert.rejects(valueOf(layer.arn), {
            message:
                'DockerLayer "big": the zip is 60,000,000 bytes (57.2 MiB), over Lambda\'s direct-upload limit of 52,428,800 bytes (50.0 MiB); set `s3Bucket` to upload it through S3.',
        });
        await recorder.settle().catch(() => undefined);
        assert.deepEqual(recorder.ofType("aws:lambda/layerVersion:LayerVersion"), []);

        new DockerLayer("big2", { context: layerContext, s3Bucket: "artifacts" });
        await recorder.settle();
        const object = recorder.one("aws:s3/bucketObjectv2:BucketObjectv2", "big2-zip");
        assert.equal(object.inputs.bucket, "artifacts");
        assert.equal(object.inputs.key, `lambda-docker/layers/${devLayer("big2")}/${SHA}.zip`);
        const lv = recorder.one("aws:lambda/layerVersion:LayerVersion", "big2-layer");
        assert.equal(lv.inputs.s3Bucket, "artifacts");
        assert.equal(lv.inputs.s3Key, `lambda-docker/layers/${devLayer("big2")}/${SHA}.zip`);
        assert.equal(lv.inputs.code, undefined);
    });

    it("validates its args before building", () => {
        const { calls } = fakeBuilder();
        assert.throws(
            () =>
                new DockerLayer("core", { context: layerContext, compatibleRuntimes: ["python"] }),
            {
                message:
                    'DockerLayer "core": `compatibleRuntimes[0]` must be a Lambda runtime identifier such as "python3.11"; got "python".',
            },
        );
        assert.throws(
            () => new DockerLayer("core", { context: layerContext, assetPath: "asset" }),
            {
                message:
                    'DockerLayer "core": `assetPath` must be an absolute directory path in the image, not "/" (e.g. "/asset"); got "asset".',
            },
        );
        assert.throws(() => new DockerLayer("core", { context: layerContext, target: "nope" }), {
            message: `DockerLayer "core": \`target\` must be a stage of ${JSON.stringify(path.join(layerContext, "Dockerfile"))} (it names no stages); got "nope".`,
        });
        assert.equal(calls.length, 0);
    });

    it("wires a ZipFunction to its layers, with PYTHONPATH=/opt/python and the shared role and log group", async () => {
        fakeBuilder();
        const core = new DockerLayer("core", { context: layerContext });
        const fn = new ZipFunction("api", {
            code,
            handler: "api.handler",
            runtime: "python3.11",
            layers: [core, "arn:aws:lambda:us-east-1:123456789012:layer:other:3"],
            environment: { LOG_LEVEL: "INFO" },
            memorySize: 256,
            logRetentionDays: 7,
        });
        await valueOf(fn.arn);
        await recorder.settle();
        const children = recorder.resources
            .filter((r) => r.parentType === "lambda-docker:index:ZipFunction")
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        assert.deepEqual(children, [
            "aws:cloudwatch/logGroup:LogGroup api-logs",
            "aws:iam/role:Role api-role",
            "aws:iam/rolePolicy:RolePolicy api-policy",
            "aws:lambda/function:Function api-function",
        ]);
        const f = recorder.one("aws:lambda/function:Function", "api-function");
        assert.equal(f.inputs.packageType, "Zip");
        assert.equal(f.inputs.handler, "api.handler");
        assert.equal(f.inputs.runtime, "python3.11");
        assert.deepEqual(f.inputs.layers, [
            `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${devLayer("core")}:1`,
            "arn:aws:lambda:us-east-1:123456789012:layer:other:3",
        ]);
        assert.deepEqual(f.inputs.environment, {
            variables: { LOG_LEVEL: "INFO", PYTHONPATH: "/opt/python" },
        });
        assert.equal(f.inputs.memorySize, 256);
        assert.deepEqual(f.inputs.architectures, ["x86_64"]);
        assert.deepEqual(f.inputs.loggingConfig, {
            logFormat: "Text",
            logGroup: `/aws/lambda/${urnSuffixedName("api", "urn:pulumi:dev::lambda-docker::lambda-docker:index:ZipFunction::api")}`,
        });
        const codePath = await assetPath(f.inputs.code);
        assert.match(codePath, /^\.lambda-docker\/cache\/code-[0-9a-f]{64}\.zip$/);
        assert.equal(
            f.inputs.sourceCodeHash,
            Buffer.from(codePath.slice(-68, -4), "hex").toString("base64"),
        );
        assert.equal(
            recorder.one("aws:cloudwatch/logGroup:LogGroup", "api-logs").inputs.retentionInDays,
            7,
        );
    });

    it("adds no PYTHONPATH without a DockerLayer, and appends /opt/python to a user's PYTHONPATH", async () => {
        fakeBuilder();
        new ZipFunction("plain", { code, handler: "api.handler" });
        new ZipFunction("custom", {
            code,
            handler: "api.handler",
            layers: [new DockerLayer("core", { context: layerContext })],
            environment: { PYTHONPATH: "/var/task/lib" },
        });
        await recorder.settle();
        assert.equal(
            recorder.one("aws:lambda/function:Function", "plain-function").inputs.environment,
            undefined,
        );
        assert.deepEqual(
            recorder.one("aws:lambda/function:Function", "custom-function").inputs.environment,
            {
                variables: { PYTHONPATH: "/var/task/lib:/opt/python" },
            },
        );
    });

    it("refuses more than 5 layers, a bad handler and an architecture the layers weren't built for", () => {
        fakeBuilder();
        const arm = new DockerLayer("arm", { context: layerContext, architecture: "arm64" });
        const arn = "arn:aws:lambda:us-east-1:123456789012:layer:x:1";
        assert.throws(
            () =>
                new ZipFunction("f", {
                    code,
                    handler: "api.handler",
                    layers: [arn, arn, arn, arn, arn, arn],
                }),
            {
                message:
                    'ZipFunction "f": `layers` must be a list of at most 5 layers (Lambda\'s limit per function); got "6 layers".',
            },
        );
        assert.throws(() => new ZipFunction("f", { code, handler: "api" }), {
            message:
                'ZipFunction "f": `handler` must be a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler"); got "api".',
        });
        assert.throws(() => new ZipFunction("f", { code, handler: "missing.handler" }), {
            message: `ZipFunction "f": \`handler\` must be a module in \`code\` (${JSON.stringify(code)} has no missing.py); got "missing.handler".`,
        });
        assert.throws(
            () =>
                new ZipFunction("f", {
                    code,
                    handler: "api.handler",
                    layers: [arm],
                    architecture: "x86_64",
                }),
            {
                message:
                    'ZipFunction "f": `architecture` must be the DockerLayers\' architecture "arm64" (native code built for one won\'t load on the other); got "x86_64".',
            },
        );
        assert.throws(
            () => new ZipFunction("f", { code, handler: "api.handler", layers: ["layer:x"] }),
            {
                message:
                    'ZipFunction "f": `layers[0]` must be a DockerLayer, a PromotedLayer or a versioned layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>); got "layer:x".',
            },
        );
    });

    it("checks code plus layers against the 250 MB unzipped limit before creating the function's resources", async () => {
        fakeBuilder({ unzippedBytes: 200_000_000 });
        const a = new DockerLayer("a", { context: layerContext });
        const b = new DockerLayer("b", { context: layerContext });
        const fn = new ZipFunction("heavy", { code, handler: "api.handler", layers: [a, b] });
        const codeBytes = fs.statSync(path.join(code, "api.py")).size;
        const total = 400_000_000 + codeBytes;
        await assert.rejects(valueOf(fn.arn), {
            message:
                `ZipFunction "heavy": code and layers unzip to ${total.toLocaleString("en-US")} bytes (${(total / 1048576).toFixed(1)} MiB) ` +
                `(code ${codeBytes} bytes (0.0 MiB), layer 1 200,000,000 bytes (190.7 MiB), layer 2 200,000,000 bytes (190.7 MiB)), ` +
                "over Lambda's limit of 262,144,000 bytes (250.0 MiB). Move the heavy dependencies into a container image: LambdaImage + ImageFunction (up to 10 GB).",
        });
        await recorder.settle().catch(() => undefined);
        assert.deepEqual(
            recorder.resources.filter((r) => r.parentType === "lambda-docker:index:ZipFunction"),
            [],
        );
    });
});
