/** `lambda-docker cost --stack <s>`: the stack's ECR images, what the lifecycle policies keep, and the monthly storage estimate. */
import { Command, InvalidArgumentError } from "commander";
import { RemoteOpts, remoteOptions, remoteSettings } from "../remoteSettings";

interface CostOpts extends RemoteOpts {
    /** USD per GB-month. @default ECR_STORAGE_USD_PER_GB_MONTH (0.10) */
    pricePerGb?: number;
    /** @default false */
    json?: boolean;
}

function price(value: string): number {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n))
        throw new InvalidArgumentError(
            `expected a price in USD, e.g. 0.10; got ${JSON.stringify(value)}`,
        );
    return n;
}

export function costCommand(): Command {
    return remoteOptions(new Command("cost"), false)
        .description(
            "List the stack's ECR images with sizes and tags, what the lifecycle policies keep, and the storage ECR bills a month",
        )
        .option(
            "--price-per-gb <usd>",
            "ECR storage price per GB-month (default: 0.10, https://aws.amazon.com/ecr/pricing/)",
            price,
        )
        .option("--json", "print one JSON object")
        .action(async (opts: CostOpts) => {
            /* eslint-disable @typescript-eslint/no-require-imports */
            const clients =
                require("../../lib/remote/clients") as typeof import("../../lib/remote/clients");
            const cost = require("../../lib/remote/cost") as typeof import("../../lib/remote/cost");
            const stack =
                require("../../lib/remote/stack") as typeof import("../../lib/remote/stack");
            /* eslint-enable @typescript-eslint/no-require-imports */
            const s = remoteSettings(opts);
            const outputs = await s.outputs();
            const repositories: Record<string, string[]> = {};
            for (const [image, v] of Object.entries(outputs.images ?? {}))
                if (v.repositoryUrl)
                    (repositories[stack.repositoryName(v.repositoryUrl)] ??= []).push(image);
            const client = clients.ecrClient(s);
            try {
                const r = await cost.costReport(client, repositories, opts.pricePerGb);
                process.stdout.write(
                    opts.json
                        ? `${JSON.stringify(r, null, 2)}\n`
                        : `${cost.formatCost(r).join("\n")}\n`,
                );
            } catch (e) {
                throw clients.awsError(e, opts.profile);
            } finally {
                client.destroy();
            }
        });
}
