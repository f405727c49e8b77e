/** `lambda-docker serve`: the manifest's HTTP routes on a local server, each function in a warm container by Lambda's rules. */
import { Command, InvalidArgumentError } from "commander";
import { formatRoutes, serve } from "../../lib/local/serve/server";
import { CommonOpts, buildSettings, commonOptions, localSettings } from "../localSettings";
import { positiveInteger } from "../options";

interface ServeOpts extends CommonOpts {
    port: number;
    host: string;
    network?: boolean;
}

function port(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new InvalidArgumentError(
            `--port must be an integer 0-65535 (0: any free port); got ${JSON.stringify(value)}`,
        );
    return n;
}

export function serveCommand(): Command {
    return commonOptions(new Command("serve"))
        .description(
            "Serve the manifest's HTTP routes locally as API Gateway HTTP API (payload 2.0) would call them, each function in a warm container; POST /_lambda-docker/schedule/<fn> and /_lambda-docker/sqs/<fn> fire its events",
        )
        .option("-p, --port <port>", "the port to listen on (0: any free port)", port, 3000)
        .option("--host <host>", "the address to listen on", "127.0.0.1")
        .option("--network", "give the containers a network (default: none)")
        .option(
            "--timeout <seconds>",
            "the timeout of functions that set none (default: the stack's timeout, else 30)",
            positiveInteger,
        )
        .action(async (opts: ServeOpts & { timeout?: number }) => {
            const s = localSettings(opts);
            const err = (line: string): void => void process.stderr.write(`${line}\n`);
            // Nothing runs until a request comes, so a signal before this resolves leaves nothing behind.
            const serving = await serve({
                manifest: s.manifest,
                settings: buildSettings(s),
                timeout: opts.timeout ?? s.timeout,
                image: opts.image,
                host: opts.host,
                port: opts.port,
                network: opts.network === true,
                onOutput: err,
                onBuildOutput: opts.verbose ? err : undefined,
            });
            let stopping = false;
            const stop = (signal: NodeJS.Signals): void => {
                if (stopping) return;
                stopping = true;
                err(`lambda-docker serve: ${signal}: removing containers…`);
                const code = signal === "SIGINT" ? 130 : 143;
                serving.close().then(
                    () => process.exit(code),
                    (e: Error) => {
                        err(`lambda-docker serve: ${e.message}`);
                        process.exit(code);
                    },
                );
            };
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
            process.stdout.write(
                [
                    `Serving on ${serving.url} (Ctrl-C stops and removes the containers):`,
                    ...formatRoutes(serving.url, serving.routes),
                    "",
                ].join("\n"),
            );
        });
}
