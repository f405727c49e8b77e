import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import {
    ProgramShape,
    TYPE_ACTIONS,
    deployPolicy,
    programTypes,
} from "../../../../lib/iam/deployPolicy";
import { programShape } from "../../../../lib/iam/programShape";
import { readManifest } from "../../../../lib/manifest";
import { parseStackConfig } from "../../../../config/stackConfig";
import { readStackFile } from "../../../../config/stackFile";
import { REPO_ROOT } from "../../../support/paths";

const ROOT = REPO_ROOT;
const snapshotTypes = (stack: string): string[] =>
    [
        ...new Set(
            (
                JSON.parse(
                    fs.readFileSync(path.join(ROOT, "plan", "snapshots", `${stack}.json`), "utf8"),
                ) as { resources: { type: string }[] }
            ).resources.map((r) => r.type),
        ),
    ].sort();
const shapeOf = (stack: string): ProgramShape => {
    const config = parseStackConfig(stack, readStackFile(stack, ROOT));
    return programShape(readManifest(path.join(ROOT, config.manifest)), config);
};

describe("the deploy and preview IAM policies (lib/iam/deployPolicy)", () => {
    for (const stack of ["dev", "prod"]) {
        it(`knows exactly the resource types the ${stack} plan snapshot creates, each with its actions`, () => {
            const types = snapshotTypes(stack);
            assert.deepEqual(
                programTypes(shapeOf(stack)).filter((t) => !t.startsWith("program:")),
                types,
            );
            for (const type of types) {
                const entry = TYPE_ACTIONS[type];
                assert.ok(entry, `${type} has no entry in TYPE_ACTIONS`);
                if (!type.startsWith("lambda-docker:"))
                    assert.ok(entry.write.length > 0, `${type} has no write actions`);
            }
        });
    }

    it("every action is service:Action, and every preview action is a read (Get, List, Describe or apigateway:GET)", () => {
        for (const [type, entry] of Object.entries(TYPE_ACTIONS)) {
            for (const action of [...entry.read, ...entry.write])
                assert.match(
                    action,
                    /^[a-z0-9-]+:[A-Za-z]+$|^apigateway:(GET|POST|PUT|PATCH|DELETE)$/,
                    `${type}: ${action}`,
                );
            for (const action of entry.read)
                assert.match(
                    action,
                    /^[a-z0-9-]+:(Get|List|Describe|BatchGet)|^apigateway:GET$/,
                    `${type} reads with ${action}`,
                );
        }
    });

    it("gives exactly these statements for a service of one image function on a schedule", () => {
        const shape: ProgramShape = {
            stage: "dev",
            images: ["app"],
            layers: [],
            queues: [],
            functions: [{ name: "tick", kind: "image", events: ["schedule"] }],
            promotes: false,
        };
        const scope = {
            partition: "aws",
            region: "eu-west-1",
            account: "111122223333",
            sourceAccount: "*",
        };
        assert.deepEqual(deployPolicy(shape, scope, "preview").Statement, [
            {
                Sid: "Ecr",
                Effect: "Allow",
                Action: [
                    "ecr:BatchGetImage",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                    "ecr:GetLifecyclePolicy",
                    "ecr:ListImages",
                    "ecr:ListTagsForResource",
                ],
                Resource: ["arn:aws:ecr:eu-west-1:111122223333:repository/app-repository-*"],
            },
            {
                Sid: "EcrSts",
                Effect: "Allow",
                Action: ["ecr:GetAuthorizationToken", "sts:GetCallerIdentity"],
                Resource: ["*"],
            },
            {
                Sid: "Iam",
                Effect: "Allow",
                Action: [
                    "iam:GetRole",
                    "iam:GetRolePolicy",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListRolePolicies",
                ],
                Resource: [
                    "arn:aws:iam::111122223333:role/tick-role-*",
                    "arn:aws:iam::111122223333:role/tick-scheduler-*",
                ],
            },
            {
                Sid: "Lambda",
                Effect: "Allow",
                Action: [
                    "lambda:GetFunction",
                    "lambda:GetFunctionCodeSigningConfig",
                    "lambda:GetRuntimeManagementConfig",
                    "lambda:ListTags",
                    "lambda:ListVersionsByFunction",
                ],
                Resource: ["arn:aws:lambda:eu-west-1:111122223333:function:tick-*"],
            },
            {
                Sid: "Logs",
                Effect: "Allow",
                Action: ["logs:DescribeLogGroups"],
                Resource: ["arn:aws:logs:eu-west-1:111122223333:log-group:*"],
            },
            {
                Sid: "Logs2",
                Effect: "Allow",
                Action: ["logs:ListTagsForResource"],
                Resource: [
                    "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/tick-*",
                    "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/tick-*:*",
                ],
            },
            {
                Sid: "Scheduler",
                Effect: "Allow",
                Action: ["scheduler:GetSchedule"],
                Resource: [
                    "arn:aws:scheduler:eu-west-1:111122223333:schedule/default/tick-schedule-*",
                ],
            },
        ]);
        const deploy = deployPolicy(shape, scope, "deploy").Statement;
        assert.deepEqual(
            deploy.filter((s) => s.Action.includes("iam:PassRole")),
            [
                {
                    Sid: "Iam2",
                    Effect: "Allow",
                    Action: ["iam:PassRole"],
                    Resource: ["arn:aws:iam::111122223333:role/tick-role-*"],
                    Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
                },
                {
                    Sid: "Iam3",
                    Effect: "Allow",
                    Action: ["iam:PassRole"],
                    Resource: ["arn:aws:iam::111122223333:role/tick-scheduler-*"],
                    Condition: {
                        StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" },
                    },
                },
            ],
        );
        // The building stage's role also runs `lambda-docker smoke` (the smoke-dev job): InvokeFunction on its functions.
        assert.deepEqual(deploy.find((s) => s.Action.includes("lambda:CreateFunction"))?.Action, [
            "lambda:CreateFunction",
            "lambda:DeleteFunction",
            "lambda:DeleteFunctionConcurrency",
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:GetRuntimeManagementConfig",
            "lambda:InvokeFunction",
            "lambda:ListTags",
            "lambda:ListVersionsByFunction",
            "lambda:PublishVersion",
            "lambda:PutFunctionConcurrency",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
        ]);
        const promoting = deployPolicy({ ...shape, promotes: true }, scope, "deploy").Statement;
        assert.equal(
            promoting.some((s) => s.Action.includes("lambda:InvokeFunction")),
            false,
            "a promoting stage's role invokes nothing",
        );
        // Pushing (docker-build), and Lambda reading the image as the caller, on the one repository.
        assert.deepEqual(
            deploy.find((s) => s.Action.includes("ecr:SetRepositoryPolicy")),
            {
                Sid: "Ecr",
                Effect: "Allow",
                Resource: ["arn:aws:ecr:eu-west-1:111122223333:repository/app-repository-*"],
                Action: [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:CreateRepository",
                    "ecr:DeleteLifecyclePolicy",
                    "ecr:DeleteRepository",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:GetLifecyclePolicy",
                    "ecr:GetRepositoryPolicy",
                    "ecr:InitiateLayerUpload",
                    "ecr:ListImages",
                    "ecr:ListTagsForResource",
                    "ecr:PutImage",
                    "ecr:PutImageScanningConfiguration",
                    "ecr:PutImageTagMutability",
                    "ecr:PutLifecyclePolicy",
                    "ecr:SetRepositoryPolicy",
                    "ecr:TagResource",
                    "ecr:UntagResource",
                    "ecr:UploadLayerPart",
                ],
            },
        );
    });

    it("lets a promoting stack read and copy from the source account's repositories, and push only into its own", () => {
        const shape: ProgramShape = {
            stage: "prod",
            images: ["app"],
            layers: ["core"],
            queues: [],
            functions: [{ name: "api", kind: "zip", events: [] }],
            promotes: true,
        };
        const deploy = deployPolicy(
            shape,
            {
                partition: "aws",
                region: "us-east-1",
                account: "111122223333",
                sourceAccount: "444455556666",
            },
            "deploy",
        ).Statement;
        const push = deploy.filter((s) => s.Action.includes("ecr:PutImage"));
        assert.deepEqual(
            push.map((s) => s.Resource),
            [
                [
                    "arn:aws:ecr:us-east-1:111122223333:repository/app-repository-*",
                    "arn:aws:ecr:us-east-1:111122223333:repository/layer_artifacts-repository-*",
                    "arn:aws:ecr:us-east-1:444455556666:repository/app-repository-*",
                    "arn:aws:ecr:us-east-1:444455556666:repository/layer_artifacts-repository-*",
                ],
            ],
        );
        assert.equal(
            deploy.some((s) => s.Action.includes("ecr:ListImages")),
            false,
            "a promoting stack builds nothing, so it looks up no tag",
        );
    });
});

describe("the README's deploy-role section", () => {
    it("shows exactly what `iam-policy --stack dev --preview --account 111122223333` prints", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const marker =
            "--preview --account 111122223333` prints, for this repository:\n\n```json\n";
        const start = readme.indexOf(marker);
        assert.ok(start > 0, "the README shows the preview policy");
        const shown = readme.slice(
            start + marker.length,
            readme.indexOf("\n```", start + marker.length),
        );
        const expected = deployPolicy(
            shapeOf("dev"),
            { partition: "aws", region: "us-east-1", account: "111122223333", sourceAccount: "*" },
            "preview",
        );
        assert.equal(shown, JSON.stringify(expected, null, 2));
    });
});
