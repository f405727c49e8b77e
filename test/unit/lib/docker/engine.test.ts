import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { demultiplex, engineTarget } from "../../../../lib/docker/engine";

describe("the Docker Engine API client (lib/docker/engine)", () => {
    let config: string;
    before(() => {
        config = fs.mkdtempSync(path.join(os.tmpdir(), "ld-docker-config-"));
    });
    after(() => fs.rmSync(config, { recursive: true, force: true }));

    it("reaches the daemon where the Docker CLI would, and leaves to the CLI what only it can reach", () => {
        const base = { DOCKER_CONFIG: config };
        const cases: [NodeJS.ProcessEnv, unknown][] = [
            [{}, { socketPath: "/var/run/docker.sock" }],
            [
                { DOCKER_HOST: "unix:///run/user/1000/docker.sock" },
                { socketPath: "/run/user/1000/docker.sock" },
            ],
            [{ DOCKER_HOST: "tcp://127.0.0.1:2375" }, { host: "127.0.0.1", port: 2375 }],
            [{ DOCKER_HOST: "tcp://127.0.0.1" }, { host: "127.0.0.1", port: 2375 }],
            [{ DOCKER_HOST: "tcp://127.0.0.1:2376", DOCKER_TLS_VERIFY: "1" }, undefined],
            [{ DOCKER_HOST: "ssh://me@build-host" }, undefined],
            [{ DOCKER_CONTEXT: "colima" }, undefined],
            [{ DOCKER_CONTEXT: "default" }, { socketPath: "/var/run/docker.sock" }],
            [{ LAMBDA_DOCKER_ENGINE: "cli" }, undefined],
        ];
        for (const [env, expected] of cases)
            assert.deepEqual(engineTarget({ ...base, ...env }), expected, JSON.stringify(env));
    });

    it("follows the CLI's current context in its config.json", () => {
        fs.writeFileSync(
            path.join(config, "config.json"),
            JSON.stringify({ currentContext: "rootless" }),
        );
        assert.equal(engineTarget({ DOCKER_CONFIG: config }), undefined);
        fs.writeFileSync(
            path.join(config, "config.json"),
            JSON.stringify({ currentContext: "default" }),
        );
        assert.deepEqual(engineTarget({ DOCKER_CONFIG: config }), {
            socketPath: "/var/run/docker.sock",
        });
    });

    it("splits the multiplexed attach stream into stdout and stderr, whatever the chunk boundaries", () => {
        const frame = (stream: number, text: string) => {
            const payload = Buffer.from(text);
            const header = Buffer.alloc(8);
            header[0] = stream;
            header.writeUInt32BE(payload.length, 4);
            return Buffer.concat([header, payload]);
        };
        const all = Buffer.concat([
            frame(1, "out one\n"),
            frame(2, "err\n"),
            frame(1, "out two\n"),
        ]);
        for (const cut of [1, 5, 8, 9, 17, 20, all.length - 1]) {
            const got: string[] = [];
            const feed = demultiplex((stream, payload) =>
                got.push(`${stream}:${payload.toString()}`),
            );
            feed(all.subarray(0, cut));
            feed(all.subarray(cut));
            assert.deepEqual(got, ["1:out one\n", "2:err\n", "1:out two\n"], `cut at ${cut}`);
        }
    });
});
