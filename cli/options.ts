/** Option parsers shared by the CLI's commands. */
import { InvalidArgumentError } from "commander";

export function collectKeyValue(
    value: string,
    previous: Record<string, string>,
): Record<string, string> {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got ${JSON.stringify(value)}`);
    return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function choice<T extends string>(allowed: readonly T[]) {
    return (value: string): T => {
        if (!(allowed as readonly string[]).includes(value)) {
            throw new InvalidArgumentError(
                `expected one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
            );
        }
        return value as T;
    };
}

export function positiveInteger(value: string): number {
    if (!/^[1-9][0-9]*$/.test(value))
        throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
    return Number(value);
}
