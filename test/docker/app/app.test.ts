/**
 * The example application on a real engine: the image built from the local base, every command
 * checked by the preflight, a source-only rebuild reusing the dependency layer, and a push to a local
 * registry under exactly the tags LambdaImage computes, read back over the registry's HTTP API.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { buildLocalImage, preflight } from "../../../lib/local";
import { invokeLocal } from "../../../lib/local/invoke";
import { BuiltImageSpec, imageFunctionsOf, readManifest } from "../../../lib/manifest";
import { digestUri } from "../../../lib/tags";
import { resolveLambdaImageArgs } from "../../../components/image/lambdaImage";
import { recorder, runProgram } from "../../support/localProgram";
import { startRegistry } from "../../support/registry";
import {
    BASE_IMAGE,
    REPO_ROOT,
    copyTree,
    docker,
    requireDocker,
    tempDir,
} from "../../support/docker";
import { runCli } from "../../support/cli";

const buildArgs = { BASE_IMAGE };
const MANIFEST = readManifest(path.join(REPO_ROOT, "lambda-docker.yaml"));
const FUNCTIONS = imageFunctionsOf(MANIFEST).map(([name, f]) => ({ name, command: f.command }));

/** BuildKit's plain progress: the ids of steps whose line matches `pattern`, and whether each was CACHED. */
function steps(output: string[], pattern: RegExp): { id: string; cached: boolean }[] {
    const ids = output.flatMap((l) => {
        const m = /^#(\d+) \[[^\]]+\] (.*)$/.exec(l);
        return m && pattern.test(m[2]) ? [m[1]] : [];
    });
    return [...new Set(ids)].map((id) => ({ id, cached: output.includes(`#${id} CACHED`) }));
}

async function registry(host: string, pathname: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = accept ? { Accept: accept } : {};
    return fetch(`http://${host}${pathname}`, { headers });
}

