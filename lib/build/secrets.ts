/**
 * BuildKit build secrets for layer and local builds: values through docker's environment or the
 * user's file only; only the ids are hashed. See docs/design/build.md.
 */
import * as fs from "fs";
import { DockerError } from "../docker/cli";
import { fail } from "../validation";

/** Where a secret's value comes from: an environment variable, a file, or (from a program) the value itself. */
export type BuildSecretSource =
    | { readonly env: string }
    | { readonly src: string }
    | { readonly value: string };

export const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates a map of secret ids to sources; returns the ids, sorted. */
export function validateSecrets(key: string, secrets: unknown): string[] {
    if (secrets === undefined) return [];
    if (typeof secrets !== "object" || secrets === null || Array.isArray(secrets))
        fail(key, "a map of secret ids to { env } or { src } sources", secrets);
    const ids = Object.keys(secrets).sort();
    for (const id of ids) {
        if (!SECRET_ID.test(id))
            fail(`${key}.${id}`, "keyed by a BuildKit secret id of 1-64 [A-Za-z0-9_.-]", id);
        const source = (secrets as Record<string, unknown>)[id] as Record<string, unknown> | null;
        const kinds =
            typeof source === "object" && source !== null
                ? Object.keys(source).filter((k) => ["env", "src", "value"].includes(k))
                : [];
        if (
            kinds.length !== 1 ||
            Object.keys(source!).length !== 1 ||
            typeof source![kinds[0]] !== "string"
        ) {
            fail(
                `${key}.${id}`,
                'exactly one of { env: "<VARIABLE>" }, { src: "<file>" } or { value: "<value>" }',
                kinds.length === 0 ? source : Object.keys(source!),
            );
        }
        if (kinds[0] === "env" && !ENV_NAME.test(source!.env as string))
            fail(`${key}.${id}.env`, "an environment variable name", source!.env);
    }
    return ids;
}

/** Parses the CLI form `id=<id>,src=<file>` or `id=<id>,env=<VARIABLE>`, as `docker build --secret` takes it. */
export function parseSecretSpec(spec: string): [string, BuildSecretSource] {
    const fields = Object.fromEntries(
        spec.split(",").map((part) => {
            const eq = part.indexOf("=");
            return eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
        }),
    );
    const keys = Object.keys(fields).sort();
    const id = fields.id;
    const ok =
        typeof id === "string" &&
        SECRET_ID.test(id) &&
        keys.length === 2 &&
        (keys.includes("src") || keys.includes("env")) &&
        (fields.src ?? fields.env) !== "";
    if (!ok) fail("--secret", "`id=<id>,src=<file>` or `id=<id>,env=<VARIABLE>`", spec);
    return [id, fields.src !== undefined ? { src: fields.src } : { env: fields.env }];
}

/**
 * The `--secret` flags and the extra environment for docker. Values given directly travel in the child
 * process's environment under generated names (`env=`), so they are in no command line and no file.
 * Fails when an env variable is unset or a file is missing, naming the secret.
 */
export function secretFlags(
    secrets: Readonly<Record<string, BuildSecretSource>>,
    env: NodeJS.ProcessEnv,
): { flags: string[]; env: Record<string, string> } {
    const flags: string[] = [];
    const extra: Record<string, string> = {};
    Object.keys(secrets)
        .sort()
        .forEach((id, i) => {
            const source = secrets[id];
            if ("value" in source) {
                const name = `LAMBDA_DOCKER_SECRET_${i}`;
                extra[name] = source.value;
                flags.push("--secret", `id=${id},env=${name}`);
            } else if ("env" in source) {
                if (env[source.env] === undefined)
                    throw new DockerError(
                        `Build secret "${id}": environment variable ${source.env} is not set.`,
                    );
                flags.push("--secret", `id=${id},env=${source.env}`);
            } else {
                if (!fs.existsSync(source.src))
                    throw new DockerError(
                        `Build secret "${id}": file ${JSON.stringify(source.src)} does not exist.`,
                    );
                flags.push("--secret", `id=${id},src=${source.src}`);
            }
        });
    return { flags, env: extra };
}
