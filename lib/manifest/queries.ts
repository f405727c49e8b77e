/** Questions a program and the CLI ask of a parsed manifest. */
import * as v from "../validation";
import { DEFAULT_MANIFEST } from "./types";
import {
    BuiltImageSpec,
    FunctionSpec,
    ImageFunctionSpec,
    Manifest,
    ZipFunctionSpec,
} from "./types";

/**
 * Each queue's visibility timeout: its own, else six times the longest timeout of the functions it
 * triggers (AWS's advice), capped at SQS's 12 hours. A queue whose own timeout is shorter than a
 * function's is refused: AWS would refuse the event source mapping halfway through a deploy.
 * @param defaultTimeout the timeout of a function that sets none (the stack's).
 */
export function queueVisibilityTimeouts(
    manifest: Manifest,
    defaultTimeout: number,
): Record<string, number> {
    return Object.fromEntries(
        Object.entries(manifest.queues).map(([queue, spec]) => {
            const consumers = Object.entries(manifest.functions)
                .filter(([, f]) => f.events.some((e) => "sqs" in e && e.sqs.queue === queue))
                .map(([name, f]) => [name, f.timeout ?? defaultTimeout] as const);
            const longest = consumers.reduce((max, c) => (c[1] > max[1] ? c : max), [
                "",
                0,
            ] as readonly [string, number]);
            if (spec.visibilityTimeout !== undefined && spec.visibilityTimeout < longest[1]) {
                v.fail(
                    `queues.${queue}.visibilityTimeout`,
                    `at least the timeout of every function it triggers (function "${longest[0]}" has ${longest[1]} seconds; AWS refuses the mapping otherwise)`,
                    spec.visibilityTimeout,
                );
            }
            return [
                queue,
                spec.visibilityTimeout ??
                    Math.min(43_200, 6 * Math.max(defaultTimeout, longest[1])),
            ];
        }),
    );
}

/** The image functions, all or those of one image, in manifest order. */
export function imageFunctionsOf(
    manifest: Manifest,
    imageName?: string,
): [string, ImageFunctionSpec][] {
    return Object.entries(manifest.functions).filter(
        (e): e is [string, ImageFunctionSpec] =>
            e[1].kind === "image" && (imageName === undefined || e[1].image === imageName),
    );
}

/** The zip functions, in manifest order. */
export function zipFunctionsOf(manifest: Manifest): [string, ZipFunctionSpec][] {
    return Object.entries(manifest.functions).filter(
        (e): e is [string, ZipFunctionSpec] => e[1].kind === "zip",
    );
}

/**
 * A function's environment for a local run, over `outer` (the stack's, `--env-file`, `--env`): a
 * variable read from config takes its value from `outer`, else is empty (local runs have no secrets).
 */
export function localEnvironment(
    f: FunctionSpec,
    outer: Readonly<Record<string, string>> = {},
): Record<string, string> {
    return {
        ...outer,
        ...Object.fromEntries(Object.keys(f.configEnvironment).map((k) => [k, outer[k] ?? ""])),
        ...f.environment,
    };
}

/** The images lambda-docker builds (a prebuilt `uri` image is pulled, not built). */
export function builtImages(manifest: Manifest): [string, BuiltImageSpec][] {
    return Object.entries(manifest.images).flatMap(([n, i]) =>
        i.kind === "prebuilt" ? [] : [[n, i] as [string, BuiltImageSpec]],
    );
}

/**
 * What can refuse the deploy of `manifest` beyond its own document, checked with no resource and no
 * build: the plan, `check` and `invoke` all call it, so what a local command accepts, the plan accepts.
 */
export function checkManifestDeploy(
    manifest: Manifest,
    s: { readonly timeout: number; readonly source?: string },
): void {
    v.withContext("Manifest", s.source ?? DEFAULT_MANIFEST, () =>
        queueVisibilityTimeouts(manifest, s.timeout),
    );
}
