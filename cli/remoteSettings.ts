/** The options and settings of the commands that talk to a deployed stack (`invoke --remote`, `logs`, `info`, `smoke`, `cost`). */
import { Command } from "commander";
import { findProject, localStackSettings } from "../config/stackFile";
import type { AwsSettings } from "../lib/remote/clients";
import {
    DeployedFunction,
    StackOutputs,
    deployedFunction,
    functionFromFlag,
    readStackOutputs,
} from "../lib/remote/stack";

export interface RemoteOpts {
    /** The deployed stack (`--stack`): its outputs and stack file. @default undefined (then --function-name) */
    stack?: string;
    /** @default the stack's `aws:region`, else the SDK's resolution */
    region?: string;
    /** An AWS profile. @default undefined (the default credential chain) */
    profile?: string;
    /** A deployed function's name or ARN, over the stack's outputs. @default undefined */
    functionName?: string;
    /** @default the stack's `lambda-docker:manifest`, else lambda-docker.yaml */
    manifest?: string;
}

/** --stack, --region and --profile; with `functionName`, --function-name too. */
export function remoteOptions(cmd: Command, functionName = true): Command {
    cmd.option(
        "-s, --stack <name>",
        "the deployed stack: its outputs (pulumi stack output) name the functions, stacks/Pulumi.<name>.yaml the region",
    )
        .option("--region <region>", "AWS region (default: the stack's aws:region, else the SDK's)")
        .option("--profile <name>", "AWS profile (default: the SDK's default credential chain)");
    if (functionName)
        cmd.option(
            "--function-name <name-or-arn>",
            "the deployed function's name or ARN (instead of looking it up in the stack's outputs)",
        );
    return cmd;
}

/** The stack's settings as the remote commands use them; outputs are read once, when first asked. */
export interface RemoteSettings extends AwsSettings {
    readonly stack?: string;
    outputs(): Promise<StackOutputs>;
}

export function remoteSettings(opts: RemoteOpts): RemoteSettings {
    const region =
        opts.region ?? (opts.stack ? localStackSettings(opts.stack).config.region : undefined);
    let outputs: Promise<StackOutputs> | undefined;
    return {
        stack: opts.stack,
        region,
        profile: opts.profile,
        outputs: () => {
            if (!opts.stack)
                return Promise.reject(
                    new Error("This command needs --stack <name> (the deployed stack)."),
                );
            const stack = opts.stack;
            outputs ??= readStackOutputs(stack, findProject().dir);
            return outputs;
        },
    };
}

/** The deployed function `fn` names: --function-name, else the stack's outputs. */
export async function resolveFunction(
    fn: string | undefined,
    opts: RemoteOpts,
    s: RemoteSettings,
): Promise<DeployedFunction> {
    if (opts.functionName) return functionFromFlag(opts.functionName);
    if (!opts.stack || fn === undefined)
        throw new Error(
            "Name the deployed function: --stack <name> with the manifest's function name, or --function-name <name or ARN>.",
        );
    return deployedFunction(await s.outputs(), fn, opts.stack);
}
