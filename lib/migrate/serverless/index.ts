/** `lambda-docker import serverless`: a Serverless Framework service as a manifest and a stack file (see docs/design/importer.md). */
import * as path from "path";
import * as v from "../../validation";
import { Converter } from "./converter";
import { PLACEHOLDER_PREFIX, ReportLine, Todo } from "./report";
import { VariableResolver } from "./variables";
import { Unresolved } from "./intrinsics";
import { ordered, toYaml } from "./yaml";
import { convertFunctions } from "./functions";
import { convertIam } from "./iam";
import { convertImages } from "./images";
import { convertLayers } from "./layers";
import { convertProvider } from "./provider";
import { convertPlugins, convertResources, convertRest } from "./resources";

export { PLACEHOLDER_PREFIX } from "./report";
export type { ReportLine, ReportStatus, Todo } from "./report";
export { manifestName, layerLogicalId } from "./converter";
export { VariableResolver, keyPath } from "./variables";
export { Intrinsic, Unresolved } from "./intrinsics";

export interface ImportOptions {
    /** The stage `${opt:stage}` and `${sls:stage}` resolve to; the stack file is `Pulumi.<stage>.yaml`. @default "dev" */
    readonly stage?: string;
    /** The directory the manifest will be written to; its paths are relative to it. @default the directory of serverless.yml */
    readonly outDir?: string;
    /** Reads a file by absolute path; `undefined` when there is no such file. */
    readonly readFile: (file: string) => string | undefined;
}

export interface ImportResult {
    /** The manifest as a plain object (what `manifestYaml` holds, without the header). */
    readonly manifest: Record<string, unknown>;
    /** lambda-docker.yaml: a header comment (generated, and the TODOs), then the manifest. */
    readonly manifestYaml: string;
    /** Stack config, fully qualified keys, values as Pulumi hands them to a program (strings). */
    readonly stackConfig: Record<string, string>;
    /** stacks/Pulumi.<stage>.yaml. */
    readonly stackYaml: string;
    readonly report: ReportLine[];
    readonly todos: Todo[];
    /** Config keys the manifest reads (`{ config, secret }`), with the command that sets each; never their values. */
    readonly configCommands: string[];
}

/** lambda-docker's stack log levels (config/stackConfig.ts LOG_LEVELS; a unit test keeps them equal). */
export const STACK_LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;

/** Serverless's values when provider and function leave them unset (v3 and v4 alike). */
export const SERVERLESS_DEFAULTS = { region: "us-east-1", memorySize: 1024, timeout: 6 } as const;

export function importServerless(file: string, options: ImportOptions): ImportResult {
    const stage = options.stage ?? "dev";
    v.stage("--stage", stage);
    const absolute = path.resolve(file);
    if (![".yml", ".yaml", ".json"].includes(path.extname(absolute).toLowerCase())) {
        throw new Error(
            `Cannot import ${path.basename(absolute)}: only serverless.yml, serverless.yaml and serverless.json services can be read (a JavaScript or TypeScript service is a program, not data).`,
        );
    }
    const serviceDir = path.dirname(absolute);
    const outDir = path.resolve(options.outDir ?? serviceDir);
    const mainFile = path.basename(absolute);
    const resolver = new VariableResolver(serviceDir, mainFile, stage, options.readFile);
    const c = new Converter(resolver, stage, serviceDir, outDir, options.readFile);
    // Without its functions the service can't be imported at all: name the include that is missing.
    const functionsValue = resolver.value(resolver.at(resolver.root(), "functions")).value;
    if (functionsValue instanceof Unresolved)
        throw new Error(
            `Cannot resolve ${functionsValue.original} at functions: ${functionsValue.reason}.`,
        );
    for (const step of [
        convertProvider,
        convertImages,
        convertIam,
        convertLayers,
        convertFunctions,
        convertResources,
        convertPlugins,
        convertRest,
    ]) {
        step(c);
        c.flush();
    }

    const raw = c.manifest();
    const notPython = c.report.filter(
        (l) =>
            l.status === "not converted" &&
            /^functions\.[^.]+$/.test(l.item) &&
            / (runtime is|deploys it as) /.test(l.detail),
    );
    if (
        Object.keys(c.functions).length === 0 &&
        Object.keys(c.layers).length === 0 &&
        notPython.length > 0
    ) {
        // Nothing Python to deploy (e.g. a Node.js service): refuse by name rather than write an empty manifest.
        const dropped = notPython.map((l) => `${l.item}: ${l.detail}`);
        throw new Error(
            `Cannot import ${path.basename(absolute)}: it has no Python function or layer lambda-docker can deploy` +
                (dropped.length > 0 ? ` (${dropped.join("; ")})` : "") +
                ". lambda-docker ships Python functions only.",
        );
    }
    const manifest = {
        ...raw,
        functions: Object.fromEntries(
            Object.entries(raw.functions as Record<string, Record<string, unknown>>).map(
                ([k, s]) => [k, ordered(s)],
            ),
        ),
    };
    const source = path.relative(outDir, absolute).split(path.sep).join("/");
    const manifestTodos = c.todos.filter((t) => !t.key.includes(":"));
    const header = [
        `# Generated by \`lambda-docker import serverless\` from ${source} (stage "${stage}").`,
        "# Review it, and the import report, before the first deploy.",
        ...(manifestTodos.length === 0
            ? ["# No TODO: every value was resolved."]
            : [
                  `# TODO: ${manifestTodos.length} value(s) the importer could not resolve are written as "${PLACEHOLDER_PREFIX}<expression>";`,
                  "# the manifest is refused until each is replaced by hand:",
                  ...manifestTodos.map((t) => `#   - ${t.key}: ${t.expression}`),
              ]),
    ].join("\n");
    const manifestYaml = `${header}\n${toYaml(manifest)}`;

    const stackConfig: Record<string, string> = {};
    for (const [k, value] of c.stack) stackConfig[k] = value;
    const stackTodos = c.todos.filter((t) => t.key.includes(":"));
    const typed = Object.fromEntries(
        Object.entries(stackConfig).map(([k, val]) => [
            k,
            /^\d+$/.test(val) ? Number(val) : val === "true" ? true : val === "false" ? false : val,
        ]),
    );
    const stackHeader = [
        `# Generated by \`lambda-docker import serverless\` from ${source} (stage "${stage}").`,
        ...stackTodos.map(
            (t) => `# TODO: ${t.key} is a placeholder (${t.expression}); replace it by hand.`,
        ),
    ].join("\n");
    const stackYaml = `${stackHeader}\n${toYaml({ config: typed })}`;
    const configCommands = [...c.configKeys].map(
        ([k, { secret, from }]) =>
            `pulumi config set ${secret ? "--secret " : ""}${k} <value> --stack ${stage}   # was ${from}`,
    );
    return {
        manifest,
        manifestYaml,
        stackConfig,
        stackYaml,
        report: c.report,
        todos: c.todos,
        configCommands,
    };
}
