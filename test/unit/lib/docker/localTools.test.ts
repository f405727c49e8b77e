/** The pure parts of the local loop: emulation detection, build progress, the pull hint, stack settings. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildFailure, pullFailureHint } from "../../../../lib/docker/cli";
import { emulationProblem, enabledBinfmtHandlers } from "../../../../lib/docker/emulation";
import { buildStep, progress } from "../../../../lib/docker/progress";
import { localSettings } from "../../../../cli/localSettings";
import { localStackSettings, readStackFile } from "../../../../config/stackFile";
import { REPO_ROOT } from "../../../support/paths";

describe("emulation detection", () => {
    it("needs nothing on a native host, and names the fix when an arm64 build has no QEMU", () => {
        assert.equal(emulationProblem("x86_64", "x86_64", []), undefined);
        assert.equal(emulationProblem("aarch64", "arm64", []), undefined);
        assert.equal(
            emulationProblem("x86_64", "arm64", ["qemu-aarch64", "python3.11"]),
            undefined,
        );
        assert.equal(
            emulationProblem("x86_64", "arm64", undefined),
            undefined,
            "a remote daemon's handlers are unknown: claim nothing",
        );
        assert.equal(
            emulationProblem("x86_64", "arm64", ["python3.11"]),
            "The functions are arm64 but the Docker host is x86_64 and has no emulator for arm64 (no binfmt_misc handler for aarch64 is enabled), " +
                'so the build would fail with "exec format error". Install one: `docker run --privileged --rm tonistiigi/binfmt --install arm64` ' +
                "or the qemu-user-static package (in GitHub Actions: docker/setup-qemu-action); or build on a native arm64 runner; " +
                "or set `lambda-docker:architecture` to the host's.",
        );
        assert.match(
            emulationProblem("aarch64", "x86_64", [])!,
            /^The functions are x86_64 but the Docker host is aarch64 and has no emulator for x86_64 \(no binfmt_misc handler for x86_64 is enabled\)/,
        );
    });

    it("reads enabled binfmt_misc handlers, and nothing when the filesystem isn't there", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-binfmt-"));
        try {
            assert.equal(enabledBinfmtHandlers(dir), undefined);
            fs.writeFileSync(path.join(dir, "status"), "enabled\n");
            fs.writeFileSync(path.join(dir, "register"), "");
            fs.writeFileSync(
                path.join(dir, "qemu-aarch64"),
                "enabled\ninterpreter /usr/bin/qemu-aarch64-static\n",
            );
            fs.writeFileSync(path.join(dir, "qemu-riscv64"), "disabled\n");
            assert.deepEqual(enabledBinfmtHandlers(dir), ["qemu-aarch64"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("build progress", () => {
    it("reads the step from BuildKit and classic builder lines", () => {
        assert.equal(
            buildStep("#7 [2/4] RUN pip install -r requirements.txt"),
            "[2/4] RUN pip install -r requirements.txt",
        );
        assert.equal(
            buildStep("#9 [build 3/5] COPY src /var/task/src"),
            "[3/5] COPY src /var/task/src",
        );
        assert.equal(buildStep("Step 2/4 : RUN pip install x"), "[2/4] RUN pip install x");
        assert.equal(buildStep("#7 0.512 Collecting boto3"), undefined);
        assert.equal(buildStep("#7 DONE 2.3s"), undefined);
    });

    it("writes a line per step without a terminal, one live line with one, everything with --verbose", () => {
        const lines = [
            "#5 [1/2] FROM base",
            "#5 DONE 0.0s",
            "#6 [2/2] RUN make",
            "#6 1.0 compiling",
            "#6 [2/2] RUN make",
            "#6 DONE 3.0s",
        ];
        let out = "";
        const plain = progress({ what: "image", write: (t) => (out += t) });
        lines.forEach(plain.onOutput);
        plain.done();
        assert.equal(out, "building image: [1/2] FROM base\nbuilding image: [2/2] RUN make\n");
        out = "";
        const tty = progress({ what: "image", tty: true, columns: 31, write: (t) => (out += t) });
        lines.forEach(tty.onOutput);
        tty.done();
        assert.equal(
            out,
            "\r\x1b[2Kbuilding image: [1/2] FROM ba…\r\x1b[2Kbuilding image: [2/2] RUN make\r\x1b[2K",
        );
        out = "";
        const verbose = progress({ what: "image", verbose: true, write: (t) => (out += t) });
        lines.forEach(verbose.onOutput);
        assert.equal(out, `${lines.join("\n")}\n`);
    });
});

describe("the offline pull hint", () => {
    const tail = [
        "#3 [internal] load metadata for public.ecr.aws/lambda/python:3.11",
        '#3 ERROR: failed to do request: Head "https://public.ecr.aws/v2/lambda/python/manifests/3.11": dial tcp: lookup public.ecr.aws: no such host',
    ];
    it("says how to point at a local image when the base image could not be pulled", () => {
        assert.equal(
            pullFailureHint(tail, "public.ecr.aws/lambda/python:3.11"),
            'Docker could not pull the base image "public.ecr.aws/lambda/python:3.11" (offline, or no access to its registry). Use a local image instead: ' +
                "set BASE_IMAGE=<local image> (npm start, check, invoke, layer build) or pass --build-arg BASE_IMAGE=<image>, and `lambda-docker:baseImage` " +
                "in the stack file for deploys; `docker image ls` lists the images you have.",
        );
        assert.equal(
            pullFailureHint(
                [
                    "#8 [2/2] RUN false",
                    '#8 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
                ],
                "x",
            ),
            undefined,
        );
    });
    it("puts the hint after the summary and before the tail, once", () => {
        const e = buildFailure("Image build failed.", tail, {
            BASE_IMAGE: "public.ecr.aws/lambda/python:3.11",
        });
        assert.equal(
            e.summary,
            `Image build failed.\n${pullFailureHint(tail, "public.ecr.aws/lambda/python:3.11")}`,
        );
        assert.equal(
            e.message,
            `${e.summary}\nLast lines of docker output:\n  ${tail[0]}\n  ${tail[1]}`,
        );
    });
});

describe("one config source for local commands", () => {
    const base = { buildArg: {}, env: {} };
    it("reads the stack file: base image, architecture, region, memory, timeout and the stack's environment", () => {
        const cwd = process.cwd();
        process.chdir(REPO_ROOT);
        try {
            assert.equal(readStackFile("dev")["aws:region"], "us-east-1");
            const s = localSettings({ ...base, stack: "prod" }, {});
            assert.deepEqual(
                {
                    architecture: s.architecture,
                    region: s.region,
                    buildArgs: s.buildArgs,
                    environment: s.environment,
                    memorySize: s.memorySize,
                    timeout: s.timeout,
                    manifestFile: s.manifestFile,
                },
                {
                    architecture: "x86_64",
                    region: "us-east-1",
                    buildArgs: { BASE_IMAGE: "public.ecr.aws/lambda/python:3.11" },
                    environment: { LOG_LEVEL: "INFO", STAGE: "prod" },
                    memorySize: 1024,
                    timeout: 60,
                    manifestFile: "lambda-docker.yaml",
                },
            );
            // BASE_IMAGE in the environment replaces the stack's for local builds; a flag wins over both.
            assert.equal(
                localSettings({ ...base, stack: "dev" }, { BASE_IMAGE: "local/python:3.11" })
                    .buildArgs.BASE_IMAGE,
                "local/python:3.11",
            );
            assert.equal(
                localSettings(
                    { ...base, buildArg: { BASE_IMAGE: "flag/image" }, stack: "dev" },
                    { BASE_IMAGE: "local/python:3.11" },
                ).buildArgs.BASE_IMAGE,
                "flag/image",
            );
            assert.deepEqual(
                localSettings({ ...base, stack: "dev", env: { LOG_LEVEL: "ERROR", X: "1" } }, {})
                    .environment,
                { LOG_LEVEL: "ERROR", STAGE: "dev", X: "1" },
            );
            assert.equal(
                localStackSettings("dev", { BASE_IMAGE: " " }).baseImage,
                "public.ecr.aws/lambda/python:3.11",
            );
            // Without --stack: the defaults, and BASE_IMAGE still means the same.
            assert.deepEqual(localSettings(base, { BASE_IMAGE: "local/python:3.11" }).buildArgs, {
                BASE_IMAGE: "local/python:3.11",
            });
            assert.equal(localSettings(base, {}).region, "us-east-1");
            assert.deepEqual(
                localSettings(base, {}).buildArgs,
                { BASE_IMAGE: "public.ecr.aws/lambda/python:3.11" },
                "the project default, as npm start passes it",
            );
            assert.throws(() => localSettings({ ...base, stack: "qa" }, {}), {
                message:
                    '`--stack` must name a stack of this project (dev, prod); got "qa": stacks/Pulumi.qa.yaml does not exist.',
            });
        } finally {
            process.chdir(cwd);
        }
    });
});
