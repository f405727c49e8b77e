/** Lambda's facts, each once: runtimes, defaults, limits, the reserved environment and ARN shapes. */

/**
 * Python runtimes Lambda still accepts for new functions, as of AWS's runtime table (2026-12-04):
 * python3.8 is blocked for creation since 2026-02-28; python3.9 until 2027-02-01.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const PYTHON_RUNTIMES = [
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
] as const;
export type PythonRuntime = (typeof PYTHON_RUNTIMES)[number];
/** The runtime of the Lambda base image the example and the defaults use. */
export const DEFAULT_RUNTIME: PythonRuntime = "python3.11";
/** The Lambda base image of a runtime: `python3.12` -> `public.ecr.aws/lambda/python:3.12`. */
export function baseImageOf(runtime: string): string {
    return `public.ecr.aws/lambda/python:${runtime.replace(/^python/, "")}`;
}
export const DEFAULT_BASE_IMAGE = baseImageOf(DEFAULT_RUNTIME);

/** Lambda runtime identifiers a layer may declare (any language: a layer can serve several). */
export const LAYER_RUNTIME_PATTERN =
    /^(python3\.\d{1,2}|nodejs\d{2}\.x|java\d{1,2}|ruby3\.\d|dotnet\d{1,2}|provided(\.al2(023)?)?)$/;
/** A Python runtime identifier, whether or not Lambda still accepts it (the importer names old ones). */
export const PYTHON_RUNTIME_PATTERN = /^python\d\.\d{1,2}$/;

/** What a function gets when neither the function nor the stack says. */
export const FUNCTION_DEFAULTS = { memorySize: 512, timeout: 30, region: "us-east-1" } as const;
/** Lambda's memory (MB) and timeout (s) ranges. */
export const MEMORY_RANGE = { min: 128, max: 10_240 } as const;
export const TIMEOUT_RANGE = { min: 1, max: 900 } as const;

/** A layer's name. */
export const LAYER_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** At most five layers per function. */
export const MAX_LAYERS = 5;
/** A versioned layer ARN. */
export const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+:\d+$/;
export const LAYER_ARN_ALLOWED =
    "a versioned layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)";
/** The unzipped size of a function and all its layers. */
export const LAMBDA_UNZIPPED_LIMIT = 262_144_000;
/** The largest zip Lambda accepts inline; larger ones go through S3. */
export const LAMBDA_DIRECT_UPLOAD_LIMIT = 52_428_800;
/** Function names: 64 characters. */
export const FUNCTION_NAME_LIMIT = 64;

/**
 * Environment variables Lambda sets itself and refuses in a function's configuration.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const RESERVED_ENV_NAMES = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
] as const;

export interface RuntimeEnvironmentFacts {
    readonly functionName: string;
    readonly handler: string;
    readonly memorySize: number;
    readonly region: string;
    /** The runtime identifier (`python3.12`); "" for an image whose runtime is unknown, which leaves AWS_EXECUTION_ENV out. */
    readonly runtime: string;
}

/**
 * The reserved environment Lambda gives a function, as its runtime sees it: the one builder that the
 * preflight, `invoke` and `serve` share. Not included: credentials (a local run has none unless the
 * user passes their own) and LAMBDA_TASK_ROOT / LAMBDA_RUNTIME_DIR, which an image sets for itself.
 */
export function runtimeEnvironment(f: RuntimeEnvironmentFacts): Record<string, string> {
    return {
        _HANDLER: f.handler,
        AWS_REGION: f.region,
        AWS_DEFAULT_REGION: f.region,
        ...(f.runtime === "" ? {} : { AWS_EXECUTION_ENV: `AWS_Lambda_${f.runtime}` }),
        AWS_LAMBDA_FUNCTION_NAME: f.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.memorySize),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${f.functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: "local",
    };
}

/** Methods an API Gateway HTTP API route may have; `ANY` matches every method. */
export const HTTP_METHODS = [
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "ANY",
] as const;
/** SQS batch sizes: 1-10,000 (10 for FIFO queues), a batching window of 0-300 s, required over 10. */
export const SQS_BATCH = { max: 10_000, fifoMax: 10, windowMax: 300 } as const;
/** EventBridge Scheduler schedule names, and Lambda permission statement ids. */
export const SCHEDULE_NAME_LIMIT = 64;
export const STATEMENT_ID_LIMIT = 100;
