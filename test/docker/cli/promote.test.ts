/**
 * The promotion as users and the engine run it: `lambda-docker promote` (the built CLI, what a
 * PromotedImage's command runs) copies a docker-built image between real registries, and Docker
 * itself pulls the result by digest; `lambda-docker layer push` pushes a layer zip as an artifact.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { layerArtifact } from "../../../lib/registry/artifact";
import { digestOf, listTags } from "../../support/ociImages";
import { TestRegistry, startRegistry } from "../../support/registry";
import { BASE_IMAGE, REPO_ROOT, docker, requireDocker, tempDir } from "../../support/docker";

const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

/** Runs the built CLI with an empty Docker configuration: loopback registries need no login. */
function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const config = tempDir("ld-docker-config-");
    try {
        const run = spawnSync(process.execPath, [CLI, ...args], {
            encoding: "utf8",
            env: { ...process.env, DOCKER_CONFIG: config },
        });
        return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    } finally {
        fs.rmSync(config, { recursive: true, force: true });
    }
}

/** Builds a small image FROM the base image and pushes it; returns its manifest digest. */
function buildAndPush(ref: string, marker: string): string {
    const dir = tempDir("ld-promote-img-");
    try {
        fs.writeFileSync(
            path.join(dir, "Dockerfile"),
            `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN echo ${marker} > /marker.txt\n`,
        );
        docker(["build", "--quiet", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`, "--tag", ref, dir]);
        const m = /digest: (sha256:[0-9a-f]{64})/.exec(docker(["push", ref]));
        if (!m) throw new Error("no digest in docker push output");
        return m[1];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("lambda-docker promote and layer push on real registries", function () {
    this.timeout(300000);
    let one: TestRegistry;
    let two: TestRegistry;
    let digest: string;
    const local: string[] = [];

    before(async function () {
        requireDocker(this);
        one = await startRegistry();
        two = await startRegistry();
        local.push(`${one.host}/dev/app:dev-aaaaaaaaaaaaaaaa`);
        digest = buildAndPush(local[0], "a");
    });
    after(async () => {
        for (const ref of local)
            spawnSync(process.env.DOCKER ?? "docker", ["image", "rm", "--force", ref]);
        await one?.stop();
        await two?.stop();
    });

    it("copies a docker-built image to another registry, prints the result as JSON, and docker pulls <target>@<digest>", () => {
        const tag = `prod-aaaaaaaaaaaaaaaa-${digest.slice(7, 19)}`;
        const run = cli([
            "promote",
            "--source",
            `${one.host}/dev/app:dev-aaaaaaaaaaaaaaaa@${digest}`,
            "--target",
            `${two.host}/prod/app`,
            "--tag",
            tag,
            "--architecture",
            "x86_64",
        ]);
        assert.equal(run.status, 0, run.stderr);
        const result = JSON.parse(run.stdout) as {
            copiedBlobs: number;
            digest: string;
            tag: string;
            imageUri: string;
        };
        assert.deepEqual(
            [result.digest, result.tag, result.imageUri],
            [digest, tag, `${two.host}/prod/app@${digest}`],
        );
        assert.ok(result.copiedBlobs >= 2, String(result.copiedBlobs));
        assert.match(
            run.stderr,
            new RegExp(
                `^promoted ${one.host}/dev/app:dev-aaaaaaaaaaaaaaaa@${digest} to ${two.host}/prod/app:${tag}: 0 blobs mounted, ${result.copiedBlobs} copied, 0 present\\n$`,
            ),
        );
        local.push(`${two.host}/prod/app@${digest}`);
        assert.match(
            docker(["pull", `${two.host}/prod/app@${digest}`]),
            new RegExp(`Digest: ${digest}`),
        );
        const again = cli([
            "promote",
            "--source",
            `${one.host}/dev/app@${digest}`,
            "--target",
            `${two.host}/prod/app`,
            "--tag",
            tag,
        ]);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(
            again.stderr,
            `promoted ${one.host}/dev/app@${digest} to ${two.host}/prod/app:${tag}: already there, nothing written\n`,
        );
    });

    it("exits 1 with the refusal on stderr and nothing on stdout", () => {
        const run = cli([
            "promote",
            "--source",
            `${one.host}/dev/app@${digest}`,
            "--target",
            `${two.host}/prod/app`,
            "--tag",
            "prod-arm",
            "--architecture",
            "arm64",
        ]);
        assert.deepEqual([run.status, run.stdout], [1, ""]);
        assert.equal(
            run.stderr,
            `lambda-docker: \`architecture\` must be the image's architecture "x86_64" (${one.host}/dev/app@${digest}); got "arm64". Nothing was written.\n`,
        );
        const bad = cli([
            "promote",
            "--source",
            `${one.host}/dev/app:dev-1`,
            "--target",
            `${two.host}/prod/app`,
            "--tag",
            "x",
        ]);
        assert.equal(bad.status, 1);
        assert.equal(
            bad.stderr,
            `lambda-docker: \`source\` must be a digest-pinned image reference \`<registry>/<repository>[:<tag>]@sha256:<64 hex>\`; got "${one.host}/dev/app:dev-1".\n`,
        );
    });

    it("`layer push` pushes a zip as the artifact whose digest a DockerLayer predicts", async () => {
        {
            const zip = path.join(REPO_ROOT, "test", "fixtures", "layer.zip");
            const run = cli([
                "layer",
                "push",
                "--zip",
                zip,
                "--target",
                `${one.host}/dev/layers`,
                "--tag",
                "dev-0123456789abcdef",
            ]);
            assert.equal(run.status, 0, run.stderr);
            const result = JSON.parse(run.stdout) as {
                digest: string;
                sha256: string;
                unchanged: boolean;
            };
            const bytes = fs.readFileSync(zip);
            const sha = crypto.createHash("sha256").update(bytes).digest("hex");
            assert.deepEqual(
                [result.sha256, result.unchanged, result.digest],
                [sha, false, layerArtifact(sha, bytes.length, 6).manifest.digest],
            );
            assert.deepEqual(await listTags(one.host, "dev/layers"), ["dev-0123456789abcdef"]);
            assert.equal(
                await digestOf(one.host, "dev/layers", "dev-0123456789abcdef"),
                result.digest,
            );
        }
    });
});
