import * as assert from "node:assert/strict";
import { LifecycleSettings, lifecyclePolicy } from "../../../../components/ecr/lifecyclePolicy";

function expected(stage: string, keepImages: number, untaggedExpiryDays: number): unknown {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images after ${untaggedExpiryDays} day(s)`,
                selection: {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: untaggedExpiryDays,
                },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${keepImages} ${stage} image(s)`,
                selection: {
                    tagStatus: "tagged",
                    tagPrefixList: [`${stage}-`],
                    countType: "imageCountMoreThan",
                    countNumber: keepImages,
                },
                action: { type: "expire" },
            },
        ],
    };
}

describe("ECR lifecycle policy", () => {
    it("is exactly: rule 1 expires untagged images after N days, rule 2 keeps the newest K `<stage>-` images (prod 30/7)", () => {
        assert.deepEqual(
            lifecyclePolicy({ stage: "prod", keepImages: 30, untaggedExpiryDays: 7 }),
            {
                rules: [
                    {
                        rulePriority: 1,
                        description: "Expire untagged images after 7 day(s)",
                        selection: {
                            tagStatus: "untagged",
                            countType: "sinceImagePushed",
                            countUnit: "days",
                            countNumber: 7,
                        },
                        action: { type: "expire" },
                    },
                    {
                        rulePriority: 2,
                        description: "Keep the newest 30 prod image(s)",
                        selection: {
                            tagStatus: "tagged",
                            tagPrefixList: ["prod-"],
                            countType: "imageCountMoreThan",
                            countNumber: 30,
                        },
                        action: { type: "expire" },
                    },
                ],
            },
        );
    });

    it("follows the settings for other stages and counts (table)", () => {
        const cases: LifecycleSettings[] = [
            { stage: "dev", keepImages: 10, untaggedExpiryDays: 1 },
            { stage: "pr-42", keepImages: 1, untaggedExpiryDays: 3653 },
        ];
        for (const s of cases)
            assert.deepEqual(
                lifecyclePolicy(s),
                expected(s.stage, s.keepImages, s.untaggedExpiryDays),
                s.stage,
            );
    });

    it("serializes to the JSON ECR expects, with the untagged rule first", () => {
        assert.equal(
            JSON.stringify(
                lifecyclePolicy({ stage: "dev", keepImages: 10, untaggedExpiryDays: 1 }),
            ),
            '{"rules":[' +
                '{"rulePriority":1,"description":"Expire untagged images after 1 day(s)","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},' +
                '{"rulePriority":2,"description":"Keep the newest 10 dev image(s)","selection":{"tagStatus":"tagged","tagPrefixList":["dev-"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}' +
                "]}",
        );
    });
});
