/**
 * `lambda-docker import serverless`: a Serverless Framework service (serverless.yml, v3/v4) as a
 * lambda-docker manifest (version 2) and a stack file. Pure: files are read through the caller's
 * reader and nothing is written. Every item of the service is reported as converted, not converted
 * (with why), or written as a `TODO(lambda-docker import): …` placeholder that the manifest parser
 * refuses until it is replaced by hand. Nothing is guessed and nothing is dropped silently.
 *
 * Variables follow Serverless's rules: `${file(…)}` paths are relative to the service directory
 * (serverless.yml's), also inside included files, as `path.resolve(serviceDir, …)` in Serverless v3
 * and v4 has it; `${opt:stage}` and `${sls:stage}` are the imported stage (the import stands for
 * `serverless deploy --stage <stage>` with no other option); values are resolved only where the
 * importer uses them, so an `${ssm:…}` in a plugin's settings neither fails nor shows up.
 *
 * Decisions, each reported where it applies:
 * - Serverless's defaults are written out (region us-east-1, 1024 MB, 6 s), so the stack keeps the
 *   values the service ran with rather than lambda-docker's own defaults.
 * - `provider.environment` LOG_LEVEL and STAGE go to the stack (`lambda-docker:logLevel`; STAGE is
 *   the stack name), the rest to every function's environment, under the function's own.
 * - A value that depends on the stage is resolved for the imported stage and reported: the
 *   manifest is shared by every stack.
 * - A handler `path/to/module.fn` becomes `path.to.module.fn` (Lambda's Python runtime imports both
 *   alike). A zip function's `code` is a placeholder: Serverless zipped the service directory minus
 *   node_modules, .git, .serverless and `package.patterns`, lambda-docker zips every file under `code`.
 * - `http` (REST API) and `httpApi` events become HTTP API routes; an event whose other settings
 *   change what the function receives or who may call it (authorizers, API keys, input transformers,
 *   batch item failures, filters) is not converted at all rather than converted without them.
 * - A statement with Condition, NotAction or NotResource is not converted (without them it would
 *   grant more); `*` and `service:*` get `allowWildcards: true`, reported.
 */
import * as path from "path";
import * as YAML from "yaml";
import { instructions } from "../../build/dockerfile";
import * as v from "../../validation";

/** What every placeholder starts with; the manifest parser refuses any string that does. */
export const PLACEHOLDER_PREFIX = "TODO(lambda-docker import): ";

export type ReportStatus = "converted" | "not converted" | "placeholder";

/** One line of the import report: a Serverless item (its key path) and what became of it. */
export interface ReportLine {
    readonly item: string;
    readonly status: ReportStatus;
    readonly detail: string;
}

/** A placeholder written into the manifest or the stack file. */
export interface Todo {
    /** Where it is: a manifest key path (`functions.api.environment.TOKEN`) or a stack key (`aws:region`). */
    readonly key: string;
    /** The Serverless expression it stands for. */
    readonly expression: string;
}

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
}

/** lambda-docker's stack log levels (config/stackConfig.ts LOG_LEVELS; a unit test keeps them equal). */
export const STACK_LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;

/** Serverless's values when provider and function leave them unset (v3 and v4 alike). */
export const SERVERLESS_DEFAULTS = { region: "us-east-1", memorySize: 1024, timeout: 6 } as const;

// ---------------------------------------------------------------------------------------------
// YAML with CloudFormation's short-form tags

/** A CloudFormation intrinsic: a `!Ref`-style tag or a `{ Ref: … }` / `{ "Fn::…": … }` mapping. */
export class Intrinsic {
    constructor(readonly source: string, readonly value: unknown) {}
}

const CFN_TAGS = [
    "Ref", "GetAtt", "Sub", "Join", "Select", "Split", "ImportValue", "FindInMap", "GetAZs", "Base64",
    "Cidr", "If", "Equals", "Not", "And", "Or", "Condition", "Transform", "Length", "ToJsonString",
];

/** CloudFormation as it is written in YAML, on one line: `!GetAtt Queue.Arn`, `{Ref: Queue}`, `!Join [":", [a, !Ref B]]`. */
function flowYaml(value: unknown): string {
    if (value instanceof Intrinsic) return value.source;
    if (Array.isArray(value)) return `[${value.map(flowYaml).join(", ")}]`;
    if (typeof value === "object" && value !== null) return `{${Object.entries(value).map(([k, v]) => `${flowYaml(k)}: ${flowYaml(v)}`).join(", ")}}`;
    if (typeof value !== "string") return String(value);
    return /^[A-Za-z0-9_./$(-][^,[\]{}#&!|>'"%@`]*$/.test(value) && !/: |:$/.test(value) ? value : JSON.stringify(value);
}

function tagSource(tag: string, value: unknown): string {
    return `${tag} ${typeof value === "string" ? value : flowYaml(value)}`;
}

const CUSTOM_TAGS: YAML.Tags = CFN_TAGS.flatMap((name): YAML.Tags => {
    const tag = `!${name}`;
    return [
        { tag, resolve: (s: string) => new Intrinsic(tagSource(tag, s), s) },
        { tag, collection: "seq", resolve: (seq) => { const j = seq.toJSON(); return new Intrinsic(tagSource(tag, j), j); } },
        { tag, collection: "map", resolve: (map) => { const j = map.toJSON(); return new Intrinsic(tagSource(tag, j), j); } },
    ];
});

function isIntrinsicObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Intrinsic) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"));
}

// ---------------------------------------------------------------------------------------------
// Variables

/** A value the importer cannot know: `original` is the text at the key, `cause` the expression at fault. */
export class Unresolved {
    constructor(readonly original: string, readonly cause: string, readonly reason: string) {}
}

interface DefaultUse {
    readonly expression: string;
    readonly reason: string;
}

/** What a value's resolution depended on. */
interface Notes {
    readonly stage: boolean;
    readonly defaults: readonly DefaultUse[];
}

const NO_NOTES: Notes = { stage: false, defaults: [] };

function merge(a: Notes, b: Notes): Notes {
    if (b === NO_NOTES || (!b.stage && b.defaults.length === 0)) return a;
    if (a === NO_NOTES || (!a.stage && a.defaults.length === 0)) return b;
    const defaults = [...a.defaults];
    for (const d of b.defaults) if (!defaults.some((x) => x.expression === d.expression)) defaults.push(d);
    return { stage: a.stage || b.stage, defaults };
}

type Segment = string | number;

/** Where a raw value sits: a file relative to the service directory, and a key path in it. */
interface Loc {
    readonly file: string;
    readonly path: readonly Segment[];
}

const MISSING = Symbol("missing");

/** A position in the (lazily resolved) configuration. Without `loc` the node is already resolved. */
interface Cursor {
    readonly node: unknown;
    readonly loc?: Loc;
    readonly notes: Notes;
}

/** A deeply resolved value, with Unresolved and Intrinsic leaves left in place for the caller. */
interface Taken {
    readonly value: unknown;
    readonly notes: Notes;
}

type Lookup =
    | { readonly kind: "found"; readonly cursor: Cursor }
    | { readonly kind: "absent"; readonly reason: string; readonly missingFile?: string; readonly option?: boolean }
    | { readonly kind: "unreadable"; readonly cause: string; readonly reason: string };

export function keyPath(segments: readonly Segment[]): string {
    return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

type Part = { readonly text: string } | { readonly variable: string };

/**
 * Literal text and `${…}` variables (nested variables stay inside their variable). As in Serverless,
 * a variable starts with a lowercase source name: `${AWS::Region}` is CloudFormation's, left as text.
 */
function scan(text: string): Part[] {
    const parts: Part[] = [];
    let literal = "";
    let i = 0;
    while (i < text.length) {
        if (text.startsWith("${", i) && /[a-z]/.test(text.charAt(i + 2))) {
            let depth = 1;
            let j = i + 2;
            while (j < text.length && depth > 0) {
                if (text.startsWith("${", j)) {
                    depth++;
                    j += 2;
                } else {
                    if (text[j] === "}") depth--;
                    j++;
                }
            }
            if (depth === 0) {
                if (literal) parts.push({ text: literal });
                literal = "";
                parts.push({ variable: text.slice(i, j) });
                i = j;
                continue;
            }
        }
        literal += text[i];
        i++;
    }
    if (literal) parts.push({ text: literal });
    return parts;
}

function hasVariable(text: string): boolean {
    return scan(text).some((p) => "variable" in p);
}

function isWholeVariable(text: string): boolean {
    const parts = scan(text);
    return parts.length === 1 && "variable" in parts[0];
}

/** Splits a variable's body at its top-level commas: the reference, then its fallbacks. */
function splitFallbacks(body: string): string[] {
    const parts: string[] = [];
    let depth = 0;
    let quote = "";
    let current = "";
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (quote) {
            if (c === quote) quote = "";
        } else if (c === "'" || c === "\"") {
            quote = c;
        } else if (body.startsWith("${", i)) {
            depth++;
            current += "${";
            i++;
            continue;
        } else if (c === "(") {
            depth++;
        } else if (c === "}" || c === ")") {
            depth--;
        } else if (c === "," && depth === 0) {
            parts.push(current.trim());
            current = "";
            continue;
        }
        current += c;
    }
    parts.push(current.trim());
    return parts;
}

const EXTERNAL_SOURCES: Record<string, string> = {
    env: "environment variables are not read by the importer",
    ssm: "SSM parameters are not read by the importer",
    cf: "CloudFormation stack outputs are not read by the importer",
    s3: "S3 objects are not read by the importer",
    aws: "AWS account values are not read by the importer",
    git: "git values are not read by the importer",
};

/**
 * Resolves Serverless variables on demand. Cursors walk the raw configuration; a value is resolved
 * when it is read, following `${self:…}` and `${file(…)}` to raw nodes of their own, so a
 * reference cycle is caught by the location it comes back to.
 */
export class VariableResolver {
    private readonly files = new Map<string, unknown>();
    private readonly active: { key: string; where: string; expression: string }[] = [];
    readonly warnings: { file: string; message: string }[] = [];

    constructor(
        readonly serviceDir: string,
        readonly mainFile: string,
        readonly stage: string,
        private readonly readFile: (file: string) => string | undefined,
    ) {}

