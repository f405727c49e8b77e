import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    DYNAMODB_READ_ACTIONS,
    DYNAMODB_WRITE_ACTIONS,
    LAMBDA_ASSUME_ROLE_POLICY,
    PolicyStatementArgs,
    dynamoDbTableStatement,
    logWriteStatements,
    partitionOfRegion,
    policyDocument,
    validateStatements,
    xrayWritePolicyArn,
} from "../../../../components/lambda/iam";

/** Resolves an Output (or plain value / promise) outside a Pulumi program, without mocks. */
function resolve<T>(input: pulumi.Input<T>): Promise<T> {
    return new Promise((r) => {
        pulumi.output(input).apply((value) => {
            r(value as T);
            return value;
        });
    });
}

const ACTION_MSG =
    'an IAM action in `service:Action` form (e.g. "dynamodb:GetItem"), not a bare "*"';
const PREFIX_MSG =
    'a non-empty DynamoDB table-name prefix of [a-zA-Z0-9_.-] (a bare "*" would grant every table)';

describe("IAM: policy documents", () => {
    it("policyDocument renders statements with Version 2012-10-17 and Allow as the default effect", () => {
        assert.deepEqual(
            policyDocument([
                { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
                {
                    effect: "Deny",
                    actions: ["s3:DeleteObject", "s3:PutObject"],
                    resources: ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"],
                },
                {
                    effect: "Allow",
                    actions: ["sqs:SendMessage"],
                    resources: ["arn:aws:sqs:us-east-1:1:q"],
                },
            ]),
            {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
                    {
                        Effect: "Deny",
                        Action: ["s3:DeleteObject", "s3:PutObject"],
                        Resource: ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"],
                    },
                    {
                        Effect: "Allow",
                        Action: ["sqs:SendMessage"],
                        Resource: ["arn:aws:sqs:us-east-1:1:q"],
                    },
                ],
            },
        );
        assert.deepEqual(policyDocument([]), { Version: "2012-10-17", Statement: [] });
    });

    it("policyDocument copies the action and resource lists, so later edits to the input don't leak in", () => {
        const statement = { actions: ["s3:GetObject"], resources: ["arn:a"] };
        const doc = policyDocument([statement]);
        statement.actions.push("s3:PutObject");
        statement.resources.push("arn:b");
        assert.deepEqual(doc.Statement[0], {
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: ["arn:a"],
        });
    });

    it("the trust policy lets only lambda.amazonaws.com assume the role, and X-Ray uses AWS's managed write policy in the partition", async () => {
        assert.deepEqual(LAMBDA_ASSUME_ROLE_POLICY, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                },
            ],
        });
        assert.equal(
            await resolve(xrayWritePolicyArn("aws")),
            "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        );
        assert.equal(
            await resolve(xrayWritePolicyArn(pulumi.output("aws-us-gov"))),
            "arn:aws-us-gov:iam::aws:policy/AWSXRayDaemonWriteAccess",
        );
    });

    it("logWriteStatements grants CreateLogStream and PutLogEvents on `<log group ARN>:*` only", async () => {
        const statements = logWriteStatements(
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn",
        );
        assert.equal(statements.length, 1);
        assert.equal(statements[0].effect, undefined);
        assert.deepEqual(statements[0].actions, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.equal(statements[0].resources.length, 1);
        assert.equal(
            await resolve(statements[0].resources[0]),
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*",
        );
        const fromOutput = logWriteStatements(pulumi.output("arn:lg"));
        assert.equal(await resolve(fromOutput[0].resources[0]), "arn:lg:*");
    });
});

