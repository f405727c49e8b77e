/** One invocation of a deployed function through Lambda's Invoke API. */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

export interface RemoteInvocation {
    /** 200 for RequestResponse, 202 for Event. */
    readonly statusCode: number;
    /** The response payload as Lambda returned it (empty for Event). */
    readonly payload: string;
    /** The payload parsed as JSON; undefined when it is not JSON. */
    readonly result: unknown;
    /** "Unhandled" (or "Handled") when the function raised. */
    readonly functionError?: string;
    /** The decoded log tail: the last 4 KB of the invocation's log, REPORT line included (Tail only). */
    readonly logTail?: string;
    readonly requestId?: string;
    /** Round trip, ms. */
    readonly ms: number;
}

export interface RemoteInvokeOptions {
    /** `InvocationType: "Event"`: queue it and return 202 with no payload. @default false */
    readonly async?: boolean;
    /** Ask for the log tail (`LogType: "Tail"`, RequestResponse only). @default true */
    readonly tail?: boolean;
    readonly signal?: AbortSignal;
}

export async function invokeRemote(
    client: LambdaClient,
    functionName: string,
    event: unknown,
    options: RemoteInvokeOptions = {},
): Promise<RemoteInvocation> {
    const start = Date.now();
    const out = await client.send(
        new InvokeCommand({
            FunctionName: functionName,
            InvocationType: options.async ? "Event" : "RequestResponse",
            // Lambda refuses LogType Tail for Event invocations.
            ...(options.async || options.tail === false ? {} : { LogType: "Tail" }),
            Payload: Buffer.from(JSON.stringify(event ?? {}), "utf8"),
        }),
        { abortSignal: options.signal },
    );
    const payload = Buffer.from(out.Payload ?? []).toString("utf8");
    let result: unknown;
    try {
        result = payload === "" ? undefined : JSON.parse(payload);
    } catch {
        result = undefined;
    }
    return {
        statusCode: out.StatusCode ?? 0,
        payload,
        result,
        functionError: out.FunctionError,
        logTail:
            out.LogResult === undefined
                ? undefined
                : Buffer.from(out.LogResult, "base64").toString("utf8"),
        requestId: out.$metadata.requestId,
        ms: Date.now() - start,
    };
}

/** "TypeError: boom" from a function error's payload `{errorType, errorMessage}`. */
export function functionErrorSummary(inv: Pick<RemoteInvocation, "result" | "payload">): string {
    const r = inv.result as { errorType?: unknown; errorMessage?: unknown } | undefined;
    if (r && typeof r === "object" && (r.errorType !== undefined || r.errorMessage !== undefined))
        return `${String(r.errorType ?? "Error")}: ${String(r.errorMessage ?? "")}`;
    return inv.payload;
}
