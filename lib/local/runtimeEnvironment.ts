/** The environment a function sees locally: Lambda's reserved variables (lib/lambda/rules), plus what a local run needs. */
import { FUNCTION_DEFAULTS, runtimeEnvironment } from "../lambda/rules";

export interface LocalFunctionIdentity {
    readonly functionName: string;
    readonly handler: string;
    /** @default 512 */
    readonly memorySize?: number;
    /** @default "us-east-1" */
    readonly region?: string;
    /** A zip function's runtime (`python3.12`), or an image function's when known from its base image. @default undefined (AWS_EXECUTION_ENV is the image's own) */
    readonly runtime?: string;
    /** @default "local" */
    readonly logStream?: string;
}

/** Lambda's runtime identifier of an AWS base image reference, `public.ecr.aws/lambda/python:3.12` -> `python3.12`. */
export function runtimeOfBaseImage(image: string | undefined): string | undefined {
    const m = /^public\.ecr\.aws\/lambda\/python:(3\.\d{1,2})(?:[-.@].*)?$/.exec(image ?? "");
    return m ? `python${m[1]}` : undefined;
}

/**
 * Lambda's reserved environment for a local run, with UTC time. `placeholderCredentials` adds keys that
 * look real but are not, so module-level `boto3.client(...)` calls construct without reaching AWS (the
 * preflight's containers have no network); the user's own environment always wins over nothing here.
 */
export function localEnvironment(
    f: LocalFunctionIdentity,
    placeholderCredentials = false,
): Record<string, string> {
    return {
        ...runtimeEnvironment({
            functionName: f.functionName,
            handler: f.handler,
            memorySize: f.memorySize ?? FUNCTION_DEFAULTS.memorySize,
            region: f.region ?? FUNCTION_DEFAULTS.region,
            runtime: f.runtime ?? "",
        }),
        AWS_LAMBDA_LOG_STREAM_NAME: f.logStream ?? "local",
        ...(placeholderCredentials
            ? {
                  AWS_ACCESS_KEY_ID: "AKIALAMBDADOCKERLOCAL",
                  AWS_SECRET_ACCESS_KEY: "lambda-docker-local-preflight-not-a-secret",
                  AWS_SESSION_TOKEN: "lambda-docker-local",
              }
            : {}),
        TZ: ":UTC",
    };
}