describe("IAM: validateStatements", () => {
    it("returns the statements unchanged when well formed, including wildcards inside actions and Output resources", () => {
        const out = pulumi.output("arn:aws:dynamodb:us-east-1:1:table/t");
        const statements: PolicyStatementArgs[] = [
            {
                actions: [
                    "dynamodb:GetItem",
                    "dynamodb:Get*",
                    "ec2:Describe?",
                    "execute-api:Invoke",
                ],
                resources: ["arn:x", out],
            },
            { effect: "Deny", actions: ["s3:DeleteObject"], resources: ["arn:y"] },
            {
                effect: "Allow",
                actions: ["sqs:SendMessage"],
                resources: ["*"],
                allowWildcards: true,
            },
        ];
        assert.equal(validateStatements("p", statements), statements);
        assert.deepEqual(validateStatements("p", []), []);
    });

    it("rejects each malformed statement with the exact path of the bad field", () => {
        const cases: [unknown, string][] = [
            [{}, "`p` must be a list of { actions, resources } statements; got {}."],
            ["x", '`p` must be a list of { actions, resources } statements; got "x".'],
            [undefined, "`p` must be a list of { actions, resources } statements; got undefined."],
            [[null], "`p[0]` must be an object { effect?, actions, resources }; got null."],
            [
                [{ actions: ["s3:A"], resources: ["x"] }, "s"],
                '`p[1]` must be an object { effect?, actions, resources }; got "s".',
            ],
            [
                [{ effect: "allow", actions: ["s3:Get*"], resources: ["x"] }],
                '`p[0].effect` must be "Allow" or "Deny"; got "allow".',
            ],
            [
                [{ effect: null, actions: ["s3:Get*"], resources: ["x"] }],
                '`p[0].effect` must be "Allow" or "Deny"; got null.',
            ],
            [
                [{ resources: ["x"] }],
                "`p[0].actions` must be a non-empty list of IAM actions; got undefined.",
            ],
            [
                [{ actions: [], resources: ["x"] }],
                "`p[0].actions` must be a non-empty list of IAM actions; got [].",
            ],
            [
                [{ actions: "s3:GetObject", resources: ["x"] }],
                '`p[0].actions` must be a non-empty list of IAM actions; got "s3:GetObject".',
            ],
            [
                [{ actions: ["s3:GetObject"] }],
                "`p[0].resources` must be a non-empty list of resource ARNs; got undefined.",
            ],
            [
                [{ actions: ["s3:GetObject"], resources: [] }],
                "`p[0].resources` must be a non-empty list of resource ARNs; got [].",
            ],
            [
                [{ actions: ["s3:GetObject"], resources: "arn:x" }],
                '`p[0].resources` must be a non-empty list of resource ARNs; got "arn:x".',
            ],
            [
                [{ actions: ["s3:GetObject"], resources: ["arn:x", " "] }],
                '`p[0].resources[1]` must be a non-empty string; got " ".',
            ],
            [
                [{ actions: ["s3:GetObject"], resources: [""] }],
                '`p[0].resources[0]` must be a non-empty string; got "".',
            ],
        ];
        for (const [input, message] of cases)
            assert.throws(() => validateStatements("p", input), {
                name: "ValidationError",
                message,
            });
    });

    it("rejects actions not in `service:Action` form: bare *, no service, upper-case service, hyphenated action, non-strings", () => {
        for (const action of [
            "s3",
            "S3:GetObject",
            "s3:Get-Object",
            ":GetObject",
            "s3:",
            "s3:Get Object",
            "s3::Get",
        ]) {
            assert.throws(
                () =>
                    validateStatements("p", [
                        { actions: ["s3:GetObject", action], resources: ["x"] },
                    ]),
                {
                    message: `\`p[0].actions[1]\` must be ${ACTION_MSG}; got ${JSON.stringify(action)}.`,
                },
            );
        }
        assert.throws(() => validateStatements("p", [{ actions: [7], resources: ["x"] }]), {
            message: `\`p[0].actions[0]\` must be ${ACTION_MSG}; got 7.`,
        });
    });

    it("refuses whole-service actions and the resource * unless the statement sets allowWildcards", () => {
        const hint = "set `allowWildcards: true` on the statement to grant it on purpose";
        for (const action of ["*", "*:*", "s3:*", "dynamodb:*"]) {
            assert.throws(
                () => validateStatements("p", [{ actions: [action], resources: ["arn:x"] }]),
                {
                    message: `\`p[0].actions[0]\` must be an IAM action in \`service:Action\` form (e.g. "dynamodb:GetItem"), not "*" or "<service>:*" (${hint}); got ${JSON.stringify(action)}.`,
                },
            );
            assert.deepEqual(
                validateStatements("p", [
                    { actions: [action], resources: ["arn:x"], allowWildcards: true },
                ]).length,
                1,
            );
        }
        assert.throws(
            () =>
                validateStatements("p", [{ actions: ["s3:GetObject"], resources: ["arn:x", "*"] }]),
            {
                message: `\`p[0].resources[1]\` must be a resource ARN, not "*" (${hint}); got "*".`,
            },
        );
        assert.throws(
            () =>
                validateStatements("p", [
                    { actions: ["s3:GetObject"], resources: ["*"], allowWildcards: "yes" },
                ]),
            {
                message: '`p[0].allowWildcards` must be true or false; got "yes".',
            },
        );
        assert.equal(
            validateStatements("p", [{ actions: ["s3:Get*"], resources: ["arn:aws:s3:::b/*"] }])
                .length,
            1,
        ); // partial wildcards stay allowed
        assert.equal(
            validateStatements("p", [
                { actions: ["xray:PutTraceSegments"], resources: ["*"], allowWildcards: true },
            ]).length,
            1,
        );
    });
});

