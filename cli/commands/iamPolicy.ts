/**
 * `lambda-docker iam-policy --stack <s> [--preview]`: the least-privilege policy that deploys (or only
 * previews) this service, for exactly the resource types its manifest and stack create.
 */
import { Command, InvalidArgumentError } from "commander";
import * as path from "path";

function accountId(value: string): string {
    if (!/^(\d{12}|\*)$/.test(value))
        throw new InvalidArgumentError(
            `expected a 12-digit account id or *, got ${JSON.stringify(value)}`,
        );
    return value;
}

export function iamPolicyCommand(): Command {
    return new Command("iam-policy")
        .description(
            "Print the least-privilege IAM policy that deploys this service's stack (or, with --preview, only previews it)",
        )
        .requiredOption(
            "-s, --stack <name>",
            "the stack: stacks/Pulumi.<name>.yaml gives the stage, region and promotion",
        )
        .option("--preview", "the read-only policy a preview needs")
        .option(
            "--account <id>",
            "the account the stack deploys to (default: any, `*`)",
            accountId,
            "*",
        )
        .option(
            "--source-account <id>",
            "a promoting stack's source account (default: any, `*`)",
            accountId,
            "*",
        )
        .option("--partition <p>", "aws, aws-cn or aws-us-gov", "aws")
        .action(
            (opts: {
                stack: string;
                preview?: boolean;
                account: string;
                sourceAccount: string;
                partition: string;
            }) => {
                /* eslint-disable @typescript-eslint/no-require-imports */
                const { deployPolicy } =
                    require("../../lib/iam/deployPolicy") as typeof import("../../lib/iam/deployPolicy");
                const { programShape } =
                    require("../../lib/iam/programShape") as typeof import("../../lib/iam/programShape");
                const { findProject, localStackSettings } =
                    require("../../config/stackFile") as typeof import("../../config/stackFile");
                const { readManifest } =
                    require("../../lib/manifest") as typeof import("../../lib/manifest");
                /* eslint-enable @typescript-eslint/no-require-imports */
                const { config } = localStackSettings(opts.stack);
                const manifest = readManifest(path.join(findProject().dir, config.manifest));
                const policy = deployPolicy(
                    programShape(manifest, config),
                    {
                        partition: opts.partition,
                        region: config.region,
                        account: opts.account,
                        sourceAccount: opts.sourceAccount,
                    },
                    opts.preview ? "preview" : "deploy",
                );
                process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
            },
        );
}
