/** `lambda-docker invoke <fn> --remote`: the deployed function, through Lambda's Invoke API; output as a local invoke's. */
import { awsError, lambdaClient } from "../../lib/remote/clients";
import { functionErrorSummary, invokeRemote } from "../../lib/remote/invoke";
import { RemoteOpts, remoteSettings, resolveFunction } from "../remoteSettings";

export interface InvokeRemoteOpts extends RemoteOpts {
    /** InvocationType Event. @default false */
    async?: boolean;
}

export async function invokeRemoteCommand(
    name: string,
    event: unknown,
    opts: InvokeRemoteOpts,
): Promise<void> {
    const s = remoteSettings(opts);
    const fn = await resolveFunction(name, opts, s);
    const client = lambdaClient({ ...s, region: opts.region ?? fn.region ?? s.region });
    const controller = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
        signalled = signal;
        controller.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        const out = await invokeRemote(client, fn.arn ?? fn.name, event, {
            async: opts.async === true,
            signal: controller.signal,
        }).catch((e: unknown) => {
            if (signalled) process.exit(signalled === "SIGINT" ? 130 : 143);
            throw awsError(e, opts.profile);
        });
        if (opts.async) {
            process.stderr.write(`accepted (${out.statusCode})\n`);
            return;
        }
        if (out.logTail)
            process.stderr.write(out.logTail.endsWith("\n") ? out.logTail : `${out.logTail}\n`);
        const pretty = process.stdout.isTTY === true && typeof out.result === "object";
        process.stdout.write(`${pretty ? JSON.stringify(out.result, null, 2) : out.payload}\n`);
        if (out.functionError) {
            process.stderr.write(
                `lambda-docker: ${fn.name} failed (${out.functionError}): ${functionErrorSummary(out)}\n`,
            );
            process.exitCode = 1;
        }
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        client.destroy();
    }
}
