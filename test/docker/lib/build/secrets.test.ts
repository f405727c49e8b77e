/**
 * A layer built with a BuildKit secret on the real engine: the build sees the value, and the value is in
 * none of the zip, the extracted files, the zip cache, the content hash or any image history.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { buildLayer } from "../../../../lib/build/layerBuild";
import { readZip } from "../../../support/zipReader";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../support/docker";

const SECRET = "pypi-s3cr3t-7f3a9c2e";

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

describe("build secrets on a real engine", function () {
    this.timeout(300000);
    let dir: string;
    before(function () {
        requireDocker(this);
    });
    beforeEach(() => {
        dir = tempDir("ld-secret-");
        fs.mkdirSync(path.join(dir, "ctx"));
        fs.writeFileSync(
            path.join(dir, "ctx", "Dockerfile"),
            [
                "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11",
                "FROM ${BASE_IMAGE}",
                "RUN --mount=type=secret,id=pip_token mkdir -p /asset/python && wc -c < /run/secrets/pip_token > /asset/python/token_length.txt",
                "",
            ].join("\n"),
        );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("builds with a value secret that reaches the build and nothing else; a rotated value reuses the cache", async () => {
        const cacheDir = path.join(dir, "cache");
        const context = path.join(dir, "ctx");
        const histories = docker(["image", "ls", "--quiet", "--all"]).split("\n").filter(Boolean);
        // --no-cache: BuildKit keys its cache without secret values, so an earlier build's step could answer.
        const result = await buildLayer({
            context,
            buildArgs: { BASE_IMAGE },
            cacheDir,
            secrets: { pip_token: { value: SECRET } },
            builder: "buildkit",
            noCache: true,
        });
        const entries = await readZip(result.zipPath);
        assert.deepEqual(
            entries.map((e) => [e.name, e.data.toString().trim()]),
            [["python/token_length.txt", String(SECRET.length)]],
        );
        assert.equal(fs.readFileSync(result.zipPath).includes(SECRET), false);
        for (const f of filesUnder(cacheDir))
            assert.equal(fs.readFileSync(f).includes(SECRET), false, f);
        assert.equal(result.inputHash.includes(SECRET), false);
        // BuildKit's local export leaves no image; nothing the build left has the value in its history.
        const after = docker(["image", "ls", "--quiet", "--all"]).split("\n").filter(Boolean);
        for (const id of after.filter((i) => !histories.includes(i))) {
            assert.equal(docker(["history", "--no-trunc", id]).includes(SECRET), false, id);
        }
        const rotated = await buildLayer({
            context,
            buildArgs: { BASE_IMAGE },
            cacheDir,
            secrets: { pip_token: { value: "another-token" } },
            builder: "buildkit",
        });
        assert.deepEqual([rotated.cached, rotated.sha256], [true, result.sha256]);
    });

    it("reads a secret from an environment variable and from a file", async () => {
        // BuildKit keys its cache without secret values (as our hash does), so these build with --no-cache.
        const file = path.join(dir, "token");
        fs.writeFileSync(file, "from-a-file");
        const context = path.join(dir, "ctx");
        const fromEnv = await buildLayer({
            context,
            buildArgs: { BASE_IMAGE },
            cacheDir: path.join(dir, "c1"),
            secrets: { pip_token: { env: "LD_TEST_TOKEN" } },
            env: { ...process.env, LD_TEST_TOKEN: "from-env" },
            builder: "buildkit",
            noCache: true,
        });
        assert.equal((await readZip(fromEnv.zipPath))[0].data.toString().trim(), "8");
        const fromFile = await buildLayer({
            context,
            buildArgs: { BASE_IMAGE },
            cacheDir: path.join(dir, "c2"),
            secrets: { pip_token: { src: file } },
            builder: "buildkit",
            noCache: true,
        });
        assert.equal((await readZip(fromFile.zipPath))[0].data.toString().trim(), "11");
    });

    it("refuses secrets with the classic builder before running docker", async () => {
        await assert.rejects(
            buildLayer({
                context: path.join(dir, "ctx"),
                buildArgs: { BASE_IMAGE },
                cacheDir: path.join(dir, "c"),
                secrets: { pip_token: { value: "x" } },
                builder: "classic",
            }),
            {
                message:
                    '`builder` must be "buildkit" or "auto" when `secrets` are given (the classic builder has no build secrets); got "classic".',
            },
        );
    });
});
