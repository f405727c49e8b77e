/** ImageFunction and ZipFunction expose the same outputs, take the same settings and name their log group after the function. */
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ImageFunction, ZipFunction } from "../../../../components";
import { urnSuffixedName } from "../../../../components/internal/names";
import { ACCOUNT, REGION, ResourceRecorder, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app@sha256:${"a".repeat(64)}`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:failed`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:failed`;
const settings = {
    vpcConfig: { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] },
    ephemeralStorage: 2048,
    kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`,
    publish: true,
};

describe("function parity", () => {
    let dir: string;
    beforeEach(async () => {
        await recorder.install("dev");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-parity-"));
        fs.writeFileSync(path.join(dir, "api.py"), "def handler(event, context):\n    return {}\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const make = {
        ImageFunction: (extra: object) =>
            new ImageFunction("fn", { image: IMAGE, command: ["app.handler"], ...extra }),
        ZipFunction: (extra: object) =>
            new ZipFunction("fn", {
                code: dir,
                handler: "api.handler",
                cacheDir: path.join(dir, ".cache"),
                ...extra,
            }),
    };

    for (const [type, create] of Object.entries(make)) {
        it(`${type} exposes function, role and logGroup, passes VPC, storage, DLQ, KMS and publish, and logs to /aws/lambda/<function name>`, async () => {
            const fn = create({
                ...settings,
                deadLetterTargetArn: type === "ZipFunction" ? TOPIC : DLQ,
            });
            assert.ok(fn.function instanceof aws.lambda.Function);
            assert.ok(fn.role instanceof aws.iam.Role);
            assert.ok(fn.logGroup instanceof aws.cloudwatch.LogGroup);
            const name = urnSuffixedName(
                "fn",
                `urn:pulumi:dev::lambda-docker::lambda-docker:index:${type}::fn`,
            );
            assert.equal(await valueOf(fn.functionName), name);
            assert.equal(await valueOf(fn.logGroupName), `/aws/lambda/${name}`);
            await recorder.settle();
            const f = recorder.one("aws:lambda/function:Function", "fn-function").inputs;
            assert.deepEqual(
                [
                    f.name,
                    f.vpcConfig,
                    f.ephemeralStorage,
                    f.deadLetterConfig,
                    f.kmsKeyArn,
                    f.publish,
                    f.loggingConfig.logGroup,
                ],
                [
                    name,
                    settings.vpcConfig,
                    { size: 2048 },
                    { targetArn: type === "ZipFunction" ? TOPIC : DLQ },
                    settings.kmsKeyArn,
                    true,
                    `/aws/lambda/${name}`,
                ],
            );
            const vpc = recorder.one(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "fn-vpc",
            ).inputs;
            assert.equal(
                vpc.policyArn,
                "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            );
            const statements = JSON.parse(
                recorder.one("aws:iam/rolePolicy:RolePolicy", "fn-policy").inputs.policy,
            ).Statement;
            assert.deepEqual(
                statements.at(-1),
                type === "ZipFunction"
                    ? { Effect: "Allow", Action: ["sns:Publish"], Resource: [TOPIC] }
                    : { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [DLQ] },
            );
        });

        it(`${type} keeps its function name from one run to the next, and takes an explicit one`, async () => {
            const first = await valueOf(create({}).functionName);
            await recorder.install("dev");
            assert.equal(await valueOf(create({}).functionName), first);
            await recorder.install("dev");
            const named = create({ functionName: "orders-api" });
            assert.deepEqual(
                [await valueOf(named.functionName), await valueOf(named.logGroupName)],
                ["orders-api", "/aws/lambda/orders-api"],
            );
        });

        it(`${type} refuses a bad ephemeral storage size and a dead-letter target that is neither a queue nor a topic`, () => {
            assert.throws(() => create({ ephemeralStorage: 100 }), {
                message: `${type} "fn": \`ephemeralStorage\` must be an integer from 512 to 10240 (MB); got 100.`,
            });
            assert.throws(() => create({ deadLetterTargetArn: "arn:aws:s3:::bucket" }), {
                message: `${type} "fn": \`deadLetterTargetArn\` must be an SQS queue or SNS topic ARN (arn:aws:sqs:… or arn:aws:sns:…); got "arn:aws:s3:::bucket".`,
            });
            assert.throws(
                () => create({ vpcConfig: { subnetIds: [], securityGroupIds: ["sg-1"] } }),
                {
                    message: `${type} "fn": \`vpcConfig.subnetIds\` must be a non-empty list; got [].`,
                },
            );
        });
    }
});
