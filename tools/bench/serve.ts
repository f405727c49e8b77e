/**
 * `lambda-docker serve`'s warm request against its floor in the same run (a plain Node http server answering
 * the same route on loopback), and against the same request through `lambda-docker invoke` (a container per
 * invocation, as `sam local start-api` does without `--warm-containers`).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { BASE_IMAGE, docker } from "../../test/support/docker";
import { builtCli, startCli } from "../../test/support/cli";
import { median, sectionHeader } from "../benchUtil";

export const title = "serve: a warm request";

const REQUESTS = 200;
const WARM_UP = 10;
const INVOKES = 3;
const TARGET_P50_MS = 30;
const TARGET_P99_MS = 100;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string): Promise<number> {
    const start = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
        http.get(url, { agent }, (res) => {
            res.resume();
            res.on("end", () => {
                if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
                else resolve(Number(process.hrtime.bigint() - start) / 1e6);
            });
        }).on("error", reject);
    });
}

/** p50 and p99 (nearest rank) of `n` sequential requests after a warm-up. */
async function percentiles(url: string): Promise<{ p50: number; p99: number }> {
    for (let i = 0; i < WARM_UP; i++) await get(url);
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) times.push(await get(url));
    times.sort((a, b) => a - b);
    const rank = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
    return { p50: rank(0.5), p99: rank(0.99) };
}

export async function bench(dir: string): Promise<string[]> {
    const main = builtCli();
    fs.writeFileSync(
        path.join(dir, "h.py"),
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n",
    );
    fs.writeFileSync(
        path.join(dir, "Dockerfile"),
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY h.py ${LAMBDA_TASK_ROOT}/\n",
    );
    fs.writeFileSync(
        path.join(dir, "lambda-docker.yaml"),
        'image: { context: . }\nfunctions:\n  h: { command: [h.handler], events: [{ http: "GET /hello" }] }\n',
    );
    fs.writeFileSync(
        path.join(dir, "event.json"),
        JSON.stringify({
            version: "2.0",
            rawPath: "/hello",
            requestContext: { http: { method: "GET" } },
        }),
    );

    const floor = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => floor.listen(0, "127.0.0.1", resolve));
    const floorUrl = `http://127.0.0.1:${(floor.address() as AddressInfo).port}/hello`;

    const child = startCli(["serve", "--port", "0", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`], {
        cwd: dir,
    });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    try {
        const base = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (c: Buffer) => {
                out += c.toString();
                const m = /^Serving on (\S+) /.exec(out);
                if (m) resolve(m[1]);
            });
            child.on("close", (code) => reject(new Error(`serve exited (${code}):\n${stderr}`)));
        });
        const served = await percentiles(`${base}/hello`);
        const plain = await percentiles(floorUrl);
        const image = /image app is (lambda-docker-local:[0-9a-f]+)/.exec(stderr)?.[1];
        if (!image) throw new Error(`serve did not say which image it built:\n${stderr}`);
        const invokes: number[] = [];
        for (let i = 0; i < INVOKES; i++) {
            const start = process.hrtime.bigint();
            const r = spawnSync(
                process.execPath,
                [main, "invoke", "h", "--image", image, "--event", "event.json"],
                { cwd: dir, encoding: "utf8" },
            );
            if (r.status !== 0) throw new Error(`invoke failed:\n${r.stderr}`);
            invokes.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        const invokeMs = median(invokes);
        const met = (v: number, t: number) =>
            `${v.toFixed(1)} ms (target ≤ ${t} ms: ${v <= t ? "met" : "NOT met"})`;
        if (served.p50 > TARGET_P50_MS || served.p99 > TARGET_P99_MS) process.exitCode = 1;
        return [
            ...sectionHeader(title),
            `${REQUESTS} sequential GET /hello requests on one keep-alive connection after ${WARM_UP} warm-up ones, through the built CLI's ` +
                "`serve` (the handler returns `{statusCode: 200, body: 'ok'}`); the floor is a plain Node http server answering the same " +
                `route on loopback in the same run; \`invoke\` is the same event through \`lambda-docker invoke h --image <image>\`, a whole ` +
                `process and container each time (median of ${INVOKES}).`,
            "",
            "| path | p50 | p99 |",
            "|---|---|---|",
            `| \`serve\`, warm | ${met(served.p50, TARGET_P50_MS)} | ${met(served.p99, TARGET_P99_MS)} |`,
            `| floor: Node http on loopback | ${plain.p50.toFixed(2)} ms | ${plain.p99.toFixed(2)} ms |`,
            `| \`lambda-docker invoke\` (container per request) | ${invokeMs.toFixed(0)} ms (median) | |`,
            "",
            `A warm request costs ${(served.p50 - plain.p50).toFixed(1)} ms over the floor at p50, and is ${(invokeMs / served.p50).toFixed(0)}× faster than ` +
                "a container per request. For comparison, `sam local start-api` starts a container per invocation unless " +
                "`--warm-containers` is given (added in 2021): `EAGER` loads every function's container at start-up and keeps " +
                "it between invocations, `LAZY` loads each on its first invocation and keeps it " +
                "(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-local-start-api.html).",
        ];
    } finally {
        agent.destroy();
        floor.close();
        if (child.exitCode === null) {
            const closed = new Promise((resolve) => child.on("close", resolve));
            child.kill("SIGINT");
            await closed;
        }
        const ids = docker([
            "images",
            "-q",
            "--filter",
            `label=lambda-docker.context=${fs.realpathSync(dir)}`,
        ])
            .split("\n")
            .filter(Boolean);
        for (const id of new Set(ids)) docker(["image", "rm", "--force", id]);
    }
}
