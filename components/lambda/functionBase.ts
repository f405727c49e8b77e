/**
 * What every lambda-docker function has, whatever its package type: validation of the common
 * settings, an IAM role with only the permissions asked for, and its own log group with retention,
 * created before the function and wired through `loggingConfig`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    LAMBDA_ASSUME_ROLE_POLICY, PolicyStatementArgs, logWriteStatements, policyDocument, validateStatements, xrayWritePolicyArn,
} from "../core/iam";
import * as v from "../core/validation";
import { Architecture } from "../core/validation";

/** X-Ray tracing modes. */
export const TracingMode = { Active: "Active", PassThrough: "PassThrough" } as const;
export type TracingMode = (typeof TracingMode)[keyof typeof TracingMode];
export const TRACING_MODES: readonly TracingMode[] = Object.values(TracingMode);
/** Lambda log formats. */
export const LogFormat = { Text: "Text", JSON: "JSON" } as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];
export const LOG_FORMATS: readonly LogFormat[] = Object.values(LogFormat);

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
}

export interface ResolvedFunctionCommon {
    readonly memorySize: number;
    readonly timeout: number;
    readonly environment: Record<string, pulumi.Input<string>>;
    readonly reservedConcurrentExecutions?: number;
    readonly tracing?: TracingMode;
    readonly logRetentionDays: number;
    readonly logFormat: LogFormat;
    readonly policyStatements: PolicyStatementArgs[];
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
    };
}

/** The function's auto-named children fit AWS's limits: the role's 64 characters, and the function's 64 unless it is named. */
export function validateFunctionNames(name: string, args: FunctionCommonArgs): void {
    v.autoNamedChild(name, "-role", 64, "its IAM role");
    if (args.functionName === undefined) v.autoNamedChild(name, "-function", 64, "the Lambda function (unless `functionName` is given)");
}

export interface FunctionSupport {
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Everything the function must wait for: its log group and every grant on its role. */
    readonly dependsOn: pulumi.Resource[];
}

/** Creates the role, its policies and the log group of function `name`, parented to `parent`. */
export function createFunctionSupport(
    name: string,
    parent: pulumi.Resource,
    resolved: ResolvedFunctionCommon,
    tags: Record<string, pulumi.Input<string>> | undefined,
): FunctionSupport {
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { namePrefix: `/aws/lambda/${name}-`, retentionInDays: resolved.logRetentionDays, tags },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        { assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY), tags },
        { parent },
    );
    const statements = [...logWriteStatements(logGroup.arn), ...resolved.policyStatements];
    const dependsOn: pulumi.Resource[] = [
        logGroup,
        new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.id, policy: pulumi.jsonStringify(policyDocument(statements)) },
            { parent },
        ),
    ];
    if (resolved.tracing === "Active") {
        dependsOn.push(
            new aws.iam.RolePolicyAttachment(
                `${name}-xray`,
                { role: role.name, policyArn: xrayWritePolicyArn(aws.getPartitionOutput({}, { parent }).partition) },
                { parent },
            ),
        );
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
        tags: args.tags,
    };
}
