/** `lambda-docker invoke`: one function's handler run locally with an event, by the Lambda Python runtime's rules. */
import { Command } from "commander";
import * as fs from "fs";
import { invokeLocal } from "../../lib/local/invoke";
import { runtimeOfBaseImage } from "../../lib/local/runtimeEnvironment";
import type { FunctionSpec } from "../../lib/manifest";
import { localEnvironment } from "../../lib/manifest/queries";
import {
    LocalSettings,
    CommonOpts,
    buildSettings,
    commonOptions,
    localSettings,
} from "../localSettings";
import { positiveInteger } from "../options";
import { withProgress } from "../output";

/* eslint-disable @typescript-eslint/no-require-imports */
/** What only some invocations need (a build, layers, the emulator), loaded then: `invoke --image` starts faster. */
const building = () =>
    require("../../lib/manifest/localBuild") as typeof import("../../lib/manifest/localBuild");
const local = () => require("../../lib/local") as typeof import("../../lib/local");
/* eslint-enable @typescript-eslint/no-require-imports */

function readEvent(source: string | undefined): unknown {
    if (source === undefined) return {};
    const text = fs.readFileSync(source === "-" ? 0 : source, "utf8");
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new Error(`--event ${JSON.stringify(source)} is not JSON: ${(e as Error).message}`);
    }
}

function jsonOption(flag: string) {
    return (value: string): Record<string, unknown> => {
        try {
            const parsed = JSON.parse(value) as unknown;
            if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
                return parsed as Record<string, unknown>;
        } catch {
            // reported below
        }
        throw new Error(`${flag} must be a JSON object; got ${JSON.stringify(value)}`);
    };
}

interface InvokeOpts extends CommonOpts {
    event?: string;
    timeout?: number;
    memory?: number;
    network?: boolean;
    emulator?: boolean;
    clientContext?: Record<string, unknown>;
    identity?: { cognitoIdentityId?: string; cognitoIdentityPoolId?: string };
    remote?: boolean;
    async?: boolean;
    functionName?: string;
    profile?: string;
}

/**
 * What runs a function locally: an image function's image (built unless `--image`); a zip function's
 * code mounted at /var/task in the base image, with its manifest layers (built or zipped) extracted
 * into /opt as Lambda does.
 */
export async function invocationTarget(
    s: LocalSettings,
    fn: FunctionSpec,
    image: string | undefined,
    onOutput: (line: string) => void,
) {
    const settings = buildSettings(s, onOutput);
    if (fn.kind === "image") {
        const spec = s.manifest.images[fn.image];
        if (spec.kind === "prebuilt")
            return {
                image: image ?? spec.uri,
                command: fn.command,
                workingDirectory: fn.workingDirectory,
                runtime: undefined,
            };
        const built =
            image ??
            (
                await local().buildLocalImage(
                    building().manifestImageBuild(spec, {
                        ...settings,
                        architecture: fn.architecture ?? s.architecture,
                    }),
                )
            ).image;
        const base = spec.buildArgs?.BASE_IMAGE ?? s.buildArgs.BASE_IMAGE;
        return {
            image: built,
            command: fn.command,
            workingDirectory: fn.workingDirectory,
            runtime: image ? undefined : runtimeOfBaseImage(base),
        };
    }
    const layers = await building().zipFunctionLayers(s.manifest, fn, settings);
    return {
        image: image ?? s.buildArgs.BASE_IMAGE,
        command: [fn.handler],
        workingDirectory: "/var/task",
        mounts: [{ source: fn.code, target: "/var/task" }],
        layers,
        runtime: fn.runtime,
    };
}

