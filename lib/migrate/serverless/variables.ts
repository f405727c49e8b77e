/** Serverless variables (`${file(…)}`, `${opt:stage}`, `${self:…}`, fallbacks) resolved as Serverless v3/v4 resolve them. */
import * as path from "path";
import ignore, { Ignore } from "ignore";
import {
    hasVariable,
    isSecretFile,
    isWholeVariable,
    keyPath,
    scan,
    splitFallbacks,
} from "./variableSyntax";
export { isSecretFile, keyPath } from "./variableSyntax";
export type { Part } from "./variableSyntax";
import * as YAML from "yaml";
import { CUSTOM_TAGS, Intrinsic, Unresolved, flowYaml, isIntrinsicObject } from "./intrinsics";

export interface DefaultUse {
    readonly expression: string;
    readonly reason: string;
}

/** What a value's resolution depended on. */
export interface Notes {
    readonly stage: boolean;
    readonly defaults: readonly DefaultUse[];
}

const NO_NOTES: Notes = { stage: false, defaults: [] };

function merge(a: Notes, b: Notes): Notes {
    if (b === NO_NOTES || (!b.stage && b.defaults.length === 0)) return a;
    if (a === NO_NOTES || (!a.stage && a.defaults.length === 0)) return b;
    const defaults = [...a.defaults];
    for (const d of b.defaults)
        if (!defaults.some((x) => x.expression === d.expression)) defaults.push(d);
    return { stage: a.stage || b.stage, defaults };
}

export type Segment = string | number;

/** Where a raw value sits: a file relative to the service directory, and a key path in it. */
export interface Loc {
    readonly file: string;
    readonly path: readonly Segment[];
}

const MISSING = Symbol("missing");

/** A position in the (lazily resolved) configuration. Without `loc` the node is already resolved. */
export interface Cursor {
    readonly node: unknown;
    readonly loc?: Loc;
    readonly notes: Notes;
}

/** A deeply resolved value, with Unresolved and Intrinsic leaves left in place for the caller. */
export interface Taken {
    readonly value: unknown;
    readonly notes: Notes;
}