/** Runs the built lambda-docker CLI in `cwd`. */
function cli(args: string[], cwd: string, input?: string) {
    const result = runCli(args, { cwd, input });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the example app on a real Docker engine", function () {
    this.timeout(300000);
    let dir: string;
    before(function () {
        requireDocker(this);
    });
    beforeEach(() => (dir = tempDir("ld-docker-app-")));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("passes preflight for every manifest command, and names the function, command and import error of a typo", async () => {
        const context = (MANIFEST.images.app as BuiltImageSpec).context;
        const local = await preflight({ context, buildArgs, functions: FUNCTIONS });
        assert.match(local.image, /^lambda-docker-local:[0-9a-f]{16}$/);

        await assert.rejects(
            preflight({
                context,
                buildArgs,
                functions: [
                    ...FUNCTIONS,
                    { name: "typo", command: ["src.functions.campaign.orchestratr.handler"] },
                ],
            }),
            {
                name: "PreflightError",
                message:
                    `Preflight failed for 1 function(s) in the image built from ${JSON.stringify(path.join(context, "Dockerfile"))}:\n` +
                    '  - function "typo", command "src.functions.campaign.orchestratr.handler": ' +
                    "not found: there is no module 'src.functions.campaign.orchestratr' in the image",
            },
        );
        await assert.rejects(
            preflight({
                context,
                buildArgs,
                functions: [
                    {
                        name: "api",
                        command: ["src.functions.api.handler.handle"],
                        architecture: "arm64",
                    },
                ],
            }),
            {
                message:
                    `Preflight failed for 1 function(s) in the image built from ${JSON.stringify(path.join(context, "Dockerfile"))}:\n` +
                    '  - function "api", command "src.functions.api.handler.handle": the image is x86_64 but the function is arm64 (Lambda would fail with "exec format error")',
            },
        );
    });

    it("stops the dev program on a bad command before any resource is registered", async () => {
        // Manifest paths stay inside the manifest's directory: the app goes beside it (the same content, the same image).
        fs.cpSync(path.join(REPO_ROOT, "app"), path.join(dir, "app"), { recursive: true });
        const manifest = path.join(dir, "lambda-docker.yaml");
        fs.writeFileSync(
            manifest,
            `image:\n  context: app\nfunctions:\n  orchestrator:\n    command: [src.functions.campaign.orchestrator.handlr]\n`,
        );
        await assert.rejects(
            runProgram("dev", {
                "lambda-docker:preflight": "true",
                "lambda-docker:manifest": manifest,
            }),
            (err: Error) => {
                assert.equal(err.name, "PreflightError");
                assert.ok(
                    err.message.endsWith(
                        '  - function "orchestrator", command "src.functions.campaign.orchestrator.handlr": ' +
                            "not found: module 'src.functions.campaign.orchestrator' has no attribute 'handlr'",
                    ),
                    err.message,
                );
                return true;
            },
        );
        assert.deepEqual(recorder.resources, []);
        const ok = await runProgram("dev", { "lambda-docker:preflight": "true" });
        assert.equal(
            ok.resources.filter((r) => r.type === "lambda-docker:index:ImageFunction").length,
            3,
        );
    });

    it("runs a handler locally with an event and returns its result and logs", async () => {
        const { image } = await buildLocalImage({
            context: path.join(REPO_ROOT, "app"),
            buildArgs,
        });
        const out = await invokeLocal({
            image,
            functionName: "report-sync",
            command: ["src.functions.reports.sync.handler"],
            environment: { LOG_LEVEL: "INFO" },
            event: {
                reportDate: "2026-11-01",
                rows: [
                    { metric: "clicks", value: 2 },
                    { metric: "clicks", value: 3 },
                ],
            },
        });
        assert.equal(out.failed, false);
        assert.deepEqual(out.result, {
            ok: true,
            reportDate: "2026-11-01",
            rows: 2,
            totals: { clicks: 5 },
        });
        assert.deepEqual(
            out.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as unknown),
            [
                {
                    level: "INFO",
                    logger: "src.functions.reports.sync",
                    message: "synced report",
                    reportDate: "2026-11-01",
                    rows: 2,
                },
            ],
        );
        // A handler that raises: Lambda's error shape, as the runtime would report it.
        const raised = await invokeLocal({
            image,
            functionName: "broken",
            command: ["src.common.events.require"],
            event: {},
        });
        assert.equal(raised.failed, true);
        const error = raised.result as {
            errorType: string;
            errorMessage: string;
            stackTrace: string[];
        };
        assert.deepEqual(
            [error.errorType, error.errorMessage],
            ["AttributeError", "'LambdaContext' object has no attribute 'items'"],
        );
        assert.ok(
            error.stackTrace.some((l) => l.includes("src/common/events.py")),
            error.stackTrace.join(""),
        );
    });

    it("checks and invokes from the command line: exit codes, result on stdout, logs and errors on stderr", () => {
        const ok = cli(["check", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`], REPO_ROOT);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(
            ok.stdout,
            [
                "ok  campaign-orchestrator  src.functions.campaign.orchestrator.handler",
                "ok  report-sync  src.functions.reports.sync.handler",
                "ok  api  src.functions.api.handler.handler",
                "ok  report-api  report_api.handler",
                "",
            ].join("\n"),
        );

        fs.cpSync(path.join(REPO_ROOT, "app"), path.join(dir, "app"), { recursive: true });
        const manifest = path.join(dir, "bad.yaml");
        fs.writeFileSync(
            manifest,
            `image:\n  context: app\nfunctions:\n  api:\n    command: [src.functions.api.handlr.handler]\n`,
        );
        const bad = cli(
            ["check", "--manifest", manifest, "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`],
            dir,
        );
        assert.equal(bad.code, 1);
        assert.match(
            bad.stderr,
            /lambda-docker: Preflight failed for 1 function\(s\) in the image built from .*\n {2}- function "api", command "src\.functions\.api\.handlr\.handler": not found: there is no module 'src\.functions\.api\.handlr' in the image\n$/,
        );

        const invoked = cli(
            ["invoke", "api", "--event", "-", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`],
            REPO_ROOT,
            JSON.stringify({ rawPath: "/health", requestContext: { http: { method: "GET" } } }),
        );
        assert.equal(invoked.code, 0, invoked.stderr);
        assert.deepEqual(JSON.parse(invoked.stdout), {
            statusCode: 200,
            headers: { "content-type": "application/json" },
            body: '{"status": "ok"}',
        });
        assert.match(
            invoked.stderr,
            /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n\{"level": "INFO", "logger": "src\.functions\.api\.handler", "message": "request", "method": "GET", "path": "\/health"\}\nEND RequestId: \1\nREPORT RequestId: \1\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: [0-9.]+ ms\n$/,
        );

        const failing = cli(
            ["invoke", "report-sync", "--event", "-", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`],
            REPO_ROOT,
            "[1, 2]",
        );
        assert.equal(
            failing.code,
            0,
            "a handler that returns an error response is not a failed invoke",
        );
        assert.deepEqual(JSON.parse(failing.stdout), {
            ok: false,
            error: "event must be a JSON object; got list",
        });
        const unknown = cli(["invoke", "nope", "--event", "-"], REPO_ROOT, "{}");
        assert.equal(unknown.code, 1);
        assert.equal(
            unknown.stderr,
            'lambda-docker: No function "nope" in lambda-docker.yaml; it has campaign-orchestrator, report-sync, api, report-api.\n',
        );

        // A zip function runs in the base image with its code at /var/task and its Docker-built layer in /opt.
        const zip = cli(
            ["invoke", "report-api", "--event", "-", "--build-arg", `BASE_IMAGE=${BASE_IMAGE}`],
            REPO_ROOT,
            JSON.stringify({
                queryStringParameters: { impressions: "1000", clicks: "50", cost: "25" },
            }),
        );
        assert.equal(zip.code, 0, zip.stderr);
        const response = JSON.parse(zip.stdout) as { statusCode: number; body: string };
        assert.equal(response.statusCode, 200);
        assert.match(
            zip.stderr,
            /\[INFO\]\t\S+\t[0-9a-f-]{36}\t\{"message": "metrics", "status": 200\}\n/,
        );
    });

    it("rebuilds a source-only change reusing the dependency layer", async () => {
        const context = path.join(dir, "app");
        copyTree(path.join(REPO_ROOT, "app"), context);
        // A dependency, so the pip step has something to install (offline, from the build context).
        fs.mkdirSync(path.join(context, "vendor", "tinydep", "tinydep"), { recursive: true });
        fs.writeFileSync(
            path.join(context, "vendor", "tinydep", "setup.py"),
            "from setuptools import setup\nsetup(name='tinydep', version='1.0', packages=['tinydep'])\n",
        );
        // A value unique to this run, so the first build is really new (images are reused by content hash).
        const unique = `${Date.now()}${process.pid}`;
        fs.writeFileSync(
            path.join(context, "vendor", "tinydep", "tinydep", "__init__.py"),
            `X = ${unique}\n`,
        );
        fs.writeFileSync(
            path.join(context, "Dockerfile"),
            fs
                .readFileSync(path.join(context, "Dockerfile"), "utf8")
                .replace(
                    "COPY requirements.txt /tmp/requirements.txt",
                    "COPY requirements.txt /tmp/requirements.txt\nCOPY vendor /tmp/vendor",
                )
                .replace(
                    "-r /tmp/requirements.txt",
                    "--no-index --no-build-isolation -r /tmp/requirements.txt /tmp/vendor/tinydep",
                ),
        );
        const first = await buildLocalImage({ context, buildArgs });
        assert.equal(first.built, true);
        fs.appendFileSync(
            path.join(context, "src", "functions", "api", "handler.py"),
            "\n# a source-only change\n",
        );
        const second = await buildLocalImage({ context, buildArgs });
        assert.equal(second.built, true);
        assert.notEqual(second.image, first.image);
        const pip = steps(second.output, /pip install/);
        const copySrc = steps(second.output, /^COPY src /);
        assert.equal(pip.length, 1, second.output.join("\n"));
        assert.equal(pip[0].cached, true, "the dependency layer is reused");
        assert.deepEqual(
            copySrc.map((s) => s.cached),
            [false],
        );
        const imported = docker([
            "run",
            "--rm",
            "--entrypoint",
            "python3",
            second.image,
            "-c",
            "import tinydep; print(tinydep.X)",
        ]);
        assert.equal(imported, `${unique}\n`);
    });

    it("pushes under LambdaImage's exact tags and pins the URI to the digest the registry reports", async () => {
        const own = await startRegistry(); // its own loopback registry: no shared state, nothing left behind
        try {
            await pushAndPin(own.host);
        } finally {
            await own.stop();
        }
    });

    async function pushAndPin(REGISTRY: string): Promise<void> {
        const context = (MANIFEST.images.app as BuiltImageSpec).context;
        const stage = `t${Date.now().toString(36)}`;
        const resolved = resolveLambdaImageArgs(
            {
                repository: undefined as never,
                stage,
                context,
                buildArgs,
                extraTags: [`${stage}-latest`],
            },
            stage,
            false,
        );
        const repositoryUrl = `${REGISTRY}/campaign-${stage}`;
        const { image } = await buildLocalImage({ context, buildArgs });
        for (const tag of [resolved.tag, ...resolved.extraTags]) {
            docker(["tag", image, `${repositoryUrl}:${tag}`]);
            docker(["push", `${repositoryUrl}:${tag}`]);
        }
        const repoName = repositoryUrl.slice(REGISTRY.length + 1);
        const tags = (await (await registry(REGISTRY, `/v2/${repoName}/tags/list`)).json()) as {
            tags: string[];
        };
        assert.deepEqual(
            tags.tags.sort(),
            [`${stage}-${resolved.tag.slice(stage.length + 1)}`, `${stage}-latest`].sort(),
        );
        assert.match(resolved.tag, new RegExp(`^${stage}-[0-9a-f]{16}$`));

        const accept =
            "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";
        const head = await registry(REGISTRY, `/v2/${repoName}/manifests/${resolved.tag}`, accept);
        assert.equal(head.status, 200);
        const manifest = (await head.json()) as { mediaType: string; layers: unknown[] };
        assert.ok(
            [
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
            ].includes(manifest.mediaType),
            `a single-image manifest (Lambda rejects indexes), got ${manifest.mediaType}`,
        );
        const digest = head.headers.get("docker-content-digest") ?? "";
        const latest = await registry(
            REGISTRY,
            `/v2/${repoName}/manifests/${stage}-latest`,
            accept,
        );
        assert.equal(latest.headers.get("docker-content-digest"), digest);

        const uri = digestUri(repositoryUrl, digest);
        assert.equal(uri, `${repositoryUrl}@${digest}`);
        docker(["rmi", `${repositoryUrl}:${resolved.tag}`, `${repositoryUrl}:${stage}-latest`]);
        docker(["pull", uri]);
        assert.deepEqual(
            JSON.parse(docker(["image", "inspect", "--format", "{{json .RepoDigests}}", uri])),
            [uri],
        );
        docker(["rmi", uri]);
    }
});
