/**
 * Argument and config validation shared by every component and by the stack-config parser.
 * Each check names the key in backticks, shows the bad value and says what is allowed, so a
 * user can fix the input without reading our source.
 */

/** The error every validation failure throws; `key` is the argument or config key at fault. */
import {
    DEFAULT_RUNTIME,
    LAYER_NAME_PATTERN,
    LAYER_RUNTIME_PATTERN,
    MEMORY_RANGE,
    PYTHON_RUNTIMES,
    PythonRuntime,
    RESERVED_ENV_NAMES,
    TIMEOUT_RANGE,
} from "./lambda/rules";
export class ValidationError extends Error {
    constructor(
        public readonly key: string,
        message: string,
    ) {
        super(message);
        this.name = "ValidationError";
    }
}

/** Renders a user value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
    if (value === undefined) return "undefined";
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    if (typeof value === "bigint") return `${value}n`;
    return JSON.stringify(value);
}

export function fail(key: string, allowed: string, value: unknown): never {
    throw new ValidationError(key, `\`${key}\` must be ${allowed}; got ${show(value)}.`);
}

/** Adds the component's type and name in front of a validation error, so a failure among many functions is findable. */
export function withContext<T>(component: string, name: string, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        if (e instanceof ValidationError) {
            throw new ValidationError(e.key, `${component} "${name}": ${e.message}`);
        }
        throw e;
    }
}

/**
 * Re-keys a component-level check for a document: `name` becomes `prefix` (the function's own key) and
 * a relative key like `events[0].http.route` becomes `prefix.events[0].http.route`.
 */
export function withKey<T>(prefix: string, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        if (e instanceof ValidationError && e.message.startsWith(`\`${e.key}\``)) {
            const key = e.key === "name" ? prefix : `${prefix}.${e.key}`;
            throw new ValidationError(key, `\`${key}\`${e.message.slice(e.key.length + 2)}`);
        }
        throw e;
    }
}

export function integerInRange(
    key: string,
    value: unknown,
    min: number,
    max: number,
    unit = "",
): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        fail(key, `an integer from ${min} to ${max}${unit ? ` (${unit})` : ""}`, value);
    }
    return value;
}

export function atLeast(key: string, value: unknown, min: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
        fail(key, `an integer >= ${min}`, value);
    }
    return value;
}

export function oneOf<T extends string | number>(
    key: string,
    value: unknown,
    allowed: readonly T[],
): T {
    if (!(allowed as readonly unknown[]).includes(value)) {
        fail(key, `one of ${allowed.map((a) => show(a)).join(", ")}`, value);
    }
    return value as T;
}

export function boolean(key: string, value: unknown): boolean {
    if (typeof value !== "boolean") fail(key, "true or false", value);
    return value;
}

export function nonEmptyString(key: string, value: unknown): string {
    if (typeof value !== "string" || value.trim() === "") fail(key, "a non-empty string", value);
    return value;
}

export function matches(key: string, value: unknown, pattern: RegExp, description: string): string {
    if (typeof value !== "string" || !pattern.test(value)) fail(key, description, value);
    return value;
}

export const STAGE_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A stage names a stack and prefixes its image tags (`<stage>-<hash>`), so it must be a valid tag fragment. */
export function stage(key: string, value: unknown): string {
    matches(
        key,
        value,
        STAGE_PATTERN,
        'lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev")',
    );
    return value as string;
}

/** Lambda instruction set architectures. */
export const Architecture = { X86_64: "x86_64", Arm64: "arm64" } as const;
export type Architecture = (typeof Architecture)[keyof typeof Architecture];
export const ARCHITECTURES: readonly Architecture[] = Object.values(Architecture);

export function architecture(key: string, value: unknown): Architecture {
    return oneOf(key, value, ARCHITECTURES);
}

export const MEMORY_MIN = MEMORY_RANGE.min;
export const MEMORY_MAX = MEMORY_RANGE.max;
export const TIMEOUT_MIN = TIMEOUT_RANGE.min;
export const TIMEOUT_MAX = TIMEOUT_RANGE.max;

export function memorySize(key: string, value: unknown): number {
    return integerInRange(key, value, MEMORY_MIN, MEMORY_MAX, "MB");
}

export function timeout(key: string, value: unknown): number {
    return integerInRange(key, value, TIMEOUT_MIN, TIMEOUT_MAX, "seconds");
}