export type Lookup =
    | { readonly kind: "found"; readonly cursor: Cursor }
    | {
          readonly kind: "absent";
          readonly reason: string;
          readonly missingFile?: string;
          readonly option?: boolean;
      }
    | { readonly kind: "unreadable"; readonly cause: string; readonly reason: string };

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
        if (doc === MISSING)
            throw new Error(`Cannot read ${this.mainFile}: no such file in ${this.serviceDir}.`);
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
        if (Array.isArray(n) && typeof segment === "number" && segment < n.length)
            node = n[segment];
        else if (
            Array.isArray(n) &&
            typeof segment === "string" &&
            /^\d+$/.test(segment) &&
            Number(segment) < n.length
        )
            node = n[Number(segment)];
        else if (this.kindOf(n) === "map" && Object.prototype.hasOwnProperty.call(n, segment))
            node = (n as Record<string, unknown>)[segment];
        return {
            node,
            loc: d.loc && { file: d.loc.file, path: [...d.loc.path, segment] },
            notes: d.notes,
        };
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
                const value =
                    t.value instanceof Unresolved && t.value.original !== n
                        ? new Unresolved(n, t.value.cause, t.value.reason, t.value.secretFile)
                        : t.value;
                return { value, notes: merge(cursor.notes, t.notes) };
            });
        }
        if (n === MISSING) return { value: undefined, notes: cursor.notes };
        if (isIntrinsicObject(n))
            return { value: new Intrinsic(flowYaml(n), n), notes: cursor.notes };
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
        return typeof n === "object" &&
            n !== null &&
            !Array.isArray(n) &&
            !(n instanceof Intrinsic) &&
            !(n instanceof Unresolved) &&
            !isIntrinsicObject(n)
            ? "map"
            : "other";
    }

    private guard<T>(loc: Loc, expression: string, fn: () => T): T {
        const key = `${loc.file}#${keyPath(loc.path)}`;
        const where = this.where(loc);
        const seen = this.active.findIndex((a) => a.key === key);
        if (seen >= 0) {
            const chain = [...this.active.slice(seen).map((a) => a.where), where].join(" → ");
            const first = this.active[seen];
            throw new Error(
                `Cannot resolve ${first.expression} at ${first.where}: its variables refer back to it (${chain}).`,
            );
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
            const where = (e: YAML.YAMLError) =>
                `${e.message.split(" at line ")[0]}${e.linePos ? ` at line ${e.linePos[0].line}` : ""}`;
            if (parsed.errors.length > 0)
                throw new Error(`Cannot parse ${rel}: ${where(parsed.errors[0])}`);
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
            if (val instanceof Unresolved)
                return {
                    value: new Unresolved(text, val.cause, val.reason, val.secretFile),
                    notes,
                };
            if (val instanceof Intrinsic)
                return {
                    value: new Unresolved(
                        text,
                        val.source,
                        "a CloudFormation reference is known only at deploy time",
                    ),
                    notes,
                };
            if (typeof val === "object" && val !== null) {
                return {
                    value: new Unresolved(
                        text,
                        part.variable,
                        `${part.variable} is a mapping or list, which cannot be part of a string`,
                    ),
                    notes,
                };
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
                    .map((s) => ({
                        expression: variable,
                        reason:
                            s.kind === "unreadable"
                                ? `${s.cause}: ${s.reason}`
                                : (s as { reason: string }).reason,
                    }));
                const notes =
                    defaults.length > 0
                        ? merge(found.cursor.notes, {
                              stage: false,
                              defaults: defaults.slice(0, 1),
                          })
                        : found.cursor.notes;
                return { ...found.cursor, notes };
            }
            skipped.push(found);
        }
        const unreadable = skipped.find(
            (s): s is Extract<Lookup, { kind: "unreadable" }> => s.kind === "unreadable",
        );
        if (unreadable)
            return {
                node: new Unresolved(variable, unreadable.cause, unreadable.reason),
                notes: NO_NOTES,
            };
        const missingFile = skipped.find(
            (s): s is Extract<Lookup, { kind: "absent" }> =>
                s.kind === "absent" && s.missingFile !== undefined,
        );
        if (missingFile) {
            return {
                node: new Unresolved(
                    variable,
                    variable,
                    `file ${missingFile.missingFile} not found (file paths are relative to the service directory, the directory of serverless.yml)`,
                    isSecretFile(missingFile.missingFile!) ? missingFile.missingFile : undefined,
                ),
                notes: NO_NOTES,
            };
        }
        const absent = skipped[0] as Extract<Lookup, { kind: "absent" }>;
        return { node: new Unresolved(variable, variable, absent.reason), notes: NO_NOTES };
    }

    private lookup(candidate: string, loc: Loc): Lookup {
        const text = candidate.trim();
        if (isWholeVariable(text)) {
            const c = this.resolveVariable(text, loc);
            return c.node instanceof Unresolved
                ? { kind: "unreadable", cause: c.node.cause, reason: c.node.reason }
                : { kind: "found", cursor: c };
        }
        const quoted = /^'([\s\S]*)'$|^"([\s\S]*)"$/.exec(text);
        if (quoted) {
            const literal = quoted[1] ?? quoted[2];
            if (!hasVariable(literal))
                return { kind: "found", cursor: { node: literal, notes: NO_NOTES } };
            const t = this.interpolate(literal, loc);
            return t.value instanceof Unresolved
                ? { kind: "unreadable", cause: t.value.cause, reason: t.value.reason }
                : { kind: "found", cursor: { node: t.value, notes: t.notes } };
        }
        if (/^-?\d+(\.\d+)?$/.test(text))
            return { kind: "found", cursor: { node: Number(text), notes: NO_NOTES } };
        if (text === "true" || text === "false")
            return { kind: "found", cursor: { node: text === "true", notes: NO_NOTES } };
        if (text === "null") return { kind: "found", cursor: { node: null, notes: NO_NOTES } };
        if (!/^[a-z][A-Za-z0-9.-]*[(:]/.test(text)) {
            return {
                kind: "unreadable",
                cause: `\${${text}}`,
                reason: "it is neither a variable source nor a quoted string, number or boolean (Serverless refuses it too)",
            };
        }

        let reference = text;
        let notes = NO_NOTES;
        if (hasVariable(text)) {
            const t = this.interpolate(text, loc);
            if (t.value instanceof Unresolved)
                return { kind: "unreadable", cause: t.value.cause, reason: t.value.reason };
            reference = t.value as string;
            notes = t.notes;
        }
        const m = /^([a-z][A-Za-z0-9.-]*)(?:\(([^)]*)\))?(?::([\s\S]*))?$/.exec(reference);
        const expression = `\${${text}}`;
        if (!m)
            return {
                kind: "unreadable",
                cause: expression,
                reason: "it is not a variable the importer understands",
            };
        const [, source, params, address = ""] = m;
        const withNotes = (l: Lookup): Lookup =>
            l.kind === "found"
                ? { kind: "found", cursor: { ...l.cursor, notes: merge(notes, l.cursor.notes) } }
                : l;
        switch (source) {
            case "self": {
                const c = this.at(this.root(), ...(address === "" ? [] : address.split(".")));
                // Serverless fills these in when serverless.yml leaves them out.
                const filled = { "provider.region": "us-east-1", "provider.stage": this.stage }[
                    address
                ];
                if (c.node === MISSING && filled !== undefined)
                    return {
                        kind: "found",
                        cursor: {
                            node: filled,
                            notes:
                                address === "provider.stage"
                                    ? { stage: true, defaults: [] }
                                    : {
                                          stage: false,
                                          defaults: [
                                              {
                                                  expression: `\${self:${address}}`,
                                                  reason: "Serverless's default region",
                                              },
                                          ],
                                      },
                        },
                    };
                return withNotes(
                    c.node === MISSING
                        ? { kind: "absent", reason: `serverless.yml has no value at ${address}` }
                        : { kind: "found", cursor: c },
                );
            }
            case "opt":
                if (address === "stage")
                    return {
                        kind: "found",
                        cursor: { node: this.stage, notes: { stage: true, defaults: [] } },
                    };
                return {
                    kind: "absent",
                    option: true,
                    reason: `option --${address} is not given (the import stands for \`serverless deploy --stage ${this.stage}\`)`,
                };
            case "sls":
                if (address === "stage")
                    return {
                        kind: "found",
                        cursor: { node: this.stage, notes: { stage: true, defaults: [] } },
                    };
                return {
                    kind: "unreadable",
                    cause: expression,
                    reason: "only ${sls:stage} has a value outside a Serverless run",
                };
            case "param":
                return withNotes(this.param(address, expression));
            case "file":
                return withNotes(this.file(params ?? "", address, expression));
            case "aws":
                // Serverless's ${aws:region} is the provider's region; the account id is known only to AWS.
                if (address === "region") {
                    const region = this.at(this.root(), "provider", "region");
                    return region.node === MISSING || hasVariable(String(region.node))
                        ? { kind: "found", cursor: { node: "us-east-1", notes: NO_NOTES } }
                        : { kind: "found", cursor: region };
                }
                return { kind: "unreadable", cause: expression, reason: EXTERNAL_SOURCES.aws };
            default:
                return {
                    kind: "unreadable",
                    cause: expression,
                    reason:
                        EXTERNAL_SOURCES[source] ??
                        `"${source}" variables are not read by the importer`,
                };
        }
    }

    /** `${param:x}`: serverless.yml's own `stages.<stage>.params` / `params.<stage>`, then their `default`. */
    private param(name: string, expression: string): Lookup {
        const root = this.root();
        for (const where of [
            ["stages", this.stage, "params", name],
            ["params", this.stage, name],
            ["stages", "default", "params", name],
            ["params", "default", name],
        ]) {
            const c = this.at(root, ...where);
            if (c.node !== MISSING)
                return {
                    kind: "found",
                    cursor: { ...c, notes: merge(c.notes, { stage: true, defaults: [] }) },
                };
        }
        return {
            kind: "unreadable",
            cause: expression,
            reason: "serverless.yml's params have no such value (a Serverless Dashboard parameter is not read by the importer)",
        };
    }

    private ignoreRules?: Ignore;
    /** Whether git ignores `rel` (the service directory's .gitignore): a gitignored include holds local secrets. */
    private gitignored(rel: string): boolean {
        if (this.ignoreRules === undefined) {
            this.ignoreRules = ignore();
            const text = this.readFile(path.join(this.serviceDir, ".gitignore"));
            if (text !== undefined) this.ignoreRules.add(text);
        }
        return this.ignoreRules.ignores(rel);
    }

    private file(params: string, address: string, expression: string): Lookup {
        const rel = params.trim().replace(/^['"]|['"]$/g, "");
        const abs = path.resolve(this.serviceDir, rel);
        const shown = path.relative(this.serviceDir, abs).split(path.sep).join("/");
        if (path.isAbsolute(rel) || shown.startsWith("..") || path.isAbsolute(shown))
            return {
                kind: "unreadable",
                cause: expression,
                reason: "the file is outside the service directory, and the importer reads only the service's own files",
            };
        if (isSecretFile(shown) || this.gitignored(shown)) {
            // Never read: its values become config keys (`pulumi config set --secret`), not manifest text.
            return {
                kind: "found",
                cursor: {
                    node: new Unresolved(
                        expression,
                        expression,
                        `${shown} is a secrets file (gitignored or named like one): its values are not copied`,
                        shown,
                    ),
                    notes: NO_NOTES,
                },
            };
        }
        const ext = path.extname(abs).toLowerCase();
        if ([".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"].includes(ext)) {
            return {
                kind: "unreadable",
                cause: expression,
                reason: "JavaScript and TypeScript files are not run by the importer",
            };
        }
        if (![".yml", ".yaml", ".json", ".tfstate"].includes(ext)) {
            const text = this.readFile(abs);
            if (text === undefined)
                return { kind: "absent", reason: `file ${shown} not found`, missingFile: shown };
            return address === ""
                ? { kind: "found", cursor: { node: text, notes: NO_NOTES } }
                : { kind: "absent", reason: `${shown} is not YAML or JSON` };
        }
        const doc = this.parsed(abs);
        if (doc === MISSING)
            return { kind: "absent", reason: `file ${shown} not found`, missingFile: shown };
        const c = this.at(
            { node: doc, loc: { file: shown, path: [] }, notes: NO_NOTES },
            ...(address === "" ? [] : address.split(".")),
        );
        return c.node === MISSING
            ? { kind: "absent", reason: `${shown} has no value at ${address}` }
            : { kind: "found", cursor: c };
    }
}

// ---------------------------------------------------------------------------------------------
// Conversion

/** A manifest name from a Serverless key: `campaignOrchestrator` → `campaign-orchestrator`. */
