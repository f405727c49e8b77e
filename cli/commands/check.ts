/** `lambda-docker check`: build the function images and import every handler in them as Lambda would, before any AWS call. */
import { Command } from "commander";
import { preflightImage } from "../../lib/local";
import { preflightManifest } from "../../lib/manifest/localBuild";
import { imageFunctionsOf, localEnvironment, zipFunctionsOf } from "../../lib/manifest";
import { CommonOpts, buildSettings, commonOptions, localSettings } from "../localSettings";
import { withProgress } from "../output";

export function checkCommand(): Command {
    return commonOptions(new Command("check"))
        .description(
            "Build the image locally and import every function's handler in it as Lambda would (its environment, reserved variables, no network)",
        )
        .action(async (opts: CommonOpts) => {
            const s = localSettings(opts);
            const functions = imageFunctionsOf(s.manifest);
            if (opts.image) {
                const checked = functions.map(([name, f]) => ({
                    name,
                    command: f.command,
                    architecture: f.architecture ?? s.architecture,
                    environment: localEnvironment(f, s.environment),
                    memorySize: f.memorySize ?? s.memorySize,
                }));
                await preflightImage(opts.image, checked, `image ${JSON.stringify(opts.image)}`, {
                    region: s.region,
                });
            } else {
                await withProgress("image", opts.verbose === true, (onOutput) =>
                    preflightManifest(s.manifest, buildSettings(s, onOutput)),
                );
            }
            for (const [name, f] of functions)
                process.stdout.write(`ok  ${name}  ${f.command[0]}\n`);
            for (const [name, f] of zipFunctionsOf(s.manifest)) {
                process.stdout.write(
                    opts.image
                        ? `--  ${name}  ${f.handler}  (a zip function: not checked with --image)\n`
                        : `ok  ${name}  ${f.handler}\n`,
                );
            }
        });
}
