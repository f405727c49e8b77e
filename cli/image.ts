/**
 * `lambda-docker check` and `lambda-docker invoke`: the function image on the local engine, before
 * any AWS call. Functions and their commands come from the manifest (lambda-docker.yaml).
 */
import { Command } from "commander";
import * as fs from "fs";
import { LocalImageOptions, buildLocalImage, invokeLocal, preflight, preflightImage } from "../components/docker/localImage";
import { DEFAULT_MANIFEST, Manifest, readManifest } from "../components/core/manifest";
import { ARCHITECTURES, Architecture } from "../components/core/validation";
import { choice, collectKeyValue, positiveInteger } from "./options";

interface ImageOpts {
    manifest: string;
    image?: string;
    architecture: Architecture;
    buildArg: Record<string, string>;
}

function imageOptions(cmd: Command): Command {
    return cmd
        .option("-m, --manifest <file>", "the functions manifest", DEFAULT_MANIFEST)
        .option("--image <ref>", "check/run this local image instead of building the manifest's")
        .option("--architecture <arch>", `the functions' architecture: ${ARCHITECTURES.join(" or ")}`, choice(ARCHITECTURES), "x86_64")
        .option("--build-arg <KEY=VALUE>", "build arg, repeatable (e.g. BASE_IMAGE=…)", collectKeyValue, {});
}

function localBuild(manifest: Manifest, opts: ImageOpts): LocalImageOptions {
    return {
        context: manifest.image.context,
        dockerfile: manifest.image.dockerfile,
        buildArgs: opts.buildArg,
        architecture: opts.architecture,
        onOutput: (line) => process.stderr.write(`${line}\n`),
    };
}

export function checkCommand(): Command {
    return imageOptions(new Command("check"))
        .description("Build the image locally and check that every function's command resolves in it, for the right architecture")
        .action(async (opts: ImageOpts) => {
            const manifest = readManifest(opts.manifest);
            const functions = Object.entries(manifest.functions).map(([name, f]) => ({ name, command: f.command, architecture: opts.architecture }));
            if (opts.image) await preflightImage(opts.image, functions, `image ${JSON.stringify(opts.image)}`);
            else await preflight({ ...localBuild(manifest, opts), functions });
            for (const f of functions) process.stdout.write(`ok  ${f.name}  ${f.command[0]}\n`);
        });
}

export function invokeCommand(): Command {
    return imageOptions(new Command("invoke"))
        .description("Run one function's handler in the locally built image with an event (not the Lambda Runtime Interface Emulator: see README)")
        .argument("<function>", "function name from the manifest")
        .requiredOption("-e, --event <file>", "JSON event file ('-' for stdin)")
        .option("--env <KEY=VALUE>", "environment variable for the handler, repeatable", collectKeyValue, {})
        .option("--timeout <seconds>", "what context.get_remaining_time_in_millis() counts down from", positiveInteger, 30)
        .option("--memory <mb>", "context.memory_limit_in_mb", positiveInteger, 512)
        .action(async (name: string, opts: ImageOpts & { event: string; env: Record<string, string>; timeout: number; memory: number }) => {
            const manifest = readManifest(opts.manifest);
            const fn = manifest.functions[name];
            if (!fn) throw new Error(`No function ${JSON.stringify(name)} in ${opts.manifest}; it has ${Object.keys(manifest.functions).join(", ")}.`);
            const text = fs.readFileSync(opts.event === "-" ? 0 : opts.event, "utf8");
            let event: unknown;
            try {
                event = JSON.parse(text);
            } catch (e) {
                throw new Error(`Event ${JSON.stringify(opts.event)} is not JSON: ${(e as Error).message}`);
            }
            const image = opts.image ?? (await buildLocalImage(localBuild(manifest, opts))).image;
            const out = await invokeLocal({ image, functionName: name, command: fn.command, event, environment: opts.env, timeout: opts.timeout, memorySize: opts.memory });
            process.stderr.write(`--- logs (${name}) ---\n${out.logs.map((l) => `${l}\n`).join("")}--- ${out.failed ? "error" : "result"} ---\n`);
            process.stdout.write(`${JSON.stringify(out.result, null, 2)}\n`);
            if (out.failed) process.exitCode = 1;
        });
}
