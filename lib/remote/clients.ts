/**
 * The AWS SDK v3 clients of the remote commands, with the SDK's standard configuration: the default
 * credential chain (or `profile`), the stack's region unless `--region`, and the endpoint the SDK
 * itself reads from AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL (@smithy/core, endpoints submodule,
 * `getEndpointUrlConfig`: the service id upper-cased with `_` for spaces, e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
 * then AWS_ENDPOINT_URL, then the profile's `endpoint_url`). Nothing here sets an endpoint.
 *
 * Throttles are retried by the SDK's standard retry strategy: @smithy/core's `isThrottlingError` is true
 * for HTTP 429 (Lambda's TooManyRequestsException) and for the codes in THROTTLING_ERROR_CODES (which
 * include ThrottlingException and TooManyRequestsException), with a 500 ms backoff base; we only raise
 * the default of 3 attempts to MAX_ATTEMPTS.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { LambdaClient } from "@aws-sdk/client-lambda";

/** Attempts per request (the SDK's default is 3): a burst of throttles during a smoke run still passes. */
export const MAX_ATTEMPTS = 5;

export interface AwsSettings {
    /** The region. @default undefined (the SDK resolves it: AWS_REGION, the profile) */
    readonly region?: string;
    /** A profile of ~/.aws/config. @default undefined (the default credential chain) */
    readonly profile?: string;
}

/** The client configuration every remote command uses. */
export function clientConfig(s: AwsSettings): {
    region?: string;
    profile?: string;
    maxAttempts: number;
} {
    return {
        ...(s.region ? { region: s.region } : {}),
        ...(s.profile ? { profile: s.profile } : {}),
        maxAttempts: MAX_ATTEMPTS,
    };
}

/**
 * The SDK warns on every run under Node < 22 about its releases after January 2027; this package
 * supports Node >= 20 (package.json engines), so the warning would be noise on every command's stderr.
 * Setting AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false brings it back.
 */
function quietNodeVersionWarning(): void {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/* eslint-disable @typescript-eslint/no-require-imports */
// Required here, not imported: the SDK takes a while to load, and `--help` or a local invoke needs none of it.
export function lambdaClient(s: AwsSettings): LambdaClient {
    const { LambdaClient: Client } =
        require("@aws-sdk/client-lambda") as typeof import("@aws-sdk/client-lambda");
    quietNodeVersionWarning();
    return new Client(clientConfig(s));
}
export function logsClient(
    s: AwsSettings,
    extra: { maxAttempts?: number; disableHostPrefix?: boolean } = {},
): CloudWatchLogsClient {
    const { CloudWatchLogsClient: Client } =
        require("@aws-sdk/client-cloudwatch-logs") as typeof import("@aws-sdk/client-cloudwatch-logs");
    quietNodeVersionWarning();
    return new Client({ ...clientConfig(s), ...extra });
}
export function ecrClient(s: AwsSettings): ECRClient {
    const { ECRClient: Client } =
        require("@aws-sdk/client-ecr") as typeof import("@aws-sdk/client-ecr");
    quietNodeVersionWarning();
    return new Client(clientConfig(s));
}
/* eslint-enable @typescript-eslint/no-require-imports */

const EXPIRED = new Set(["ExpiredTokenException", "ExpiredToken", "TokenRefreshRequired"]);

/** True for the errors AWS answers when the session's credentials have expired. */
export function isExpiredCredentials(e: unknown): boolean {
    const err = e as { name?: string; Code?: string; code?: string } | undefined;
    return [err?.name, err?.Code, err?.code].some((n) => n !== undefined && EXPIRED.has(n));
}

/** The error a user reads: expired credentials say how to refresh them; an SDK error names its code. */
export function awsError(e: unknown, profile?: string): Error {
    if (isExpiredCredentials(e)) {
        const login = profile ? `aws sso login --profile ${profile}` : "aws sso login";
        return new Error(
            `AWS credentials expired (${(e as Error).message}): refresh them (${login}) and run the command again.`,
        );
    }
    const err = e as Error & { $metadata?: unknown };
    if (err && err.$metadata !== undefined && err.name && !err.message.startsWith(err.name))
        return new Error(`${err.name}: ${err.message}`);
    return err instanceof Error ? err : new Error(String(e));
}
