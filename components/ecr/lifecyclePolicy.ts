/**
 * The ECR lifecycle policy for per-stage images, as @pulumi/aws's typed document (why not awsx:
 * docs/design/components.md).
 */
import type * as aws from "@pulumi/aws";

export interface LifecycleSettings {
    /** Stage whose images (tags starting `<stage>-`) are counted. */
    readonly stage: string;
    /** Newest stage images kept. */
    readonly keepImages: number;
    /** Days after which untagged images (superseded layers, dangling pushes) expire. */
    readonly untaggedExpiryDays: number;
}

export function lifecyclePolicy(settings: LifecycleSettings): aws.ecr.LifecyclePolicyDocument {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images after ${settings.untaggedExpiryDays} day(s)`,
                selection: {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: settings.untaggedExpiryDays,
                },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${settings.keepImages} ${settings.stage} image(s)`,
                selection: {
                    tagStatus: "tagged",
                    tagPrefixList: [`${settings.stage}-`],
                    countType: "imageCountMoreThan",
                    countNumber: settings.keepImages,
                },
                action: { type: "expire" },
            },
        ],
    };
}
