import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../support/paths";

const WORKFLOW = path.join(REPO_ROOT, ".github", "workflows", "infrastructure.yml");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    needs?: string;
    environment?: string;
    permissions?: Record<string, string>;
    steps: Step[];
}

describe("the GitHub Actions workflow", () => {
    const doc = YAML.parse(fs.readFileSync(WORKFLOW, "utf8")) as {
        on: Record<string, unknown>;
        permissions: Record<string, string>;
        concurrency: unknown;
        env: Record<string, string>;
        jobs: Record<string, Job>;
    };
    const pulumiStep = (job: string) =>
        doc.jobs[job].steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;

    it("runs on pull requests and pushes to main, one run per ref at a time, never cancelled", () => {
        assert.deepEqual(Object.keys(doc.on).sort(), ["pull_request", "push"]);
        assert.deepEqual(doc.on.push, { branches: ["main"] });
        assert.deepEqual(doc.permissions, { contents: "read" });
        assert.deepEqual(doc.concurrency, {
            group: "infrastructure-${{ github.ref }}",
            "cancel-in-progress": false,
        });
        assert.equal(doc.env.PULUMI_VERSION, "3.248.0");
    });

    it("has a test job that runs the README's test command on a real engine and registry", () => {
        const test = doc.jobs.test;
        assert.deepEqual(
            test.steps.filter((s) => s.run).map((s) => s.run),
            [
                'node tools/ci/stack-architecture.js dev >> "$GITHUB_OUTPUT"',
                'docker pull "$LAMBDA_DOCKER_BASE_IMAGE"',
                "sudo apt-get install -y docker-registry",
                "npm ci",
                "npm test",
            ],
        );
        assert.equal((test as unknown as { env: Record<string, string> }).env.CI, "true");
    });

    it("previews dev read-only on pull requests, with the policy pack, the diff posted as a comment", () => {
        const preview = doc.jobs.preview;
        assert.equal(preview.if, "github.event_name == 'pull_request'");
        assert.equal(preview.needs, "test");
        assert.deepEqual(pulumiStep("preview").with, {
            command: "preview",
            "stack-name": "dev",
            "pulumi-version": "${{ env.PULUMI_VERSION }}",
            diff: true,
            policyPacks: "policy",
            "comment-on-pr": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
        assert.equal(preview.permissions?.["pull-requests"], "write");
        assert.equal(preview.environment, undefined); // sub: repo:<owner>/<repo>:pull_request
    });

    it("deploys dev, saves a prod preview as a plan, and applies exactly that plan after the production approval", () => {
        assert.equal(
            doc.jobs["deploy-dev"].if,
            "github.event_name == 'push' && github.ref == 'refs/heads/main'",
        );
        assert.deepEqual(pulumiStep("deploy-dev").with, {
            command: "up",
            "stack-name": "dev",
            "pulumi-version": "${{ env.PULUMI_VERSION }}",
            policyPacks: "policy",
        });
        assert.equal(doc.jobs["preview-prod"].needs, "deploy-dev");
        assert.deepEqual(pulumiStep("preview-prod").with, {
            command: "preview",
            "stack-name": "prod",
            "pulumi-version": "${{ env.PULUMI_VERSION }}",
            diff: true,
            policyPacks: "policy",
            plan: "prod-plan.json",
        });
        const upload = doc.jobs["preview-prod"].steps.find((s) =>
            s.uses?.startsWith("actions/upload-artifact@"),
        )!;
        assert.deepEqual(upload.with, {
            name: "prod-plan",
            path: "prod-plan.json",
            "if-no-files-found": "error",
        });
        const prod = doc.jobs["deploy-prod"];
        assert.equal(prod.needs, "preview-prod");
        assert.equal(prod.environment, "production");
        const download = prod.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
        assert.deepEqual(download.with, { name: "prod-plan" });
        assert.deepEqual(pulumiStep("deploy-prod").with, {
            command: "up",
            "stack-name": "prod",
            "pulumi-version": "${{ env.PULUMI_VERSION }}",
            policyPacks: "policy",
            plan: "prod-plan.json",
        });
        for (const job of ["preview", "deploy-dev", "preview-prod", "deploy-prod"]) {
            assert.ok(
                doc.jobs[job].steps.some((s) => s.run === "npm ci && npm ci --prefix policy"),
                job,
            );
        }
    });

    it("assumes one AWS role per environment through OIDC and reads the Pulumi token from a secret", () => {
        const roles: Record<string, [string | undefined, string]> = {
            preview: [undefined, "AWS_DEV_PREVIEW_ROLE_ARN"],
            "deploy-dev": ["dev", "AWS_DEV_DEPLOY_ROLE_ARN"],
            "preview-prod": ["production-preview", "AWS_PROD_PREVIEW_ROLE_ARN"],
            "deploy-prod": ["production", "AWS_PROD_DEPLOY_ROLE_ARN"],
        };
        for (const [job, [environment, role]] of Object.entries(roles)) {
            assert.equal(doc.jobs[job].environment, environment, job);
            assert.equal(doc.jobs[job].permissions?.["id-token"], "write", job);
            const aws = doc.jobs[job].steps.find((s) =>
                s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
            )!;
            assert.equal(aws.with?.["role-to-assume"], `\${{ vars.${role} }}`, job);
            assert.equal(aws.with?.["aws-access-key-id"], undefined, job);
            assert.equal(
                pulumiStep(job).env?.PULUMI_ACCESS_TOKEN,
                "${{ secrets.PULUMI_ACCESS_TOKEN }}",
                job,
            );
        }
    });

    it("sets up QEMU only when a stack's architecture differs from the runner's", () => {
        for (const [job, stack] of [
            ["test", "dev"],
            ["preview", "dev"],
            ["deploy-dev", "dev"],
            ["preview-prod", "prod"],
            ["deploy-prod", "prod"],
        ]) {
            const steps = doc.jobs[job].steps;
            const arch = steps.findIndex((s) => (s as { id?: string }).id === "arch");
            assert.equal(
                steps[arch].run,
                `node tools/ci/stack-architecture.js ${stack} >> "$GITHUB_OUTPUT"`,
                job,
            );
            const qemu = steps[arch + 1] as Step & { if?: string };
            assert.match(String(qemu.uses), /^docker\/setup-qemu-action@[0-9a-f]{40}$/, job);
            assert.equal(qemu.if, "steps.arch.outputs.emulate == 'true'", job);
            assert.deepEqual(qemu.with, { platforms: "${{ steps.arch.outputs.platform }}" }, job);
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { decide } = require(
            path.join(REPO_ROOT, "tools", "ci", "stack-architecture.js"),
        ) as { decide(text: string, arch: string): unknown };
        assert.deepEqual(decide("config:\n  lambda-docker:architecture: arm64\n", "x64"), {
            architecture: "arm64",
            platform: "linux/arm64",
            emulate: true,
        });
        assert.deepEqual(decide("config:\n  lambda-docker:architecture: arm64\n", "arm64"), {
            architecture: "arm64",
            platform: "linux/arm64",
            emulate: false,
        });
        assert.deepEqual(decide("config:\n  aws:region: us-east-1\n", "x64"), {
            architecture: "x86_64",
            platform: "linux/amd64",
            emulate: false,
        });
        assert.throws(() => decide("  lambda-docker:architecture: sparc\n", "x64"), {
            message: 'lambda-docker:architecture must be x86_64 or arm64; got "sparc".',
        });
    });

    it("pins every action to a full commit SHA", () => {
        const uses = Object.values(doc.jobs).flatMap((j) =>
            j.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
        );
        assert.ok(uses.length >= 10);
        for (const u of uses) assert.match(u, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, u);
    });
});
