import * as assert from "node:assert/strict";
import { DYNAMODB_READ_ACTIONS, DYNAMODB_WRITE_ACTIONS, dynamoDbTableStatement, policyDocument, validateStatements } from "../../components/core/iam";

describe("IAM statements", () => {
    it("renders statements as a policy document with Allow by default", () => {
        assert.deepEqual(policyDocument([
            { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
            { effect: "Deny", actions: ["s3:DeleteObject"], resources: ["arn:aws:s3:::b/*"] },
        ]), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
                { Effect: "Deny", Action: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::b/*"] },
            ],
        });
    });

    it("refuses statements without actions or resources, and bare * actions", () => {
        const cases: [unknown, string][] = [
            [{}, "`p` must be a list of { actions, resources } statements; got {}."],
            [[{ actions: [], resources: ["x"] }], "`p[0].actions` must be a non-empty list of IAM actions; got []."],
            [[{ actions: ["*"], resources: ["x"] }], "`p[0].actions[0]` must be an IAM action in `service:Action` form (e.g. \"dynamodb:GetItem\"), not a bare \"*\"; got \"*\"."],
            [[{ actions: ["s3:Get*"], resources: [] }], "`p[0].resources` must be a non-empty list of resource ARNs; got []."],
            [[{ effect: "allow", actions: ["s3:Get*"], resources: ["x"] }], "`p[0].effect` must be \"Allow\" or \"Deny\"; got \"allow\"."],
        ];
        for (const [input, message] of cases) assert.throws(() => validateStatements("p", input), { message });
        assert.deepEqual(validateStatements("p", [{ actions: ["dynamodb:Get*"], resources: ["x"] }]), [{ actions: ["dynamodb:Get*"], resources: ["x"] }]);
    });

    it("grants read or read-write on a table prefix and refuses a wildcard prefix", () => {
        const rw = dynamoDbTableStatement({ region: "eu-west-1", accountId: "123456789012", tablePrefix: "campaigns-" });
        assert.deepEqual(rw.actions, [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS]);
        assert.equal(rw.resources.length, 1);
        const read = dynamoDbTableStatement({ region: "eu-west-1", accountId: "123456789012", tablePrefix: "campaigns-", access: "read" });
        assert.deepEqual(read.actions, DYNAMODB_READ_ACTIONS);
        assert.throws(() => dynamoDbTableStatement({ region: "r", accountId: "a", tablePrefix: "*" }), {
            message: "`tablePrefix` must be a non-empty DynamoDB table-name prefix of [a-zA-Z0-9_.-] (a bare \"*\" would grant every table); got \"*\".",
        });
        assert.throws(() => dynamoDbTableStatement({ region: "r", accountId: "a", tablePrefix: "t", access: "write" as never }), {
            message: "`access` must be \"read\" or \"readwrite\"; got \"write\".",
        });
    });
});
