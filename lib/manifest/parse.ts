/**
 * `lambda-docker.yaml` parsed with the `yaml` library and validated like component args; the JSON Schema
 * in `schema/lambda-docker.schema.json` describes the same document for editors (a test keeps them equal).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    parseRoute,
    validateQueueArn,
    validateSqsBatching,
    validateScheduleExpression,
} from "../lambda/events";
import { validateStatements } from "../iamStatements";
import * as v from "../validation";
import { DEFAULT_RUNTIME, LAYER_ARN, MAX_LAYERS } from "../lambda/rules";
import { checkFunctionNames, checkTriggerNames } from "../lambda/names";
import { ProjectPath, projectPaths } from "./paths";
import { codeFilter } from "../build/codePatterns";
import {
    DEFAULT_IMAGE_NAME,
    DEFAULT_MANIFEST,
    EventSpec,
    FunctionOverrides,
    FunctionSpec,
    BuiltImageSpec,
    ConfigRef,
    ImageSpec,
    LayerSpec,
    MANIFEST_KEYS,
    Manifest,
    PLACEHOLDER_PREFIX,
    QueueSpec,
    SampleSpec,
} from "./types";

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const NAME_ALLOWED = "lowercase letters, digits and inner hyphens";
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

function object(key: string, value: unknown): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value))
        v.fail(key, "a mapping", value);
    return value as Record<string, unknown>;
}

function onlyKeys(key: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(value)) {
        if (!allowed.includes(k))
            v.fail(
                `${key}${key ? "." : ""}${k}`,
                `absent (allowed keys: ${allowed.join(", ")})`,
                value[k],
            );
    }
}

function optional<T>(value: unknown, parse: (value: unknown) => T): T | undefined {
    return value === undefined ? undefined : parse(value);
}

/** A mapping of names to strings (build args, environment); numbers and booleans must be quoted. */
function stringMap(
    key: string,
    value: unknown,
    checkName?: (k: string, name: string) => unknown,
): Record<string, string> {
    if (value === undefined) return {};
    const map = object(key, value);
    for (const [k, val] of Object.entries(map)) {
        checkName?.(`${key}.${k}`, k);
        if (typeof val !== "string")
            v.fail(`${key}.${k}`, "a string (quote numbers and booleans in YAML)", val);
    }
    return { ...(map as Record<string, string>) };
}

const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** An image pinned by digest: `<registry>/<repository>@sha256:<64 hex>`, optionally with a tag before the digest. */
const DIGEST_URI = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_.-]+)?@sha256:[a-f0-9]{64}$/;

/** `environment`: plain strings, or `{ config, secret? }` read from the stack's config at deploy time. */
function environmentOf(
    key: string,
    value: unknown,
): { environment: Record<string, string>; configEnvironment: Record<string, ConfigRef> } {
    const environment: Record<string, string> = {};
    const configEnvironment: Record<string, ConfigRef> = {};
    if (value === undefined) return { environment, configEnvironment };
    for (const [k, val] of Object.entries(object(key, value))) {
        v.environmentName(`${key}.${k}`, k);
        if (typeof val === "string") {
            environment[k] = val;
            continue;
        }
        if (typeof val !== "object" || val === null || Array.isArray(val))
            v.fail(
                `${key}.${k}`,
                "a string (quote numbers and booleans in YAML) or `{ config: <key>, secret?: true }`",
                val,
            );
        const ref = val as Record<string, unknown>;
        onlyKeys(`${key}.${k}`, ref, MANIFEST_KEYS.configRef);
        configEnvironment[k] = {
            config: v.matches(
                `${key}.${k}.config`,
                ref.config,
                CONFIG_KEY,
                "a Pulumi config key (a letter, then letters, digits, `_`, `.` or `-`)",
            ),
            secret: ref.secret === undefined ? false : v.boolean(`${key}.${k}.secret`, ref.secret),
        };
    }
    return { environment, configEnvironment };
}

