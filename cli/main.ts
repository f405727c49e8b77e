#!/usr/bin/env node
/** The lambda-docker command line. Commander parses arguments; only the command being run is loaded, so the CLI starts at once. */
import { Command } from "commander";
import * as nodeModule from "module";

// Node 22.1+ keeps compiled code between runs (in its own temp directory); older Node has no such call.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/* eslint-disable @typescript-eslint/no-require-imports */
/** Each command's module, loaded only when that command (or the full help) is asked for. */
const COMMANDS: Record<string, () => Command> = {
    layer: () => require("./commands/layer").layerCommand(),
    check: () => require("./commands/check").checkCommand(),
    invoke: () => require("./commands/invoke").invokeCommand(),
    serve: () => require("./commands/serve").serveCommand(),
    clean: () => require("./commands/clean").cleanCommand(),
    import: () => require("./commands/import").importCommand(),
    promote: () => require("./commands/promote").promoteCommand(),
    "iam-policy": () => require("./commands/iamPolicy").iamPolicyCommand(),
    logs: () => require("./commands/logs").logsCommand(),
    info: () => require("./commands/info").infoCommand(),
    smoke: () => require("./commands/smoke").smokeCommand(),
    cost: () => require("./commands/cost").costCommand(),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The program with `only` (a command name from argv) loaded, or every command when argv names none of them. */
export function program(only?: string): Command {
    const root = new Command("lambda-docker")
        .description("Ship Python AWS Lambda functions with Docker")
        .showHelpAfterError();
    const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
    for (const name of names) root.addCommand(COMMANDS[name]());
    return root;
}

if (require.main === module) {
    program(process.argv[2])
        .parseAsync(process.argv)
        .catch((err: Error) => {
            process.stderr.write(`lambda-docker: ${err.message}\n`);
            process.exitCode = 1;
        });
}
