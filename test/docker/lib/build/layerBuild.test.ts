import * as assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildLayer, LayerBuildResult } from "../../../../lib/build/layerBuild";
import { EXEC_MODE, FILE_MODE } from "../../../../lib/build/zip";
import { readZip } from "../../../support/zipReader";
import { PACKAGE, writeLayerContext } from "../../../support/dockerFixtures";
import {
    BASE_IMAGE,
    DOCKER,
    copyTree,
    docker,
    recordingDocker,
    requireDocker,
    tempDir,
} from "../../../support/docker";
import { builtCli } from "../../../support/cli";

const buildArgs = { BASE_IMAGE };

/** Runs the CLI in a child process with its own cwd, umask and TZ, as another machine would. */
function cli(
    args: string[],
    opts: { cwd: string; umask: string; tz: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const script = `umask ${opts.umask}; exec '${process.execPath}' '${builtCli()}' ${quoted}`;
    return new Promise((resolve) => {
        const env = { ...process.env, ...opts.env, TZ: opts.tz };
        const child = spawn("sh", ["-c", script], { cwd: opts.cwd, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
}

/** A recorded docker call that builds (buildx or the CLI's embedded BuildKit). */
function isBuild(call: string): boolean {
    return call.startsWith("buildx build ") || call.startsWith("build ");
}

function cacheEntries(cacheDir: string): string[] {
    return fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : [];
}

describe("layers built on a real Docker engine", function () {
    this.timeout(300000);
    let dir: string;
    before(function () {
        requireDocker(this);
    });
    beforeEach(() => (dir = tempDir("ld-docker-layer-")));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("zips a pip-installed local package under python/, importable from /opt/python in a fresh container", async () => {
        const context = writeLayerContext(path.join(dir, "core"));
        const lines: string[] = [];
        const result = await buildLayer({
            context,
            buildArgs,
            cacheDir: path.join(dir, "cache"),
            onOutput: (l) => lines.push(l),
        });
        assert.equal(result.cached, false);
        assert.ok(lines.length > 0, "docker output was streamed");

        const entries = await readZip(result.zipPath);
        const names = entries.map((e) => e.name);
        assert.deepEqual(
            names,
            [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
        assert.ok(names.includes(`python/${PACKAGE}/__init__.py`), names.join(", "));
        assert.equal(
            names.filter((n) => n.includes("__pycache__") || n.endsWith(".pyc")).length,
            0,
        );
        assert.equal(entries.find((e) => e.name === "bin/ldtool")?.mode, EXEC_MODE);
        assert.equal(
            entries.find((e) => e.name === `python/${PACKAGE}/__init__.py`)?.mode,
            FILE_MODE,
        );
        assert.equal(
            result.unzippedBytes,
            entries.reduce((s, e) => s + e.uncompressedSize, 0),
        );
        assert.equal(result.zippedBytes, fs.statSync(result.zipPath).size);

        // Lambda extracts layers into /opt; a Python runtime finds /opt/python on its path.
        fs.copyFileSync(result.zipPath, path.join(dir, "layer.zip"));
        const out = docker([
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            `${path.join(dir, "layer.zip")}:/layer.zip:ro`,
            "-e",
            "PYTHONPATH=/opt/python",
            "--entrypoint",
            "sh",
            BASE_IMAGE,
            "-c",
            `python3 -m zipfile -e /layer.zip /opt && cd / && python3 -c "import ${PACKAGE}; print(${PACKAGE}.greet())"`,
        ]);
        assert.equal(out, "hello from the layer\n");
    });

    it("gives the same sha256 for two cold builds of copies in different directories, mtimes, umask and TZ", async () => {
        const original = writeLayerContext(path.join(dir, "original"));
        const a = path.join(dir, "checkout-a", "layers", "core");
        const b = path.join(dir, "other", "checkout-b", "core");
        copyTree(original, a);
        copyTree(original, b);
        for (const f of [
            "Dockerfile",
            `${PACKAGE}-src/setup.py`,
            `${PACKAGE}-src/${PACKAGE}/__init__.py`,
        ]) {
            fs.chmodSync(path.join(b, f), 0o664);
            fs.utimesSync(
                path.join(b, f),
                new Date("2001-02-03T04:05:06Z"),
                new Date("2001-02-03T04:05:06Z"),
            );
        }
        const args = (cache: string) => [
            "layer",
            "build",
            ".",
            "--json",
            "--cache-dir",
            cache,
            "--build-arg",
            `BASE_IMAGE=${BASE_IMAGE}`,
        ];
        const [ra, rb] = await Promise.all([
            cli(args(path.join(dir, "cache-a")), { cwd: a, umask: "022", tz: "UTC" }),
            cli(args(path.join(dir, "cache-b")), { cwd: b, umask: "002", tz: "Asia/Kathmandu" }),
        ]);
        assert.equal(ra.code, 0, ra.stderr);
        assert.equal(rb.code, 0, rb.stderr);
        const ja = JSON.parse(ra.stdout) as LayerBuildResult;
        const jb = JSON.parse(rb.stdout) as LayerBuildResult;
        assert.equal(ja.cached, false);
        assert.equal(jb.cached, false);
        assert.equal(ja.sha256, jb.sha256);
        assert.equal(ja.inputHash, jb.inputHash);
        assert.deepEqual(fs.readFileSync(ja.zipPath), fs.readFileSync(jb.zipPath));
    });

    it("runs no docker command on an unchanged rebuild, rebuilds on a changed file, not on a .dockerignored one", async () => {
        const context = writeLayerContext(path.join(dir, "core"));
        const cacheDir = path.join(dir, "cache");
        const log = path.join(dir, "docker-calls.log");
        const env = { ...process.env, DOCKER: recordingDocker(dir, log) };
        const calls = () =>
            fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];

        const first = await buildLayer({ context, buildArgs, cacheDir, env });
        assert.equal(first.cached, false);
        assert.ok(
            calls().some((c) => isBuild(c)),
            calls().join("\n"),
        );
        fs.rmSync(log);

        const again = await buildLayer({ context, buildArgs, cacheDir, env });
        assert.deepEqual(calls(), []);
        assert.deepEqual({ ...again, cached: false }, first);
        assert.equal(again.cached, true);

        fs.writeFileSync(path.join(context, "notes", "README.txt"), "edited, but ignored\n");
        const ignored = await buildLayer({ context, buildArgs, cacheDir, env });
        assert.deepEqual(calls(), []);
        assert.equal(ignored.cached, true);
        assert.equal(ignored.inputHash, first.inputHash);

        fs.appendFileSync(
            path.join(context, `${PACKAGE}-src`, PACKAGE, "__init__.py"),
            "VERSION = 2\n",
        );
        const changed = await buildLayer({ context, buildArgs, cacheDir, env });
        assert.equal(changed.cached, false);
        assert.notEqual(changed.inputHash, first.inputHash);
        assert.notEqual(changed.sha256, first.sha256);
        assert.ok(calls().some((c) => isBuild(c)));
    });

    it("reports a failing RUN step with the Dockerfile, the context and the output tail, leaving no zip or cache entry", async () => {
        const context = writeLayerContext(
            path.join(dir, "core"),
            "RUN echo 'about to fail' && exit 7",
        );
        const cacheDir = path.join(dir, "cache");
        const out = path.join(dir, "out", "core.zip");
        await assert.rejects(buildLayer({ context, buildArgs, cacheDir, out }), (err: Error) => {
            assert.equal(err.name, "DockerError");
            const [first, ...rest] = err.message.split("\n");
            assert.match(
                first,
                /^Layer build failed: docker (buildx )?build \(BuildKit\) exited with code 1 of Dockerfile /,
            );
            assert.ok(
                first.endsWith(
                    `of Dockerfile ${JSON.stringify(path.join(context, "Dockerfile"))} with context ${JSON.stringify(context)}.`,
                ),
                first,
            );
            assert.equal(rest[0], "Last lines of docker output:");
            assert.ok(
                rest.some((l) => l.includes("about to fail")),
                err.message,
            );
            assert.ok(
                rest.some((l) => /exit code: 7/.test(l)),
                err.message,
            );
            return true;
        });
        assert.deepEqual(cacheEntries(cacheDir), []);
        assert.equal(fs.existsSync(out), false);
    });

    it("refuses a layer over Lambda's 262,144,000-byte unzipped limit with the size and the limit", async () => {
        const context = writeLayerContext(
            path.join(dir, "core"),
            "RUN truncate -s 262144001 /asset/python/big.bin",
        );
        const cacheDir = path.join(dir, "cache");
        await assert.rejects(buildLayer({ context, buildArgs, cacheDir }), (err: Error) => {
            assert.match(
                err.message,
                new RegExp(
                    `^Layer from ${JSON.stringify(path.join(context, "Dockerfile")).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} unzips to 262,1\\d\\d,\\d{3} bytes \\(250\\.0 MiB\\), ` +
                        "over Lambda's limit of 262,144,000 bytes \\(250\\.0 MiB\\) for a function and all its layers\\. Ship these dependencies in a " +
                        "container image instead: LambdaImage \\+ ImageFunction \\(up to 10 GB\\)\\.$",
                ),
            );
            return true;
        });
        assert.deepEqual(cacheEntries(cacheDir), []);
    });

    it("shares one build between concurrent calls in a process, and two processes each finish with the same complete zip", async () => {
        const context = writeLayerContext(path.join(dir, "core"));
        const log = path.join(dir, "docker-calls.log");
        const env = { ...process.env, DOCKER: recordingDocker(dir, log) };
        const cacheDir = path.join(dir, "cache");
        const [x, y] = await Promise.all([
            buildLayer({ context, buildArgs, cacheDir, env }),
            buildLayer({ context, buildArgs, cacheDir, env }),
        ]);
        assert.deepEqual(x, y);
        assert.equal(
            fs
                .readFileSync(log, "utf8")
                .split("\n")
                .filter((c) => isBuild(c)).length,
            1,
        );

        const shared = path.join(dir, "shared-cache");
        const args = [
            "layer",
            "build",
            context,
            "--json",
            "--cache-dir",
            shared,
            "--build-arg",
            `BASE_IMAGE=${BASE_IMAGE}`,
        ];
        const [p, q] = await Promise.all([
            cli(args, { cwd: dir, umask: "022", tz: "UTC", env: { DOCKER } }),
            cli(args, { cwd: dir, umask: "022", tz: "UTC", env: { DOCKER } }),
        ]);
        assert.equal(p.code, 0, p.stderr);
        assert.equal(q.code, 0, q.stderr);
        assert.equal(JSON.parse(p.stdout).sha256, x.sha256);
        assert.equal(JSON.parse(q.stdout).sha256, x.sha256);
        assert.deepEqual(cacheEntries(shared), [`${x.inputHash}.json`, `${x.inputHash}.zip`]);
        assert.deepEqual(
            fs.readFileSync(path.join(shared, `${x.inputHash}.zip`)),
            fs.readFileSync(x.zipPath),
        );
    });
});