/** Refuses the importer's placeholders anywhere in the document, naming the key path. */
function refusePlaceholders(key: string, value: unknown): void {
    if (typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX)) {
        v.fail(
            key || "manifest",
            "a real value in place of the importer's placeholder (replace it by hand)",
            value,
        );
    } else if (Array.isArray(value)) {
        value.forEach((x, i) => refusePlaceholders(`${key}[${i}]`, x));
    } else if (typeof value === "object" && value !== null) {
        for (const [k, x] of Object.entries(value)) refusePlaceholders(key ? `${key}.${k}` : k, x);
    }
}

function parseImage(key: string, value: unknown, join: ProjectPath): ImageSpec {
    const image = object(key, value);
    onlyKeys(key, image, MANIFEST_KEYS.image);
    if (image.uri !== undefined) {
        const other = Object.keys(image).filter((k) => k !== "uri");
        if (other.length > 0)
            v.fail(
                `${key}.${other[0]}`,
                "absent on a prebuilt image (`uri` is all it has; `context` is for images lambda-docker builds)",
                image[other[0]],
            );
        return {
            kind: "prebuilt",
            uri: v.matches(
                `${key}.uri`,
                image.uri,
                DIGEST_URI,
                "an image pinned by digest, `<registry>/<repository>@sha256:<64 hex>` (a tag alone can move under a deployed function)",
            ),
        };
    }
    return {
        context: join(`${key}.context`, v.nonEmptyString(`${key}.context`, image.context)),
        dockerfile: optional(image.dockerfile, (d) =>
            join(`${key}.dockerfile`, v.nonEmptyString(`${key}.dockerfile`, d)),
        ),
        buildArgs: stringMap(`${key}.buildArgs`, image.buildArgs),
        target: optional(image.target, (t) => v.nonEmptyString(`${key}.target`, t)),
    };
}

function parseLayer(key: string, value: unknown, join: ProjectPath): LayerSpec {
    const layer = object(key, value);
    const description = optional(layer.description, (d) =>
        v.nonEmptyString(`${key}.description`, d),
    );
    if ((layer.context === undefined) === (layer.path === undefined)) {
        v.fail(
            key,
            "a Docker-built layer `{ context, dockerfile?, buildArgs?, target? }` or a prebuilt directory `{ path }`, exactly one of `context` and `path`",
            layer,
        );
    }
    if (layer.path !== undefined) {
        onlyKeys(key, layer, MANIFEST_KEYS.directoryLayer);
        return {
            kind: "directory",
            path: join(`${key}.path`, v.nonEmptyString(`${key}.path`, layer.path)),
            description,
        };
    }
    onlyKeys(key, layer, MANIFEST_KEYS.dockerLayer);
    const build = Object.fromEntries(Object.entries(layer).filter(([k]) => k !== "description"));
    if (build.uri !== undefined)
        v.fail(
            `${key}.uri`,
            "absent on a layer (layers are built or zipped from a directory)",
            build.uri,
        );
    const { context, dockerfile, buildArgs, target } = parseImage(
        key,
        build,
        join,
    ) as BuiltImageSpec;
    return { kind: "docker", context, dockerfile, buildArgs, target, description };
}

function parseQueue(key: string, value: unknown): QueueSpec {
    const queue = object(key, value ?? {});
    onlyKeys(key, queue, MANIFEST_KEYS.queue);
    return {
        visibilityTimeout: optional(queue.visibilityTimeout, (t) =>
            v.integerInRange(`${key}.visibilityTimeout`, t, 0, 43_200, "seconds"),
        ),
        messageRetentionSeconds: optional(queue.messageRetentionSeconds, (t) =>
            v.integerInRange(`${key}.messageRetentionSeconds`, t, 60, 1_209_600, "seconds"),
        ),
    };
}

