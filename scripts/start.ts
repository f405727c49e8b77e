/**
 * `npm start`: the example end to end on the local Docker engine, with no cloud account:
 * 1. build the campaign-core layer zip (DockerLayer's builder, cached by content hash);
 * 2. build the function image and run the handler preflight on every command of lambda-docker.yaml;
 * 3. print the LOCAL PLAN of what `pulumi up --stack dev` would create, by running index.ts under the
 *    offline mocks engine. Nothing is deployed.
 * BASE_IMAGE overrides the Lambda base image (e.g. a locally built one on an offline machine).
 */
import { buildLayer, formatBytes } from "../components/docker/layer";
import { preflight } from "../components/docker/localImage";
import { readManifest } from "../components/core/manifest";
import { platformFor } from "../components/core/tags";
import { parseStackConfig } from "../config/stackConfig";
import { formatPlan, planEntries } from "../plan/format";
import { runProgram, stackConfig } from "../plan/program";

const STACK = process.env.STACK ?? "dev";

function step(text: string): void {
    process.stdout.write(`\n==> ${text}\n`);
}

async function main(): Promise<void> {
    const overrides: Record<string, string> = { "lambda-docker:preflight": "false" }; // step 2 ran it already
    if (process.env.BASE_IMAGE) overrides["lambda-docker:baseImage"] = process.env.BASE_IMAGE;
    const config = parseStackConfig(STACK, { ...stackConfig(STACK), ...overrides });
    const buildArgs = { BASE_IMAGE: config.baseImage };
    const verbose = process.env.VERBOSE === "1";
    const echo = (line: string) => verbose && process.stderr.write(`    ${line}\n`);

    step(`Building the campaign-core layer (layers/core, BASE_IMAGE=${config.baseImage})`);
    const layer = await buildLayer({ context: "layers/core", buildArgs, platform: platformFor(config.architecture), onOutput: echo });
    process.stdout.write(`    ${layer.cached ? "cached" : "built"} ${layer.zipPath}\n    sha256 ${layer.sha256}, ${formatBytes(layer.unzippedBytes)} unzipped\n`);

    const manifest = readManifest(config.manifest);
    step(`Building the function image (${manifest.image.context}) and checking every handler in it`);
    const functions = Object.entries(manifest.functions).map(([name, f]) => ({ name, command: f.command, architecture: config.architecture }));
    const local = await preflight({ context: manifest.image.context, dockerfile: manifest.image.dockerfile, buildArgs, architecture: config.architecture, functions, onOutput: echo });
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

main().catch((err: Error) => {
    process.stderr.write(`\nnpm start failed: ${err.message}\n`);
    process.exitCode = 1;
});
