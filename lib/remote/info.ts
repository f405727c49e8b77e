/** `lambda-docker info`: what a stack deployed, from its outputs, the manifest and GetFunction. */
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { EventSpec, Manifest } from "../manifest/types";
import type { StackOutputs } from "./stack";

export interface FunctionInfo {
    readonly name: string;
    readonly arn?: string;
    readonly packageType?: string;
    /** The image the function runs (`Code.ResolvedImageUri`, else `Code.ImageUri`); image functions only. */
    readonly imageUri?: string;
    /** The digest of that image: `sha256:` and the function's CodeSha256. */
    readonly imageDigest?: string;
    /** Configuration.CodeSha256 as Lambda reports it. */
    readonly codeSha256?: string;
    readonly memorySize?: number;
    readonly timeout?: number;
    /** The manifest's triggers: `schedule <expression>`, `sqs <queue>`, `http <METHOD> <path>`. */
    readonly triggers: string[];
}

export interface StackInfo {
    readonly stack: string;
    readonly region?: string;
    readonly apiUrl?: string;
    readonly functions: Record<string, FunctionInfo>;
    /** The manifest's queues and the functions they trigger. */
    readonly queues: Record<string, { functions: string[] }>;
    readonly layers: Record<string, { arn?: string; sha256?: string }>;
}

/** A trigger in one line. */
export function describeTrigger(e: EventSpec): string {
    if ("schedule" in e)
        return `schedule ${e.schedule.expression}${e.schedule.enabled ? "" : " (disabled)"}`;
    if ("sqs" in e)
        return `sqs ${e.sqs.queue}${e.sqs.batchSize ? ` (batch ${e.sqs.batchSize})` : ""}${e.sqs.enabled ? "" : " (disabled)"}`;
    return `http ${e.http.route}`;
}

export async function stackInfo(
    client: LambdaClient,
    stack: string,
    region: string | undefined,
    outputs: StackOutputs,
    manifest: Manifest,
): Promise<StackInfo> {
    const names = outputs.functionNames ?? {};
    const order = [
        ...Object.keys(manifest.functions).filter((f) => f in names),
        ...Object.keys(names).filter((f) => !(f in manifest.functions)),
    ];
    const described = await Promise.all(
        order.map(async (fn): Promise<[string, FunctionInfo]> => {
            const out = await client.send(
                new GetFunctionCommand({ FunctionName: outputs.functionArns?.[fn] ?? names[fn] }),
            );
            const c = out.Configuration ?? {};
            const image = out.Code?.ResolvedImageUri ?? out.Code?.ImageUri;
            const isImage = c.PackageType === "Image";
            return [
                fn,
                {
                    name: names[fn],
                    arn: c.FunctionArn ?? outputs.functionArns?.[fn],
                    packageType: c.PackageType,
                    ...(isImage && image ? { imageUri: image } : {}),
                    ...(isImage && c.CodeSha256 ? { imageDigest: `sha256:${c.CodeSha256}` } : {}),
                    codeSha256: c.CodeSha256,
                    memorySize: c.MemorySize,
                    timeout: c.Timeout,
                    triggers: (manifest.functions[fn]?.events ?? []).map(describeTrigger),
                },
            ];
        }),
    );
    const queues: Record<string, { functions: string[] }> = {};
    for (const q of Object.keys(manifest.queues)) queues[q] = { functions: [] };
    for (const [fn, spec] of Object.entries(manifest.functions))
        for (const e of spec.events)
            if ("sqs" in e) (queues[e.sqs.queue] ??= { functions: [] }).functions.push(fn);
    return {
        stack,
        ...(region ? { region } : {}),
        ...(outputs.apiUrl ? { apiUrl: outputs.apiUrl } : {}),
        functions: Object.fromEntries(described),
        queues,
        layers: Object.fromEntries(
            Object.entries(outputs.layers ?? {}).map(([n, l]) => [
                n,
                { arn: l.arn, sha256: l.sha256 },
            ]),
        ),
    };
}

/** The info as printed. */
export function formatStackInfo(i: StackInfo): string[] {
    const lines = [`stack ${i.stack}${i.region ? ` (${i.region})` : ""}`];
    if (i.apiUrl) lines.push(`api   ${i.apiUrl}`);
    lines.push("functions:");
    for (const [fn, f] of Object.entries(i.functions)) {
        lines.push(`  ${fn}  ${f.name}  ${f.memorySize ?? "?"} MB  ${f.timeout ?? "?"} s`);
        if (f.imageUri) lines.push(`    image    ${f.imageUri}`);
        else if (f.codeSha256) lines.push(`    code     sha256 ${f.codeSha256}`);
        if (f.triggers.length) lines.push(`    triggers ${f.triggers.join(", ")}`);
    }
    const queues = Object.entries(i.queues);
    if (queues.length) {
        lines.push("queues:");
        for (const [q, v] of queues)
            lines.push(
                `  ${q}  → ${v.functions.length ? v.functions.join(", ") : "(no function)"}`,
            );
    }
    const layers = Object.entries(i.layers);
    if (layers.length) {
        lines.push("layers:");
        for (const [n, l] of layers) lines.push(`  ${n}  ${l.arn ?? "?"}`);
    }
    return lines;
}
