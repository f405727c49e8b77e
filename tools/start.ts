/**
 * `npm start`: the example end to end on the local engine with no cloud account: build the layers and
 * images, preflight the handlers, print the plan of `pulumi up --stack dev` (README, "On a fresh machine").
 */
import { Command } from "commander";
import { buildLayer, formatBytes, zipDirectoryLayer } from "../lib/build/layerBuild";
import { preflightManifest } from "../lib/manifest/localBuild";
import { imageFunctionsOf, readManifest, zipFunctionsOf } from "../lib/manifest";
import { platformFor } from "../lib/tags";
import { formatImageSize, localImageSize, recordImageSize } from "../lib/local/imageSize";
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
    const overrides: Record<string, string> = {
        "lambda-docker:preflight": "false",
        "lambda-docker:baseImage": baseImage,
    }; // step 2 ran the preflight
    const buildArgs = { BASE_IMAGE: baseImage };

    const manifest = readManifest(config.manifest);
    for (const [name, layer] of Object.entries(manifest.layers)) {
        const what =
            layer.kind === "docker"
                ? `${layer.context}, BASE_IMAGE=${baseImage}`
                : `prebuilt directory ${layer.path}`;
        step(`Building the ${name} layer (${what})`);
        const built = await withProgress(`layer ${name}`, verbose, (onOutput) =>
            layer.kind === "docker"
                ? buildLayer({
                      context: layer.context,
                      dockerfile: layer.dockerfile,
                      target: layer.target,
                      buildArgs: { ...buildArgs, ...layer.buildArgs },
                      platform: platformFor(config.architecture),
                      onOutput,
                  })
                : zipDirectoryLayer({ directory: layer.path }),
        );
        process.stdout.write(
            `    ${built.cached ? "cached" : "built"} ${built.zipPath}\n    sha256 ${built.sha256}, ${formatBytes(built.unzippedBytes)} unzipped\n`,
        );
    }

    step(
        `Building ${Object.keys(manifest.images)
            .map((n) => {
                const i = manifest.images[n];
                return `the ${n} image (${i.kind === "prebuilt" ? i.uri : i.context})`;
            })
            .join(", ")} and checking every handler`,
    );
    const locals = await withProgress("image", verbose, (onOutput) =>
        preflightManifest(manifest, {
            buildArgs,
            architecture: config.architecture,
            region: config.region,
            environment: functionEnvironment(config),
            memorySize: config.memorySize,
            onOutput,
        }),
    );
    for (const [name, local] of Object.entries(locals)) {
        const bytes = await localImageSize(local.image);
        const size = formatImageSize(bytes, recordImageSize(name, bytes));
        process.stdout.write(
            `    image ${name}: ${local.image} (${local.built ? "built" : "up to date"}), ${size}\n`,
        );
    }
    for (const [name, f] of imageFunctionsOf(manifest))
        process.stdout.write(`    ok  ${name.padEnd(24)} ${f.command[0]}\n`);
    for (const [name, f] of zipFunctionsOf(manifest))
        process.stdout.write(
            `    ok  ${name.padEnd(24)} ${f.handler} (zip, in the base image with its layers)\n`,
        );

    step(`Planning stack "${STACK}" under the offline mocks engine`);
    const run = await runProgram(STACK, overrides);
    const title =
        `LOCAL PLAN for stack "${STACK}": what \`pulumi up --stack ${STACK}\` would create (offline mocks engine; nothing was deployed;\n` +
        "ARNs, IDs and digests are mock placeholders).";
    process.stdout.write(`${formatPlan(await planEntries(run.resources), title)}\n`);
    const routes = Object.entries(manifest.functions).flatMap(([name, f]) =>
        f.events.flatMap((e) => ("http" in e ? [`${e.http.route} → ${name}`] : [])),
    );
    if (routes.length > 0)
        process.stdout.write(
            `\nTo serve the routes on localhost (warm containers, source edits picked up): lambda-docker serve --stack ${STACK}\n` +
                routes.map((r) => `    ${r}\n`).join(""),
        );
    process.stdout.write(
        `\nTo deploy for real: pulumi stack select ${STACK} && pulumi up --stack ${STACK}  (see README)\n`,
    );
}

new Command("npm start")
    .description(
        "Build the layer and the image locally, check every handler, and print the plan of a stack (nothing is deployed)",
    )
    .option("-s, --stack <name>", "the stack whose settings to use", process.env.STACK ?? "dev")
    .option("-v, --verbose", "print docker's whole build output")
    .action((opts: { stack: string; verbose?: boolean }) => main(opts.stack, opts.verbose === true))
    .parseAsync(process.argv)
    .catch((err: Error) => {
        process.stderr.write(`\nnpm start failed: ${err.message}\n`);
        process.exitCode = 1;
    });
