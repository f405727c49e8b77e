/** `lambda-docker info --stack <s>`: each deployed function (name, image digest, memory, timeout, triggers), the API URL, queues and layers. */
import { Command } from "commander";
import { readManifest } from "../../lib/manifest";
import { DEFAULT_MANIFEST } from "../../lib/manifest/types";
import { localStackSettings } from "../../config/stackFile";
import { RemoteOpts, remoteOptions, remoteSettings } from "../remoteSettings";

interface InfoOpts extends RemoteOpts {
    /** @default false */
    json?: boolean;
}

export function infoCommand(): Command {
    return remoteOptions(new Command("info"), false)
        .description(
            "Show what a stack deployed: functions, image digests, memory, timeouts, triggers, API URL, queues, layers",
        )
        .option(
            "-m, --manifest <file>",
            `the functions manifest (default: the stack's, else ${DEFAULT_MANIFEST})`,
        )
        .option("--json", "print one JSON object")
        .action(async (opts: InfoOpts) => {
            /* eslint-disable @typescript-eslint/no-require-imports */
            const clients =
                require("../../lib/remote/clients") as typeof import("../../lib/remote/clients");
            const info = require("../../lib/remote/info") as typeof import("../../lib/remote/info");
            /* eslint-enable @typescript-eslint/no-require-imports */
            const s = remoteSettings(opts);
            if (!opts.stack) throw new Error("info needs --stack <name>.");
            const manifest = readManifest(
                opts.manifest ?? localStackSettings(opts.stack).config.manifest ?? DEFAULT_MANIFEST,
            );
            const client = clients.lambdaClient(s);
            try {
                const i = await info.stackInfo(
                    client,
                    opts.stack,
                    s.region,
                    await s.outputs(),
                    manifest,
                );
                process.stdout.write(
                    opts.json
                        ? `${JSON.stringify(i, null, 2)}\n`
                        : `${info.formatStackInfo(i).join("\n")}\n`,
                );
            } catch (e) {
                throw clients.awsError(e, opts.profile);
            } finally {
                client.destroy();
            }
        });
}
