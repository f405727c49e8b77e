// `lambda-docker invoke --remote`, end to end: the built CLI, the fake pulumi's outputs, the real SDK against the stand-in.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { AwsStandIn, functionArn, startAwsStandIn } from "../support/awsStandIn";
import { DEPLOYED, Project, makeProject, run } from "./support/project";

describe("invoke --remote", function () {
    let standIn: AwsStandIn;
    let project: Project;
    beforeEach(async function () {
        project = makeProject();
        standIn = await startAwsStandIn({
            functions: [
                {
                    name: DEPLOYED.api,
                    memorySize: 512,
                    handler: (event) => ({
                        payload: { statusCode: 200, body: "ok", echo: event },
                        logs: ["handling"],
                    }),
                },
                {
                    name: DEPLOYED.worker,
                    handler: () => {
                        throw Object.assign(new KeyError("'jobId'"), {
                            logs: ["[ERROR] KeyError"],
                        });
                    },
                },
            ],
        });
    });
    afterEach(async function () {
        await standIn.stop();
        project.remove();
    });

    class KeyError extends Error {
        name = "KeyError";
    }

    it("prints the payload alone on stdout and the decoded log tail on stderr", async function () {
        const r = await run(
            ["invoke", "api", "--stack", "dev", "--remote", "--event", "-"],
            standIn,
            project,
            { input: '{"rawPath": "/health"}' },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, '{"statusCode":200,"body":"ok","echo":{"rawPath":"/health"}}\n');
        assert.equal(standIn.requests[0].headers["x-amz-log-type"], "Tail");
        assert.match(
            r.stderr,
            /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\nhandling\nEND RequestId: \1\nREPORT RequestId: \1\tDuration: 12\.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 42 MB\t\n$/,
        );
        assert.deepEqual(
            standIn.requests.map((q) => [q.operation, q.headers["x-amz-invocation-type"], q.body]),
            [["Invoke", "RequestResponse", { rawPath: "/health" }]],
        );
    });

    it("sends {} by default, with no docker at hand", async function () {
        const r = await run(["invoke", "api", "--stack", "dev", "--remote"], standIn, project, {
            env: { DOCKER: "/nonexistent/docker", DOCKER_HOST: "unix:///nonexistent/docker.sock" },
        });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout).echo, {});
        assert.deepEqual(
            standIn.requests.map((q) => [q.operation, q.body]),
            [["Invoke", {}]],
        );
    });

    it("exits 1 on a function error and names its errorType and errorMessage", async function () {
        const r = await run(["invoke", "worker", "--stack", "dev", "--remote"], standIn, project);
        assert.equal(r.status, 1);
        assert.deepEqual(JSON.parse(r.stdout), {
            errorMessage: "'jobId'",
            errorType: "KeyError",
            requestId: "",
            stackTrace: [],
        });
        assert.ok(r.stderr.includes("\n[ERROR] KeyError\n"), r.stderr);
        assert.ok(
            r.stderr.endsWith(
                `lambda-docker: ${DEPLOYED.worker} failed (Unhandled): KeyError: 'jobId'\n`,
            ),
            r.stderr,
        );
    });

    it("--async queues an Event invocation: 202 on stderr, nothing on stdout", async function () {
        const r = await run(
            ["invoke", "api", "--stack", "dev", "--remote", "--async"],
            standIn,
            project,
        );
        assert.deepEqual([r.status, r.stdout, r.stderr], [0, "", "accepted (202)\n"]);
        assert.deepEqual(
            standIn.requests.map((q) => [
                q.headers["x-amz-invocation-type"],
                q.headers["x-amz-log-type"],
            ]),
            [["Event", undefined]],
        );
    });

    it("--function-name takes a name or an ARN without pulumi", async function () {
        for (const name of [DEPLOYED.api, functionArn(DEPLOYED.api)]) {
            const r = await run(
                ["invoke", "x", "--remote", "--function-name", name],
                standIn,
                project,
                {
                    env: { PATH: path.dirname(process.execPath) },
                },
            );
            assert.equal(r.status, 0, r.stderr);
            assert.equal(JSON.parse(r.stdout).statusCode, 200);
        }
    });

    it("retries a throttled (429) invoke once and succeeds", async function () {
        standIn.faults.throttle = 1;
        const r = await run(["invoke", "api", "--stack", "dev", "--remote"], standIn, project);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(
            standIn.requests.map((q) => q.operation),
            ["Invoke", "Invoke"],
        );
        assert.equal(standIn.faults.throttle, 0);
    });

    it("says how to refresh expired credentials, without a stack trace", async function () {
        standIn.faults.expiredCredentials = true;
        fs.writeFileSync(
            path.join(project.dir, "aws-credentials"),
            "[dev-sso]\naws_access_key_id = test\naws_secret_access_key = test\n",
        );
        fs.writeFileSync(
            path.join(project.dir, "aws-config"),
            "[profile dev-sso]\nregion = us-east-1\n",
        );
        const r = await run(
            ["invoke", "api", "--stack", "dev", "--remote", "--profile", "dev-sso"],
            standIn,
            project,
            {
                env: {
                    AWS_CONFIG_FILE: path.join(project.dir, "aws-config"),
                    AWS_SHARED_CREDENTIALS_FILE: path.join(project.dir, "aws-credentials"),
                    AWS_ACCESS_KEY_ID: "",
                    AWS_SECRET_ACCESS_KEY: "",
                },
            },
        );
        assert.deepEqual(
            [r.status, r.stdout, r.stderr],
            [
                1,
                "",
                "lambda-docker: AWS credentials expired (The security token included in the request is expired): refresh them (aws sso login --profile dev-sso) and run the command again.\n",
            ],
        );
        assert.equal(standIn.requests.length, 1);
    });

    it("lists the stack's functions when the name is unknown", async function () {
        const r = await run(["invoke", "nope", "--stack", "dev", "--remote"], standIn, project);
        assert.deepEqual(
            [r.status, r.stderr],
            [
                1,
                'lambda-docker: No function "nope" in stack "dev"\'s outputs; it has api, cron, worker.\n',
            ],
        );
        assert.equal(standIn.requests.length, 0);
    });

    it("asks for the Pulumi CLI or --function-name when pulumi is not on PATH", async function () {
        const r = await run(["invoke", "api", "--stack", "dev", "--remote"], standIn, project, {
            env: { PATH: path.dirname(process.execPath) },
        });
        assert.deepEqual(
            [r.status, r.stderr],
            [
                1,
                "lambda-docker: The Pulumi CLI (pulumi) is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) to read the stack's outputs, or pass --function-name <name or ARN>.\n",
            ],
        );
    });
});
