/**
 * lambda-docker's guardrails, as Pulumi policies. Kept apart from index.ts because constructing a
 * PolicyPack starts the analyzer server; tests run these validations directly.
 */
import * as aws from "@pulumi/aws";
import {
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { isStarOnlyAction } from "../lib/iam/starOnlyActions";

/** Stacks treated as production: `prod`, `production`, or a name ending `-prod`. */
export const PROD_STACK = /^(prod|production)$|-prod$/;

/** The stack of a resource URN: `urn:pulumi:<stack>::<project>::…`. */
export function stackOf(urn: string): string {
    return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}

export const MAX_LAYERS = 5;

const toList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parsePolicy(policy: unknown): { Statement?: unknown } | undefined {
    if (typeof policy === "string") {
        try {
            return JSON.parse(policy);
        } catch {
            return undefined;
        }
    }
    return typeof policy === "object" && policy !== null
        ? (policy as { Statement?: unknown })
        : undefined;
}

/** Reports `*` actions, and `*` resources on actions that support narrower ones, in an IAM policy document. */
export function checkPolicyDocument(policy: unknown, report: ReportViolation, where: string): void {
    const doc = parsePolicy(policy);
    if (!doc) return; // unknown during preview
    for (const [i, s] of toList(doc.Statement).entries()) {
        const st = s as { Effect?: string; Action?: unknown; Resource?: unknown };
        if (st.Effect === "Deny") continue;
        const actions = toList(st.Action).map(String);
        for (const action of actions.filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a))) {
            report(
                `${where}: statement ${i} allows the wildcard action "${action}"; list the actions the function needs.`,
            );
        }
        if (toList(st.Resource).includes("*")) {
            const narrowable = actions.filter((a) => !isStarOnlyAction(a));
            if (narrowable.length > 0) {
                report(
                    `${where}: statement ${i} grants ${narrowable.join(", ")} on resource "*"; name the ARNs (only actions without resource-level permissions may use "*").`,
                );
            }
        }
    }
}

export const scanOnPush: ResourceValidationPolicy = {
    name: "ecr-scan-on-push",
    description: "ECR repositories scan images on push.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        if (repo.imageScanningConfiguration?.scanOnPush !== true) {
            report(
                "ECR repository must scan images on push: set imageScanningConfiguration.scanOnPush = true (EcrRepository `scanOnPush`).",
            );
        }
    }),
};

export const prodImmutableTags: ResourceValidationPolicy = {
    name: "ecr-prod-immutable-tags",
    description: "Production ECR repositories have immutable tags.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, args, report) => {
        const stack = stackOf(args.urn);
        if (
            PROD_STACK.test(stack) &&
            !["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"].includes(String(repo.imageTagMutability))
        ) {
            report(
                `ECR repository in production stack "${stack}" must have IMMUTABLE tags; got ${JSON.stringify(repo.imageTagMutability ?? "MUTABLE")} (EcrRepository \`tagMutability\`).`,
            );
        }
    }),
};

export const repositoryLifecycle: StackValidationPolicy = {
    name: "ecr-lifecycle-policy",
    description: "Every ECR repository has a lifecycle policy.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = args.resources.filter(
            (r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        );
        for (const repo of args.resources.filter(
            (r) => r.type === "aws:ecr/repository:Repository",
        )) {
            const covered = policies.some(
                (p) =>
                    (repo.props.name !== undefined && p.props.repository === repo.props.name) ||
                    p.dependencies.some((d) => d.urn === repo.urn),
            );
            if (!covered)
                report(
                    `ECR repository "${repo.name}" has no lifecycle policy: old images pile up (EcrRepository creates one).`,
                    repo.urn,
                );
        }
    },
};

export const digestPinnedImages: ResourceValidationPolicy = {
    name: "lambda-image-digest-pinned",
    description: "Container-image functions use a digest-pinned imageUri.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        if (
            fn.packageType === "Image" &&
            typeof fn.imageUri === "string" &&
            !/@sha256:[0-9a-f]{64}$/.test(fn.imageUri)
        ) {
            report(
                `Image function must pin its image by digest (<repository>@sha256:…); got ${JSON.stringify(fn.imageUri)}. A tag can move without the function updating.`,
            );
        }
    }),
};

export const leastPrivilegeIam: ResourceValidationPolicy = {
    name: "iam-no-wildcards",
    description:
        "IAM policies grant no `*` action, and no `*` resource where AWS allows a narrower one.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.iam.RolePolicy, (p, args, report) =>
            checkPolicyDocument(p.policy, report, `Role policy "${args.name}"`),
        ),
        validateResourceOfType(aws.iam.Policy, (p, args, report) =>
            checkPolicyDocument(p.policy, report, `Policy "${args.name}"`),
        ),
    ],
};

export const logRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "CloudWatch log groups have a retention period.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
        if (!group.retentionInDays)
            report("CloudWatch log group must set retentionInDays (logs otherwise never expire).");
    }),
};

export const layerLimit: ResourceValidationPolicy = {
    name: "lambda-max-layers",
    description: `Functions use at most ${MAX_LAYERS} layers.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, report) => {
        const count = (fn.layers ?? []).length;
        if (count > MAX_LAYERS)
            report(`Function has ${count} layers; Lambda allows at most ${MAX_LAYERS}.`);
    }),
};

export const policies = [
    scanOnPush,
    prodImmutableTags,
    repositoryLifecycle,
    digestPinnedImages,
    leastPrivilegeIam,
    logRetention,
    layerLimit,
];
