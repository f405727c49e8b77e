// The smoke-dev job: after the dev deploy, with dev's role and the Pulumi CLI, `npx lambda-docker smoke --stack dev`.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../support/paths";

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

describe("the smoke-dev workflow job", function () {
    const doc = YAML.parse(
        fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "infrastructure.yml"), "utf8"),
    ) as { jobs: Record<string, { needs?: string; environment?: string; steps: Step[] }> };

    it("runs the smoke tests on dev after the dev deploy, with dev's role and a pinned Pulumi CLI", function () {
        const job = doc.jobs["smoke-dev"];
        assert.deepEqual([job.needs, job.environment], ["deploy-dev", "dev"]);
        const runs = job.steps.map((s) => s.run).filter(Boolean);
        assert.equal(runs.at(-1), "npx lambda-docker smoke --stack dev");
        const smoke = job.steps.at(-1)!;
        assert.deepEqual(smoke.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        const aws = job.steps.find((s) =>
            s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.equal(aws?.with?.["role-to-assume"], "${{ vars.AWS_DEV_DEPLOY_ROLE_ARN }}");
        const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        // No `command`: the action only installs the CLI (pulumi/actions#834).
        assert.deepEqual(pulumi?.with, { "pulumi-version": "${{ env.PULUMI_VERSION }}" });
    });
});
