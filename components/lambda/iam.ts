/** IAM documents for function roles: trust policy, least-privilege logging, user statements (validated in lib/iamStatements). */
import * as pulumi from "@pulumi/pulumi";
import {
    DYNAMODB_READ_ACTIONS,
    DYNAMODB_WRITE_ACTIONS,
    Effect,
    PolicyStatementShape,
    partitionOfRegion,
    validateStatements as validateStatementShapes,
} from "../../lib/iamStatements";
import { fail } from "../../lib/validation";

export {
    DYNAMODB_READ_ACTIONS,
    DYNAMODB_WRITE_ACTIONS,
    Effect,
    partitionOfRegion,
} from "../../lib/iamStatements";

/** One IAM statement. Resources may be outputs (ARNs of other resources). An interface, not an alias, so Pulumi's schema analyzer can serve it. */
export interface PolicyStatementArgs extends PolicyStatementShape<pulumi.Input<string>> {
    /** @default "Allow" */
    readonly effect?: Effect;
    /** IAM actions such as `dynamodb:GetItem`; wildcards inside an action (`dynamodb:Get*`) are allowed. */
    readonly actions: string[];
    /** Resource ARNs the actions apply to. */
    readonly resources: pulumi.Input<string>[];
    /** Allow a whole-service action (`s3:*`, `*`) or the resource `*` in this statement. @default false */
    readonly allowWildcards?: boolean;
}

/** An IAM policy document as AWS expects it, resources possibly unresolved. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: { Effect: "Allow" | "Deny"; Action: string[]; Resource: pulumi.Input<string>[] }[];
}

/** Validates statements whose resources may be outputs. */
export function validateStatements(key: string, statements: unknown): PolicyStatementArgs[] {
    return validateStatementShapes<pulumi.Input<string>>(key, statements);
}

export function policyDocument(statements: readonly PolicyStatementArgs[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: statements.map((s) => ({
            Effect: s.effect ?? "Allow",
            Action: [...s.actions],
            Resource: [...s.resources],
        })),
    };
}

/** Trust policy that lets the Lambda service assume a function's role. */
export const LAMBDA_ASSUME_ROLE_POLICY = {
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
        },
    ],
} as const;

/**
 * Basic execution, narrowed to the function's own log group: the managed
 * AWSLambdaBasicExecutionRole grants the same actions on every log group in the account.
 */
export function logWriteStatements(logGroupArn: pulumi.Input<string>): PolicyStatementArgs[] {
    return [
        {
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [pulumi.interpolate`${logGroupArn}:*`],
        },
    ];
}

/** X-Ray has no resource-level permissions, so active tracing uses AWS's managed write policy, in the account's partition. */
export function xrayWritePolicyArn(partition: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/AWSXRayDaemonWriteAccess`;
}

export interface DynamoDbAccessArgs {
    /** Region of the tables, e.g. from `aws.getRegionOutput().region`. */
    readonly region: pulumi.Input<string>;
    /** Account of the tables, e.g. from `aws.getCallerIdentityOutput().accountId`. */
    readonly accountId: pulumi.Input<string>;
    /** Table-name prefix: access covers `table/<prefix>*`, including those tables' indexes and streams. */
    readonly tablePrefix: string;
    /** @default "readwrite" */
    readonly access?: "read" | "readwrite";
    /** ARN partition, e.g. from `aws.getPartitionOutput().partition`. @default the region's partition (aws, aws-cn, aws-us-gov…) */
    readonly partition?: pulumi.Input<string>;
}

/**
 * The statement for the common case of a function that works on a family of DynamoDB tables:
 * `arn:<partition>:dynamodb:<region>:<account>:table/<prefix>*`.
 */
export function dynamoDbTableStatement(args: DynamoDbAccessArgs): PolicyStatementArgs {
    const prefix = args.tablePrefix;
    if (typeof prefix !== "string" || !/^[a-zA-Z0-9_.-]{1,255}$/.test(prefix)) {
        fail(
            "tablePrefix",
            'a non-empty DynamoDB table-name prefix of [a-zA-Z0-9_.-] (a bare "*" would grant every table)',
            prefix,
        );
    }
    const access = args.access ?? "readwrite";
    if (access !== "read" && access !== "readwrite")
        fail("access", '"read" or "readwrite"', access);
    return {
        actions:
            access === "read"
                ? [...DYNAMODB_READ_ACTIONS]
                : [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS],
        resources: [
            pulumi.interpolate`arn:${args.partition ?? pulumi.output(args.region).apply(partitionOfRegion)}:dynamodb:${args.region}:${args.accountId}:table/${prefix}*`,
        ],
    };
}