function parseEvent(
    key: string,
    value: unknown,
    queues: Readonly<Record<string, QueueSpec>>,
): EventSpec {
    const event = object(key, value);
    const kinds = Object.keys(event);
    if (kinds.length !== 1 || !["schedule", "http", "sqs"].includes(kinds[0])) {
        v.fail(
            key,
            'one trigger: `schedule: rate(...)|cron(...)`, `http: "METHOD /path"` or `sqs: { queue, batchSize? }`',
            event,
        );
    }
    const k = `${key}.${kinds[0]}`;
    if (event.schedule !== undefined) {
        if (typeof event.schedule === "string")
            return {
                schedule: {
                    expression: validateScheduleExpression(k, event.schedule),
                    enabled: true,
                },
            };
        const s = object(k, event.schedule);
        onlyKeys(k, s, MANIFEST_KEYS.schedule);
        return {
            schedule: {
                expression: validateScheduleExpression(`${k}.expression`, s.expression),
                enabled: s.enabled === undefined ? true : v.boolean(`${k}.enabled`, s.enabled),
                ...(s.input === undefined ? {} : { input: s.input }),
            },
        };
    }
    if (event.http !== undefined) {
        if (typeof event.http === "string")
            return { http: { route: parseRoute(k, event.http).routeKey } };
        const h = object(k, event.http);
        onlyKeys(k, h, MANIFEST_KEYS.http);
        return { http: { route: parseRoute(`${k}.route`, h.route).routeKey } };
    }
    const s = typeof event.sqs === "string" ? { queue: event.sqs } : object(k, event.sqs);
    onlyKeys(k, s, MANIFEST_KEYS.sqs);
    const queue =
        typeof s.queue === "string" && QUEUE_NAME.test(s.queue) && queues[s.queue] !== undefined
            ? s.queue
            : validateQueueArn(`${k}.queue`, s.queue);
    // The same batching rule as the SqsQueueEvent the plan creates (FIFO queues are named by ARN here).
    const batching = validateSqsBatching(k, {
        batchSize: s.batchSize,
        window: s.maximumBatchingWindow,
        windowKey: "maximumBatchingWindow",
        fifo: queue.endsWith(".fifo"),
    });
    return {
        sqs: {
            queue,
            ...(s.batchSize === undefined ? {} : { batchSize: batching.batchSize }),
            ...(batching.window === undefined ? {} : { maximumBatchingWindow: batching.window }),
            enabled: s.enabled === undefined ? true : v.boolean(`${k}.enabled`, s.enabled),
        },
    };
}

/** `samples: [events/a.json, { event: events/b.json, status: 400, expect: { ok: false } }]`. */
function parseSamples(key: string, value: unknown, join: ProjectPath): SampleSpec[] {
    if (value === undefined) return [];
    if (!Array.isArray(value))
        return v.fail(key, "a list of event files or `{ event, status?, expect? }`", value);
    return value.map((item, i) => {
        const k = `${key}[${i}]`;
        if (typeof item === "string") return { event: join(k, v.nonEmptyString(k, item)) };
        const sample = object(k, item);
        onlyKeys(k, sample, MANIFEST_KEYS.sample);
        return {
            event: join(`${k}.event`, v.nonEmptyString(`${k}.event`, sample.event)),
            ...(sample.status === undefined
                ? {}
                : { status: v.integerInRange(`${k}.status`, sample.status, 100, 599) }),
            ...(sample.expect === undefined ? {} : { expect: sample.expect }),
        };
    });
}

