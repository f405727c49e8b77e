/**
 * A real OCI registry for tests: Debian's `docker-registry` on 127.0.0.1 with a free port, filesystem
 * storage in a temp dir and deletes enabled. Each call starts its own; `stop()` kills it and removes
 * its storage. Docker treats loopback registries as insecure, so `docker push` needs no daemon config.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface TestRegistry {
    /** `127.0.0.1:<port>` */
    readonly host: string;
    stop(): Promise<void>;
}

export const REGISTRY_BINARY = process.env.DOCKER_REGISTRY ?? "docker-registry";

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

async function waitUntilUp(host: string, child: ChildProcess, log: () => string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null)
            throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
        try {
            const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
            if (res.status === 200) return;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry on ${host} did not answer /v2/ within 10 s: ${log()}`);
}

export async function startRegistry(): Promise<TestRegistry> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-registry-"));
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, "config.yml");
    fs.writeFileSync(
        config,
        [
            "version: 0.1",
            "log:",
            "  level: error",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${path.join(dir, "data")}`,
            "  delete:",
            "    enabled: true",
            "http:",
            `  addr: ${host}`,
        ].join("\n"),
    );
    let output = "";
    const child = spawn(REGISTRY_BINARY, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    const spawned = new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", (e: NodeJS.ErrnoException) =>
            reject(
                new Error(
                    `Could not start ${REGISTRY_BINARY} (${e.code}): install it with \`apt-get install -y docker-registry\`, or set DOCKER_REGISTRY to its path.`,
                ),
            ),
        );
    });
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const stop = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await spawned;
        await waitUntilUp(host, child, () => output.slice(-500));
    } catch (e) {
        await stop();
        throw e;
    }
    return { host, stop };
}
