/** The settings every lambda-docker function takes, whatever its package type: args, defaults and validation. */
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_DEFAULTS } from "../../lib/lambda/rules";
import { checkFunctionNames } from "../../lib/lambda/names";
import * as v from "../../lib/validation";
import { urnName } from "../internal/names";
import { PolicyStatementArgs, validateStatements } from "./iam";
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
        memorySize: v.memorySize("memorySize", args.memorySize ?? FUNCTION_DEFAULTS.memorySize),
        timeout: v.timeout("timeout", args.timeout ?? FUNCTION_DEFAULTS.timeout),
        environment: { ...environment },
        reservedConcurrentExecutions:
            args.reservedConcurrentExecutions === undefined
                ? undefined
                : v.atLeast("reservedConcurrentExecutions", args.reservedConcurrentExecutions, 0),
        tracing:
            args.tracing === undefined
                ? undefined
                : v.oneOf("tracing", args.tracing, TRACING_MODES),
        logRetentionDays: v.logRetentionDays("logRetentionDays", args.logRetentionDays ?? 14),
        logFormat: v.oneOf("logFormat", args.logFormat ?? "Text", LOG_FORMATS),
        policyStatements: validateStatements("policyStatements", args.policyStatements ?? []),
        ephemeralStorage:
            args.ephemeralStorage === undefined
                ? undefined
                : v.integerInRange("ephemeralStorage", args.ephemeralStorage, 512, 10240, "MB"),
        publish: v.boolean("publish", args.publish ?? false),
        ...validateNetworking(args),
    };
}

function validateNetworking(args: FunctionCommonArgs): Record<string, never> {
    if (typeof args.deadLetterTargetArn === "string") {
        v.matches(
            "deadLetterTargetArn",
            args.deadLetterTargetArn,
            DLQ_ARN,
            "an SQS queue or SNS topic ARN (arn:aws:sqs:… or arn:aws:sns:…)",
        );
    }
    if (args.vpcConfig !== undefined) {
        const c = args.vpcConfig as { subnetIds?: unknown; securityGroupIds?: unknown };
        if (
            typeof c !== "object" ||
            c === null ||
            c.subnetIds === undefined ||
            c.securityGroupIds === undefined
        ) {
            v.fail("vpcConfig", "`{ subnetIds, securityGroupIds }`", args.vpcConfig);
        }
        for (const key of ["subnetIds", "securityGroupIds"] as const) {
            const list = c[key];
            if (Array.isArray(list) && list.length === 0)
                v.fail(`vpcConfig.${key}`, "a non-empty list", list);
        }
    }
    return {};
}

/** The function's children fit AWS's limits: the role's 64 characters, and the function's 64 unless it is named. */
export function validateFunctionNames(name: string, args: FunctionCommonArgs): void {
    checkFunctionNames(name, {
        named: args.functionName !== undefined,
        hasSchedule: (args.events ?? []).some(
            (e) => typeof e === "object" && e !== null && "schedule" in e,
        ),
    });
}

/** The function's name: `functionName`, else `<component name>-<8 hex of its URN>`, stable across runs. */
export function functionNameOf(
    component: pulumi.Resource,
    name: string,
    args: FunctionCommonArgs,
): pulumi.Input<string> {
    return args.functionName ?? urnName(component, name);
}