function parseFunction(
    key: string,
    value: unknown,
    images: Readonly<Record<string, ImageSpec>>,
    layers: Readonly<Record<string, LayerSpec>>,
    queues: Readonly<Record<string, QueueSpec>>,
    join: ProjectPath,
): FunctionSpec {
    const fn = object(key, value);
    const isZip = fn.handler !== undefined || fn.code !== undefined;
    if (isZip && fn.command !== undefined)
        v.fail(
            `${key}.command`,
            "absent on a zip function (it has `handler` and `code`; an image function has `command`)",
            fn.command,
        );
    if (!isZip && fn.command === undefined)
        v.fail(
            key,
            "an image function `{ command: [<handler>] }` or a zip function `{ handler, code }`",
            fn,
        );
    const own = isZip ? MANIFEST_KEYS.zipFunction : MANIFEST_KEYS.imageFunction;
    const other = isZip ? MANIFEST_KEYS.imageFunction : MANIFEST_KEYS.zipFunction;
    for (const k of other) {
        if (fn[k] !== undefined)
            v.fail(
                `${key}.${k}`,
                `absent on ${isZip ? "a zip" : "an image"} function (it belongs to ${isZip ? "image" : "zip"} functions)`,
                fn[k],
            );
    }
    onlyKeys(key, fn, [...MANIFEST_KEYS.common, ...own]);
    const events = fn.events === undefined ? [] : fn.events;
    if (!Array.isArray(events)) v.fail(`${key}.events`, "a list of triggers", events);
    const common: FunctionOverrides = {
        memorySize: optional(fn.memorySize, (m) => v.memorySize(`${key}.memorySize`, m)),
        timeout: optional(fn.timeout, (t) => v.timeout(`${key}.timeout`, t)),
        ...environmentOf(`${key}.environment`, fn.environment),
        reservedConcurrentExecutions: optional(fn.reservedConcurrentExecutions, (r) =>
            v.atLeast(`${key}.reservedConcurrentExecutions`, r, 0),
        ),
        architecture: optional(fn.architecture, (a) => v.architecture(`${key}.architecture`, a)),
        description: optional(fn.description, (d) => v.nonEmptyString(`${key}.description`, d)),
        policyStatements: validateStatements(`${key}.policyStatements`, fn.policyStatements ?? []),
        events: events.map((e, i) => parseEvent(`${key}.events[${i}]`, e, queues)),
        samples: parseSamples(`${key}.samples`, fn.samples, join),
    };
    const name = key.slice("functions.".length);
    v.withKey(key, () => {
        checkFunctionNames(name, {
            named: false,
            hasSchedule: common.events.some((e) => "schedule" in e),
        });
        checkTriggerNames(
            name,
            common.events.map((e) =>
                "http" in e
                    ? { kind: "http" as const, route: { routeKey: e.http.route } }
                    : { kind: "schedule" in e ? ("schedule" as const) : ("sqs" as const) },
            ),
        );
    });
    if (!isZip) {
        const names = Object.keys(images);
        const image =
            fn.image === undefined
                ? names.length === 1
                    ? names[0]
                    : v.fail(
                          `${key}.image`,
                          `the name of one of the images (${names.join(", ")}); it may be left out only when there is one image`,
                          fn.image,
                      )
                : v.oneOf(`${key}.image`, fn.image, names);
        return {
            kind: "image",
            ...common,
            image,
            command: v.command(`${key}.command`, fn.command),
            entryPoint: optional(fn.entryPoint, (e) => v.stringList(`${key}.entryPoint`, e)),
            workingDirectory: optional(fn.workingDirectory, (w) =>
                v.matches(`${key}.workingDirectory`, w, /^\//, "an absolute path inside the image"),
            ),
        };
    }
    const layerRefs = fn.layers ?? [];
    if (!Array.isArray(layerRefs) || layerRefs.length > MAX_LAYERS) {
        v.fail(
            `${key}.layers`,
            `a list of at most ${MAX_LAYERS} layers (Lambda's limit per function)`,
            layerRefs,
        );
    }
    layerRefs.forEach((l, i) => {
        if (!(typeof l === "string" && (layers[l] !== undefined || LAYER_ARN.test(l)))) {
            v.fail(
                `${key}.layers[${i}]`,
                `the name of one of the manifest's layers (${Object.keys(layers).join(", ") || "none declared"}) or a versioned layer ARN`,
                l,
            );
        }
    });
    return {
        kind: "zip",
        ...common,
        handler: v.handler(`${key}.handler`, fn.handler),
        ...parseCode(`${key}.code`, fn.code, join),
        runtime:
            fn.runtime === undefined
                ? DEFAULT_RUNTIME
                : v.pythonRuntime(`${key}.runtime`, fn.runtime),
        layers: [...(layerRefs as string[])],
    };
}

/** `code: <dir>` or `code: { path, include?, exclude? }` (Serverless's package patterns, relative to `path`). */
function parseCode(
    key: string,
    value: unknown,
    join: ProjectPath,
): { code: string; include: string[]; exclude: string[] } {
    if (typeof value === "string")
        return { code: join(key, v.nonEmptyString(key, value)), include: [], exclude: [] };
    if (typeof value !== "object" || value === null || Array.isArray(value))
        v.fail(key, "a directory, or `{ path, include?, exclude? }`", value);
    const code = value as Record<string, unknown>;
    onlyKeys(key, code, MANIFEST_KEYS.code);
    const patterns = (k: string): string[] =>
        code[k] === undefined ? [] : v.stringList(`${key}.${k}`, code[k]);
    const include = patterns("include");
    const exclude = patterns("exclude");
    v.withKey(key, () => codeFilter({ include, exclude })); // the ZipFunction's own check
    return {
        code: join(`${key}.path`, v.nonEmptyString(`${key}.path`, code.path)),
        include,
        exclude,
    };
}

function mapOf<T>(
    key: string,
    value: unknown,
    parse: (key: string, value: unknown) => T,
): Record<string, T> {
    if (value === undefined) return {};
    const map = object(key, value);
    const out: Record<string, T> = {};
    for (const [name, spec] of Object.entries(map)) {
        v.matches(`${key}.${name}`, name, NAME, `a name of ${NAME_ALLOWED}`);
        out[name] = parse(`${key}.${name}`, spec);
    }
    return out;
}

/** Validates a parsed manifest; paths in it are relative to `baseDir`. */
export function parseManifest(doc: unknown, baseDir = "."): Manifest {
    const root = object("manifest", doc);
    refusePlaceholders("", root);
    onlyKeys("", root, MANIFEST_KEYS.root);
    const join = projectPaths(baseDir);
    if (root.image !== undefined && root.images !== undefined)
        v.fail(
            "image",
            'absent when `images` is given (`image:` is the one image named "app")',
            root.image,
        );
    const images =
        root.image !== undefined
            ? { [DEFAULT_IMAGE_NAME]: parseImage("image", root.image, join) }
            : mapOf("images", root.images, (k, x) => parseImage(k, x, join));
    if (root.images !== undefined && Object.keys(images).length === 0)
        v.fail("images", "a mapping of at least one image", root.images);
    const layers = mapOf("layers", root.layers, (k, x) => parseLayer(k, x, join));
    const queues = mapOf("queues", root.queues, parseQueue);
    const policyStatements = validateStatements("policyStatements", root.policyStatements ?? []);
    const functionsDoc = object("functions", root.functions ?? {});
    if (Object.keys(functionsDoc).length === 0 && Object.keys(layers).length === 0)
        v.fail(
            "functions",
            "a mapping of at least one function (a manifest without functions must declare layers)",
            root.functions,
        );
    const functions = mapOf("functions", functionsDoc, (k, x) =>
        parseFunction(k, x, images, layers, queues, join),
    );
    const routes = new Map<string, string>();
    for (const [name, fn] of Object.entries(functions)) {
        fn.events.forEach((e, i) => {
            if (!("http" in e)) return;
            const owner = routes.get(e.http.route);
            if (owner !== undefined) {
                v.fail(
                    `functions.${name}.events[${i}].http`,
                    `a route no other function has (function "${owner}" already has ${JSON.stringify(e.http.route)})`,
                    e.http.route,
                );
            }
            routes.set(e.http.route, name);
        });
    }
    return { images, layers, queues, policyStatements, functions };
}

/** Reads and validates a manifest file; errors name the file. */
export function readManifest(file: string = DEFAULT_MANIFEST): Manifest {
    if (!fs.existsSync(file)) {
        throw new v.ValidationError(
            "manifest",
            `Manifest ${JSON.stringify(file)} not found: create it (see lambda-docker.yaml in the README) or pass --manifest.`,
        );
    }
    return v.withContext("Manifest", file, () => {
        let doc: unknown;
        try {
            doc = YAML.parse(fs.readFileSync(file, "utf8"));
        } catch (e) {
            // YAML syntax errors and alias bombs (the library stops at 100 aliases) name the line, not a stack.
            throw new v.ValidationError(
                "manifest",
                `\`manifest\` is not valid YAML: ${(e as Error).message.split("\n")[0]}`,
            );
        }
        return parseManifest(doc, path.dirname(file));
    });
}
