import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildLayer } from "../../../../lib/build/layerBuild";
import { checkDaemon, dockerBinary, runDocker } from "../../../../lib/docker/cli";

describe("the docker CLI runner", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-cli-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("uses $DOCKER when set, else docker from PATH", () => {
        assert.equal(dockerBinary({ DOCKER: "/usr/bin/docker" }), "/usr/bin/docker");
        assert.equal(dockerBinary({ DOCKER: " " }), "docker");
        assert.equal(dockerBinary({}), "docker");
    });

    it("streams output lines and keeps the tail", async () => {
        const fake = path.join(dir, "fake-docker");
        fs.writeFileSync(
            fake,
            "#!/bin/sh\nfor i in 1 2 3 4 5; do echo line$i; done\necho err >&2\nexit 3\n",
            { mode: 0o755 },
        );
        const seen: string[] = [];
        const result = await runDocker(["build"], {
            env: { ...process.env, DOCKER: fake },
            tailLines: 3,
            onLine: (l) => seen.push(l),
        });
        assert.equal(result.code, 3);
        assert.deepEqual([...seen].sort(), ["err", "line1", "line2", "line3", "line4", "line5"]);
        assert.equal(result.tail.length, 3);
        assert.equal(result.stdout, "line1\nline2\nline3\nline4\nline5\n");
    });

    it("says the CLI is missing when the DOCKER binary does not exist, and writes nothing", async () => {
        const cacheDir = path.join(dir, "cache");
        await assert.rejects(
            buildLayer({
                context: dir,
                cacheDir,
                env: { ...process.env, DOCKER: "/nonexistent/docker" },
            }),
            {
                name: "DockerError",
                message:
                    'Docker CLI not found: could not run "/nonexistent/docker" (ENOENT). Install Docker, or set DOCKER to the path of a docker client with buildx (e.g. DOCKER=/usr/bin/docker).',
            },
        );
        assert.equal(fs.existsSync(cacheDir), false);
    });

    it("says the daemon is unreachable when the CLI can't reach it", async () => {
        const fake = path.join(dir, "fake-docker");
        fs.writeFileSync(
            fake,
            "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
            { mode: 0o755 },
        );
        await assert.rejects(checkDaemon({ ...process.env, DOCKER: fake }), {
            name: "DockerError",
            message: `Docker daemon is not reachable through "${fake}": is dockerd running, and DOCKER_HOST right? docker said: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
        });
    });
});
