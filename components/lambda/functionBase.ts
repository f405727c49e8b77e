/**
 * What every lambda-docker function has, whatever its package type: validation of the common
 * settings, an IAM role with only the permissions asked for, and its own log group with retention,
 * created before the function and wired through `loggingConfig`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    LAMBDA_ASSUME_ROLE_POLICY, PolicyStatementArgs, logWriteStatements, policyDocument, validateStatements, xrayWritePolicyArn,
} from "./iam";
import { urnName } from "../internal/names";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import type { FunctionEvent } from "./triggers";

/** X-Ray tracing modes. */
export const TracingMode = { Active: "Active", PassThrough: "PassThrough" } as const;
export type TracingMode = (typeof TracingMode)[keyof typeof TracingMode];
export const TRACING_MODES: readonly TracingMode[] = Object.values(TracingMode);
/** Lambda log formats. */
export const LogFormat = { Text: "Text", JSON: "JSON" } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];
export const LOG_FORMATS: readonly LogFormat[] = Object.values(LogFormat);

/** The subnets and security groups a function runs in. */
export interface FunctionVpcConfig {
    readonly subnetIds: pulumi.Input<string>[];
    readonly securityGroupIds: pulumi.Input<string>[];
    /** Allow IPv6 traffic in dual-stack subnets. @default false */
    readonly ipv6AllowedForDualStack?: boolean;
}

export interface FunctionCommonArgs {
    /** Memory in MB, 128–10240. @default 512 */
    readonly memorySize?: number;
    /** Timeout in seconds, 1–900. @default 30 */
    readonly timeout?: number;
    /** Environment variables (names Lambda reserves, such as AWS_REGION, are refused). @default {} */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /** Concurrency reserved for the function; 0 stops all invocations. @default undefined (unreserved) */
    readonly reservedConcurrentExecutions?: number;
    /** X-Ray tracing: `Active` or `PassThrough`. @default undefined (Lambda's default, PassThrough) */
    readonly tracing?: TracingMode;
    /** Days CloudWatch keeps the function's logs; one of CloudWatch's allowed values. @default 14 */
    readonly logRetentionDays?: number;
    /** Lambda log format. @default "Text" */
    readonly logFormat?: LogFormat;
    /** IAM statements added to the function's role, beyond writing its own logs. @default [] */
    readonly policyStatements?: PolicyStatementArgs[];
    /** Function name. @default auto-named from the component name */
    readonly functionName?: pulumi.Input<string>;
    /** Function description. @default undefined */
    readonly description?: pulumi.Input<string>;
    /** Tags for the function, role and log group. @default {} */
    readonly tags?: Record<string, pulumi.Input<string>>;
    /** Run in these subnets with these security groups; the role gets AWSLambdaVPCAccessExecutionRole. @default undefined (no VPC) */
    readonly vpcConfig?: FunctionVpcConfig;
    /** `/tmp` size in MB, 512-10240. @default 512 */
    readonly ephemeralStorage?: number;
    /** SQS queue or SNS topic ARN for failed asynchronous invocations; the role may send to exactly it. @default undefined */
    readonly deadLetterTargetArn?: pulumi.Input<string>;
    /** KMS key ARN that encrypts the environment variables. @default undefined (Lambda's AWS-managed key) */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Publish a numbered version on every change. @default false */
    readonly publish?: boolean;
    /** Triggers: schedules, HTTP routes, SQS queues (see FunctionEvent). @default [] */
    readonly events?: FunctionEvent[];
}

const DLQ_ARN = /^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

export interface ResolvedFunctionCommon {
    readonly memorySize: number;
    readonly timeout: number;
    readonly environment: Record<string, pulumi.Input<string>>;
    readonly reservedConcurrentExecutions?: number;
    readonly tracing?: TracingMode;
    readonly logRetentionDays: number;
    readonly logFormat: LogFormat;
    readonly policyStatements: PolicyStatementArgs[];
    readonly ephemeralStorage?: number;
    readonly publish: boolean;
}

export function resolveFunctionCommon(args: FunctionCommonArgs): ResolvedFunctionCommon {
    const environment = args.environment ?? {};
    if (typeof environment !== "object" || environment === null || Array.isArray(environment)) {
        v.fail("environment", "a map of variable names to string values", environment);
    }
    for (const key of Object.keys(environment)) v.environmentName(`environment.${key}`, key);
    return {
        memorySize: v.memorySize("memorySize", args.memorySize ?? 512),
        timeout: v.timeout("timeout", args.timeout ?? 30),
        environment: { ...environment },
        reservedConcurrentExecutions:
            args.reservedConcurrentExecutions === undefined
                ? undefined
                : v.atLeast("reservedConcurrentExecutions", args.reservedConcurrentExecutions, 0),
        tracing: args.tracing === undefined ? undefined : v.oneOf("tracing", args.tracing, TRACING_MODES),
        logRetentionDays: v.logRetentionDays("logRetentionDays", args.logRetentionDays ?? 14),
        logFormat: v.oneOf("logFormat", args.logFormat ?? "Text", LOG_FORMATS),
        policyStatements: validateStatements("policyStatements", args.policyStatements ?? []),
        ephemeralStorage: args.ephemeralStorage === undefined ? undefined : v.integerInRange("ephemeralStorage", args.ephemeralStorage, 512, 10240, "MB"),
        publish: v.boolean("publish", args.publish ?? false),
        ...validateNetworking(args),
    };
}