    /** The root of serverless.yml. */
    root(): Cursor {
        const doc = this.parsed(path.join(this.serviceDir, this.mainFile));
        if (doc === MISSING) throw new Error(`Cannot read ${this.mainFile}: no such file in ${this.serviceDir}.`);
        return { node: doc, loc: { file: this.mainFile, path: [] }, notes: NO_NOTES };
    }

    at(cursor: Cursor, ...segments: Segment[]): Cursor {
        let c = cursor;
        for (const s of segments) c = this.child(c, s);
        return c;
    }

    /** The cursor after following its variable, if it is one. */
    deref(cursor: Cursor): Cursor {
        const n = cursor.node;
        if (cursor.loc === undefined || typeof n !== "string" || !hasVariable(n)) return cursor;
        const loc = cursor.loc;
        return this.guard(loc, n, () => {
            if (isWholeVariable(n)) {
                const target = this.resolveVariable(n, loc);
                const d = this.deref(target);
                return { ...d, notes: merge(cursor.notes, d.notes) };
            }
            const t = this.interpolate(n, loc);
            return { node: t.value, notes: merge(cursor.notes, t.notes) };
        });
    }

    kind(cursor: Cursor): "missing" | "map" | "seq" | "scalar" | "unresolved" | "intrinsic" {
        const n = this.deref(cursor).node;
        if (n === MISSING) return "missing";
        if (n instanceof Unresolved) return "unresolved";
        if (n instanceof Intrinsic || isIntrinsicObject(n)) return "intrinsic";
        if (Array.isArray(n)) return "seq";
        if (typeof n === "object" && n !== null) return "map";
        return "scalar";
    }

    keys(cursor: Cursor): string[] {
        const d = this.deref(cursor);
        return this.kindOf(d.node) === "map" ? Object.keys(d.node as object) : [];
    }

    length(cursor: Cursor): number {
        const d = this.deref(cursor);
        return Array.isArray(d.node) ? d.node.length : 0;
    }

    child(cursor: Cursor, segment: Segment): Cursor {
        const d = this.deref(cursor);
        const n = d.node;
        let node: unknown = MISSING;
        if (Array.isArray(n) && typeof segment === "number" && segment < n.length) node = n[segment];
        else if (Array.isArray(n) && typeof segment === "string" && /^\d+$/.test(segment) && Number(segment) < n.length) node = n[Number(segment)];
        else if (this.kindOf(n) === "map" && Object.prototype.hasOwnProperty.call(n, segment)) node = (n as Record<string, unknown>)[segment];
        return { node, loc: d.loc && { file: d.loc.file, path: [...d.loc.path, segment] }, notes: d.notes };
    }

    /** The value at the cursor, every variable in it resolved. */
    value(cursor: Cursor): Taken {
        const n = cursor.node;
        if (cursor.loc !== undefined && typeof n === "string" && hasVariable(n)) {
            const loc = cursor.loc;
            return this.guard(loc, n, () => {
                if (!isWholeVariable(n)) {
                    const t = this.interpolate(n, loc);
                    return { value: t.value, notes: merge(cursor.notes, t.notes) };
                }
                const t = this.value(this.resolveVariable(n, loc));
                const value = t.value instanceof Unresolved && t.value.original !== n ? new Unresolved(n, t.value.cause, t.value.reason) : t.value;
                return { value, notes: merge(cursor.notes, t.notes) };
            });
        }
        if (n === MISSING) return { value: undefined, notes: cursor.notes };
        if (isIntrinsicObject(n)) return { value: new Intrinsic(flowYaml(n), n), notes: cursor.notes };
        if (Array.isArray(n)) {
            let notes = cursor.notes;
            const value = n.map((_, i) => {
                const t = this.value(this.child(cursor, i));
                notes = merge(notes, t.notes);
                return t.value;
            });
            return { value, notes };
        }
        if (this.kindOf(n) === "map") {
            let notes = cursor.notes;
            const value: Record<string, unknown> = {};
            for (const k of Object.keys(n as object)) {
                const t = this.value(this.child(cursor, k));
                notes = merge(notes, t.notes);
                value[k] = t.value;
            }
            return { value, notes };
        }
        return { value: n, notes: cursor.notes };
    }

    /** Shows a location in messages: `custom.a` in serverless.yml, `sls/x.yml: a.b` elsewhere. */
    where(loc: Loc): string {
        const key = keyPath(loc.path) || "(top level)";
        return loc.file === this.mainFile ? key : `${loc.file}: ${key}`;
    }

    private kindOf(n: unknown): "map" | "other" {
        return typeof n === "object" && n !== null && !Array.isArray(n) && !(n instanceof Intrinsic) && !(n instanceof Unresolved) && !isIntrinsicObject(n) ? "map" : "other";
    }

    private guard<T>(loc: Loc, expression: string, fn: () => T): T {
        const key = `${loc.file}#${keyPath(loc.path)}`;
        const where = this.where(loc);
        const seen = this.active.findIndex((a) => a.key === key);
        if (seen >= 0) {
            const chain = [...this.active.slice(seen).map((a) => a.where), where].join(" → ");
            const first = this.active[seen];
            throw new Error(`Cannot resolve ${first.expression} at ${first.where}: its variables refer back to it (${chain}).`);
        }
        this.active.push({ key, where, expression });
        try {
            return fn();
        } finally {
            this.active.pop();
        }
    }

    private parsed(file: string): unknown {
        if (this.files.has(file)) return this.files.get(file);
        const text = this.readFile(file);
        let doc: unknown = MISSING;
        if (text !== undefined) {
            const rel = path.relative(this.serviceDir, file).split(path.sep).join("/");
            const parsed = YAML.parseDocument(text, { customTags: CUSTOM_TAGS, merge: true });
            const where = (e: YAML.YAMLError) => `${e.message.split(" at line ")[0]}${e.linePos ? ` at line ${e.linePos[0].line}` : ""}`;
            if (parsed.errors.length > 0) throw new Error(`Cannot parse ${rel}: ${where(parsed.errors[0])}`);
            for (const w of parsed.warnings) this.warnings.push({ file: rel, message: where(w) });
            doc = parsed.toJS() ?? {};
        }
        this.files.set(file, doc);
        return doc;
    }

    /** `text` with each variable replaced by its value; Unresolved when one of them is. */
    private interpolate(text: string, loc: Loc): Taken {
        let out = "";
        let notes = NO_NOTES;
        for (const part of scan(text)) {
            if ("text" in part) {
                out += part.text;
                continue;
            }
            const t = this.value(this.resolveVariable(part.variable, loc));
            notes = merge(notes, t.notes);
            const val = t.value;
            if (val instanceof Unresolved) return { value: new Unresolved(text, val.cause, val.reason), notes };
            if (val instanceof Intrinsic) return { value: new Unresolved(text, val.source, "a CloudFormation reference is known only at deploy time"), notes };
            if (typeof val === "object" && val !== null) {
                return { value: new Unresolved(text, part.variable, `${part.variable} is a mapping or list, which cannot be part of a string`), notes };
            }
            out += String(val);
        }
        return { value: out, notes };
    }

    /** The cursor a whole `${…}` variable refers to, trying its fallbacks in order. */
    private resolveVariable(variable: string, loc: Loc): Cursor {
        const body = variable.slice(2, -1);
        const candidates = splitFallbacks(body);
        const skipped: Lookup[] = [];
        for (const candidate of candidates) {
            const found = this.lookup(candidate, loc);
            if (found.kind === "found") {
                const defaults = skipped
                    .filter((s) => s.kind === "unreadable" || (s.kind === "absent" && s.option))
                    .map((s) => ({ expression: variable, reason: s.kind === "unreadable" ? `${s.cause}: ${s.reason}` : (s as { reason: string }).reason }));
                const notes = defaults.length > 0 ? merge(found.cursor.notes, { stage: false, defaults: defaults.slice(0, 1) }) : found.cursor.notes;
                return { ...found.cursor, notes };
            }
            skipped.push(found);
        }
        const unreadable = skipped.find((s): s is Extract<Lookup, { kind: "unreadable" }> => s.kind === "unreadable");
        if (unreadable) return { node: new Unresolved(variable, unreadable.cause, unreadable.reason), notes: NO_NOTES };
        const missingFile = skipped.find((s): s is Extract<Lookup, { kind: "absent" }> => s.kind === "absent" && s.missingFile !== undefined);
        if (missingFile) {
            throw new Error(
                `Cannot resolve ${variable} at ${this.where(loc)}: file ${missingFile.missingFile} not found ` +
                    "(file paths are relative to the service directory, the directory of serverless.yml).",
            );
        }
        const absent = skipped[0] as Extract<Lookup, { kind: "absent" }>;
        return { node: new Unresolved(variable, variable, absent.reason), notes: NO_NOTES };
    }

