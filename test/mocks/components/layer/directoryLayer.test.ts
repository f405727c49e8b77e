/** DockerLayer `directory`: a prebuilt layer directory zipped deterministically as it is, without Docker. */
import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerLayer } from "../../../../components";
import { useLayerBuilder } from "../../../../components/testing";
import { zipDirectoryLayer } from "../../../../lib/build/layerBuild";
import { ResourceRecorder, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();

describe("DockerLayer from a prebuilt directory", () => {
    let dir: string;
    let vendored: string;
    let cacheDir: string;
    beforeEach(async () => {
        await recorder.install("dev");
        useLayerBuilder(async () => {
            throw new Error("a directory layer must not run a Docker build");
        });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-dirlayer-"));
        vendored = path.join(dir, "vendored");
        cacheDir = path.join(dir, "cache");
        fs.mkdirSync(path.join(vendored, "python", "vendorlib", "__pycache__"), {
            recursive: true,
        });
        fs.writeFileSync(
            path.join(vendored, "python", "vendorlib", "__init__.py"),
            "VERSION = '1.0'\n",
        );
        fs.writeFileSync(
            path.join(vendored, "python", "vendorlib", "__pycache__", "__init__.cpython-311.pyc"),
            "bytecode",
        );
    });
    afterEach(() => {
        useLayerBuilder(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("zips the directory as is (bytecode left out) into layer-<sha256>.zip and publishes it", async () => {
        const layer = new DockerLayer("vendored", {
            directory: vendored,
            cacheDir,
            layerName: "vendored-dev",
        });
        const sha = await valueOf(layer.sha256);
        const zip = path.join(cacheDir, `layer-${sha}.zip`);
        assert.equal(crypto.createHash("sha256").update(fs.readFileSync(zip)).digest("hex"), sha);
        assert.equal(await valueOf(layer.unzippedBytes), "VERSION = '1.0'\n".length);
        await recorder.settle();
        assert.deepEqual(recorder.summary(), [
            "aws:lambda/layerVersion:LayerVersion vendored-layer",
            "lambda-docker:index:DockerLayer vendored",
        ]);
        const lv = recorder.one("aws:lambda/layerVersion:LayerVersion", "vendored-layer");
        assert.equal(lv.inputs.sourceCodeHash, Buffer.from(sha, "hex").toString("base64"));
        assert.deepEqual(lv.inputs.compatibleArchitectures, ["x86_64"]);
        // The same directory gives the same zip, found in the cache.
        const again = await zipDirectoryLayer({ directory: vendored, cacheDir });
        assert.deepEqual([again.sha256, again.cached], [sha, true]);
    });

    it("refuses a context together with a directory, and neither, before anything exists", () => {
        assert.throws(() => new DockerLayer("both", { directory: vendored, context: vendored }), {
            message:
                'DockerLayer "both": `context` must be absent when `directory` is given (a prebuilt directory is zipped as it is, without a Docker build); got ' +
                `${JSON.stringify(vendored)}.`,
        });
        assert.throws(() => new DockerLayer("none", {}), {
            message:
                'DockerLayer "none": `context` must be a build context directory, or give `directory` (a prebuilt layer directory); got undefined.',
        });
        assert.throws(
            () => new DockerLayer("missing", { directory: path.join(dir, "nope") }),
            /DockerLayer "missing": `directory` must be/,
        );
        assert.deepEqual(recorder.resources, []);
    });
});
