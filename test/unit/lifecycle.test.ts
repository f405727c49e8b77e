import * as assert from "node:assert/strict";
import { lifecyclePolicy } from "../../components/core/lifecycle";

describe("ECR lifecycle policy", () => {
    it("expires untagged images first, then keeps the newest stage images", () => {
        assert.deepEqual(lifecyclePolicy({ stage: "prod", keepImages: 30, untaggedExpiryDays: 7 }), {
            rules: [
                {
                    rulePriority: 1,
                    description: "Expire untagged images after 7 day(s)",
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: "Keep the newest 30 prod image(s)",
                    selection: { tagStatus: "tagged", tagPrefixList: ["prod-"], countType: "imageCountMoreThan", countNumber: 30 },
                    action: { type: "expire" },
                },
            ],
        });
    });
});
