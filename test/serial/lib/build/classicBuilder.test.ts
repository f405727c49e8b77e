/**
 * The classic builder leaves nothing behind, on failure too: asserted on the daemon's whole list of
 * images and containers, so this file runs in the serial phase, after the parallel one (tools/test.js).
 */
import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildLayer } from "../../../../lib/build/layerBuild";
import { writeLayerContext } from "../../../support/dockerFixtures";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../support/docker";

const buildArgs = { BASE_IMAGE };

describe("the classic builder on a real Docker engine, alone on it", function () {
    this.timeout(300000);
    let dir: string;
    before(function () {
        requireDocker(this);
    });
    beforeEach(() => (dir = tempDir("ld-docker-layer-")));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("builds the same zip with the classic builder and removes its container and image, on failure too", async () => {
        const context = writeLayerContext(path.join(dir, "core"));
        const kit = await buildLayer({
            context,
            buildArgs,
            cacheDir: path.join(dir, "cache-kit"),
            builder: "buildkit",
        });
        const classic = await buildLayer({
            context,
            buildArgs,
            cacheDir: path.join(dir, "cache-classic"),
            builder: "classic",
        });
        assert.equal(classic.sha256, kit.sha256);
        // A step that succeeds (with content unique to this run, so it is never cached) and then one that fails.
        const failing = writeLayerContext(
            path.join(dir, "failing"),
            `RUN echo ${crypto.randomBytes(8).toString("hex")} > /unique\nRUN exit 3`,
        );
        const imagesBefore = docker(["image", "ls", "--all", "--quiet", "--no-trunc"])
            .split("\n")
            .filter(Boolean)
            .sort();
        const containersBefore = docker(["ps", "--all", "--quiet", "--no-trunc"])
            .split("\n")
            .filter(Boolean)
            .sort();
        await assert.rejects(
            buildLayer({
                context: failing,
                buildArgs,
                cacheDir: path.join(dir, "cache-fail"),
                builder: "classic",
            }),
            {
                name: "DockerError",
            },
        );
        assert.deepEqual(
            docker(["ps", "--all", "--quiet", "--no-trunc"]).split("\n").filter(Boolean).sort(),
            containersBefore,
        );
        assert.deepEqual(
            docker(["image", "ls", "--all", "--quiet", "--no-trunc"])
                .split("\n")
                .filter(Boolean)
                .sort(),
            imagesBefore,
        );
        assert.equal(
            docker(["ps", "--all", "--quiet", "--filter", "name=lambda-docker-layer-"]),
            "",
        );
        assert.equal(docker(["images", "--quiet", "lambda-docker-layer"]), "");
        assert.deepEqual(
            fs.existsSync(path.join(dir, "cache-fail"))
                ? fs.readdirSync(path.join(dir, "cache-fail"))
                : [],
            [],
        );
    });
});