describe("IAM: dynamoDbTableStatement", () => {
    it("has exactly six read actions and four write actions", () => {
        assert.deepEqual(DYNAMODB_READ_ACTIONS, [
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
        ]);
        assert.deepEqual(DYNAMODB_WRITE_ACTIONS, [
            "dynamodb:BatchWriteItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ]);
    });

    it("grants read-write by default and read only on request, on arn:aws:dynamodb:<region>:<account>:table/<prefix>*", async () => {
        const rw = dynamoDbTableStatement({
            region: "eu-west-1",
            accountId: "123456789012",
            tablePrefix: "campaigns-",
        });
        assert.equal(rw.effect, undefined);
        assert.deepEqual(rw.actions, [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS]);
        assert.equal(rw.resources.length, 1);
        assert.equal(
            await resolve(rw.resources[0]),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/campaigns-*",
        );

        const explicit = dynamoDbTableStatement({
            region: "eu-west-1",
            accountId: "1",
            tablePrefix: "t",
            access: "readwrite",
        });
        assert.deepEqual(explicit.actions, [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS]);

        const read = dynamoDbTableStatement({
            region: pulumi.output("us-east-1"),
            accountId: Promise.resolve("999"),
            tablePrefix: "a_b.c",
            access: "read",
        });
        assert.deepEqual(read.actions, DYNAMODB_READ_ACTIONS);
        assert.equal(
            await resolve(read.resources[0]),
            "arn:aws:dynamodb:us-east-1:999:table/a_b.c*",
        );
    });

    it("puts the table ARN in the region's partition, or the one given", async () => {
        assert.equal(
            await resolve(
                dynamoDbTableStatement({ region: "cn-north-1", accountId: "1", tablePrefix: "t" })
                    .resources[0],
            ),
            "arn:aws-cn:dynamodb:cn-north-1:1:table/t*",
        );
        assert.equal(
            await resolve(
                dynamoDbTableStatement({
                    region: "us-gov-west-1",
                    accountId: "1",
                    tablePrefix: "t",
                }).resources[0],
            ),
            "arn:aws-us-gov:dynamodb:us-gov-west-1:1:table/t*",
        );
        assert.equal(
            await resolve(
                dynamoDbTableStatement({
                    region: "eu-west-1",
                    accountId: "1",
                    tablePrefix: "t",
                    partition: pulumi.output("aws-x"),
                }).resources[0],
            ),
            "arn:aws-x:dynamodb:eu-west-1:1:table/t*",
        );
        const cases: [string, string][] = [
            ["us-east-1", "aws"],
            ["cn-northwest-1", "aws-cn"],
            ["us-gov-east-1", "aws-us-gov"],
            ["us-iso-east-1", "aws-iso"],
            ["us-isob-east-1", "aws-iso-b"],
        ];
        for (const [region, partition] of cases)
            assert.equal(partitionOfRegion(region), partition, region);
    });

    it("returns fresh action arrays, so mutating one statement can't widen another", () => {
        const a = dynamoDbTableStatement({
            region: "r",
            accountId: "a",
            tablePrefix: "t",
            access: "read",
        });
        a.actions.push("dynamodb:PutItem");
        assert.deepEqual(
            dynamoDbTableStatement({
                region: "r",
                accountId: "a",
                tablePrefix: "t",
                access: "read",
            }).actions,
            DYNAMODB_READ_ACTIONS,
        );
        assert.equal(DYNAMODB_READ_ACTIONS.length, 6);
    });

    it("accepts a 255-character prefix and rejects *, empty, spaces, slashes, 256 characters and non-strings", () => {
        assert.deepEqual(
            dynamoDbTableStatement({ region: "r", accountId: "a", tablePrefix: "p".repeat(255) })
                .actions.length,
            10,
        );
        const bad: unknown[] = ["*", "", "a b", "a/b", "t*", "p".repeat(256), undefined, 5];
        for (const tablePrefix of bad) {
            assert.throws(
                () =>
                    dynamoDbTableStatement({
                        region: "r",
                        accountId: "a",
                        tablePrefix: tablePrefix as string,
                    }),
                {
                    name: "ValidationError",
                    message: `\`tablePrefix\` must be ${PREFIX_MSG}; got ${tablePrefix === undefined ? "undefined" : JSON.stringify(tablePrefix)}.`,
                },
            );
        }
    });

    it("rejects an access other than read or readwrite", () => {
        for (const access of ["write", "READ", ""]) {
            assert.throws(
                () =>
                    dynamoDbTableStatement({
                        region: "r",
                        accountId: "a",
                        tablePrefix: "t",
                        access: access as never,
                    }),
                {
                    message: `\`access\` must be "read" or "readwrite"; got ${JSON.stringify(access)}.`,
                },
            );
        }
    });
});

describe("IAM statement resources", () => {
    it("refuses resources that are neither ARN strings nor outputs", () => {
        assert.throws(
            () =>
                validateStatements("p", [
                    { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*", 42] },
                ]),
            {
                message:
                    "`p[0].resources[1]` must be a resource ARN (a string or an output); got 42.",
            },
        );
    });
});
