/**
 * `lambda-docker import serverless <serverless.yml>`: writes lambda-docker.yaml and
 * stacks/Pulumi.<stage>.yaml from a Serverless Framework service and prints what became of each item.
 * The conversion itself is pure (lib/migrate/serverless/); this file reads, writes and prints.
 */
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_MANIFEST } from "../../lib/manifest";
import { PLACEHOLDER_PREFIX, ReportLine, importServerless } from "../../lib/migrate/serverless";

/** Reads a file for the importer: its text, or undefined when there is no such file. */
export function readIfExists(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        if (
            (e as NodeJS.ErrnoException).code === "ENOENT" ||
            (e as NodeJS.ErrnoException).code === "EISDIR"
        )
            return undefined;
        throw e;
    }
}

/** The service file: the path given, or the serverless.yml/.yaml/.json in the directory given. */
export function serviceFile(given: string): string {
    if (!fs.existsSync(given) || !fs.statSync(given).isDirectory()) return given;
    const found = ["serverless.yml", "serverless.yaml", "serverless.json"]
        .map((f) => path.join(given, f))
        .find((f) => fs.existsSync(f));
    if (found === undefined)
        throw new Error(`${given} has no serverless.yml, serverless.yaml or serverless.json.`);
    return found;
}

export function formatReportLine(line: ReportLine): string {
    return `${line.status.padEnd(13)} ${line.item}: ${line.detail}`;
}

/** Writes through a temporary file and a rename, so an interrupted import leaves no half-written file. */
function writeAtomically(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

/** Every path the manifest names, with its key. */
function manifestPaths(manifest: Record<string, unknown>): [string, string][] {
    const out: [string, string][] = [];
    const obj = (v: unknown) => (v ?? {}) as Record<string, Record<string, unknown>>;
    for (const [n, i] of Object.entries(obj(manifest.images)))
        for (const k of ["context", "dockerfile"])
            if (typeof i[k] === "string") out.push([`images.${n}.${k}`, i[k] as string]);
    for (const [n, l] of Object.entries(obj(manifest.layers)))
        for (const k of ["context", "dockerfile", "path"])
            if (typeof l[k] === "string") out.push([`layers.${n}.${k}`, l[k] as string]);
    for (const [n, f] of Object.entries(obj(manifest.functions))) {
        const code = f.code as string | { path?: string } | undefined;
        const p = typeof code === "string" ? code : code?.path;
        if (typeof p === "string") out.push([`functions.${n}.code`, p]);
    }
    return out.filter(([, p]) => !p.startsWith(PLACEHOLDER_PREFIX));
}

/** A route's sample event file name: `GET /orders/{id}` of `api` → `events/api-get-orders-id.json`. */
function sampleName(fn: string, route: string): string {
    const slug =
        route
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-|-$/g, "") || "root";
    return `${fn}-${slug}.json`;
}

/**
 * What makes `--out` a runnable project when it has no Pulumi.yaml: the program that deploys the
 * manifest with this package, and one API Gateway HTTP API event per route. Files that exist are kept.
 */
export function projectFiles(
    outDir: string,
    manifest: Record<string, unknown>,
): [string, string][] {
    const files: [string, string][] = [];
    if (!fs.existsSync(path.join(outDir, "Pulumi.yaml"))) {
        const name =
            path
                .basename(outDir)
                .toLowerCase()
                .replace(/[^a-z0-9-]+/g, "-") || "service";
        files.push([
            path.join(outDir, "Pulumi.yaml"),
            `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: ${name}, imported from Serverless by lambda-docker\nstackConfigDir: stacks\n`,
        ]);
        files.push([
            path.join(outDir, "index.ts"),
            `// Deploys lambda-docker.yaml with the stack's settings (stacks/Pulumi.<stack>.yaml).\nimport { manifestProgram } from "lambda-docker";\n\nexport = manifestProgram;\n`,
        ]);
    }
    const functions = (manifest.functions ?? {}) as Record<string, { events?: unknown[] }>;
    for (const [fn, spec] of Object.entries(functions)) {
        for (const e of spec.events ?? []) {
            const route = (e as { http?: unknown }).http;
            if (typeof route !== "string") continue;
            const file = path.join(outDir, "events", sampleName(fn, route));
            if (fs.existsSync(file)) continue;
            const [method, rawPath] = route === "$default" ? ["GET", "/"] : route.split(" ");
            const samplePath = rawPath.replace(/\{([^}+]+)\+?\}/g, "example-$1");
            const event = {
                version: "2.0",
                routeKey: route,
                rawPath: samplePath,
                rawQueryString: "",
                headers: { "content-type": "application/json" },
                requestContext: {
                    http: { method: method === "ANY" ? "GET" : method, path: samplePath },
                },
                body: method === "GET" || method === "DELETE" ? undefined : "{}",
                isBase64Encoded: false,
            };
            files.push([file, `${JSON.stringify(event, null, 2)}\n`]);
        }
    }
    return files;
}

