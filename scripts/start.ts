/**
 * `npm start`: the example end to end on the local Docker engine, with no cloud account:
 * 1. build the campaign-core layer zip (DockerLayer's builder, cached by content hash);
 * 2. build the function image and run the handler preflight on every command of lambda-docker.yaml;
 * 3. print the LOCAL PLAN of what `pulumi up --stack dev` would create, by running index.ts under the
 *    offline mocks engine. Nothing is deployed.
 * `npm start -- --stack prod` uses another stack's settings (default: dev, or $STACK); BASE_IMAGE
 * overrides the stack's base image (e.g. a locally built one on an offline machine), as for the CLI;
 * `--verbose` prints docker's whole output instead of one progress line.
 */
import { Command } from "commander";
import { buildLayer, formatBytes } from "../components/docker/layer";
import { preflight } from "../components/docker/localImage";
import { readManifest } from "../components/core/manifest";
import { platformFor } from "../components/core/tags";
import { functionEnvironment } from "../config/stackConfig";
import { localStackSettings } from "../config/stackFile";
import { withProgress } from "../cli/output";
import { formatPlan, planEntries } from "../plan/format";
import { runProgram } from "../plan/program";

function step(text: string): void {
    process.stdout.write(`\n==> ${text}\n`);
}

async function main(STACK: string, verbose: boolean): Promise<void> {
    const { config, baseImage } = localStackSettings(STACK);
    const overrides: Record<string, string> = { "lambda-docker:preflight": "false", "lambda-docker:baseImage": baseImage }; // step 2 ran the preflight
    const buildArgs = { BASE_IMAGE: baseImage };

    step(`Building the campaign-core layer (layers/core, BASE_IMAGE=${baseImage})`);
    const layer = await withProgress("layer core", verbose, (onOutput) => buildLayer({ context: "layers/core", buildArgs, platform: platformFor(config.architecture), onOutput }));
    process.stdout.write(`    ${layer.cached ? "cached" : "built"} ${layer.zipPath}\n    sha256 ${layer.sha256}, ${formatBytes(layer.unzippedBytes)} unzipped\n`);

    const manifest = readManifest(config.manifest);
    step(`Building the function image (${manifest.image.context}) and checking every handler in it`);
    const functions = Object.entries(manifest.functions).map(([name, f]) => ({
        name, command: f.command, architecture: config.architecture, environment: functionEnvironment(config), memorySize: config.memorySize,
    }));
    const local = await withProgress("image", verbose, (onOutput) => preflight({
        context: manifest.image.context, dockerfile: manifest.image.dockerfile, buildArgs, architecture: config.architecture, functions, region: config.region, onOutput,
    }));
    process.stdout.write(`    image ${local.image} (${local.built ? "built" : "up to date"})\n`);
    for (const f of functions) process.stdout.write(`    ok  ${f.name.padEnd(24)} ${f.command[0]}\n`);

    step(`Planning stack "${STACK}" under the offline mocks engine`);
    const run = await runProgram(STACK, overrides);
    const title =
        `LOCAL PLAN for stack "${STACK}": what \`pulumi up --stack ${STACK}\` would create (offline mocks engine; nothing was deployed;\n` +
        "ARNs, IDs and digests are mock placeholders).";
    process.stdout.write(`${formatPlan(await planEntries(run.resources), title)}\n`);
    process.stdout.write(`\nTo deploy for real: pulumi stack select ${STACK} && pulumi up --stack ${STACK}  (see README)\n`);
}

new Command("npm start")
    .description("Build the layer and the image locally, check every handler, and print the plan of a stack (nothing is deployed)")
    .option("-s, --stack <name>", "the stack whose settings to use", process.env.STACK ?? "dev")
    .option("-v, --verbose", "print docker's whole build output")
    .action((opts: { stack: string; verbose?: boolean }) => main(opts.stack, opts.verbose === true))
    .parseAsync(process.argv)
    .catch((err: Error) => {
        process.stderr.write(`\nnpm start failed: ${err.message}\n`);
        process.exitCode = 1;
    });
