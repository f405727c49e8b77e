import * as assert from "node:assert/strict";
import { stackOf } from "../../../policy/policies";
import { PolicyInput, runPolicies } from "../../support/policyRunner";

const urn = (stack: string, type: string, name: string) =>
    `urn:pulumi:${stack}::lambda-docker::${type}::${name}`;
const res = (
    stack: string,
    type: string,
    name: string,
    props: Record<string, unknown>,
): PolicyInput => ({ type, name, props, urn: urn(stack, type, name) });

const goodRepo = (stack: string, mutability = "IMMUTABLE") => [
    res(stack, "aws:ecr/repository:Repository", "repo", {
        name: "repo-1",
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: mutability,
    }),
    res(stack, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "lifecycle", {
        repository: "repo-1",
        policy: "{}",
    }),
];

describe("the policy pack", () => {
    it("reads the stack from a URN", () => {
        assert.equal(stackOf("urn:pulumi:prod::proj::aws:ecr/repository:Repository::r"), "prod");
    });

    it("passes well-formed resources", async () => {
        assert.deepEqual(
            await runPolicies([
                ...goodRepo("prod"),
                res("prod", "aws:lambda/function:Function", "fn", {
                    packageType: "Image",
                    imageUri: `1.dkr.ecr.us-east-1.amazonaws.com/r@sha256:${"a".repeat(64)}`,
                    layers: [],
                }),
                res("prod", "aws:iam/rolePolicy:RolePolicy", "p", {
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["dynamodb:GetItem"],
                                Resource: ["arn:aws:dynamodb:us-east-1:1:table/t*"],
                            },
                            { Effect: "Allow", Action: ["xray:PutTraceSegments"], Resource: "*" },
                            { Effect: "Deny", Action: "*", Resource: "*" },
                        ],
                    }),
                }),
                res("prod", "aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 14 }),
            ]),
            [],
        );
    });

    it('honours allowWildcards for exactly the actions AWS grants only on "*" (lib/iam/starOnlyActions, one list)', async () => {
        const policy = (actions: string[]) =>
            res("dev", "aws:iam/rolePolicy:RolePolicy", "p", {
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
                }),
            });
        // aws-billing-to-slack's statements, as the importer writes them with allowWildcards.
        assert.deepEqual(
            await runPolicies([policy(["ce:GetCostAndUsage", "iam:ListAccountAliases"])]),
            [],
        );
        assert.deepEqual(
            await runPolicies([policy(["lambda:InvokeFunction", "ce:GetCostAndUsage"])]),
            [
                'iam-no-wildcards: Role policy "p": statement 0 grants lambda:InvokeFunction on resource "*"; name the ARNs (only actions without resource-level permissions may use "*").',
            ],
        );
    });

    it("fires each rule with a clear message on a bad resource", async () => {
        const cases: [PolicyInput[], string[]][] = [
            [
                [
                    res("dev", "aws:ecr/repository:Repository", "r", {
                        name: "r",
                        imageScanningConfiguration: { scanOnPush: false },
                    }),
                    res("dev", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "l", { repository: "r" }),
                ],
                [
                    "ecr-scan-on-push: ECR repository must scan images on push: set imageScanningConfiguration.scanOnPush = true (EcrRepository `scanOnPush`).",
                ],
            ],
            [
                goodRepo("prod", "MUTABLE"),
                [
                    'ecr-prod-immutable-tags: ECR repository in production stack "prod" must have IMMUTABLE tags; got "MUTABLE" (EcrRepository `tagMutability`).',
                ],
            ],
            [
                [
                    res("dev", "aws:ecr/repository:Repository", "lonely", {
                        name: "lonely",
                        imageScanningConfiguration: { scanOnPush: true },
                    }),
                ],
                [
                    'ecr-lifecycle-policy: ECR repository "lonely" has no lifecycle policy: old images pile up (EcrRepository creates one).',
                ],
            ],
            [
                [
                    res("dev", "aws:lambda/function:Function", "f", {
                        packageType: "Image",
                        imageUri: "1.dkr.ecr.us-east-1.amazonaws.com/r:latest",
                    }),
                ],
                [
                    'lambda-image-digest-pinned: Image function must pin its image by digest (<repository>@sha256:…); got "1.dkr.ecr.us-east-1.amazonaws.com/r:latest". A tag can move without the function updating.',
                ],
            ],
            [
                [
                    res("dev", "aws:iam/rolePolicy:RolePolicy", "p", {
                        policy: JSON.stringify({
                            Statement: [
                                {
                                    Effect: "Allow",
                                    Action: ["s3:*", "dynamodb:GetItem"],
                                    Resource: "*",
                                },
                            ],
                        }),
                    }),
                ],
                [
                    'iam-no-wildcards: Role policy "p": statement 0 allows the wildcard action "s3:*"; list the actions the function needs.',
                    'iam-no-wildcards: Role policy "p": statement 0 grants s3:*, dynamodb:GetItem on resource "*"; name the ARNs (only actions without resource-level permissions may use "*").',
                ],
            ],
            [
                [
                    res("dev", "aws:iam/policy:Policy", "q", {
                        policy: {
                            Statement: { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" },
                        },
                    }),
                ],
                [
                    'iam-no-wildcards: Policy "q": statement 0 allows the wildcard action "*"; list the actions the function needs.',
                ],
            ],
            [
                [res("dev", "aws:cloudwatch/logGroup:LogGroup", "g", {})],
                [
                    "log-group-retention: CloudWatch log group must set retentionInDays (logs otherwise never expire).",
                ],
            ],
            [
                [
                    res("dev", "aws:lambda/function:Function", "z", {
                        packageType: "Zip",
                        layers: ["a", "b", "c", "d", "e", "f"],
                    }),
                ],
                ["lambda-max-layers: Function has 6 layers; Lambda allows at most 5."],
            ],
        ];
        for (const [resources, expected] of cases)
            assert.deepEqual(await runPolicies(resources), expected);
    });
});
