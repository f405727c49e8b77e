/**
 * The program's per-stage settings, read once from stack config (stacks/Pulumi.<stack>.yaml) into a
 * typed object. Pure: takes the raw key/value map Pulumi hands the program, so it is unit tested
 * without an engine. The defaults here are the ones Pulumi.yaml declares (a test keeps them equal).
 */
import * as v from "../lib/validation";
import { DEFAULT_BASE_IMAGE, FUNCTION_DEFAULTS } from "../lib/lambda/rules";

export const PROJECT = "lambda-docker";

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;

/** Every key this project reads, with its default. Unknown keys in our namespace are typos and refused. */
export const CONFIG_DEFAULTS = {
    memorySize: FUNCTION_DEFAULTS.memorySize,
    timeout: FUNCTION_DEFAULTS.timeout,
    architecture: "x86_64",
    logRetentionDays: 14,
    logLevel: "INFO",
    keepImages: 10,
    untaggedExpiryDays: 1,
    tagMutability: "MUTABLE",
    scanOnPush: true,
    forceDelete: false,
    protect: false,
    latestTag: false,
    baseImage: DEFAULT_BASE_IMAGE,
    preflight: false,
    manifest: "lambda-docker.yaml",
} as const;

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;

/** Keys without a default: absent means "not used". */
export const OPTIONAL_KEYS = ["promoteFrom", "imageDigest"] as const;

/** Keys that only matter to a stack that builds its own image, refused together with `promoteFrom`. */
export const BUILD_ONLY_KEYS = ["preflight", "latestTag"] as const;

/** `[<org>/[<project>/]]<stack>`, as `pulumi stack ls` and StackReference name stacks. */
export const STACK_REFERENCE_PATTERN = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

export interface StackConfig {
    readonly stage: string;
    readonly region: string;
    /** `aws:profile`, when the stack names one: the commands the engine runs (promotions) use it too. */
    readonly profile?: string;
    readonly memorySize: number;
    readonly timeout: number;
    readonly architecture: v.Architecture;
    readonly logRetentionDays: number;
    readonly logLevel: (typeof LOG_LEVELS)[number];
    readonly keepImages: number;
    readonly untaggedExpiryDays: number;
    readonly tagMutability: "MUTABLE" | "IMMUTABLE";
    readonly scanOnPush: boolean;
    readonly forceDelete: boolean;
    /** Protect the repository and retain pushed images on delete. */
    readonly protect: boolean;
    /** Also push a moving `<stage>-latest` tag (only on MUTABLE repositories). */
    readonly latestTag: boolean;
    /** BASE_IMAGE build arg of the app and layer Dockerfiles. */
    readonly baseImage: string;
    /** Build the image locally and check every function's command before creating anything. */
    readonly preflight: boolean;
    /** The functions manifest (image context and function commands). */
    readonly manifest: string;
    /** Build no image: promote the image of this stack (`[<org>/[<project>/]]<stack>`) into this stage's repository. */
    readonly promoteFrom?: string;
    /** Pin this digest (`sha256:<64 hex>`) of the `promoteFrom` stack's repository instead of its current image: a rollback or an audited release. */
    readonly imageDigest?: string;
}

/** Converts a config string to the type its default has; a value that doesn't convert is returned as is, for the error. */
function coerce(raw: string, like: unknown): unknown {
    if (typeof like === "number") return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof like === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
    return raw;
}

/**
 * @param stack the stack name, which is the stage.
 * @param values the raw config map, keys fully qualified (`lambda-docker:memorySize`, `aws:region`), as
 *   `pulumi.runtime.allConfig()` returns it.
 */
