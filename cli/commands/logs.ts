/** `lambda-docker logs <fn> --stack <s>`: a deployed function's CloudWatch Logs, readable; `--follow`, `--stats`. */
import { Command, Option } from "commander";
import { positiveInteger } from "../options";
import { RemoteOpts, remoteOptions, remoteSettings, resolveFunction } from "../remoteSettings";

interface LogsOpts extends RemoteOpts {
    /** Start of the window. @default "10m" */
    since: string;
    /** A CloudWatch Logs filter pattern. @default undefined (every event) */
    filter?: string;
    /** @default false */
    follow?: boolean;
    /** @default false */
    stats?: boolean;
    /** Ms between polls when live tail is unavailable. @default 1000 */
    pollInterval: number;
}

/* eslint-disable @typescript-eslint/no-require-imports */
// The SDK and what uses it load when the command runs, not for `--help`.
const clients = () =>
    require("../../lib/remote/clients") as typeof import("../../lib/remote/clients");
const logs = () => require("../../lib/remote/logs") as typeof import("../../lib/remote/logs");
const format = () =>
    require("../../lib/remote/logFormat") as typeof import("../../lib/remote/logFormat");
const stats = () =>
    require("../../lib/remote/logStats") as typeof import("../../lib/remote/logStats");
/* eslint-enable @typescript-eslint/no-require-imports */

/** A custom endpoint (a stand-in, LocalStack, a proxy) serves every operation at its one host. */
const customLogsEndpoint = (env: NodeJS.ProcessEnv): boolean =>
    Boolean(env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS || env.AWS_ENDPOINT_URL);

export function logsCommand(): Command {
    return remoteOptions(new Command("logs"))
        .description(
            "Print a deployed function's CloudWatch Logs (/aws/lambda/<name>) readably: `<time> <LEVEL> <requestId> <message>`",
        )
        .argument("[function]", "function name from the manifest (with --stack)")
        .option(
            "--since <when>",
            "start of the window: 30s, 10m, 1h, 2d, 1w back, or an ISO time",
            "10m",
        )
        .option(
            "--filter <pattern>",
            "a CloudWatch Logs filter pattern, e.g. ERROR or '\"timed out\"'",
        )
        .option(
            "-f, --follow",
            "keep printing new events (StartLiveTail, else polling) until Ctrl-C",
        )
        .option(
            "--stats",
            "summarise the window instead: invocations, errors, cold starts, duration percentiles, memory",
        )
        .addOption(
            new Option("--poll-interval <ms>", "between polls when following")
                .argParser(positiveInteger)
                .default(1000)
                .hideHelp(),
        )
        .action(async (name: string | undefined, opts: LogsOpts) => {
            if (opts.follow && opts.stats) throw new Error("--stats and --follow do not combine.");
            const start = logs().parseSince(opts.since);
            const s = remoteSettings(opts);
            const fn = await resolveFunction(name, opts, s);
            const aws = { ...s, region: opts.region ?? fn.region ?? s.region };
            const client = clients().logsClient(aws);
            const group = logs().logGroupOf(fn.name);
            const print = (e: import("../../lib/remote/logFormat").LogEvent): void =>
                void process.stdout.write(`${format().formatLogEvent(e)}\n`);
            try {
                if (opts.stats) {
                    const events = await logs().collectLogEvents(client, {
                        group,
                        start,
                        filter: opts.filter,
                    });
                    const st = stats().logStats(events);
                    process.stdout.write(`${stats().formatLogStats(st).join("\n")}\n`);
                } else if (!opts.follow) {
                    for await (const page of logs().filterLogEvents(client, {
                        group,
                        start,
                        filter: opts.filter,
                    }))
                        page.forEach(print);
                } else {
                    await follow(client, aws, group, start, opts, print);
                }
            } catch (e) {
                throw clients().awsError(e, opts.profile);
            } finally {
                client.destroy();
            }
        });
}

async function follow(
    client: import("@aws-sdk/client-cloudwatch-logs").CloudWatchLogsClient,
    aws: import("../../lib/remote/clients").AwsSettings,
    group: string,
    start: number,
    opts: LogsOpts,
    print: (e: import("../../lib/remote/logFormat").LogEvent) => void,
): Promise<void> {
    // One attempt: a refused live tail falls back to polling at once. Behind a custom endpoint the SDK's
    // "stream-" host prefix for StartLiveTail would name a host that does not exist.
    const tail = clients().logsClient(aws, {
        maxAttempts: 1,
        disableHostPrefix: customLogsEndpoint(process.env),
    });
    const controller = new AbortController();
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
        signalled = signal;
        controller.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        await logs().followLogs(client, {
            group,
            start,
            filter: opts.filter,
            pollIntervalMs: opts.pollInterval,
            liveTail: tail,
            signal: controller.signal,
            onEvent: print,
            onNotice: (m) => void process.stderr.write(`lambda-docker: ${m}\n`),
        });
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        tail.destroy();
    }
    // Nothing is left running (no timer, no socket once the clients are destroyed): Node exits by itself.
    if (signalled) process.exitCode = signalled === "SIGINT" ? 130 : 143;
}
