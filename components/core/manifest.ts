/**
 * `lambda-docker.yaml`: the image and its functions (name -> image command), shared by a program and
 * the CLI's `check` and `invoke`. Parsed with the `yaml` library and validated like component args.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as v from "./validation";

export interface FunctionSpec {
    readonly command: string[];
}

export interface Manifest {
    readonly image: { readonly context: string; readonly dockerfile?: string };
    readonly functions: Readonly<Record<string, FunctionSpec>>;
}

export const DEFAULT_MANIFEST = "lambda-docker.yaml";
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function object(key: string, value: unknown): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) v.fail(key, "a mapping", value);
    return value as Record<string, unknown>;
}

function onlyKeys(key: string, value: Record<string, unknown>, allowed: string[]): void {
    for (const k of Object.keys(value)) {
        if (!allowed.includes(k)) v.fail(`${key}${key ? "." : ""}${k}`, `absent (allowed keys: ${allowed.join(", ")})`, value[k]);
    }
}

/** Validates a parsed manifest; paths in it are relative to `baseDir`. */
export function parseManifest(doc: unknown, baseDir = "."): Manifest {
    const root = object("manifest", doc);
    onlyKeys("", root, ["image", "functions"]);
    const image = object("image", root.image);
    onlyKeys("image", image, ["context", "dockerfile"]);
    const context = v.nonEmptyString("image.context", image.context);
    const dockerfile = image.dockerfile === undefined ? undefined : v.nonEmptyString("image.dockerfile", image.dockerfile);
    const functions = object("functions", root.functions);
    if (Object.keys(functions).length === 0) v.fail("functions", "a mapping of at least one function", functions);
    const parsed: Record<string, FunctionSpec> = {};
    for (const [name, spec] of Object.entries(functions)) {
        v.matches(`functions.${name}`, name, NAME, "a function name of lowercase letters, digits and inner hyphens");
        const fn = object(`functions.${name}`, spec);
        onlyKeys(`functions.${name}`, fn, ["command"]);
        parsed[name] = { command: v.command(`functions.${name}.command`, fn.command) };
    }
    const join = (p: string) => (path.isAbsolute(p) ? p : path.join(baseDir, p)).split(path.sep).join("/");
    return { image: { context: join(context), dockerfile: dockerfile === undefined ? undefined : join(dockerfile) }, functions: parsed };
}

/** Reads and validates a manifest file; errors name the file. */
export function readManifest(file: string = DEFAULT_MANIFEST): Manifest {
    if (!fs.existsSync(file)) {
        throw new v.ValidationError("manifest", `Manifest ${JSON.stringify(file)} not found: create it (see lambda-docker.yaml in the README) or pass --manifest.`);
    }
    return v.withContext("Manifest", file, () => parseManifest(YAML.parse(fs.readFileSync(file, "utf8")), path.dirname(file)));
}