export function invokeCommand(): Command {
    return commonOptions(new Command("invoke"))
        .description(
            "Run one function's handler in the locally built image with an event, by the Lambda Python runtime's rules (--remote: the deployed function); the result JSON alone goes to stdout",
        )
        .argument("<function>", "function name from the manifest")
        .option("-e, --event <file>", "JSON event file, '-' for stdin (default: {})")
        .option(
            "--timeout <seconds>",
            "stop the invocation after this long, as Lambda would (default: the stack's timeout, else 30)",
            positiveInteger,
        )
        .option(
            "--memory <mb>",
            "the container's memory limit and context.memory_limit_in_mb (default: the stack's memorySize, else 512)",
            positiveInteger,
        )
        .option(
            "--network",
            "give the container a network (default: none, so nothing leaves the machine)",
        )
        .option(
            "--emulator",
            "run through the image's Lambda Runtime Interface Emulator (AWS base images have it), on a port published on 127.0.0.1",
        )
        .option(
            "--client-context <json>",
            'context.client_context, e.g. \'{"custom": {"tenant": "a"}}\'',
            jsonOption("--client-context"),
        )
        .option(
            "--identity <json>",
            'context.identity, e.g. \'{"cognitoIdentityId": "…", "cognitoIdentityPoolId": "…"}\'',
            jsonOption("--identity"),
        )
        .option("--remote", "invoke the deployed function (--stack or --function-name) instead")
        .option(
            "--async",
            "with --remote: InvocationType Event (queued; prints the 202 status only)",
        )
        .option(
            "--function-name <name-or-arn>",
            "with --remote: the deployed function's name or ARN",
        )
        .option(
            "--profile <name>",
            "with --remote: AWS profile (default: the default credential chain)",
        )
        .action(async (name: string, opts: InvokeOpts) => {
            if (opts.remote) {
                // Before any build: a remote invoke needs neither docker nor the manifest's images.
                const remote = require("./invokeRemote") as typeof import("./invokeRemote"); // eslint-disable-line @typescript-eslint/no-require-imports
                return remote.invokeRemoteCommand(name, readEvent(opts.event), opts);
            }
            if (opts.async || opts.functionName || opts.profile)
                throw new Error("--async, --function-name and --profile need --remote.");
            const s = localSettings(opts);
            const fn = s.manifest.functions[name];
            if (!fn)
                throw new Error(
                    `No function ${JSON.stringify(name)} in ${s.manifestFile}; it has ${Object.keys(s.manifest.functions).join(", ")}.`,
                );
            const event = readEvent(opts.event);
            const target = await withProgress(
                fn.kind === "image" ? "image" : "layers",
                opts.verbose === true,
                (onOutput) => invocationTarget(s, fn, opts.image, onOutput),
            );

            const controller = new AbortController();
            let signalled: NodeJS.Signals | undefined;
            const onSignal = (signal: NodeJS.Signals): void => {
                signalled = signal;
                controller.abort();
            };
            process.once("SIGINT", onSignal);
            process.once("SIGTERM", onSignal);
            try {
                const out = await (opts.emulator ? local().invokeWithEmulator : invokeLocal)({
                    ...target,
                    functionName: name,
                    event,
                    environment: { ...localEnvironment(fn, s.environment), ...opts.env },
                    region: s.region,
                    timeout: opts.timeout ?? fn.timeout ?? s.timeout,
                    memorySize: opts.memory ?? fn.memorySize ?? s.memorySize,
                    network: opts.network === true,
                    clientContext: opts.clientContext,
                    identity: opts.identity,
                    onLog: (line) => void process.stderr.write(`${line}\n`),
                    signal: controller.signal,
                });
                const pretty = process.stdout.isTTY === true && typeof out.result === "object";
                process.stdout.write(
                    `${pretty ? JSON.stringify(out.result, null, 2) : out.payload}\n`,
                );
                if (out.failed) process.exitCode = 1;
            } catch (e) {
                if (signalled) {
                    process.stderr.write(`lambda-docker: ${(e as Error).message}\n`);
                    process.exit(signalled === "SIGINT" ? 130 : 143);
                }
                throw e;
            } finally {
                process.removeListener("SIGINT", onSignal);
                process.removeListener("SIGTERM", onSignal);
            }
        });
}