function validateNetworking(args: FunctionCommonArgs): Record<string, never> {
    if (typeof args.deadLetterTargetArn === "string") {
        v.matches("deadLetterTargetArn", args.deadLetterTargetArn, DLQ_ARN, "an SQS queue or SNS topic ARN (arn:aws:sqs:… or arn:aws:sns:…)");
    }
    if (args.vpcConfig !== undefined) {
        const c = args.vpcConfig as { subnetIds?: unknown; securityGroupIds?: unknown };
        if (typeof c !== "object" || c === null || c.subnetIds === undefined || c.securityGroupIds === undefined) {
            v.fail("vpcConfig", "`{ subnetIds, securityGroupIds }`", args.vpcConfig);
        }
        for (const key of ["subnetIds", "securityGroupIds"] as const) {
            const list = c[key];
            if (Array.isArray(list) && list.length === 0) v.fail(`vpcConfig.${key}`, "a non-empty list", list);
        }
    }
    return {};
}

/** Characters the default function name adds to the component name: `-` and 8 hex of its URN. */
export const FUNCTION_NAME_SUFFIX = 9;

/** The function's children fit AWS's limits: the role's 64 characters, and the function's 64 unless it is named. */
export function validateFunctionNames(name: string, args: FunctionCommonArgs): void {
    v.autoNamedChild(name, "-role", 64, "its IAM role");
    if (args.functionName === undefined && name.length > 64 - FUNCTION_NAME_SUFFIX) {
        v.fail("name", `at most ${64 - FUNCTION_NAME_SUFFIX} characters: the Lambda function is named \`<name>-<8 hex>\` unless \`functionName\` is given, and AWS allows 64 (${name.length} given)`, name);
    }
    if ((args.events ?? []).some((e) => typeof e === "object" && e !== null && "schedule" in e)) v.autoNamedChild(name, "-scheduler", 64, "its scheduler role");
}

/** The function's name: `functionName`, else `<component name>-<8 hex of its URN>`, stable across runs. */
export function functionNameOf(component: pulumi.Resource, name: string, args: FunctionCommonArgs): pulumi.Input<string> {
    return args.functionName ?? urnName(component, name);
}

export interface FunctionSupport {
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Everything the function must wait for: its log group and every grant on its role. */
    readonly dependsOn: pulumi.Resource[];
}

/**
 * Creates the role, its policies and the log group `/aws/lambda/<functionName>` of function `name`,
 * parented to `parent`. With `gate`, every child waits for it: when it rejects (a failed size check),
 * none of them is created.
 */
export function createFunctionSupport(
    name: string,
    parent: pulumi.Resource,
    resolved: ResolvedFunctionCommon,
    args: FunctionCommonArgs,
    functionName: pulumi.Input<string>,
    gate?: Promise<unknown>,
): FunctionSupport {
    const tags = args.tags;
    const gated = gate === undefined ? undefined : (gate.then(() => []) as Promise<pulumi.Resource[]>);
    const opts = (): pulumi.CustomResourceOptions => (gated ? { parent, dependsOn: gated } : { parent });
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: pulumi.interpolate`/aws/lambda/${functionName}`, retentionInDays: resolved.logRetentionDays, tags },
        opts(),
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        { assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY), tags },
        opts(),
    );
    const deadLetter: PolicyStatementArgs[] = args.deadLetterTargetArn === undefined
        ? []
        : [{ actions: [], resources: [args.deadLetterTargetArn] }];
    const statements = [...logWriteStatements(logGroup.arn), ...resolved.policyStatements];
    const document = pulumi.output(args.deadLetterTargetArn ?? "").apply((dlq) => {
        const doc = policyDocument(statements);
        if (deadLetter.length === 0) return doc;
        const action = /^arn:aws[a-z-]*:sqs:/.test(dlq) ? "sqs:SendMessage" : "sns:Publish";
        return { ...doc, Statement: [...doc.Statement, { Effect: "Allow" as const, Action: [action], Resource: [dlq] }] };
    });
    const dependsOn: pulumi.Resource[] = [
        logGroup,
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: pulumi.jsonStringify(document) }, opts()),
    ];
    const partition = (): pulumi.Output<string> => aws.getPartitionOutput({}, { parent }).partition;
    if (resolved.tracing === "Active") {
        dependsOn.push(new aws.iam.RolePolicyAttachment(`${name}-xray`, { role: role.name, policyArn: xrayWritePolicyArn(partition()) }, opts()));
    }
    if (args.vpcConfig !== undefined) {
        dependsOn.push(new aws.iam.RolePolicyAttachment(`${name}-vpc`, {
            role: role.name, policyArn: pulumi.interpolate`arn:${partition()}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
        }, opts()));
    }
    return { role, logGroup, dependsOn };
}

/** The `aws.lambda.Function` inputs common to image and zip functions. */
export function commonFunctionInputs(
    args: FunctionCommonArgs,
    resolved: ResolvedFunctionCommon,
    support: FunctionSupport,
    architecture: Architecture,
): aws.lambda.FunctionArgs & { role: pulumi.Input<string> } {
    const hasEnvironment = Object.keys(resolved.environment).length > 0;
    return {
        name: args.functionName,
        description: args.description,
        role: support.role.arn,
        memorySize: resolved.memorySize,
        timeout: resolved.timeout,
        architectures: [architecture],
        environment: hasEnvironment ? { variables: resolved.environment } : undefined,
        reservedConcurrentExecutions: resolved.reservedConcurrentExecutions,
        tracingConfig: resolved.tracing ? { mode: resolved.tracing } : undefined,
        loggingConfig: { logFormat: resolved.logFormat, logGroup: support.logGroup.name },
        vpcConfig: args.vpcConfig,
        ephemeralStorage: resolved.ephemeralStorage === undefined ? undefined : { size: resolved.ephemeralStorage },
        deadLetterConfig: args.deadLetterTargetArn === undefined ? undefined : { targetArn: args.deadLetterTargetArn },
        kmsKeyArn: args.kmsKeyArn,
        publish: resolved.publish || undefined,
        tags: args.tags,
    };
}