export function importCommand(
    write: (text: string) => void = (t) => process.stdout.write(t),
): Command {
    const command = new Command("import").description(
        "Convert another tool's configuration to lambda-docker's",
    );
    command
        .command("serverless")
        .description(
            "Write lambda-docker.yaml and stacks/Pulumi.<stage>.yaml from a Serverless Framework service, and report what was and was not converted",
        )
        .argument(
            "<serverless.yml>",
            "the service's serverless.yml (or .yaml/.json), or its directory",
        )
        .option("--out <dir>", "directory to write into (default: the directory of serverless.yml)")
        .option(
            "--stage <stage>",
            "stage for ${opt:stage} and ${sls:stage}, and the stack file's name",
            "dev",
        )
        .option("--force", "overwrite existing output files")
        .action(async (given: string, opts: { out?: string; stage: string; force?: boolean }) => {
            const file = serviceFile(given);
            const outDir = path.resolve(opts.out ?? path.dirname(path.resolve(file)));
            const manifestFile = path.join(outDir, DEFAULT_MANIFEST);
            const stackFile = path.join(outDir, "stacks", `Pulumi.${opts.stage}.yaml`);
            const shown = (f: string) => {
                const rel = path.relative(process.cwd(), f);
                return rel.startsWith("..") || path.isAbsolute(rel) ? f : rel;
            };
            const result = importServerless(file, {
                stage: opts.stage,
                outDir,
                readFile: readIfExists,
            });
            const leaving = manifestPaths(result.manifest).filter(
                ([, p]) => p.startsWith("..") || path.isAbsolute(p),
            );
            if (leaving.length > 0) {
                const [key, p] = leaving[0];
                throw new Error(
                    `--out ${JSON.stringify(opts.out)} is outside the service: the manifest's paths are relative to it, and \`${key}\` would be ${JSON.stringify(p)}, out of it. ` +
                        "Write into the service directory (the default) or a directory that contains it; nothing was written.",
                );
            }
            if (!opts.force) {
                const existing = [manifestFile, stackFile].filter((f) => fs.existsSync(f));
                if (existing.length > 0) {
                    throw new Error(
                        `${existing.map(shown).join(" and ")} already exist${existing.length === 1 ? "s" : ""}: nothing was written; pass --force to overwrite.`,
                    );
                }
            }
            writeAtomically(manifestFile, result.manifestYaml);
            writeAtomically(stackFile, result.stackYaml);
            const project = projectFiles(outDir, result.manifest);
            for (const [f, text] of project) writeAtomically(f, text);
            const counts = (s: ReportLine["status"]) =>
                result.report.filter((l) => l.status === s).length;
            write(
                `${result.report.map(formatReportLine).join("\n")}\n\n` +
                    `Wrote ${shown(manifestFile)} and ${shown(stackFile)}: ${counts("converted")} converted, ` +
                    `${counts("not converted")} not converted, ${counts("placeholder")} placeholder(s) to replace by hand` +
                    `${result.todos.length > 0 ? ` (listed at the top of ${DEFAULT_MANIFEST})` : ""}.\n` +
                    (project.length > 0
                        ? `Wrote ${project.map(([f]) => shown(f)).join(", ")}: the Pulumi program that deploys the manifest.\n`
                        : "") +
                    (result.configCommands.length > 0
                        ? `\nThe functions read ${result.configCommands.length} value(s) from the stack's config; no value was written. Set each:\n` +
                          result.configCommands.map((c) => `  ${c}\n`).join("")
                        : "") +
                    `\nNext: lambda-docker check --stack ${opts.stage}${path.resolve(outDir) === path.resolve(process.cwd()) ? "" : ` (in ${shown(outDir)})`}\n`,
            );
        });
    return command;
}
