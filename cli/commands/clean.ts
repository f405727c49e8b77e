/**
 * `lambda-docker clean`: removes this project's local function images and cached zips that no current
 * input (the manifest with the stack's settings) refers to, and says what it freed.
 */
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    CleanReferences,
    executeClean,
    listCacheFiles,
    listLocalImages,
    planClean,
} from "../../lib/local/clean";
import { checkDaemon } from "../../lib/docker/cli";
import { formatBytes, resolveLayerBuild } from "../../lib/build/layerBuild";
import { localImageTag } from "../../lib/local/localImage";
import { listTree, writeZip } from "../../lib/build/zip";
import { platformFor } from "../../lib/tags";
import { Architecture } from "../../lib/validation";
import { builtImages, zipFunctionsOf } from "../../lib/manifest";
import { LocalSettings, localSettings } from "../localSettings";
import { collectKeyValue } from "../options";

export interface BuildInput {
    readonly context: string;
    readonly dockerfile?: string;
    readonly buildArgs?: Readonly<Record<string, string>>;
    readonly target?: string;
}

/** What the current inputs would build, in the terms of the caches. */
export interface CurrentInputs {
    readonly architecture: Architecture;
    readonly images: readonly BuildInput[];
    readonly dockerLayers: readonly BuildInput[];
    /** Directories zipped as they are: zip functions' code (`code-<sha>.zip`) and prebuilt layers (`layer-<sha>.zip`). */
    readonly zippedDirectories: readonly {
        readonly dir: string;
        readonly prefix: "code" | "layer";
    }[];
}

/** The sha256 of the deterministic zip of `dir`, as ZipFunction would write it. */
async function zipSha(dir: string): Promise<string> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ld-clean-"));
    try {
        return (await writeZip(listTree(dir), path.join(tmp, "x.zip"))).sha256;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

export async function currentReferences(
    inputs: CurrentInputs,
    cacheDir: string,
): Promise<CleanReferences> {
    const images = new Set(
        inputs.images.map((i) =>
            localImageTag({
                ...i,
                buildArgs: { ...(i.buildArgs ?? {}) },
                architecture: inputs.architecture,
            }),
        ),
    );
    const files = new Set<string>();
    for (const layer of inputs.dockerLayers) {
        const { inputHash } = resolveLayerBuild({
            ...layer,
            buildArgs: { ...(layer.buildArgs ?? {}) },
            platform: platformFor(inputs.architecture),
            cacheDir,
        });
        files.add(`${inputHash}.zip`).add(`${inputHash}.json`);
    }
    for (const { dir, prefix } of inputs.zippedDirectories) {
        if (fs.existsSync(dir)) files.add(`${prefix}-${await zipSha(dir)}.zip`);
    }
    return { images, files };
}

/** The inputs of the manifest under these settings. */
export function manifestInputs(s: LocalSettings): CurrentInputs {
    const m = s.manifest;
    const layers = Object.values(m.layers);
    return {
        architecture: s.architecture,
        images: builtImages(m).map(([, i]) => ({
            context: i.context,
            dockerfile: i.dockerfile,
            target: i.target,
            buildArgs: { ...s.buildArgs, ...i.buildArgs },
        })),
        dockerLayers: layers.flatMap((l) =>
            l.kind === "docker"
                ? [
                      {
                          context: l.context,
                          dockerfile: l.dockerfile,
                          target: l.target,
                          buildArgs: { ...s.buildArgs, ...l.buildArgs },
                      },
                  ]
                : [],
        ),
        zippedDirectories: [
            ...zipFunctionsOf(m).map(([, f]) => ({ dir: f.code, prefix: "code" as const })),
            ...layers.flatMap((l) =>
                l.kind === "directory" ? [{ dir: l.path, prefix: "layer" as const }] : [],
            ),
        ],
    };
}

export function cleanCommand(): Command {
    return new Command("clean")
        .description(
            "Remove the local function images and cached zips that no current input refers to, and say what it freed",
        )
        .option(
            "-m, --manifest <file>",
            "the functions manifest (default: the stack's, else lambda-docker.yaml)",
        )
        .option(
            "-s, --stack <name>",
            "current inputs with this stack's settings (base image, architecture)",
        )
        .option(
            "--build-arg <KEY=VALUE>",
            "build arg of the current images, repeatable",
            collectKeyValue,
            {},
        )
        .option("--cache-dir <dir>", "zip cache directory", path.join(".lambda-docker", "cache"))
        .option("-n, --dry-run", "say what would be removed, remove nothing")
        .action(
            async (opts: {
                manifest?: string;
                stack?: string;
                buildArg: Record<string, string>;
                cacheDir: string;
                dryRun?: boolean;
            }) => {
                const settings = localSettings({ ...opts, env: {} });
                await checkDaemon();
                const inputs = manifestInputs(settings);
                const refs = await currentReferences(inputs, opts.cacheDir);
                const plan = planClean(
                    await listLocalImages(inputs.images.map((i) => i.context)),
                    listCacheFiles(opts.cacheDir),
                    refs,
                );
                const result = await executeClean(plan, opts.cacheDir, {
                    dryRun: opts.dryRun === true,
                });
                const verb = opts.dryRun ? "would remove" : "removed";
                for (const i of result.plan.images)
                    process.stdout.write(`${verb}  image  ${i.ref}  ${formatBytes(i.bytes)}\n`);
                for (const f of result.plan.files)
                    process.stdout.write(
                        `${verb}  file   ${path.join(opts.cacheDir, f.name)}  ${formatBytes(f.bytes)}\n`,
                    );
                for (const k of result.kept)
                    process.stdout.write(`kept     image  ${k.ref}  (${k.reason})\n`);
                for (const ref of plan.keptImages)
                    process.stdout.write(`kept     image  ${ref}  (current)\n`);
                for (const name of plan.keptFiles)
                    process.stdout.write(
                        `kept     file   ${path.join(opts.cacheDir, name)}  (current)\n`,
                    );
                const images = opts.dryRun
                    ? `up to ${formatBytes(result.freedImageBytes)} of images (shared layers are freed only once unused)`
                    : `${formatBytes(result.freedImageBytes)} of images`;
                process.stdout.write(
                    `${opts.dryRun ? "Would free" : "Freed"} ${images} and ${formatBytes(result.freedFileBytes)} of cached zips: ` +
                        `${result.plan.images.length} image(s), ${result.plan.files.length} file(s).\n`,
                );
            },
        );
}