export function parseStackConfig(
    stack: string,
    values: Readonly<Record<string, string>>,
): StackConfig {
    return v.withContext("Stack", stack, () => {
        v.stage("stack name", stack);
        const known = new Set(
            [...Object.keys(CONFIG_DEFAULTS), ...OPTIONAL_KEYS].map((k) => `${PROJECT}:${k}`),
        );
        for (const key of Object.keys(values).sort()) {
            if (key.startsWith(`${PROJECT}:`) && !known.has(key)) {
                v.fail(
                    key,
                    `one of the known keys (${[...known].join(", ")}), not an unknown one`,
                    key,
                );
            }
        }
        const get = <K extends ConfigKey>(key: K): unknown => {
            const raw = values[`${PROJECT}:${key}`];
            return raw === undefined ? CONFIG_DEFAULTS[key] : coerce(raw, CONFIG_DEFAULTS[key]);
        };
        const k = (key: ConfigKey | (typeof OPTIONAL_KEYS)[number]): string => `${PROJECT}:${key}`;
        const region = values["aws:region"];
        if (region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
            v.fail(
                "aws:region",
                'an AWS region such as "us-east-1", set in the stack file',
                region,
            );
        }
        const config: StackConfig = {
            stage: stack,
            region,
            memorySize: v.memorySize(k("memorySize"), get("memorySize")),
            timeout: v.timeout(k("timeout"), get("timeout")),
            architecture: v.architecture(k("architecture"), get("architecture")),
            logRetentionDays: v.logRetentionDays(k("logRetentionDays"), get("logRetentionDays")),
            logLevel: v.oneOf(k("logLevel"), get("logLevel"), LOG_LEVELS),
            keepImages: v.atLeast(k("keepImages"), get("keepImages"), 1),
            untaggedExpiryDays: v.atLeast(k("untaggedExpiryDays"), get("untaggedExpiryDays"), 1),
            tagMutability: v.oneOf(k("tagMutability"), get("tagMutability"), [
                "MUTABLE",
                "IMMUTABLE",
            ] as const),
            scanOnPush: v.boolean(k("scanOnPush"), get("scanOnPush")),
            forceDelete: v.boolean(k("forceDelete"), get("forceDelete")),
            protect: v.boolean(k("protect"), get("protect")),
            latestTag: v.boolean(k("latestTag"), get("latestTag")),
            preflight: v.boolean(k("preflight"), get("preflight")),
            manifest: v.nonEmptyString(k("manifest"), get("manifest")),
            baseImage: v.matches(
                k("baseImage"),
                get("baseImage"),
                /^[a-z0-9][a-z0-9._/:@-]*$/,
                'an image reference such as "public.ecr.aws/lambda/python:3.11"',
            ),
        };
        const promoteFrom = values[k("promoteFrom")];
        const imageDigest = values[k("imageDigest")];
        if (promoteFrom !== undefined) {
            v.matches(
                k("promoteFrom"),
                promoteFrom,
                STACK_REFERENCE_PATTERN,
                "a stack name `[<org>/[<project>/]]<stack>` whose image this stack promotes",
            );
            if (promoteFrom.split("/").pop() === stack)
                v.fail(k("promoteFrom"), "another stack than this one", promoteFrom);
            for (const key of BUILD_ONLY_KEYS) {
                if (config[key])
                    v.fail(
                        k(key),
                        `false or unset when \`${k("promoteFrom")}\` is set (a promoting stack builds no image)`,
                        true,
                    );
            }
        }
        if (imageDigest !== undefined) {
            v.matches(
                k("imageDigest"),
                imageDigest,
                /^sha256:[0-9a-f]{64}$/,
                "an image digest `sha256:<64 lowercase hex>`",
            );
            if (promoteFrom === undefined)
                v.fail(
                    k("imageDigest"),
                    `unset unless \`${k("promoteFrom")}\` names the stack whose repository holds it`,
                    imageDigest,
                );
        }
        if (config.latestTag && config.tagMutability === "IMMUTABLE") {
            v.fail(
                k("latestTag"),
                "false when `lambda-docker:tagMutability` is IMMUTABLE (a moving tag cannot be re-pushed)",
                true,
            );
        }
        if (config.forceDelete && config.protect) {
            v.fail(
                k("forceDelete"),
                "false when `lambda-docker:protect` is true (a protected repository must keep its images)",
                true,
            );
        }
        const profile = values["aws:profile"];
        if (profile !== undefined)
            v.matches("aws:profile", profile, /^[A-Za-z0-9_.+=@,-]+$/, "an AWS profile name");
        const withProfile = profile === undefined ? config : { ...config, profile };
        return promoteFrom === undefined
            ? withProfile
            : {
                  ...withProfile,
                  promoteFrom,
                  ...(imageDigest === undefined ? {} : { imageDigest }),
              };
    });
}

/** The environment the program gives every function from the stack: its log level and stage. */
export function functionEnvironment(
    config: Pick<StackConfig, "logLevel" | "stage">,
): Record<string, string> {
    return { LOG_LEVEL: config.logLevel, STAGE: config.stage };
}