    private lookup(candidate: string, loc: Loc): Lookup {
        const text = candidate.trim();
        if (isWholeVariable(text)) {
            const c = this.resolveVariable(text, loc);
            return c.node instanceof Unresolved ? { kind: "unreadable", cause: c.node.cause, reason: c.node.reason } : { kind: "found", cursor: c };
        }
        const quoted = /^'([\s\S]*)'$|^"([\s\S]*)"$/.exec(text);
        if (quoted) {
            const literal = quoted[1] ?? quoted[2];
            if (!hasVariable(literal)) return { kind: "found", cursor: { node: literal, notes: NO_NOTES } };
            const t = this.interpolate(literal, loc);
            return t.value instanceof Unresolved
                ? { kind: "unreadable", cause: t.value.cause, reason: t.value.reason }
                : { kind: "found", cursor: { node: t.value, notes: t.notes } };
        }
        if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: "found", cursor: { node: Number(text), notes: NO_NOTES } };
        if (text === "true" || text === "false") return { kind: "found", cursor: { node: text === "true", notes: NO_NOTES } };
        if (text === "null") return { kind: "found", cursor: { node: null, notes: NO_NOTES } };
        if (!/^[a-z][A-Za-z0-9.-]*[(:]/.test(text)) {
            return { kind: "unreadable", cause: `\${${text}}`, reason: "it is neither a variable source nor a quoted string, number or boolean (Serverless refuses it too)" };
        }

        let reference = text;
        let notes = NO_NOTES;
        if (hasVariable(text)) {
            const t = this.interpolate(text, loc);
            if (t.value instanceof Unresolved) return { kind: "unreadable", cause: t.value.cause, reason: t.value.reason };
            reference = t.value as string;
            notes = t.notes;
        }
        const m = /^([a-z][A-Za-z0-9.-]*)(?:\(([^)]*)\))?(?::([\s\S]*))?$/.exec(reference);
        const expression = `\${${text}}`;
        if (!m) return { kind: "unreadable", cause: expression, reason: "it is not a variable the importer understands" };
        const [, source, params, address = ""] = m;
        const withNotes = (l: Lookup): Lookup => (l.kind === "found" ? { kind: "found", cursor: { ...l.cursor, notes: merge(notes, l.cursor.notes) } } : l);
        switch (source) {
            case "self": {
                const c = this.at(this.root(), ...(address === "" ? [] : address.split(".")));
                return withNotes(c.node === MISSING ? { kind: "absent", reason: `serverless.yml has no value at ${address}` } : { kind: "found", cursor: c });
            }
            case "opt":
                if (address === "stage") return { kind: "found", cursor: { node: this.stage, notes: { stage: true, defaults: [] } } };
                return { kind: "absent", option: true, reason: `option --${address} is not given (the import stands for \`serverless deploy --stage ${this.stage}\`)` };
            case "sls":
                if (address === "stage") return { kind: "found", cursor: { node: this.stage, notes: { stage: true, defaults: [] } } };
                return { kind: "unreadable", cause: expression, reason: "only ${sls:stage} has a value outside a Serverless run" };
            case "param":
                return withNotes(this.param(address, expression));
            case "file":
                return withNotes(this.file(params ?? "", address, expression));
            default:
                return { kind: "unreadable", cause: expression, reason: EXTERNAL_SOURCES[source] ?? `"${source}" variables are not read by the importer` };
        }
    }

    /** `${param:x}`: serverless.yml's own `stages.<stage>.params` / `params.<stage>`, then their `default`. */
    private param(name: string, expression: string): Lookup {
        const root = this.root();
        for (const where of [["stages", this.stage, "params", name], ["params", this.stage, name], ["stages", "default", "params", name], ["params", "default", name]]) {
            const c = this.at(root, ...where);
            if (c.node !== MISSING) return { kind: "found", cursor: { ...c, notes: merge(c.notes, { stage: true, defaults: [] }) } };
        }
        return { kind: "unreadable", cause: expression, reason: "serverless.yml's params have no such value (a Serverless Dashboard parameter is not read by the importer)" };
    }

    private file(params: string, address: string, expression: string): Lookup {
        const rel = params.trim().replace(/^['"]|['"]$/g, "");
        const abs = path.resolve(this.serviceDir, rel);
        const shown = path.relative(this.serviceDir, abs).split(path.sep).join("/");
        const ext = path.extname(abs).toLowerCase();
        if ([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"].includes(ext)) {
            return { kind: "unreadable", cause: expression, reason: "JavaScript and TypeScript files are not run by the importer" };
        }
        if (![".yml", ".yaml", ".json", ".tfstate"].includes(ext)) {
            const text = this.readFile(abs);
            if (text === undefined) return { kind: "absent", reason: `file ${shown} not found`, missingFile: shown };
            return address === "" ? { kind: "found", cursor: { node: text, notes: NO_NOTES } } : { kind: "absent", reason: `${shown} is not YAML or JSON` };
        }
        const doc = this.parsed(abs);
        if (doc === MISSING) return { kind: "absent", reason: `file ${shown} not found`, missingFile: shown };
        const c = this.at({ node: doc, loc: { file: shown, path: [] }, notes: NO_NOTES }, ...(address === "" ? [] : address.split(".")));
        return c.node === MISSING ? { kind: "absent", reason: `${shown} has no value at ${address}` } : { kind: "found", cursor: c };
    }
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** A manifest name from a Serverless key: `campaignOrchestrator` → `campaign-orchestrator`. */
export function manifestName(name: string): string {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/** Serverless's CloudFormation logical id of a service layer: `commonLibs` → `CommonLibsLambdaLayer`. */
export function layerLogicalId(name: string): string {
    const normalized = name.replace(/-/g, "Dash").replace(/_/g, "Underscore").replace(/[^0-9A-Za-z]/g, "");
    return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaLayer`;
}

/** What a zip function's `code` is written as: Serverless's package has no exact equivalent. */
const CODE_PLACEHOLDER = "package (the directory to zip: Serverless zipped the service directory, filtered)";

/** Serverless's test for an image given as an ECR URI rather than the name of `provider.ecr.images`. */
const ECR_URI = /^\d+\.dkr\.ecr\.[a-z0-9-]+..amazonaws.com\/([^@]+)|([^@:]+@sha256:[a-f0-9]{64})$/;
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/;
const WILDCARD_ACTION = /^([a-z0-9-]+|\*):\*$|^\*$/;
const PLATFORMS: Record<string, v.Architecture> = { "linux/amd64": "x86_64", "linux/arm64": "arm64" };
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

/** Keys the importer handles itself, per section; any other key gets a "not converted" line. */
const PROVIDER_KEYS = ["name", "stage", "runtime", "region", "memorySize", "timeout", "architecture", "environment", "logRetentionInDays", "ecr", "iam", "iamRoleStatements", "layers", "httpApi"];
const FUNCTION_KEYS = ["image", "handler", "runtime", "memorySize", "timeout", "environment", "architecture", "layers", "description", "reservedConcurrency", "events"];

const KNOWN_PLUGIN_HINTS: Record<string, string> = {
    "serverless-python-requirements": "requirements are not installed into zip functions: build them into a layer (a Docker-built `layers` entry with `context`) or use an image function",
    "serverless-iam-roles-per-function": "per-function statements are not converted: move them to each function's `policyStatements`",
    "serverless-offline": "use `lambda-docker invoke` to run a function locally",
    "serverless-prune-plugin": "lambda-docker publishes no function versions, so there are none to prune",
};

function isPlaceholder(value: unknown): boolean {
    return typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX);
}

const show = v.show;

/** Builds the manifest, stack config and report for one service. */
class Converter {
    readonly report: ReportLine[] = [];
    readonly todos: Todo[] = [];
    readonly stack = new Map<string, string>();
    readonly images: Record<string, Record<string, unknown>> = {};
    readonly layers: Record<string, Record<string, unknown>> = {};
    readonly statements: Record<string, unknown>[] = [];
    readonly functions: Record<string, Record<string, unknown>> = {};
    /** Serverless image name → manifest image name, or the URI of a prebuilt image. */
    private readonly imageNames = new Map<string, { name?: string; uri?: string; dockerfile?: string }>();
    private readonly layerRefs = new Map<string, string>();
    private readonly root: Cursor;
    private stackArchitecture?: v.Architecture;
    private providerEnv: { name: string; value: string }[] = [];
    private providerRuntimeUsers = 0;
    private providerLayers?: string[];
    private readonly providerLayersUsers: string[] = [];
    private readonly zipFunctionKeys: string[] = [];

    constructor(
        private readonly r: VariableResolver,
        private readonly stage: string,
        private readonly serviceDir: string,
        private readonly outDir: string,
        private readonly readFile: (file: string) => string | undefined,
    ) {
        this.root = r.root();
    }

    /** Notes on values (stage, defaults) wait for their item's line, so each item gets one line. */
    private pending: { item: string; text: string }[] = [];

    line(item: string, status: ReportStatus, detail: string): void {
        const mine = this.pending.filter((p) => p.item === item || p.item.startsWith(`${item}.`) || p.item.startsWith(`${item}[`));
        this.pending = this.pending.filter((p) => !mine.includes(p));
        this.report.push({ item, status, detail: [detail, ...mine.map((p) => p.text)].join("; ") });
    }

    /** Notes whose item got no line of its own become lines. */
    flush(): void {
        while (this.pending.length > 0) {
            const { item } = this.pending[0];
            const texts = this.pending.filter((p) => p.item === item).map((p) => p.text);
            this.pending = this.pending.filter((p) => p.item !== item);
            this.report.push({ item, status: "converted", detail: texts.join("; ") });
        }
    }

    /** A path of the service directory, relative to the manifest's directory. */
    rel(p: string): string {
        const r = path.relative(this.outDir, path.resolve(this.serviceDir, p)).split(path.sep).join("/");
        return r === "" ? "." : r;
    }

    /**
     * The value at `cursor` for the manifest key `key`: placeholders for what cannot be resolved (each
     * with a report line and a TODO), and a line when the value depends on the stage or on a default.
     */
    take(cursor: Cursor, item: string, key: string | undefined, opts: { stack?: boolean; todo?: boolean } = {}): unknown {
        const t = this.r.value(cursor);
        let unresolved = false;
        const materialize = (value: unknown, k: string | undefined): unknown => {
            if (value instanceof Unresolved || value instanceof Intrinsic) {
                unresolved = true;
                const expression = value instanceof Unresolved ? value.original : value.source;
                const placeholder = `${PLACEHOLDER_PREFIX}${expression}`;
                const reason =
                    value instanceof Unresolved
                        ? value.cause === value.original ? value.reason : `${value.cause}: ${value.reason}`
                        : "a CloudFormation reference is known only at deploy time";
                const where = k ?? item;
                if (opts.todo !== false) this.todos.push({ key: where, expression });
                this.report.push({ item, status: "placeholder", detail: `${where} = ${show(placeholder)}: ${reason}; replace it by hand` });
                return placeholder;
            }
            if (Array.isArray(value)) return value.map((x, i) => materialize(x, k === undefined ? undefined : `${k}[${i}]`));
            if (typeof value === "object" && value !== null) {
                return Object.fromEntries(Object.entries(value).map(([kk, x]) => [kk, materialize(x, k === undefined ? undefined : `${k}.${kk}`)]));
            }
            return value;
        };
        const value = materialize(t.value, key);
        if (!unresolved) this.noteDependencies(item, key, value, t.notes, opts.stack ?? false);
        return value;
    }

    private noteDependencies(item: string, key: string | undefined, value: unknown, notes: Notes, stack: boolean): void {
        for (const d of notes.defaults) {
            this.pending.push({ item, text: `${key ?? item} = ${show(value)} is the default of ${d.expression} (${d.reason}): check it is the value you deploy with` });
        }
        if (notes.stage && !stack && key !== undefined) {
            this.pending.push({
                item,
                text:
                    `${key} = ${show(value)} is the "${this.stage}" value of a stage-dependent expression, but the manifest is shared by every stack: ` +
                    "give other stages their own manifest (`lambda-docker:manifest`) or set it in code",
            });
        }
    }

    /** A YAML scalar taken as a string (numbers and booleans as Lambda and CloudFormation read them). */
    takeString(cursor: Cursor, item: string, key: string | undefined, opts: { stack?: boolean; todo?: boolean } = {}): string | undefined {
        const value = this.take(cursor, item, key, opts);
        if (value === undefined || value === null) return undefined;
        if (typeof value === "string") return value;
        if (typeof value === "number" || typeof value === "boolean") return String(value);
        return undefined;
    }

    setStack(key: string, value: string): void {
        this.stack.set(key, value);
    }

    // -- provider ------------------------------------------------------------------------------

    convertProvider(): void {
        const provider = this.r.child(this.root, "provider");
        const name = this.r.value(this.r.child(provider, "name")).value;
        if (name !== undefined && name !== "aws") throw new Error(`Only AWS services can be imported: provider.name is ${show(name)}.`);

        const region = this.r.child(provider, "region");
        if (this.r.kind(region) === "missing") {
            this.setStack("aws:region", SERVERLESS_DEFAULTS.region);
            this.line("provider.region", "converted", `not set: Serverless's default ${SERVERLESS_DEFAULTS.region} → stack aws:region`);
        } else {
            const value = this.takeString(region, "provider.region", "aws:region", { stack: true });
            if (value !== undefined) {
                this.setStack("aws:region", value);
                if (!isPlaceholder(value)) this.line("provider.region", "converted", `→ stack aws:region = ${value}`);
            }
        }
        this.numberSetting(provider, "memorySize", "lambda-docker:memorySize", SERVERLESS_DEFAULTS.memorySize, "MB");
        this.numberSetting(provider, "timeout", "lambda-docker:timeout", SERVERLESS_DEFAULTS.timeout, "seconds");

        const retention = this.r.child(provider, "logRetentionInDays");
        if (this.r.kind(retention) !== "missing") {
            const value = this.takeString(retention, "provider.logRetentionInDays", "lambda-docker:logRetentionDays", { stack: true });
            if (value !== undefined) {
                this.setStack("lambda-docker:logRetentionDays", value);
                if (!isPlaceholder(value)) this.line("provider.logRetentionInDays", "converted", `→ stack lambda-docker:logRetentionDays = ${value}`);
            }
        }

        const architecture = this.r.child(provider, "architecture");
        if (this.r.kind(architecture) !== "missing") {
            const value = this.takeString(architecture, "provider.architecture", "lambda-docker:architecture", { stack: true });
            if (value !== undefined) {
                this.setStack("lambda-docker:architecture", value);
                if (value === "x86_64" || value === "arm64") this.stackArchitecture = value;
                if (!isPlaceholder(value)) this.line("provider.architecture", "converted", `→ stack lambda-docker:architecture = ${value}`);
            }
        }

        const environment = this.r.child(provider, "environment");
        for (const k of this.r.keys(environment)) {
            const item = `provider.environment.${k}`;
            const t = this.r.value(this.r.child(environment, k));
            const value = t.value;
            if (k === "LOG_LEVEL" && typeof value === "string" && (STACK_LOG_LEVELS as readonly string[]).includes(value)) {
                this.setStack("lambda-docker:logLevel", value);
                this.line(item, "converted", `→ stack lambda-docker:logLevel = ${value} (lambda-docker sets LOG_LEVEL in every function from it)`);
                continue;
            }
            if (k === "STAGE" && value === this.stage && t.notes.stage) {
                this.line(item, "converted", "not written: lambda-docker sets STAGE to the stack name in every function");
                continue;
            }
            const s = this.takeString(this.r.child(environment, k), item, `environment.${k} of every function`, { todo: false });
            if (s === undefined) {
                this.line(item, "not converted", `${show(value)} is not a string, number or boolean`);
                continue;
            }
            this.providerEnv.push({ name: k, value: s });
            if (!isPlaceholder(s)) this.line(item, "converted", `→ environment.${k} of every function`);
        }
        if (this.r.kind(environment) === "unresolved" || this.r.kind(environment) === "intrinsic") {
            this.line("provider.environment", "not converted", `${show(this.describe(environment))} is not a mapping the importer can read`);
        }

        for (const k of this.r.keys(provider)) {
            if (PROVIDER_KEYS.includes(k)) continue;
            this.line(`provider.${k}`, "not converted", `lambda-docker's manifest and stack config have no equivalent; configure it in your Pulumi program if you need it`);
        }
        const httpApi = this.r.child(provider, "httpApi");
        for (const k of this.r.keys(httpApi)) {
            this.line(`provider.httpApi.${k}`, "not converted", "HTTP API settings are not part of the manifest; configure the API in your Pulumi program");
        }
    }

    private numberSetting(provider: Cursor, key: "memorySize" | "timeout", stackKey: string, fallback: number, unit: string): void {
        const item = `provider.${key}`;
        const c = this.r.child(provider, key);
        if (this.r.kind(c) === "missing") {
            this.setStack(stackKey, String(fallback));
            this.line(item, "converted", `not set: Serverless's default ${fallback} ${unit} → stack ${stackKey}`);
            return;
        }
        const value = this.takeString(c, item, stackKey, { stack: true });
        if (value === undefined) return;
        this.setStack(stackKey, value);
        if (!isPlaceholder(value)) this.line(item, "converted", `→ stack ${stackKey} = ${value}`);
    }

    private describe(cursor: Cursor): string {
        const t = this.r.value(cursor).value;
        if (t instanceof Unresolved) return t.original;
        if (t instanceof Intrinsic) return t.source;
        return JSON.stringify(t);
    }

    // -- images ----------------------------------------------------------------------------------

    convertImages(): void {
        const ecr = this.r.at(this.root, "provider", "ecr");
        for (const k of this.r.keys(ecr)) {
            if (k === "images") continue;
            const item = `provider.ecr.${k}`;
            if (k === "scanOnPush") {
                const value = this.takeString(this.r.child(ecr, k), item, "lambda-docker:scanOnPush", { stack: true });
                if (value !== undefined) {
                    this.setStack("lambda-docker:scanOnPush", value);
                    this.line(item, "converted", `→ stack lambda-docker:scanOnPush = ${value}`);
                }
            } else if (k === "maxImages") {
                const value = this.takeString(this.r.child(ecr, k), item, "lambda-docker:keepImages", { stack: true });
                if (value !== undefined) {
                    this.setStack("lambda-docker:keepImages", value);
                    this.line(item, "converted", `→ stack lambda-docker:keepImages = ${value} (the newest ${value} images of the stage are kept)`);
                }
            } else {
                this.line(item, "not converted", "no lambda-docker equivalent");
            }
        }
        const images = this.r.child(ecr, "images");
        const platforms: { image: string; architecture: v.Architecture }[] = [];
        const names = this.r.keys(images);
        for (const slsName of names) {
            const item = `provider.ecr.images.${slsName}`;
            const c = this.r.child(images, slsName);
            const name = manifestName(slsName);
            if (this.r.kind(c) === "scalar") {
                const value = this.takeString(c, item, undefined) ?? "";
                if (ECR_URI.test(value)) {
                    this.imageNames.set(slsName, { uri: value });
                    this.line(item, "not converted", `${value} is a prebuilt image, not a build: the manifest only lists images lambda-docker builds`);
                } else {
                    this.images[name] = { context: this.rel(value) };
                    this.imageNames.set(slsName, { name, dockerfile: path.join(value, "Dockerfile") });
                    this.line(item, "converted", `→ images.${name}: context ${this.rel(value)}${name !== slsName ? ` (renamed from ${slsName})` : ""}`);
                }
                continue;
            }
            if (this.r.kind(c) !== "map") {
                this.line(item, "not converted", `${this.describe(c)} is not an image definition the importer can read`);
                continue;
            }
            const uri = this.r.child(c, "uri");
            if (this.r.kind(uri) !== "missing") {
                const value = this.takeString(uri, `${item}.uri`, undefined);
                this.imageNames.set(slsName, { uri: value });
                this.line(item, "not converted", `${value} is a prebuilt image (uri), not a build: the manifest only lists images lambda-docker builds`);
                continue;
            }
            const ctx = this.takeString(this.r.child(c, "path"), `${item}.path`, `images.${name}.context`) ?? ".";
            const image: Record<string, unknown> = { context: isPlaceholder(ctx) ? ctx : this.rel(ctx) };
            const file = this.takeString(this.r.child(c, "file"), `${item}.file`, `images.${name}.dockerfile`);
            const dockerfile = path.join(ctx, file ?? "Dockerfile");
            if (file !== undefined && file !== "Dockerfile") image.dockerfile = isPlaceholder(file) ? file : this.rel(dockerfile);
            const buildArgs = this.r.child(c, "buildArgs");
            const args: Record<string, string> = {};
            for (const a of this.r.keys(buildArgs)) {
                const value = this.takeString(this.r.child(buildArgs, a), `${item}.buildArgs.${a}`, `images.${name}.buildArgs.${a}`);
                if (value !== undefined) args[a] = value;
            }
            if (Object.keys(args).length > 0) image.buildArgs = args;
            this.images[name] = image;
            this.imageNames.set(slsName, { name, dockerfile });
            const parts = [`context ${image.context}`];
            if (image.dockerfile !== undefined) parts.push(`dockerfile ${image.dockerfile}`);
            if (image.buildArgs !== undefined) parts.push(`build args ${Object.keys(args).join(", ")}`);
            this.line(item, "converted", `→ images.${name}: ${parts.join(", ")}${name !== slsName ? ` (renamed from ${slsName})` : ""}`);

            const platform = this.r.child(c, "platform");
            if (this.r.kind(platform) !== "missing") {
                const value = this.takeString(platform, `${item}.platform`, undefined) ?? "";
                const architecture = PLATFORMS[value];
                if (architecture === undefined) this.line(`${item}.platform`, "not converted", `${show(value)} is not a Lambda platform (linux/amd64 or linux/arm64)`);
                else platforms.push({ image: slsName, architecture });
            }
            for (const k of this.r.keys(c)) {
                if (["path", "file", "buildArgs", "platform"].includes(k)) continue;
                const hint =
                    k === "cacheFrom"
                        ? "LambdaImage caches builds in the ECR registry itself"
                        : k === "buildOptions"
                            ? "LambdaImage takes no extra docker build flags"
                            : k === "provenance"
                                ? "LambdaImage pushes single-platform images without attestations"
                                : "no lambda-docker equivalent";
                this.line(`${item}.${k}`, "not converted", hint);
            }
        }
        this.convertPlatforms(platforms);
        if (names.length > 0) {
            const service = this.r.value(this.r.child(this.root, "service")).value;
            this.line(
                "provider.ecr",
                "not converted",
                `Serverless's repository serverless-${typeof service === "string" ? service : "<service>"}-${this.stage} is not reused: ` +
                    "lambda-docker creates its own EcrRepository (or adopt the existing one with `adoptExisting: true` and `repositoryName`, see README)",
            );
        }
    }

    private convertPlatforms(platforms: { image: string; architecture: v.Architecture }[]): void {
        if (platforms.length === 0) return;
        if (this.stackArchitecture !== undefined) {
            for (const p of platforms) {
                const item = `provider.ecr.images.${p.image}.platform`;
                if (p.architecture === this.stackArchitecture) this.line(item, "converted", `lambda-docker builds every image for stack lambda-docker:architecture (${p.architecture})`);
                else this.line(item, "not converted", `${p.architecture} conflicts with provider.architecture ${this.stackArchitecture}: lambda-docker builds for lambda-docker:architecture (${this.stackArchitecture})`);
            }
            return;
        }
        const distinct = [...new Set(platforms.map((p) => p.architecture))];
        if (distinct.length === 1) {
            this.setStack("lambda-docker:architecture", distinct[0]);
            this.stackArchitecture = distinct[0];
            for (const p of platforms) this.line(`provider.ecr.images.${p.image}.platform`, "converted", `→ stack lambda-docker:architecture = ${p.architecture}`);
            return;
        }
        const expression = platforms.map((p) => `provider.ecr.images.${p.image}.platform ${p.architecture}`).join(", ");
        this.setStack("lambda-docker:architecture", `${PLACEHOLDER_PREFIX}${expression}`);
        this.todos.push({ key: "lambda-docker:architecture", expression });
        for (const p of platforms) {
            this.line(
                `provider.ecr.images.${p.image}.platform`,
                "placeholder",
                `stack lambda-docker:architecture: the images disagree (${distinct.join(" vs ")}) and lambda-docker builds every image for one architecture; choose it by hand`,
            );
        }
    }

    // -- IAM -------------------------------------------------------------------------------------

    convertIam(): void {
        const provider = this.r.child(this.root, "provider");
        const iam = this.r.child(provider, "iam");
        for (const k of this.r.keys(iam)) {
            if (k !== "role") this.line(`provider.iam.${k}`, "not converted", "no lambda-docker equivalent");
        }
        const role = this.r.child(iam, "role");
        if (this.r.kind(role) === "scalar" || this.r.kind(role) === "intrinsic") {
            this.line("provider.iam.role", "not converted", `${this.describe(role)} is an existing role: lambda-docker creates one role per function`);
        }
        for (const k of this.r.keys(role)) {
            if (k === "statements") continue;
            const hint = k === "managedPolicies" ? "attach managed policies to each function's role in your Pulumi program" : "no lambda-docker equivalent";
            this.line(`provider.iam.role.${k}`, "not converted", hint);
        }
        this.statementsAt(this.r.child(role, "statements"), "provider.iam.role.statements");
        this.statementsAt(this.r.child(provider, "iamRoleStatements"), "provider.iamRoleStatements");
    }

    private statementsAt(list: Cursor, base: string): void {
        const n = this.r.length(list);
        for (let i = 0; i < n; i++) {
            const item = `${base}[${i}]`;
            const s = this.r.child(list, i);
            if (this.r.kind(s) !== "map") {
                this.line(item, "not converted", `${this.describe(s)} is not a statement the importer can read`);
                continue;
            }
            const keys = this.r.keys(s);
            const unsupported = keys.filter((k) => !["Effect", "Action", "Resource", "Sid"].includes(k));
            if (unsupported.length > 0) {
                this.line(item, "not converted", `${unsupported.join(", ")} cannot be expressed in policyStatements (effect, actions, resources); dropping it would change what the statement grants, so add this statement in code`);
                continue;
            }
            const index = this.statements.length;
            const key = `policyStatements[${index}]`;
            const effect = this.takeString(this.r.child(s, "Effect"), `${item}.Effect`, `${key}.effect`) ?? "Allow";
            const actions = this.list(this.r.child(s, "Action"), `${item}.Action`, `${key}.actions`);
            const resources = this.list(this.r.child(s, "Resource"), `${item}.Resource`, `${key}.resources`);
            const statement: Record<string, unknown> = { effect, actions, resources };
            const wildcards = [
                ...actions.filter((a) => typeof a === "string" && WILDCARD_ACTION.test(a)).map((a) => `action ${show(a)}`),
                ...resources.filter((x) => x === "*").map(() => "resource \"*\""),
            ];
            if (wildcards.length > 0) statement.allowWildcards = true;
            this.statements.push(statement);
            const shownResource = (x: unknown) => (isPlaceholder(x) ? "a placeholder" : show(x));
            const what = `${effect} ${actions.join(", ")} on ${resources.length === 1 ? shownResource(resources[0]) : `${resources.length} resources`}`;
            const allowed = wildcards.length > 0
                ? `; allowWildcards: true, because it grants ${wildcards.join(" and ")}, which lambda-docker refuses unless allowed on purpose: narrow it if you can`
                : "";
            this.line(item, "converted", `→ ${key} (every function's role): ${what}${keys.includes("Sid") ? " (Sid not kept)" : ""}${allowed}`);
        }
    }

    /** A string-or-list value (IAM Action/Resource, layers) as a list. */
    private list(cursor: Cursor, item: string, key: string): unknown[] {
        if (this.r.kind(cursor) === "seq") {
            const out: unknown[] = [];
            for (let i = 0; i < this.r.length(cursor); i++) out.push(this.take(this.r.child(cursor, i), item, `${key}[${i}]`));
            return out;
        }
        if (this.r.kind(cursor) === "missing") return [];
        return [this.take(cursor, item, `${key}[0]`)];
    }

    // -- layers ----------------------------------------------------------------------------------

    convertLayers(): void {
        const layers = this.r.child(this.root, "layers");
        for (const slsName of this.r.keys(layers)) {
            const item = `layers.${slsName}`;
            const c = this.r.child(layers, slsName);
            const name = manifestName(slsName);
            const p = this.r.child(c, "path");
            if (this.r.kind(p) === "missing") {
                this.line(item, "not converted", "it has no `path` (a prebuilt package.artifact): the manifest zips layer directories or builds them with Docker");
                continue;
            }
            const dir = this.takeString(p, `${item}.path`, `layers.${name}.path`) ?? "";
            const layer: Record<string, unknown> = { path: isPlaceholder(dir) ? dir : this.rel(dir) };
            const description = this.takeString(this.r.child(c, "description"), `${item}.description`, `layers.${name}.description`);
            if (description !== undefined) layer.description = description;
            this.layers[name] = layer;
            this.layerRefs.set(layerLogicalId(slsName), name);
            this.line(item, "converted", `→ layers.${name}: the directory ${layer.path}, zipped as is${name !== slsName ? ` (renamed from ${slsName})` : ""}`);
            for (const k of this.r.keys(c)) {
                if (k === "path" || k === "description") continue;
                const hint =
                    k === "name" ? "DockerLayer and ZipFunction name layers after the Pulumi stack"
                        : k === "retain" ? "old layer versions are kept by Pulumi's retainOnDelete in code, if you need it"
                            : "no manifest equivalent";
                this.line(`${item}.${k}`, "not converted", hint);
            }
        }
    }

    // -- functions -------------------------------------------------------------------------------

    convertFunctions(): void {
        const functions = this.r.child(this.root, "functions");
        const entries: { slsName: string; cursor: Cursor }[] = [];
        const add = (group: Cursor) => {
            for (const k of this.r.keys(group)) {
                const i = entries.findIndex((e) => e.slsName === k);
                if (i >= 0) entries.splice(i, 1);
                entries.push({ slsName: k, cursor: this.r.child(group, k) });
            }
        };
        if (this.r.kind(functions) === "seq") for (let i = 0; i < this.r.length(functions); i++) add(this.r.child(functions, i));
        else add(functions);

        for (const { slsName, cursor } of entries) {
            this.convertFunction(slsName, cursor);
            this.flush();
        }
        if (this.zipFunctionKeys.length > 0) {
            const pkg = this.r.child(this.root, "package");
            const patterns = this.r.value(this.r.child(pkg, "patterns")).value;
            const excluded = ["node_modules dev dependencies", ".git", ".serverless"];
            if (Array.isArray(patterns) && patterns.every((p) => typeof p === "string")) excluded.push(`package.patterns (${patterns.join(", ")})`);
            const others = this.r.keys(pkg).filter((k) => k !== "patterns");
            this.line(
                "package",
                "placeholder",
                `${this.zipFunctionKeys.join(", ")} = ${show(`${PLACEHOLDER_PREFIX}${CODE_PLACEHOLDER}`)}: Serverless zipped the service directory ` +
                    `minus ${excluded.slice(0, -1).join(", ")} and ${excluded[excluded.length - 1]}, but lambda-docker zips every file under \`code\` ` +
                    "(that would include node_modules, .git and .lambda-docker's own cache): give the functions' code a directory of its own, " +
                    `set code to it and write the handlers as module paths from there; replace it by hand${others.length > 0 ? ` (package.${others.join(", package.")} not converted)` : ""}`,
            );
        }
        const provider = this.r.child(this.root, "provider");
        if (this.r.kind(this.r.child(provider, "runtime")) !== "missing") {
            const runtime = this.describe(this.r.child(provider, "runtime"));
            if (this.providerRuntimeUsers > 0) this.line("provider.runtime", "converted", `${runtime} → the runtime of the ${this.providerRuntimeUsers} zip function(s) that set none`);
            else this.line("provider.runtime", "not converted", `${runtime} is unused: image functions take their runtime from their image`);
        }
        if (this.providerLayers !== undefined && this.providerLayers.length > 0) {
            this.pending.push({ item: "provider.layers", text: `used by ${this.providerLayersUsers.join(", ")} (the zip functions without their own layers)` });
        }
        if (this.r.kind(this.r.child(provider, "layers")) !== "missing" && this.providerLayers === undefined) {
            this.line("provider.layers", "not converted", "no zip function without its own `layers` uses them (image functions cannot have layers)");
        }
        if (this.r.kind(this.r.child(provider, "stage")) !== "missing") {
            this.line("provider.stage", "not converted", `the stage is the stack's name (this import: "${this.stage}", stacks/Pulumi.${this.stage}.yaml)`);
        }
    }

    private convertFunction(slsName: string, fn: Cursor): void {
        const base = `functions.${slsName}`;
        const name = manifestName(slsName);
        if (name === "") {
            this.line(base, "not converted", "its name has no letters or digits to name a manifest function");
            return;
        }
        if (this.functions[name] !== undefined) {
            this.line(base, "not converted", `its manifest name ${name} is taken by another function`);
            return;
        }
        const key = `functions.${name}`;
        const hasImage = this.r.kind(this.r.child(fn, "image")) !== "missing";
        const hasHandler = this.r.kind(this.r.child(fn, "handler")) !== "missing";
        if (hasImage && hasHandler) {
            this.line(base, "not converted", "it has both `image` and `handler` (Serverless refuses that too)");
            return;
        }
        const spec: Record<string, unknown> = {};
        let summary: string;
        if (hasImage) {
            const image = this.imageFunction(slsName, fn, key, spec);
            if (image === undefined) return;
            summary = image;
        } else if (hasHandler) {
            const zip = this.zipFunction(slsName, fn, key, spec);
            if (zip === undefined) return;
            summary = zip;
        } else {
            this.line(base, "not converted", "it has neither `image` nor `handler`");
            return;
        }

        for (const [k, target] of [["memorySize", "memorySize"], ["timeout", "timeout"]] as const) {
            const c = this.r.child(fn, k);
            if (this.r.kind(c) === "missing") continue;
            const value = this.take(c, `${base}.${k}`, `${key}.${target}`);
            spec[target] = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        }
        const environment: Record<string, string> = {};
        const own = this.r.child(fn, "environment");
        const ownKeys = this.r.keys(own);
        for (const e of this.providerEnv) {
            if (ownKeys.includes(e.name)) continue;
            environment[e.name] = e.value;
            if (isPlaceholder(e.value)) this.todos.push({ key: `${key}.environment.${e.name}`, expression: e.value.slice(PLACEHOLDER_PREFIX.length) });
        }
        for (const k of ownKeys) {
            const item = `${base}.environment.${k}`;
            const value = this.takeString(this.r.child(own, k), item, `${key}.environment.${k}`);
            if (value === undefined) {
                this.line(item, "not converted", `${this.describe(this.r.child(own, k))} is not a string, number or boolean`);
                continue;
            }
            environment[k] = value;
        }
        if (this.r.kind(own) === "unresolved" || this.r.kind(own) === "intrinsic") {
            this.line(`${base}.environment`, "not converted", `${this.describe(own)} is not a mapping the importer can read`);
        }
        if (Object.keys(environment).length > 0) spec.environment = environment;
        const reserved = this.r.child(fn, "reservedConcurrency");
        if (this.r.kind(reserved) !== "missing") {
            const value = this.take(reserved, `${base}.reservedConcurrency`, `${key}.reservedConcurrentExecutions`);
            spec.reservedConcurrentExecutions = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        }
        const architecture = this.r.child(fn, "architecture");
        if (this.r.kind(architecture) !== "missing") spec.architecture = this.take(architecture, `${base}.architecture`, `${key}.architecture`);
        const description = this.r.child(fn, "description");
        if (this.r.kind(description) !== "missing") spec.description = this.takeString(description, `${base}.description`, `${key}.description`);

        this.functions[name] = spec;
        this.line(base, "converted", `→ ${key}: ${summary}${name !== slsName ? ` (renamed from ${slsName})` : ""}`);

        const events = this.events(this.r.child(fn, "events"), base, key);
        if (events.length > 0) spec.events = events;
        for (const k of this.r.keys(fn)) {
            if (FUNCTION_KEYS.includes(k)) continue;
            const hint =
                k === "name" ? "lambda-docker names functions itself (Pulumi auto-names): the deployed function name changes, so update whatever calls it by name"
                    : k === "package" ? "zip functions package their whole `code` directory"
                        : k === "provisionedConcurrency" ? "no manifest equivalent; set it in your Pulumi program"
                            : "no manifest equivalent; configure it in your Pulumi program if you need it";
            this.line(`${base}.${k}`, "not converted", hint);
        }
    }

    private imageFunction(slsName: string, fn: Cursor, key: string, spec: Record<string, unknown>): string | undefined {
        const base = `functions.${slsName}`;
        const image = this.r.child(fn, "image");
        let ref: string | undefined;
        let uri: string | undefined;
        const config: Record<string, Cursor> = {};
        if (this.r.kind(image) === "map") {
            for (const k of this.r.keys(image)) {
                const c = this.r.child(image, k);
                if (k === "name") ref = this.takeString(c, `${base}.image.name`, undefined);
                else if (k === "uri") uri = this.takeString(c, `${base}.image.uri`, undefined);
                else if (["command", "entryPoint", "workingDirectory"].includes(k)) config[k] = c;
                else this.line(`${base}.image.${k}`, "not converted", "no manifest equivalent");
            }
        } else if (this.r.kind(image) === "scalar") {
            const value = this.takeString(image, `${base}.image`, undefined) ?? "";
            if (ECR_URI.test(value)) uri = value;
            else ref = value;
        }
        if (ref !== undefined && uri === undefined) {
            const known = this.imageNames.get(ref);
            if (known === undefined) {
                this.line(base, "not converted", `its image ${show(ref)} is not defined in provider.ecr.images`);
                return undefined;
            }
            uri = known.uri;
        }
        if (uri !== undefined || ref === undefined) {
            const events = this.r.length(this.r.child(fn, "events"));
            const command = config.command === undefined ? undefined : this.r.value(config.command).value;
            const shownCommand = Array.isArray(command) ? JSON.stringify(command) : "[<the image's CMD>]";
            this.line(
                base,
                "not converted",
                (uri === undefined
                    ? `its image ${this.describe(image)} cannot be read`
                    : `it runs the prebuilt image ${uri}, and the manifest only lists images lambda-docker builds: ` +
                      `deploy it in code with \`new ImageFunction("${manifestName(slsName)}", { image: <that URI>, command: ${shownCommand} })\``) +
                    (events > 0 ? `; its ${events} event(s) are not converted either` : ""),
            );
            return undefined;
        }
        const known = this.imageNames.get(ref)!;
        spec.image = known.name;
        const command = config.command;
        if (command !== undefined) {
            spec.command = this.list(command, `${base}.image.command`, `${key}.command`);
        } else {
            const cmd = this.dockerfileCmd(known.dockerfile!);
            if (cmd.command !== undefined) {
                spec.command = cmd.command;
                this.line(`${base}.image.command`, "converted", `not set: ${key}.command = ${JSON.stringify(cmd.command)}, the CMD of ${this.rel(known.dockerfile!)} that Serverless's function ran`);
            } else {
                const placeholder = `${PLACEHOLDER_PREFIX}image.command (${cmd.reason})`;
                spec.command = [placeholder];
                this.todos.push({ key: `${key}.command[0]`, expression: `image.command (${cmd.reason})` });
                this.line(`${base}.image.command`, "placeholder", `${key}.command[0] = ${show(placeholder)}: not set in serverless.yml and ${cmd.reason}; replace it by hand`);
            }
        }
        if (config.entryPoint !== undefined) spec.entryPoint = this.list(config.entryPoint, `${base}.image.entryPoint`, `${key}.entryPoint`);
        if (config.workingDirectory !== undefined) spec.workingDirectory = this.take(config.workingDirectory, `${base}.image.workingDirectory`, `${key}.workingDirectory`);
        for (const k of ["runtime", "layers"]) {
            if (this.r.kind(this.r.child(fn, k)) !== "missing") this.line(`${base}.${k}`, "not converted", `an image function has no ${k}: it comes from the image`);
        }
        const command0 = (spec.command as unknown[])[0];
        return `image function (image ${known.name}, command ${show(command0)})`;
    }

    private dockerfileCmd(dockerfile: string): { command?: string[]; reason: string } {
        const shown = this.rel(dockerfile);
        const text = this.readFile(path.resolve(this.serviceDir, dockerfile));
        if (text === undefined) return { reason: `${shown} was not found to read its CMD` };
        const all = instructions(text);
        const lastFrom = all.map((i) => /^FROM\s/i.test(i)).lastIndexOf(true);
        const cmd = all.slice(lastFrom + 1).filter((i) => /^CMD\s/i.test(i)).pop();
        if (cmd === undefined) return { reason: `the last stage of ${shown} has no CMD` };
        try {
            const parsed: unknown = JSON.parse(cmd.replace(/^CMD\s+/i, ""));
            if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((p) => typeof p === "string")) return { command: parsed as string[], reason: "" };
        } catch {
            // shell form: not a handler Lambda's runtime can load
        }
        return { reason: `the CMD of ${shown} is not in exec form (["module.handler"])` };
    }

    /** A function's `layers`: manifest layer names for `Ref`s to this service's layers, versioned ARNs as they are. */
    private layerList(list: Cursor, itemBase: string, key: string, todo = true): string[] {
        const layers: string[] = [];
        const n = this.r.kind(list) === "seq" ? this.r.length(list) : 0;
        for (let i = 0; i < n; i++) {
            const c = this.r.child(list, i);
            const item = `${itemBase}[${i}]`;
            const t = this.r.value(c).value;
            const ref = t instanceof Intrinsic && t.source.startsWith("!Ref ") ? String(t.value) : t instanceof Intrinsic && isIntrinsicObject(t.value) && typeof t.value.Ref === "string" ? t.value.Ref : undefined;
            if (ref !== undefined) {
                const layer = this.layerRefs.get(ref);
                if (layer !== undefined) {
                    layers.push(layer);
                    this.line(item, "converted", `${(t as Intrinsic).source} → ${key}: ${layer}`);
                } else {
                    this.line(item, "not converted", `${(t as Intrinsic).source} is not a layer of this service's \`layers\``);
                }
                continue;
            }
            const value = this.takeString(c, item, `${key}[${layers.length}]`, { todo });
            if (value === undefined) {
                this.line(item, "not converted", `${this.describe(c)} is not a layer reference the importer can read`);
            } else if (isPlaceholder(value) || LAYER_ARN.test(value)) {
                layers.push(value);
                if (!isPlaceholder(value)) this.line(item, "converted", `→ ${key}: ${value}`);
            } else {
                this.line(item, "not converted", `${show(value)} is not a versioned layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)`);
            }
        }
        return layers;
    }

    private zipFunction(slsName: string, fn: Cursor, key: string, spec: Record<string, unknown>): string | undefined {
        const base = `functions.${slsName}`;
        const name = manifestName(slsName);
        const ownRuntime = this.r.kind(this.r.child(fn, "runtime")) !== "missing";
        const runtimeCursor = ownRuntime ? this.r.child(fn, "runtime") : this.r.at(this.root, "provider", "runtime");
        const runtime = this.r.kind(runtimeCursor) === "missing" ? undefined : this.takeString(runtimeCursor, ownRuntime ? `${base}.runtime` : "provider.runtime", `${key}.runtime`);
        if (runtime === undefined) {
            this.line(base, "not converted", "it has a handler but no runtime, so Serverless deploys it as Node.js; lambda-docker's zip functions run Python");
            return undefined;
        }
        if (!isPlaceholder(runtime) && !runtime.startsWith("python")) {
            this.line(base, "not converted", `its runtime is ${runtime}; lambda-docker's zip functions run Python`);
            return undefined;
        }
        if (!ownRuntime) this.providerRuntimeUsers++;
        const handler = this.takeString(this.r.child(fn, "handler"), `${base}.handler`, `${key}.handler`) ?? "";
        const converted = isPlaceholder(handler) ? handler : handler.replace(/\//g, ".");
        spec.handler = converted;
        spec.code = `${PLACEHOLDER_PREFIX}${CODE_PLACEHOLDER}`;
        this.todos.push({ key: `${key}.code`, expression: CODE_PLACEHOLDER });
        this.zipFunctionKeys.push(`${key}.code`);
        spec.runtime = runtime;
        if (converted !== handler) {
            this.line(`${base}.handler`, "converted", `${handler} → ${key}.handler = ${converted} (Lambda's Python runtime imports path/to/module as path.to.module)`);
        }
        const own = this.r.child(fn, "layers");
        let layers: string[];
        if (this.r.kind(own) !== "missing") {
            layers = this.layerList(own, `${base}.layers`, `${key}.layers`);
        } else {
            this.providerLayers ??= this.layerList(this.r.at(this.root, "provider", "layers"), "provider.layers", "functions.*.layers", false);
            layers = this.providerLayers;
            if (layers.length > 0) this.providerLayersUsers.push(name);
            layers.forEach((l, i) => isPlaceholder(l) && this.todos.push({ key: `${key}.layers[${i}]`, expression: l.slice(PLACEHOLDER_PREFIX.length) }));
        }
        if (layers.length > 0) spec.layers = layers;
        return `zip function (handler ${converted}, runtime ${runtime}, code: a placeholder, see package)`;
    }

    // -- events ----------------------------------------------------------------------------------

    private events(list: Cursor, base: string, key: string): unknown[] {
        const out: unknown[] = [];
        if (!["seq", "missing"].includes(this.r.kind(list))) {
            this.line(`${base}.events`, "not converted", `${this.describe(list)} is not a list of events the importer can read`);
            return out;
        }
        const n = this.r.length(list);
        for (let i = 0; i < n; i++) {
            const e = this.r.child(list, i);
            const kinds = this.r.keys(e);
            const kind = kinds[0];
            const item = `${base}.events[${i}]${kind === undefined ? "" : `.${kind}`}`;
            if (kinds.length !== 1) {
                this.line(item, "not converted", `${this.describe(e)} is not an event the importer can read`);
                continue;
            }
            const c = this.r.child(e, kind);
            const converted =
                kind === "schedule" ? this.schedule(c, item, key, out.length)
                    : kind === "httpApi" ? this.httpApi(c, item, key, out.length)
                        : kind === "http" ? this.http(c, item, key, out.length)
                            : kind === "sqs" ? this.sqs(c, item, key, out.length)
                                : (this.line(item, "not converted", `the manifest has no ${kind} events (only schedule, http and sqs); add the trigger in your Pulumi program`), []);
            out.push(...converted);
        }
        return out;
    }

    private unknownKeys(c: Cursor, item: string, allowed: string[], ignored: Record<string, string>): string[] | undefined {
        const keys = this.r.keys(c);
        const refused = keys.filter((k) => !allowed.includes(k) && ignored[k] === undefined);
        if (refused.length > 0) {
            this.line(item, "not converted", `${refused.join(", ")} cannot be expressed in the manifest, and dropping it would change what the function receives or who may call it`);
            return undefined;
        }
        return keys.filter((k) => ignored[k] !== undefined);
    }

    private schedule(c: Cursor, item: string, key: string, index: number): unknown[] {
        if (this.r.kind(c) !== "map") {
            const expression = this.takeString(c, item, `${key}.events[${index}].schedule`);
            if (expression === undefined) return (this.line(item, "not converted", `${this.describe(c)} is not a schedule expression`), []);
            if (!isPlaceholder(expression)) this.line(item, "converted", `→ ${key}.events[${index}]: schedule ${expression}`);
            return [{ schedule: expression }];
        }
        const ignored = this.unknownKeys(c, item, ["rate", "enabled", "input"], { name: "the rule is named by Pulumi", description: "no manifest equivalent", method: "lambda-docker schedules with an EventBridge rule" });
        if (ignored === undefined) return [];
        const rate = this.r.child(c, "rate");
        const rates: Cursor[] = this.r.kind(rate) === "seq" ? Array.from({ length: this.r.length(rate) }, (_, i) => this.r.child(rate, i)) : [rate];
        const enabledCursor = this.r.child(c, "enabled");
        const enabled = this.r.kind(enabledCursor) === "missing" ? true : this.take(enabledCursor, `${item}.enabled`, undefined);
        const inputCursor = this.r.child(c, "input");
        const out: unknown[] = [];
        const expressions: string[] = [];
        for (const r of rates) {
            const k = `${key}.events[${index + out.length}].schedule`;
            const expression = this.takeString(r, item, `${k}.expression`);
            if (expression === undefined) continue;
            const schedule: Record<string, unknown> = { expression };
            if (enabled !== true) schedule.enabled = enabled;
            if (this.r.kind(inputCursor) !== "missing") schedule.input = this.take(inputCursor, `${item}.input`, `${k}.input`);
            out.push(Object.keys(schedule).length === 1 ? { schedule: expression } : { schedule });
            expressions.push(expression);
        }
        if (out.length === 0) {
            this.line(item, "not converted", "it has no rate");
            return [];
        }
        const targets = out.map((_, j) => `${key}.events[${index + j}]`).join(", ");
        const extras = `${enabled === false ? " (disabled)" : ""}${this.r.kind(inputCursor) !== "missing" ? " with its input" : ""}`;
        this.line(item, "converted", `→ ${targets}: schedule ${expressions.join(", ")}${extras}`);
        for (const k of ignored) this.line(`${item}.${k}`, "not converted", k === "name" ? "the rule is named by Pulumi" : k === "method" ? "lambda-docker schedules with an EventBridge rule" : "no manifest equivalent");
        return out;
    }

    private route(method: string, routePath: string): string {
        const m = method.toUpperCase() === "*" ? "ANY" : method.toUpperCase();
        const p = `/${routePath.replace(/^\/+/, "")}`;
        return `${m} ${p}`;
    }

    private httpApi(c: Cursor, item: string, key: string, index: number): unknown[] {
        let method: string | undefined;
        let routePath: string | undefined;
        if (this.r.kind(c) === "map") {
            if (this.r.kind(this.r.child(c, "authorizer")) !== "missing") {
                this.line(item, "not converted", "it has an authorizer, which the manifest cannot express: without it the route would be public; add the route with its authorizer in your Pulumi program");
                return [];
            }
            if (this.unknownKeys(c, item, ["method", "path"], {}) === undefined) return [];
            method = this.takeString(this.r.child(c, "method"), `${item}.method`, undefined);
            routePath = this.takeString(this.r.child(c, "path"), `${item}.path`, undefined);
        } else {
            const s = this.takeString(c, item, undefined) ?? "";
            if (s.trim() === "*") routePath = "*";
            else {
                const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(s);
                if (m) [, method, routePath] = m;
                else return (this.line(item, "not converted", `${show(s)} is not "METHOD /path" or "*"`), []);
            }
        }
        let route: string;
        if (routePath === "*" && (method === undefined || method === "*")) route = "$default";
        else if (method === undefined || routePath === undefined || isPlaceholder(method) || isPlaceholder(routePath)) {
            this.line(item, "not converted", "its method and path could not both be read");
            return [];
        } else route = this.route(method, routePath);
        if (route !== "$default" && !HTTP_METHODS.includes(route.split(" ")[0])) {
            this.line(item, "not converted", `${show(method)} is not an HTTP API method (${HTTP_METHODS.join(", ")}, or *)`);
            return [];
        }
        this.line(item, "converted", `→ ${key}.events[${index}]: http ${route}`);
        return [{ http: route }];
    }

    private http(c: Cursor, item: string, key: string, index: number): unknown[] {
        let method: string | undefined;
        let routePath: string | undefined;
        const notKept: string[] = [];
        if (this.r.kind(c) === "map") {
            for (const k of ["authorizer", "private"]) {
                const v2 = this.r.child(c, k);
                if (this.r.kind(v2) !== "missing" && this.r.value(v2).value !== false) {
                    this.line(item, "not converted", `it has ${k === "private" ? "private: true (an API key)" : "an authorizer"}, which the manifest cannot express: without it the route would be public; add the route with its ${k === "private" ? "API key" : "authorizer"} in your Pulumi program`);
                    return [];
                }
            }
            const integration = this.r.value(this.r.child(c, "integration")).value;
            if (integration !== undefined && !["lambda-proxy", "aws_proxy", "AWS_PROXY"].includes(String(integration))) {
                this.line(item, "not converted", `integration ${show(integration)} (request/response templates) is not a proxy integration, the only kind an HTTP API route has`);
                return [];
            }
            const ignored = this.unknownKeys(c, item, ["method", "path", "integration", "authorizer", "private"], {
                cors: "CORS is configured on the API, in your Pulumi program",
                operationId: "documentation only",
                summary: "documentation only",
                description: "documentation only",
            });
            if (ignored === undefined) return [];
            notKept.push(...ignored);
            method = this.takeString(this.r.child(c, "method"), `${item}.method`, undefined);
            routePath = this.takeString(this.r.child(c, "path"), `${item}.path`, undefined) ?? "";
        } else {
            const s = this.takeString(c, item, undefined) ?? "";
            const m = /^\s*(\S+)\s+(\S*)\s*$/.exec(s);
            if (!m) return (this.line(item, "not converted", `${show(s)} is not "METHOD path"`), []);
            [, method, routePath] = m;
        }
        if (method === undefined || isPlaceholder(method) || isPlaceholder(routePath ?? "")) {
            this.line(item, "not converted", "its method and path could not both be read");
            return [];
        }
        const route = this.route(method, routePath ?? "");
        if (!HTTP_METHODS.includes(route.split(" ")[0])) {
            this.line(item, "not converted", `${show(method)} is not an HTTP method (${HTTP_METHODS.join(", ")})`);
            return [];
        }
        this.line(
            item,
            "converted",
            `→ ${key}.events[${index}]: http ${route}: a REST API (v1) endpoint becomes an HTTP API route, with a new URL and payload format 2.0 (requestContext.http.method, rawPath, …); check the handler reads it`,
        );
        for (const k of notKept) {
            this.line(`${item}.${k}`, "not converted", k === "cors" ? "CORS is configured on the API, in your Pulumi program" : "documentation only");
        }
        return [{ http: route }];
    }

    private sqs(c: Cursor, item: string, key: string, index: number): unknown[] {
        const k = `${key}.events[${index}].sqs`;
        if (this.r.kind(c) !== "map") {
            const queue = this.take(c, item, k);
            this.line(item, isPlaceholder(queue) ? "placeholder" : "converted", `→ ${key}.events[${index}]: sqs ${isPlaceholder(queue) ? "(queue is a placeholder)" : String(queue)}`);
            return [{ sqs: queue }];
        }
        const ignored = this.unknownKeys(c, item, ["arn", "batchSize", "enabled"], {
            maximumBatchingWindow: "the manifest has no batching window",
            maximumConcurrency: "the manifest has no maximum concurrency",
        });
        if (ignored === undefined) return [];
        const queue = this.take(this.r.child(c, "arn"), `${item}.arn`, `${k}.queue`);
        const sqs: Record<string, unknown> = { queue };
        const batch = this.r.child(c, "batchSize");
        if (this.r.kind(batch) !== "missing") sqs.batchSize = this.take(batch, `${item}.batchSize`, `${k}.batchSize`);
        const enabled = this.r.child(c, "enabled");
        if (this.r.kind(enabled) !== "missing") sqs.enabled = this.take(enabled, `${item}.enabled`, `${k}.enabled`);
        const detail = `${isPlaceholder(queue) ? "(queue is a placeholder)" : String(queue)}${sqs.batchSize !== undefined ? `, batch size ${sqs.batchSize}` : ""}${sqs.enabled === false ? " (disabled)" : ""}`;
        this.line(item, isPlaceholder(queue) ? "placeholder" : "converted", `→ ${key}.events[${index}]: sqs ${detail}`);
        for (const x of ignored) this.line(`${item}.${x}`, "not converted", x === "maximumBatchingWindow" ? "the manifest has no batching window" : "the manifest has no maximum concurrency");
        return [Object.keys(sqs).length === 1 ? { sqs: queue } : { sqs }];
    }

    // -- resources, plugins, the rest ----------------------------------------------------------

    convertResources(): void {
        const resources = this.r.child(this.root, "resources");
        const groups = this.r.kind(resources) === "seq" ? Array.from({ length: this.r.length(resources) }, (_, i) => this.r.child(resources, i)) : [resources];
        for (const group of groups) {
            for (const section of this.r.keys(group)) {
                const c = this.r.child(group, section);
                if (section !== "Resources") {
                    this.line(`resources.${section}`, "not converted", "CloudFormation is not part of the manifest; write it as Pulumi resources");
                    continue;
                }
                for (const id of this.r.keys(c)) {
                    const res = this.r.child(c, id);
                    const type = this.r.value(this.r.child(res, "Type")).value;
                    if (type === "AWS::ECR::Repository") {
                        const name = this.r.value(this.r.at(res, "Properties", "RepositoryName")).value;
                        const shown = typeof name === "string" ? name : "<its name>";
                        this.line(
                            `resources.Resources.${id}`,
                            "not converted",
                            `AWS::ECR::Repository: adopt it with \`new EcrRepository(…, { repositoryName: "${shown}", adoptExisting: true })\` (see README), ` +
                                "after setting DeletionPolicy: Retain on it and deploying, so removing the Serverless stack keeps it and its images",
                        );
                    } else if (type === "AWS::SQS::Queue") {
                        this.line(
                            `resources.Resources.${id}`,
                            "not converted",
                            "AWS::SQS::Queue: keep it (import it as a Pulumi resource), or let lambda-docker create a new one per stage under the manifest's " +
                                "`queues:` and name it in sqs events (its messages and its URL stay with the old queue)",
                        );
                    } else {
                        this.line(`resources.Resources.${id}`, "not converted", `${typeof type === "string" ? type : "a CloudFormation resource"}: write it as a Pulumi resource (or import the existing one)`);
                    }
                }
            }
        }
    }

    convertPlugins(): void {
        const plugins = this.r.child(this.root, "plugins");
        const list = this.r.kind(plugins) === "map" ? this.r.child(plugins, "modules") : plugins;
        for (let i = 0; i < this.r.length(list); i++) {
            const name = this.r.value(this.r.child(list, i)).value;
            const shown = typeof name === "string" ? name : JSON.stringify(name);
            this.line(`plugins.${shown}`, "not converted", `Serverless plugins do not run under lambda-docker${KNOWN_PLUGIN_HINTS[shown] ? `: ${KNOWN_PLUGIN_HINTS[shown]}` : ""}`);
        }
    }

    convertRest(): void {
        const handled = ["provider", "functions", "layers", "resources", "plugins", ...(this.zipFunctionKeys.length > 0 ? ["package"] : [])];
        for (const k of this.r.keys(this.root)) {
            if (handled.includes(k)) continue;
            const hint =
                k === "service" ? `deployed names change: Serverless named functions ${String(this.r.value(this.r.child(this.root, k)).value)}-<stage>-<function>; lambda-docker's are Pulumi auto-names`
                    : k === "custom" ? "read only through the ${self:custom…} variables that use it; plugin settings in it are not converted"
                        : k === "package" ? "there are no zip functions to package"
                            : ["frameworkVersion", "configValidationMode", "deprecationNotificationMode", "variablesResolutionMode", "useDotenv", "org", "app", "console", "dashboard", "license"].includes(k)
                                ? "a Serverless Framework setting"
                                : k === "params" || k === "stages" ? "read only through ${param:…} variables"
                                    : "no lambda-docker equivalent";
            this.line(k, "not converted", hint);
        }
        for (const w of this.r.warnings) this.line(w.file, "not converted", `YAML: ${w.message} (read as its plain value)`);
    }

    manifest(): Record<string, unknown> {
        const m: Record<string, unknown> = {};
        if (Object.keys(this.images).length > 0) m.images = this.images;
        if (Object.keys(this.layers).length > 0) m.layers = this.layers;
        if (this.statements.length > 0) m.policyStatements = this.statements;
        m.functions = this.functions;
        return m;
    }

}

/** Function keys in the order the manifest spec lists them. */
const FUNCTION_ORDER = [
    "image", "command", "entryPoint", "workingDirectory", "handler", "code", "runtime", "layers", "memorySize", "timeout",
    "environment", "reservedConcurrentExecutions", "architecture", "description", "policyStatements", "events",
];

function ordered(spec: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of FUNCTION_ORDER) if (spec[k] !== undefined) out[k] = spec[k];
    return out;
}

function toYaml(value: unknown): string {
    const doc = new YAML.Document(value);
    YAML.visit(doc, {
        Seq(_, node) {
            const scalars = node.items.every((i) => YAML.isScalar(i) && !isPlaceholder(i.value));
            const width = node.items.reduce((n: number, i) => n + String(YAML.isScalar(i) ? i.value : "").length + 2, 0);
            if (scalars && width <= 72) node.flow = true;
        },
    });
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Converts the Serverless service at `file` (serverless.yml) for `stage`. */
export function importServerless(file: string, options: ImportOptions): ImportResult {
    const stage = options.stage ?? "dev";
    v.stage("--stage", stage);
    const absolute = path.resolve(file);
    if (![".yml", ".yaml", ".json"].includes(path.extname(absolute).toLowerCase())) {
        throw new Error(`Cannot import ${path.basename(absolute)}: only serverless.yml, serverless.yaml and serverless.json services can be read (a JavaScript or TypeScript service is a program, not data).`);
    }
    const serviceDir = path.dirname(absolute);
    const outDir = path.resolve(options.outDir ?? serviceDir);
    const mainFile = path.basename(absolute);
    const resolver = new VariableResolver(serviceDir, mainFile, stage, options.readFile);
    const c = new Converter(resolver, stage, serviceDir, outDir, options.readFile);
    for (const step of [c.convertProvider, c.convertImages, c.convertIam, c.convertLayers, c.convertFunctions, c.convertResources, c.convertPlugins, c.convertRest]) {
        step.call(c);
        c.flush();
    }

    const raw = c.manifest();
    const manifest = { ...raw, functions: Object.fromEntries(Object.entries(raw.functions as Record<string, Record<string, unknown>>).map(([k, s]) => [k, ordered(s)])) };
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
        Object.entries(stackConfig).map(([k, val]) => [k, /^\d+$/.test(val) ? Number(val) : val === "true" ? true : val === "false" ? false : val]),
    );
    const stackHeader = [
        `# Generated by \`lambda-docker import serverless\` from ${source} (stage "${stage}").`,
        ...stackTodos.map((t) => `# TODO: ${t.key} is a placeholder (${t.expression}); replace it by hand.`),
    ].join("\n");
    const stackYaml = `${stackHeader}\n${toYaml({ config: typed })}`;
    return { manifest, manifestYaml, stackConfig, stackYaml, report: c.report, todos: c.todos };
}
