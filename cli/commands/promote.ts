/**
 * `lambda-docker promote`: copy an image (or a layer artifact) by digest into another repository
 * under a tag. PromotedImage and PromotedLayer run it as a `command:local:Command`, so the copy is a
 * resource the engine plans, previews and records; users can run it by hand for a break-glass copy.
 */
import { Command } from "commander";
import { choice } from "../options";

export function promoteCommand(): Command {
    return new Command("promote")
        .description(
            "Copy an image (or a layer artifact) by digest into another repository under a tag; stdout is the result as JSON",
        )
        .requiredOption("--source <ref>", "<registry>/<repository>[:<tag>]@sha256:<digest>")
        .requiredOption("--target <repository>", "<registry>/<repository>")
        .requiredOption(
            "--tag <tag>",
            "the tag the copy gets, e.g. prod-<hash>-<12 hex of the digest>",
        )
        .option(
            "--architecture <arch>",
            "refuse an image of another architecture: x86_64 or arm64",
            choice(["x86_64", "arm64"] as const),
        )
        .option(
            "--layer",
            "the source is a layer artifact (DockerLayer `artifactRepository`), not an image",
        )
        .action(
            async (opts: {
                source: string;
                target: string;
                tag: string;
                architecture?: "x86_64" | "arm64";
                layer?: boolean;
            }) => {
                const { promoteImage } =
                    // eslint-disable-next-line @typescript-eslint/no-require-imports
                    require("../../lib/registry/promote") as typeof import("../../lib/registry/promote");
                const result = await promoteImage({
                    source: opts.source,
                    target: opts.target,
                    tag: opts.tag,
                    architecture: opts.architecture,
                    layer: opts.layer,
                });
                const how = result.unchanged
                    ? "already there, nothing written"
                    : `${result.mountedBlobs} blobs mounted, ${result.copiedBlobs} copied, ${result.presentBlobs} present${result.from === "target" ? " (from the target's own copy)" : ""}`;
                process.stderr.write(
                    `promoted ${opts.source} to ${opts.target}:${opts.tag}: ${how}\n`,
                );
                process.stdout.write(`${JSON.stringify(result)}\n`);
            },
        );
}
