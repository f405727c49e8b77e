/**
 * IAM documents for function roles: trust policy, least-privilege logging and user statements.
 */
import * as pulumi from "@pulumi/pulumi";
import { fail, nonEmptyString } from "../../lib/validation";

/** IAM statement effects. */
export const Effect = { Allow: "Allow", Deny: "Deny" } as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

/** One IAM statement. Resources may be outputs (ARNs of other resources). */
export interface PolicyStatementArgs {
    /** @default "Allow" */
    readonly effect?: Effect;
    /** IAM actions such as `dynamodb:GetItem`; wildcards inside an action (`dynamodb:Get*`) are allowed. */
    readonly actions: string[];
    /** Resource ARNs the actions apply to. */
    readonly resources: pulumi.Input<string>[];
    /**
     * Allow a whole-service action (`s3:*`, `*`) or the resource `*` in this statement. Refused without
     * it, so a grant of everything is always written down on purpose. @default false
     */
    readonly allowWildcards?: boolean;
}

/** An IAM policy document as AWS expects it, resources possibly unresolved. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: { Effect: "Allow" | "Deny"; Action: string[]; Resource: pulumi.Input<string>[] }[];
}

const ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** Actions and resources that grant everything: `*`, `*:*` and `<service>:*`, and the resource `*`. */
const WILDCARD_ACTION = /^([a-z0-9-]+|\*):\*$|^\*$/;
const ACTION_ALLOWED = "an IAM action in `service:Action` form (e.g. \"dynamodb:GetItem\")";
const WILDCARD_HINT = "set `allowWildcards: true` on the statement to grant it on purpose";

export function validateStatements(key: string, statements: unknown): PolicyStatementArgs[] {
    if (!Array.isArray(statements)) fail(key, "a list of { actions, resources } statements", statements);
    statements.forEach((s, i) => {
        const k = `${key}[${i}]`;
        if (typeof s !== "object" || s === null) fail(k, "an object { effect?, actions, resources }", s);
        const { effect, actions, resources, allowWildcards } = s as Record<string, unknown>;
        if (effect !== undefined && effect !== "Allow" && effect !== "Deny") fail(`${k}.effect`, "\"Allow\" or \"Deny\"", effect);
        if (allowWildcards !== undefined && typeof allowWildcards !== "boolean") fail(`${k}.allowWildcards`, "true or false", allowWildcards);
        const wildcards = allowWildcards === true;
        if (!Array.isArray(actions) || actions.length === 0) fail(`${k}.actions`, "a non-empty list of IAM actions", actions);
        actions.forEach((a, j) => {
            if (typeof a === "string" && WILDCARD_ACTION.test(a)) {
                if (!wildcards) fail(`${k}.actions[${j}]`, `${ACTION_ALLOWED}, not "*" or "<service>:*" (${WILDCARD_HINT})`, a);
            } else if (typeof a !== "string" || !ACTION_PATTERN.test(a)) {
                fail(`${k}.actions[${j}]`, `${ACTION_ALLOWED}, not a bare "*"`, a);
            }
        });
        if (!Array.isArray(resources) || resources.length === 0) fail(`${k}.resources`, "a non-empty list of resource ARNs", resources);
        resources.forEach((r, j) => {
            if (typeof r === "string") {
                nonEmptyString(`${k}.resources[${j}]`, r);
                if (r === "*" && !wildcards) fail(`${k}.resources[${j}]`, `a resource ARN, not "*" (${WILDCARD_HINT})`, r);
            } else if (!pulumi.Output.isInstance(r) && !(r instanceof Promise)) fail(`${k}.resources[${j}]`, "a resource ARN (a string or an output)", r);
        });
    });
    return statements as PolicyStatementArgs[];
}

export function policyDocument(statements: readonly PolicyStatementArgs[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: statements.map((s) => ({ Effect: s.effect ?? "Allow", Action: [...s.actions], Resource: [...s.resources] })),
    };
}

/** Trust policy that lets the Lambda service assume a function's role. */
export const LAMBDA_ASSUME_ROLE_POLICY = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
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

/** The partition of a region, by AWS's region-name prefixes: aws-cn, aws-us-gov, aws-iso, aws-iso-b, else aws. */
export function partitionOfRegion(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    if (region.startsWith("us-iso-")) return "aws-iso";
    return "aws";
}

export const DYNAMODB_READ_ACTIONS = [
    "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
    "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
];
export const DYNAMODB_WRITE_ACTIONS = [
    "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
];

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
        fail("tablePrefix", "a non-empty DynamoDB table-name prefix of [a-zA-Z0-9_.-] (a bare \"*\" would grant every table)", prefix);
    }
    const access = args.access ?? "readwrite";
    if (access !== "read" && access !== "readwrite") fail("access", "\"read\" or \"readwrite\"", access);
    return {
        actions: access === "read" ? [...DYNAMODB_READ_ACTIONS] : [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS],
        resources: [pulumi.interpolate`arn:${args.partition ?? pulumi.output(args.region).apply(partitionOfRegion)}:dynamodb:${args.region}:${args.accountId}:table/${prefix}*`],
    };
}