/** The values CloudWatch Logs accepts for `retentionInDays` (0 would mean "never expire"; we require a retention). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
] as const;

export function logRetentionDays(key: string, value: unknown): number {
    return oneOf(key, value, LOG_RETENTION_DAYS as unknown as number[]);
}

/** A Python handler: dotted module path, then the function name, each a Python identifier. */
export const HANDLER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const HANDLER_DESCRIPTION =
    'a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler")';

export function handler(key: string, value: unknown): string {
    return matches(key, value, HANDLER_PATTERN, HANDLER_DESCRIPTION);
}

/**
 * An image command (`imageConfig.commands`): a non-empty list of non-empty strings whose first
 * element is the handler the runtime interface client loads.
 */
export function command(key: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        fail(key, `a non-empty list whose first element is ${HANDLER_DESCRIPTION}`, value);
    }
    value.forEach((part, i) => nonEmptyString(`${key}[${i}]`, part));
    handler(`${key}[0]`, value[0]);
    return [...value] as string[];
}

export function stringList(key: string, value: unknown): string[] {
    if (!Array.isArray(value)) fail(key, "a list of non-empty strings", value);
    value.forEach((part, i) => nonEmptyString(`${key}[${i}]`, part));
    return [...value] as string[];
}

/** Environment variable names Lambda accepts, minus the ones it reserves for itself (lib/lambda/rules). */
const ENV_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;
export { RESERVED_ENV_NAMES };

export function environmentName(key: string, name: string): string {
    matches(
        key,
        name,
        ENV_NAME_PATTERN,
        "an environment variable name matching [a-zA-Z][a-zA-Z0-9_]*",
    );
    if ((RESERVED_ENV_NAMES as readonly string[]).includes(name)) {
        fail(
            key,
            `a name Lambda does not reserve (reserved: ${RESERVED_ENV_NAMES.join(", ")})`,
            name,
        );
    }
    return name;
}

/** What Pulumi adds to a logical name when it auto-names a physical resource: `-` and 7 random characters. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/**
 * Checks that the child `${name}${role}` of a component fits `limit` characters once Pulumi appends its
 * random suffix; the error says how long the component name may be.
 */
export function autoNamedChild(name: string, role: string, limit: number, what: string): string {
    const max = limit - role.length - AUTONAME_SUFFIX_LENGTH;
    if (name.length > max) {
        fail(
            "name",
            `at most ${max} characters: ${what} is auto-named \`<name>${role}-<7 random>\` and AWS allows ${limit} (${name.length} given)`,
            name,
        );
    }
    return name;
}

/** A Python runtime Lambda still accepts for new functions (lib/lambda/rules). */
export function pythonRuntime(key: string, value: unknown): PythonRuntime {
    if (!(PYTHON_RUNTIMES as readonly unknown[]).includes(value)) {
        fail(
            key,
            `a Python runtime Lambda accepts for new functions: ${PYTHON_RUNTIMES.join(", ")}`,
            value,
        );
    }
    return value as PythonRuntime;
}

/** A layer's compatible runtimes: 1 to 15 Lambda runtime identifiers. */
export function compatibleRuntimes(key: string, value: unknown = [DEFAULT_RUNTIME]): string[] {
    if (!Array.isArray(value) || value.length === 0 || value.length > 15)
        fail(key, "a list of 1 to 15 Lambda runtimes", value);
    value.forEach((r, i) =>
        matches(
            `${key}[${i}]`,
            r,
            LAYER_RUNTIME_PATTERN,
            `a Lambda runtime identifier such as "${DEFAULT_RUNTIME}"`,
        ),
    );
    return [...value] as string[];
}

/** A layer's name, given or defaulted from the component name (which adds 9 characters). */
export function layerName(name: string, given: unknown): string | undefined {
    if (given !== undefined)
        return matches(
            "layerName",
            given,
            LAYER_NAME_PATTERN,
            "a layer name of 1-64 [a-zA-Z0-9_-]",
        );
    matches(
        "name",
        name,
        /^[a-zA-Z0-9_-]{1,55}$/,
        "1-55 of [a-zA-Z0-9_-] when `layerName` is not given (the default layer name adds 9 characters to it, and Lambda allows 64)",
    );
    return undefined;
}
