/** YAML with CloudFormation's short-form tags, and the values the importer cannot resolve. */
import * as YAML from "yaml";

/** A CloudFormation intrinsic: a `!Ref`-style tag or a `{ Ref: … }` / `{ "Fn::…": … }` mapping. */
export class Intrinsic {
    constructor(
        readonly source: string,
        readonly value: unknown,
    ) {}
}

const CFN_TAGS = [
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "Select",
    "Split",
    "ImportValue",
    "FindInMap",
    "GetAZs",
    "Base64",
    "Cidr",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Condition",
    "Transform",
    "Length",
    "ToJsonString",
];

/** CloudFormation as it is written in YAML, on one line: `!GetAtt Queue.Arn`, `{Ref: Queue}`, `!Join [":", [a, !Ref B]]`. */
export function flowYaml(value: unknown): string {
    if (value instanceof Intrinsic) return value.source;
    if (Array.isArray(value)) return `[${value.map(flowYaml).join(", ")}]`;
    if (typeof value === "object" && value !== null)
        return `{${Object.entries(value)
            .map(([k, v]) => `${flowYaml(k)}: ${flowYaml(v)}`)
            .join(", ")}}`;
    if (typeof value !== "string") return String(value);
    return /^[A-Za-z0-9_./$(-][^,[\]{}#&!|>'"%@`]*$/.test(value) && !/: |:$/.test(value)
        ? value
        : JSON.stringify(value);
}

export function tagSource(tag: string, value: unknown): string {
    return `${tag} ${typeof value === "string" ? value : flowYaml(value)}`;
}

export const CUSTOM_TAGS: YAML.Tags = CFN_TAGS.flatMap((name): YAML.Tags => {
    const tag = `!${name}`;
    return [
        { tag, resolve: (s: string) => new Intrinsic(tagSource(tag, s), s) },
        {
            tag,
            collection: "seq",
            resolve: (seq) => {
                const j = seq.toJSON();
                return new Intrinsic(tagSource(tag, j), j);
            },
        },
        {
            tag,
            collection: "map",
            resolve: (map) => {
                const j = map.toJSON();
                return new Intrinsic(tagSource(tag, j), j);
            },
        },
    ];
});

export function isIntrinsicObject(value: unknown): value is Record<string, unknown> {
    if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        value instanceof Intrinsic
    )
        return false;
    const keys = Object.keys(value);
    return keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"));
}

// ---------------------------------------------------------------------------------------------
// Variables

/** A value the importer cannot know: `original` is the text at the key, `cause` the expression at fault. */
export class Unresolved {
    constructor(
        readonly original: string,
        readonly cause: string,
        readonly reason: string,
        /** Set when the value comes from a secrets-looking or gitignored include: it must never be written. */
        readonly secretFile?: string,
    ) {}
}
