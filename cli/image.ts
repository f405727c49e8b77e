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

/** `KEY=VALUE` lines of a dotenv file: `#` comments, blank lines, optional `export `, optional matching quotes. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
    const out: Record<string, string> = {};
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) return;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
        if (!m) throw new Error(`--env-file ${file}, line ${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`);
        const value = m[2];
        out[m[1]] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
    });
    return out;
}

export function checkCommand(): Command {
    return imageOptions(new Command("check"))
        .description("Build the image locally and import every function's handler in it as Lambda would (its environment, reserved variables, no network)")
        .option("--env <KEY=VALUE>", "environment variable for every function while its handler imports, repeatable", collectKeyValue, {})
        .option("--env-file <file>", "more environment variables, KEY=VALUE lines (dotenv)")
        .option("--region <region>", "AWS_REGION while handlers import", "us-east-1")
        .action(async (opts: ImageOpts & { env: Record<string, string>; envFile?: string; region: string }) => {
            const manifest = readManifest(opts.manifest);
            const fromFile = opts.envFile ? parseEnvFile(fs.readFileSync(opts.envFile, "utf8"), opts.envFile) : {};
            const environment = { ...fromFile, ...opts.env };
            const functions = Object.entries(manifest.functions).map(([name, f]) => ({ name, command: f.command, architecture: opts.architecture, environment }));
            if (opts.image) await preflightImage(opts.image, functions, `image ${JSON.stringify(opts.image)}`, { region: opts.region });
            else await preflight({ ...localBuild(manifest, opts), functions, region: opts.region });
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
