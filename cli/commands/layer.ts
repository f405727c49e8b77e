/**
 * `lambda-docker layer build <context>`: the layer zip without a deploy, replacing hand-written
 * build-layer.sh scripts. Docker output streams to stderr; the result goes to stdout.
 */
import { Command, InvalidArgumentError } from "commander";
import { BUILDERS, LAYER_PLATFORMS, buildLayer, formatBytes } from "../../lib/build/layerBuild";
import { BuildSecretSource, parseSecretSpec } from "../../lib/build/secrets";
import { platformFor } from "../../lib/tags";
import { localBaseImage, localStackSettings } from "../../config/stackFile";
import { choice, collectKeyValue } from "../options";
import { withProgress } from "../output";

function collectSecret(
    spec: string,
    previous: Record<string, BuildSecretSource>,
): Record<string, BuildSecretSource> {
    try {
        const [id, source] = parseSecretSpec(spec);
        return { ...previous, [id]: source };
    } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
    }
}

export function layerCommand(): Command {
    const layer = new Command("layer").description("Lambda layers built with Docker");
    layer
        .command("build")
        .description("Build a deterministic layer zip from a Docker build (cached by content hash)")
        .argument("<context>", "build context directory (Dockerfile inside unless --dockerfile)")
        .option("-o, --out <file>", "copy the zip here")
        .option("-f, --dockerfile <file>", "Dockerfile path (default: <context>/Dockerfile)")
        .option("--target <stage>", "stage whose asset directory is exported (default: the last)")
        .option("--build-arg <KEY=VALUE>", "build arg, repeatable", collectKeyValue, {})
        .option(
            "--secret <id=ID,src=FILE|env=VAR>",
            "BuildKit secret for RUN --mount=type=secret, repeatable",
            collectSecret,
            {},
        )
        .option(
            "--platform <platform>",
            `target platform: ${LAYER_PLATFORMS.join(" or ")}`,
            choice(LAYER_PLATFORMS),
        )
        .option("--asset-path <dir>", "directory in the image that becomes the zip root", "/asset")
        .option("--cache-dir <dir>", "zip cache directory", ".lambda-docker/cache")
        .option("--builder <builder>", `${BUILDERS.join(", ")}`, choice(BUILDERS))
        .option("--keep-bytecode", "keep __pycache__/*.pyc in the zip")
        .option("--no-cache", "build without Docker's build cache")
        .option(
            "-s, --stack <name>",
            "take BASE_IMAGE and the platform from stacks/Pulumi.<name>.yaml (flags win)",
        )
        .option("-v, --verbose", "print docker's whole build output")
        .option("--json", "print the result as JSON")
        .action(async (context: string, opts) => {
            const stack = opts.stack ? localStackSettings(opts.stack) : undefined;
            const baseImage = localBaseImage(
                (opts.buildArg as Record<string, string>).BASE_IMAGE,
                process.env,
                stack?.config.baseImage,
            );
            const result = await withProgress(
                `layer ${context}`,
                opts.verbose === true,
                (onOutput) =>
                    buildLayer({
                        context,
                        dockerfile: opts.dockerfile,
                        target: opts.target,
                        buildArgs: { ...opts.buildArg, BASE_IMAGE: baseImage },
                        secrets: Object.keys(opts.secret).length > 0 ? opts.secret : undefined,
                        platform:
                            opts.platform ??
                            (stack ? platformFor(stack.config.architecture) : undefined),
                        assetPath: opts.assetPath,
                        cacheDir: opts.cacheDir,
                        builder: opts.builder,
                        keepBytecode: opts.keepBytecode ?? false,
                        noCache: opts.cache === false,
                        out: opts.out,
                        onOutput,
                    }),
            );
            const zipPath = opts.out ?? result.zipPath;
            if (opts.json) {
                process.stdout.write(`${JSON.stringify({ ...result, zipPath }, null, 2)}\n`);
            } else {
                process.stdout.write(
                    `${zipPath}\n  sha256     ${result.sha256}\n  unzipped   ${formatBytes(result.unzippedBytes)}\n` +
                        `  zipped     ${formatBytes(result.zippedBytes)}\n  cached     ${result.cached}\n`,
                );
            }
        });
    layer
        .command("push")
        .description(
            "Push a layer zip as an OCI artifact (what prod promotes by digest); stdout is the result as JSON",
        )
        .requiredOption("--zip <file>", "the layer zip")
        .requiredOption("--target <repository>", "<registry>/<repository>")
        .requiredOption("--tag <tag>", "e.g. dev-<16 hex of the zip's sha256>")
        .action(async (opts: { zip: string; target: string; tag: string }) => {
            const { pushLayerArtifact } =
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                require("../../lib/registry/artifact") as typeof import("../../lib/registry/artifact");
            const result = await pushLayerArtifact({
                zip: opts.zip,
                target: opts.target,
                tag: opts.tag,
            });
            process.stderr.write(
                `layer ${opts.zip} ${result.unchanged ? "already" : "now"} at ${opts.target}:${opts.tag} (${result.digest})\n`,
            );
            process.stdout.write(`${JSON.stringify(result)}\n`);
        });
    return layer;
}
