/** What every function creates besides itself: an IAM role with only what it asks for, and its own log group, created first. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Architecture } from "../../lib/validation";
import { FunctionCommonArgs, ResolvedFunctionCommon } from "./functionArgs";
import {
    LAMBDA_ASSUME_ROLE_POLICY,
    PolicyStatementArgs,
    logWriteStatements,
    policyDocument,
    xrayWritePolicyArn,
} from "./iam";

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
    const gated =
        gate === undefined ? undefined : (gate.then(() => []) as Promise<pulumi.Resource[]>);
    const opts = (): pulumi.CustomResourceOptions =>
        gated ? { parent, dependsOn: gated } : { parent };
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        {
            name: pulumi.interpolate`/aws/lambda/${functionName}`,
            retentionInDays: resolved.logRetentionDays,
            tags,
        },
        opts(),
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        { assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY), tags },
        opts(),
    );
    const deadLetter: PolicyStatementArgs[] =
        args.deadLetterTargetArn === undefined
            ? []
            : [{ actions: [], resources: [args.deadLetterTargetArn] }];
    const statements = [...logWriteStatements(logGroup.arn), ...resolved.policyStatements];
    const document = pulumi.output(args.deadLetterTargetArn ?? "").apply((dlq) => {
        const doc = policyDocument(statements);
        if (deadLetter.length === 0) return doc;
        const action = /^arn:aws[a-z-]*:sqs:/.test(dlq) ? "sqs:SendMessage" : "sns:Publish";
        return {
            ...doc,
            Statement: [
                ...doc.Statement,
                { Effect: "Allow" as const, Action: [action], Resource: [dlq] },
            ],
        };
    });
    const dependsOn: pulumi.Resource[] = [
        logGroup,
        new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.id, policy: pulumi.jsonStringify(document) },
            opts(),
        ),
    ];
    const partition = (): pulumi.Output<string> => aws.getPartitionOutput({}, { parent }).partition;
    if (resolved.tracing === "Active") {
        dependsOn.push(
            new aws.iam.RolePolicyAttachment(
                `${name}-xray`,
                { role: role.name, policyArn: xrayWritePolicyArn(partition()) },
                opts(),
            ),
        );
    }
    if (args.vpcConfig !== undefined) {
        dependsOn.push(
            new aws.iam.RolePolicyAttachment(
                `${name}-vpc`,
                {
                    role: role.name,
                    policyArn: pulumi.interpolate`arn:${partition()}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`,
                },
                opts(),
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
        vpcConfig: args.vpcConfig,
        ephemeralStorage:
            resolved.ephemeralStorage === undefined
                ? undefined
                : { size: resolved.ephemeralStorage },
        deadLetterConfig:
            args.deadLetterTargetArn === undefined
                ? undefined
                : { targetArn: args.deadLetterTargetArn },
        kmsKeyArn: args.kmsKeyArn,
        publish: resolved.publish || undefined,
        tags: args.tags,
    };
}
