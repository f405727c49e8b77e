/** `lambda-docker smoke --stack <s>`: every manifest sample event invoked on the deployed functions; non-zero exit on a failure. */
import { Command } from "commander";
import * as path from "path";
import { readManifest } from "../../lib/manifest";
import { DEFAULT_MANIFEST } from "../../lib/manifest/types";
import { localStackSettings } from "../../config/stackFile";
import { positiveInteger } from "../options";
import { RemoteOpts, remoteOptions, remoteSettings } from "../remoteSettings";

interface SmokeOpts extends RemoteOpts {
    /** Invocations at once. @default 4 */
    concurrency: number;
}

export function smokeCommand(): Command {
    return remoteOptions(new Command("smoke"), false)
        .description(
            "Invoke each function's sample events (functions.<fn>.samples) on the deployed stack and check the responses",
        )
        .option(
            "-m, --manifest <file>",
            `the functions manifest (default: the stack's, else ${DEFAULT_MANIFEST})`,
        )
        .option("--concurrency <n>", "invocations at once", positiveInteger, 4)
        .action(async (opts: SmokeOpts) => {
            /* eslint-disable @typescript-eslint/no-require-imports */
            const clients =
                require("../../lib/remote/clients") as typeof import("../../lib/remote/clients");
            const smoke =
                require("../../lib/remote/smoke") as typeof import("../../lib/remote/smoke");
            const stack =
                require("../../lib/remote/stack") as typeof import("../../lib/remote/stack");
            /* eslint-enable @typescript-eslint/no-require-imports */
            if (!opts.stack) throw new Error("smoke needs --stack <name>.");
            const manifestFile =
                opts.manifest ?? localStackSettings(opts.stack).config.manifest ?? DEFAULT_MANIFEST;
            const manifest = readManifest(manifestFile);
            const s = remoteSettings(opts);
            const outputs = await s.outputs();
            const client = clients.lambdaClient(s);
            const width = Math.max(0, ...Object.keys(manifest.functions).map((f) => f.length));
            let failed = 0;
            let passed = 0;
            let without = 0;
            try {
                await smoke.smoke(
                    client,
                    manifest.functions,
                    (fn) => {
                        const d = stack.deployedFunction(outputs, fn, opts.stack!);
                        return d.arn ?? d.name;
                    },
                    {
                        concurrency: opts.concurrency,
                        root: path.dirname(path.resolve(manifestFile)),
                        onResult: (r) => {
                            if (r.samples.length === 0) without++;
                            else if (r.samples.some((x) => x.failure !== undefined)) failed++;
                            else passed++;
                            process.stdout.write(`${smoke.formatSmoke(r, width)}\n`);
                        },
                    },
                );
            } catch (e) {
                throw clients.awsError(e, opts.profile);
            } finally {
                client.destroy();
            }
            process.stdout.write(
                `${passed} passed, ${failed} failed, ${without} without samples\n`,
            );
            if (failed > 0) process.exitCode = 1;
        });
}
