/** `lambda-docker clean` on a real engine: stale local images and cached zips go, current ones stay, and it says what it freed. */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { zipDirectoryLayer } from "../../../../lib/build/layerBuild";
import { listTree, writeZip } from "../../../../lib/build/zip";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../support/docker";
import { runCli } from "../../../support/cli";

function cli(args: string[], cwd: string) {
    const r = runCli(args, { cwd });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

const exists = (image: string) =>
    spawnSync(process.env.DOCKER ?? "docker", ["image", "inspect", image]).status === 0;

describe("lambda-docker clean", function () {
    this.timeout(300000);
    let dir: string;
    before(function () {
        requireDocker(this);
    });
    beforeEach(() => (dir = tempDir("ld-clean-")));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("removes the images and zips no current input refers to, keeps the current ones, and --dry-run removes nothing", async () => {
        write(
            path.join(dir, "Dockerfile"),
            "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY fns/ /var/task/fns/\n",
        );
        write(path.join(dir, "fns", "__init__.py"), "");
        write(
            path.join(dir, "fns", "h.py"),
            `def handler(event, context):\n    return ${Date.now()}\n`,
        );
        write(path.join(dir, "zip", "z.py"), "def handler(event, context):\n    return 1\n");
        write(path.join(dir, "vendored", "python", "v.py"), "X = 1\n");
        write(
            path.join(dir, "lambda-docker.yaml"),
            [
                "image: { context: . }",
                "layers: { vendored: { path: vendored } }",
                "functions:",
                "  h: { command: [fns.h.handler] }",
                "  z: { handler: z.handler, code: zip, layers: [vendored] }",
                "",
            ].join("\n"),
        );
        const base = ["--build-arg", `BASE_IMAGE=${BASE_IMAGE}`];
        const ours = () =>
            spawnSync(
                process.env.DOCKER ?? "docker",
                [
                    "image",
                    "ls",
                    "--filter",
                    `label=lambda-docker.context=${dir}`,
                    "--format",
                    "{{.Repository}}:{{.Tag}}",
                ],
                { encoding: "utf8" },
            )
                .stdout.split("\n")
                .filter(Boolean);
        assert.equal(cli(["check", ...base], dir).code, 0);
        const [stale] = ours();
        fs.appendFileSync(path.join(dir, "fns", "h.py"), "# changed\n");
        assert.equal(cli(["check", ...base], dir).code, 0);
        const current = ours().filter((i) => i !== stale);
        assert.deepEqual([ours().length, current.length], [2, 1]);

        const cache = path.join(dir, ".lambda-docker", "cache");
        const layer = await zipDirectoryLayer({
            directory: path.join(dir, "vendored"),
            cacheDir: cache,
        });
        const code = await writeZip(
            listTree(path.join(dir, "zip")),
            path.join(cache, "code-tmp.zip"),
        );
        fs.renameSync(
            path.join(cache, "code-tmp.zip"),
            path.join(cache, `code-${code.sha256}.zip`),
        );
        for (const f of [
            `code-${"0".repeat(64)}.zip`,
            `layer-${"1".repeat(64)}.zip`,
            `${"2".repeat(64)}.zip`,
            `${"2".repeat(64)}.json`,
        ])
            write(path.join(cache, f), "stale");
        fs.mkdirSync(path.join(cache, "digests-v1"), { recursive: true });

        const dry = cli(["clean", "--dry-run", ...base], dir);
        assert.equal(dry.code, 0, dry.stderr);
        const staleFiles = [
            `${"2".repeat(64)}.json`,
            `${"2".repeat(64)}.zip`,
            `code-${"0".repeat(64)}.zip`,
            `layer-${"1".repeat(64)}.zip`,
        ];
        for (const f of staleFiles)
            assert.match(
                dry.stdout,
                new RegExp(
                    `^would remove  file   \\.lambda-docker/cache/${f.replace(/\./g, "\\.")}  5 bytes \\(0\\.0 MiB\\)$`,
                    "m",
                ),
            );
        assert.match(dry.stdout, new RegExp(`^kept     image  ${current[0]}  \\(current\\)$`, "m"));
        assert.match(
            dry.stdout,
            new RegExp(
                `^kept     file   \\.lambda-docker/cache/code-${code.sha256}\\.zip  \\(current\\)$`,
                "m",
            ),
        );
        assert.match(
            dry.stdout,
            new RegExp(
                `^kept     file   \\.lambda-docker/cache/layer-${layer.sha256}\\.zip  \\(current\\)$`,
                "m",
            ),
        );
        assert.ok(!dry.stdout.includes("digests-v1"), "the digest cache manages its own size");
        assert.match(dry.stdout, new RegExp(`^would remove  image  ${stale}  [\\d,]+ bytes`, "m"));
        assert.match(
            dry.stdout,
            /^Would free up to [\d,]+ bytes \([\d.]+ MiB\) of images \(shared layers are freed only once unused\) and 20 bytes \(0\.0 MiB\) of cached zips: 1 image\(s\), 4 file\(s\)\.$/m,
        );
        for (const f of staleFiles)
            assert.ok(fs.existsSync(path.join(cache, f)), `--dry-run removed ${f}`);
        assert.ok(exists(stale));

        const real = cli(["clean", ...base], dir);
        assert.equal(real.code, 0, real.stderr);
        assert.match(real.stdout, new RegExp(`^removed  image  ${stale}  [\\d,]+ bytes`, "m"));
        assert.match(
            real.stdout,
            /^Freed [\d,]+ bytes \([\d.]+ MiB\) of images and 20 bytes \(0\.0 MiB\) of cached zips: 1 image\(s\), 4 file\(s\)\.$/m,
        );
        assert.deepEqual(
            fs.readdirSync(cache).sort(),
            [`code-${code.sha256}.zip`, "digests-v1", `layer-${layer.sha256}.zip`].sort(),
        );
        assert.ok(exists(current[0]), "the current image stays");
        assert.equal(exists(stale), false);
        assert.equal(cli(["check", ...base], dir).code, 0, "the current image still serves check");
        docker(["image", "rm", current[0]]);
    });
});
