import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const WORKFLOW = path.resolve(__dirname, "..", "..", ".github", "workflows", "infrastructure.yml");

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job { if?: string; needs?: string; environment?: string; permissions?: Record<string, string>; steps: Step[] }

describe("the GitHub Actions workflow", () => {
    const doc = YAML.parse(fs.readFileSync(WORKFLOW, "utf8")) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };
    const pulumiStep = (job: string) => doc.jobs[job].steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;

    it("runs on pull requests and pushes to main, and on a manual trigger for prod", () => {
        assert.deepEqual(Object.keys(doc.on).sort(), ["pull_request", "push", "workflow_dispatch"]);
        assert.deepEqual(doc.on.push, { branches: ["main"] });
        assert.deepEqual((doc.on.workflow_dispatch as { inputs: { stack: { options: string[] } } }).inputs.stack.options, ["prod"]);
        assert.deepEqual(doc.permissions, { contents: "read" });
    });

    it("has a test job that runs the README's test command on a real engine and registry", () => {
        const test = doc.jobs.test;
        assert.deepEqual(test.steps.filter((s) => s.run).map((s) => s.run), ['docker pull "$LAMBDA_DOCKER_BASE_IMAGE"', "npm ci", "npm test"]);
        assert.equal((test as unknown as { env: Record<string, string> }).env.CI, "true");
    });

    it("previews dev on pull requests with the diff posted as a comment, after the tests", () => {
        const preview = doc.jobs.preview;
        assert.equal(preview.if, "github.event_name == 'pull_request'");
        assert.equal(preview.needs, "test");
        assert.deepEqual(pulumiStep("preview").with, {
            command: "preview", "stack-name": "dev", diff: true, "comment-on-pr": true, "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
        assert.equal(preview.permissions?.["pull-requests"], "write");
    });

    it("deploys dev on pushes to main and prod only by hand through the protected environment", () => {
        assert.equal(doc.jobs["deploy-dev"].if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
        assert.deepEqual(pulumiStep("deploy-dev").with, { command: "up", "stack-name": "dev" });
        assert.equal(doc.jobs["deploy-prod"].if, "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'");
        assert.equal(doc.jobs["deploy-prod"].environment, "production");
        assert.equal(doc.jobs["deploy-prod"].needs, "test");
        assert.deepEqual(pulumiStep("deploy-prod").with, { command: "up", "stack-name": "${{ inputs.stack }}" });
    });

    it("assumes AWS roles through OIDC and reads the Pulumi token from a secret in every cloud job", () => {
        for (const job of ["preview", "deploy-dev", "deploy-prod"]) {
            assert.equal(doc.jobs[job].permissions?.["id-token"], "write", job);
            const aws = doc.jobs[job].steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
            assert.match(String(aws.with?.["role-to-assume"]), /^\$\{\{ vars\.AWS_(PREVIEW|DEPLOY)_ROLE_ARN \}\}$/, job);
            assert.equal(aws.with?.["aws-access-key-id"], undefined, job);
            assert.equal(pulumiStep(job).env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", job);
        }
    });

    it("pins every action to a full commit SHA", () => {
        const uses = Object.values(doc.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
        assert.ok(uses.length >= 10);
        for (const u of uses) assert.match(u, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, u);
    });
});
