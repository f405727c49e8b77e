import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import { Plan, planStack, serializePlan, snapshotPath, stacks } from "../../../plan/plan";
import { REPO_ROOT } from "../../support/paths";

describe("the committed plan snapshots", function () {
    this.timeout(120000);

    it("cover every stack", () => {
        assert.deepEqual(stacks(), ["dev", "prod"]);
        for (const stack of stacks())
            assert.ok(fs.existsSync(snapshotPath(stack)), snapshotPath(stack));
    });

    for (const stack of ["dev", "prod"]) {
        it(`match the ${stack} plan (after an infrastructure change, run npm run plan:update and commit the diff)`, async () => {
            const plan = await planStack(stack);
            const committed = JSON.parse(fs.readFileSync(snapshotPath(stack), "utf8")) as Plan;
            assert.deepEqual(
                plan,
                committed,
                `plan/snapshots/${stack}.json is stale: run \`npm run plan:update\` and review the diff`,
            );
            assert.equal(serializePlan(plan), fs.readFileSync(snapshotPath(stack), "utf8"));
        });
    }

    it("hold no machine paths, timestamps or secrets", () => {
        for (const stack of stacks()) {
            const text = fs.readFileSync(snapshotPath(stack), "utf8");
            for (const local of [REPO_ROOT, os.tmpdir(), os.homedir()])
                assert.equal(text.includes(local), false, local);
            assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
            assert.equal(text.includes("mock-ecr-password"), false);
            // A building stack shows its registry credentials only as [secret]; a promoting one builds nothing.
            assert.equal(
                text.includes('"registries": "[secret]"'),
                text.includes("docker-build:index:Image"),
                stack,
            );
        }
        assert.equal(
            fs.readFileSync(snapshotPath("prod"), "utf8").includes("docker-build:index:Image"),
            false,
        );
        assert.equal(
            fs.readFileSync(snapshotPath("dev"), "utf8").includes('"registries": "[secret]"'),
            true,
        );
    });
});
