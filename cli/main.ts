#!/usr/bin/env node
/** The lambda-docker command line. Commander parses arguments (help, errors, subcommands) so we don't. */
import { Command } from "commander";
import { checkCommand } from "./commands/check";
import { invokeCommand } from "./commands/invoke";
import { cleanCommand } from "./commands/clean";
import { importCommand } from "./commands/import";
import { layerCommand } from "./commands/layer";
import { promoteCommand } from "./commands/promote";
import { iamPolicyCommand } from "./commands/iamPolicy";

export function program(): Command {
    return new Command("lambda-docker")
        .description("Ship Python AWS Lambda functions with Docker")
        .showHelpAfterError()
        .addCommand(layerCommand())
        .addCommand(checkCommand())
        .addCommand(invokeCommand())
        .addCommand(cleanCommand())
        .addCommand(importCommand())
        .addCommand(promoteCommand())
        .addCommand(iamPolicyCommand());
}

if (require.main === module) {
    program()
        .parseAsync(process.argv)
        .catch((err: Error) => {
            process.stderr.write(`lambda-docker: ${err.message}\n`);
            process.exitCode = 1;
        });
}
