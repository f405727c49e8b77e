/** The importer's state for one service, and what every section shares: taking a value, reporting it. */
import * as path from "path";
import * as v from "../../validation";
import { Intrinsic, Unresolved } from "./intrinsics";
import { PLACEHOLDER_PREFIX, ReportLine, ReportStatus, Todo } from "./report";
import { Cursor, Notes, VariableResolver } from "./variables";

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
    const normalized = name
        .replace(/-/g, "Dash")
        .replace(/_/g, "Underscore")
        .replace(/[^0-9A-Za-z]/g, "");
    return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaLayer`;
}

/** What a zip function's `code` is written as: Serverless's package has no exact equivalent. */
export const CODE_PLACEHOLDER =
    "package (the directory to zip: Serverless zipped the service directory, filtered)";

/** Serverless's test for an image given as an ECR URI rather than the name of `provider.ecr.images`. */
export const ECR_URI =
    /^\d+\.dkr\.ecr\.[a-z0-9-]+..amazonaws.com\/([^@]+)|([^@:]+@sha256:[a-f0-9]{64})$/;
export const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/;
export const WILDCARD_ACTION = /^([a-z0-9-]+|\*):\*$|^\*$/;
export const PLATFORMS: Record<string, v.Architecture> = {
    "linux/amd64": "x86_64",
    "linux/arm64": "arm64",
};

/** Keys the importer handles itself, per section; any other key gets a "not converted" line. */
export const PROVIDER_KEYS = [
    "name",
    "stage",
    "runtime",
    "region",
    "memorySize",
    "timeout",
    "architecture",
    "environment",
    "logRetentionInDays",
    "ecr",
    "iam",
    "iamRoleStatements",
    "layers",
    "httpApi",
];
export const FUNCTION_KEYS = [
    "image",
    "handler",
    "runtime",
    "memorySize",
    "timeout",
    "environment",
    "architecture",
    "layers",
    "description",
    "reservedConcurrency",
    "events",
];

export const KNOWN_PLUGIN_HINTS: Record<string, string> = {
    "serverless-python-requirements":
        "requirements are not installed into zip functions: build them into a layer (a Docker-built `layers` entry with `context`) or use an image function",
    "serverless-iam-roles-per-function":
        "each function's iamRoleStatements became its own `policyStatements` (on its own role, as the plugin did)",
    "serverless-wsgi":
        "its generated handler (wsgi_handler.handler, serving custom.wsgi.app) does not exist without it: add a WSGI adapter to your code (e.g. `apig-wsgi`: `handler = make_lambda_handler(app)`) and point the function's handler at it",
    "serverless-lift": "its constructs are not created: see each constructs.<name> line",
    "serverless-offline": "use `lambda-docker invoke` to run a function locally",
    "serverless-prune-plugin":
        "lambda-docker publishes no function versions, so there are none to prune",
};

export function isPlaceholder(value: unknown): boolean {
    return typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX);
}

export const show = v.show;

/** Builds the manifest, stack config and report for one service. */
/** A manifest environment value read from config. */
export interface ConfigRefValue {
    readonly config: string;
    readonly secret?: true;
}

/** Variable names that hold secrets: their config keys are set with `--secret`. */
const SECRET_NAME =
    /SECRET|TOKEN|PASS|PASSWORD|PWD|KEY|CREDENTIAL|PRIVATE|AUTH|SIGNING|WEBHOOK|DSN|CONN/i;

/** `SLACK_WEBHOOK_URL` → `slackWebhookUrl`: a Pulumi config key of the project's namespace. */
export function configKeyOf(envName: string): string {
    const words = envName
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
    const key = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
    return /^[a-z]/.test(key) ? key : `v${key}`;
}

export class Converter {
    readonly report: ReportLine[] = [];
    readonly todos: Todo[] = [];
    readonly stack = new Map<string, string>();
    readonly images: Record<string, Record<string, unknown>> = {};
    readonly layers: Record<string, Record<string, unknown>> = {};
    readonly statements: Record<string, unknown>[] = [];
    readonly functions: Record<string, Record<string, unknown>> = {};
    /** Serverless image name → manifest image name, or the URI of a prebuilt image. */
    readonly imageNames = new Map<string, { name?: string; uri?: string; dockerfile?: string }>();
    readonly layerRefs = new Map<string, string>();
    readonly root: Cursor;
    stackArchitecture?: v.Architecture;
    providerEnv: { name: string; value: string | ConfigRefValue }[] = [];
    /** Config keys the manifest's environments read, for the `pulumi config set` commands the report prints. */
    readonly configKeys = new Map<string, { secret: boolean; from: string }>();
    providerRuntimeUsers = 0;
    providerLayers?: string[];
    readonly providerLayersUsers: string[] = [];
    readonly zipFunctionKeys: string[] = [];

    constructor(
        readonly r: VariableResolver,
        readonly stage: string,
        readonly serviceDir: string,
        readonly outDir: string,
        readonly readFile: (file: string) => string | undefined,
    ) {
        this.root = r.root();
    }

    /** Notes on values (stage, defaults) wait for their item's line, so each item gets one line. */
    pending: { item: string; text: string }[] = [];

    line(item: string, status: ReportStatus, detail: string): void {
        const mine = this.pending.filter(
            (p) =>
                p.item === item || p.item.startsWith(`${item}.`) || p.item.startsWith(`${item}[`),
        );
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
        const r = path
            .relative(this.outDir, path.resolve(this.serviceDir, p))
            .split(path.sep)
            .join("/");
        return r === "" ? "." : r;
    }

    /**
     * The value at `cursor` for the manifest key `key`: placeholders for what cannot be resolved (each
     * with a report line and a TODO), and a line when the value depends on the stage or on a default.
     */
    take(
        cursor: Cursor,
        item: string,
        key: string | undefined,
        opts: { stack?: boolean; todo?: boolean } = {},
    ): unknown {
        const t = this.r.value(cursor);
        let unresolved = false;
        const materialize = (value: unknown, k: string | undefined): unknown => {
            const table = value instanceof Intrinsic ? this.tableArn(value, item, k) : undefined;
            if (table !== undefined) return table;
            if (value instanceof Unresolved || value instanceof Intrinsic) {
                unresolved = true;
                const expression = value instanceof Unresolved ? value.original : value.source;
                const placeholder = `${PLACEHOLDER_PREFIX}${expression}`;
                const reason =
                    value instanceof Unresolved
                        ? value.cause === value.original
                            ? value.reason
                            : `${value.cause}: ${value.reason}`
                        : "a CloudFormation reference is known only at deploy time";
                const where = k ?? item;
                if (opts.todo !== false) this.todos.push({ key: where, expression });
                this.report.push({
                    item,
                    status: "placeholder",
                    detail: `${where} = ${show(placeholder)}: ${reason}; replace it by hand`,
                });
                return placeholder;
            }
            if (Array.isArray(value))
                return value.map((x, i) =>
                    materialize(x, k === undefined ? undefined : `${k}[${i}]`),
                );
            if (typeof value === "object" && value !== null) {
                return Object.fromEntries(
                    Object.entries(value).map(([kk, x]) => [
                        kk,
                        materialize(x, k === undefined ? undefined : `${k}.${kk}`),
                    ]),
                );
            }
            return value;
        };
        const value = materialize(t.value, key);
        if (!unresolved) this.noteDependencies(item, key, value, t.notes, opts.stack ?? false);
        return value;
    }

    /**
     * `Fn::GetAtt [Table, Arn]` of a DynamoDB table this service declares with a known TableName: its
     * ARN from the name, the stack's region and any account (the table stays the user's to create).
     */
    tableArn(value: Intrinsic, item: string, key: string | undefined): string | undefined {
        const v = value.value;
        const [logical, attribute] =
            typeof v === "string" && value.source.startsWith("!GetAtt")
                ? v.split(".")
                : typeof v === "object" &&
                    v !== null &&
                    Array.isArray((v as Record<string, unknown>)["Fn::GetAtt"])
                  ? ((v as Record<string, unknown>)["Fn::GetAtt"] as string[])
                  : [];
        if (attribute !== "Arn" || typeof logical !== "string") return undefined;
        const resource = this.r.at(this.root, "resources", "Resources", logical);
        if (this.r.value(this.r.child(resource, "Type")).value !== "AWS::DynamoDB::Table")
            return undefined;
        const name = this.r.value(this.r.at(resource, "Properties", "TableName")).value;
        if (typeof name !== "string" || name === "") return undefined;
        const region = this.stack.get("aws:region") ?? "us-east-1";
        const arn = `arn:aws:dynamodb:${region}:*:table/${name}`;
        this.pending.push({
            item,
            text: `${key ?? item} = ${show(arn)}: the ARN of the table resources.Resources.${logical} declares (${value.source}), in the stack's region and any account`,
        });
        return arn;
    }

    noteDependencies(
        item: string,
        key: string | undefined,
        value: unknown,
        notes: Notes,
        stack: boolean,
    ): void {
        for (const d of notes.defaults) {
            this.pending.push({
                item,
                text: `${key ?? item} = ${show(value)} is the default of ${d.expression} (${d.reason}): check it is the value you deploy with`,
            });
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

    /**
     * An environment value: a value from a secrets include, `${ssm:…}` or `${env:…}` becomes a reference
     * to a config key (`{ config, secret }`) that the program reads, so no secret is written anywhere.
     */
    takeEnv(
        cursor: Cursor,
        item: string,
        key: string,
        name: string,
        opts: { todo?: boolean } = {},
    ): string | ConfigRefValue | undefined {
        const value = this.r.value(cursor).value;
        if (value instanceof Unresolved) {
            const from = value.original;
            const secret =
                value.secretFile !== undefined ||
                value.cause.startsWith("${ssm:") ||
                SECRET_NAME.test(name);
            const missingFile = /^file .* not found/.test(value.reason);
            if (
                value.secretFile !== undefined ||
                missingFile ||
                /^\$\{(env|ssm):/.test(value.cause)
            ) {
                const ref: ConfigRefValue = {
                    config: configKeyOf(name),
                    ...(secret ? { secret: true as const } : {}),
                };
                this.configKeys.set(ref.config, { secret, from });
                this.line(
                    item,
                    "converted",
                    `${key} = config ${ref.config}${secret ? " (secret)" : ""}, read by the program from the stack's config: ` +
                        `pulumi config set ${secret ? "--secret " : ""}${ref.config} <value> --stack ${this.stage} (it was ${from})`,
                );
                return ref;
            }
        }
        return this.takeString(cursor, item, key, opts);
    }

    /** A YAML scalar taken as a string (numbers and booleans as Lambda and CloudFormation read them). */
    takeString(
        cursor: Cursor,
        item: string,
        key: string | undefined,
        opts: { stack?: boolean; todo?: boolean } = {},
    ): string | undefined {
        const value = this.take(cursor, item, key, opts);
        if (value === undefined || value === null) return undefined;
        if (typeof value === "string") return value;
        if (typeof value === "number" || typeof value === "boolean") return String(value);
        return undefined;
    }

    setStack(key: string, value: string): void {
        this.stack.set(key, value);
    }

    describe(cursor: Cursor): string {
        const t = this.r.value(cursor).value;
        if (t instanceof Unresolved) return t.original;
        if (t instanceof Intrinsic) return t.source;
        return JSON.stringify(t);
    }

    // -- IAM -------------------------------------------------------------------------------------

    /** A string-or-list value (IAM Action/Resource, layers) as a list. */
    list(cursor: Cursor, item: string, key: string): unknown[] {
        if (this.r.kind(cursor) === "seq") {
            const out: unknown[] = [];
            for (let i = 0; i < this.r.length(cursor); i++)
                out.push(this.take(this.r.child(cursor, i), item, `${key}[${i}]`));
            return out;
        }
        if (this.r.kind(cursor) === "missing") return [];
        return [this.take(cursor, item, `${key}[0]`)];
    }

    // -- resources, plugins, the rest ----------------------------------------------------------

    manifest(): Record<string, unknown> {
        const m: Record<string, unknown> = {};
        if (Object.keys(this.images).length > 0) m.images = this.images;
        if (Object.keys(this.layers).length > 0) m.layers = this.layers;
        if (this.statements.length > 0) m.policyStatements = this.statements;
        m.functions = this.functions;
        return m;
    }
}
