/** `functions`: image and zip functions. */
import {
    ConfigRefValue,
    Converter,
    ECR_URI,
    FUNCTION_KEYS,
    isPlaceholder,
    manifestName,
    show,
} from "./converter";
import { Cursor } from "./variables";
import { statementsAt } from "./iam";
import { PYTHON_RUNTIMES } from "../../lambda/rules";
import { convertEvents } from "./events";
import { dockerfileCmd } from "./images";
import { PLACEHOLDER_PREFIX } from "./report";
import { layerList } from "./layers";

export function convertFunctions(cv: Converter): void {
    const functions = cv.r.child(cv.root, "functions");
    const entries: { slsName: string; cursor: Cursor }[] = [];
    const add = (group: Cursor) => {
        for (const k of cv.r.keys(group)) {
            const i = entries.findIndex((e) => e.slsName === k);
            if (i >= 0) entries.splice(i, 1);
            entries.push({ slsName: k, cursor: cv.r.child(group, k) });
        }
    };
    if (cv.r.kind(functions) === "seq")
        for (let i = 0; i < cv.r.length(functions); i++) add(cv.r.child(functions, i));
    else add(functions);

    for (const { slsName, cursor } of entries) {
        convertFunction(cv, slsName, cursor);
        cv.flush();
    }
    if (cv.zipFunctionKeys.length > 0) {
        const pkg = cv.r.child(cv.root, "package");
        const others = cv.r
            .keys(pkg)
            .filter((k) => !["patterns", "include", "exclude"].includes(k));
        cv.line(
            "package",
            "converted",
            `→ ${cv.zipFunctionKeys.join(", ")}: the service directory, minus Serverless's default excludes, ` +
                "the lambda-docker project's own files and the package patterns, as Serverless zipped it" +
                (others.length > 0 ? ` (package.${others.join(", package.")} not converted)` : ""),
        );
    }
    const provider = cv.r.child(cv.root, "provider");
    if (cv.r.kind(cv.r.child(provider, "runtime")) !== "missing") {
        const runtime = cv.describe(cv.r.child(provider, "runtime"));
        if (cv.providerRuntimeUsers > 0)
            cv.line(
                "provider.runtime",
                "converted",
                `${runtime} → the runtime of the ${cv.providerRuntimeUsers} zip function(s) that set none`,
            );
        else
            cv.line(
                "provider.runtime",
                "not converted",
                `${runtime} is unused: image functions take their runtime from their image`,
            );
    }
    if (cv.providerLayers !== undefined && cv.providerLayers.length > 0) {
        cv.pending.push({
            item: "provider.layers",
            text: `used by ${cv.providerLayersUsers.join(", ")} (the zip functions without their own layers)`,
        });
    }
    if (
        cv.r.kind(cv.r.child(provider, "layers")) !== "missing" &&
        cv.providerLayers === undefined
    ) {
        cv.line(
            "provider.layers",
            "not converted",
            "no zip function without its own `layers` uses them (image functions cannot have layers)",
        );
    }
    if (cv.r.kind(cv.r.child(provider, "stage")) !== "missing") {
        cv.line(
            "provider.stage",
            "not converted",
            `the stage is the stack's name (this import: "${cv.stage}", stacks/Pulumi.${cv.stage}.yaml)`,
        );
    }
}

export function convertFunction(cv: Converter, slsName: string, fn: Cursor): void {
    const base = `functions.${slsName}`;
    const name = manifestName(slsName);
    if (name === "") {
        cv.line(
            base,
            "not converted",
            "its name has no letters or digits to name a manifest function",
        );
        return;
    }
    if (cv.functions[name] !== undefined) {
        cv.line(base, "not converted", `its manifest name ${name} is taken by another function`);
        return;
    }
    const key = `functions.${name}`;
    const hasImage = cv.r.kind(cv.r.child(fn, "image")) !== "missing";
    const hasHandler = cv.r.kind(cv.r.child(fn, "handler")) !== "missing";
    if (hasImage && hasHandler) {
        cv.line(
            base,
            "not converted",
            "it has both `image` and `handler` (Serverless refuses that too)",
        );
        return;
    }
    const spec: Record<string, unknown> = {};
    let summary: string;
    if (hasImage) {
        const image = imageFunction(cv, slsName, fn, key, spec);
        if (image === undefined) return;
        summary = image;
    } else if (hasHandler) {
        const zip = zipFunction(cv, slsName, fn, key, spec);
        if (zip === undefined) return;
        summary = zip;
    } else {
        cv.line(base, "not converted", "it has neither `image` nor `handler`");
        return;
    }

    for (const [k, target] of [
        ["memorySize", "memorySize"],
        ["timeout", "timeout"],
    ] as const) {
        const c = cv.r.child(fn, k);
        if (cv.r.kind(c) === "missing") continue;
        const value = cv.take(c, `${base}.${k}`, `${key}.${target}`);
        spec[target] = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    }
    const environment: Record<string, string | ConfigRefValue> = {};
    const own = cv.r.child(fn, "environment");
    const ownKeys = cv.r.keys(own);
    for (const e of cv.providerEnv) {
        if (ownKeys.includes(e.name)) continue;
        environment[e.name] = e.value;
        if (typeof e.value === "string" && isPlaceholder(e.value))
            cv.todos.push({
                key: `${key}.environment.${e.name}`,
                expression: e.value.slice(PLACEHOLDER_PREFIX.length),
            });
    }
    for (const k of ownKeys) {
        const item = `${base}.environment.${k}`;
        const value = cv.takeEnv(cv.r.child(own, k), item, `${key}.environment.${k}`, k);
        if (value === undefined) {
            cv.line(
                item,
                "not converted",
                `${cv.describe(cv.r.child(own, k))} is not a string, number or boolean`,
            );
            continue;
        }
        environment[k] = value;
    }
    if (cv.r.kind(own) === "unresolved" || cv.r.kind(own) === "intrinsic") {
        cv.line(
            `${base}.environment`,
            "not converted",
            `${cv.describe(own)} is not a mapping the importer can read`,
        );
    }
    if (Object.keys(environment).length > 0) spec.environment = environment;
    const reserved = cv.r.child(fn, "reservedConcurrency");
    if (cv.r.kind(reserved) !== "missing") {
        const value = cv.take(
            reserved,
            `${base}.reservedConcurrency`,
            `${key}.reservedConcurrentExecutions`,
        );
        spec.reservedConcurrentExecutions =
            typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    }
    const architecture = cv.r.child(fn, "architecture");
    if (cv.r.kind(architecture) !== "missing")
        spec.architecture = cv.take(architecture, `${base}.architecture`, `${key}.architecture`);
    const description = cv.r.child(fn, "description");
    if (cv.r.kind(description) !== "missing")
        spec.description = cv.takeString(description, `${base}.description`, `${key}.description`);

    cv.functions[name] = spec;
    cv.line(
        base,
        "converted",
        `→ ${key}: ${summary}${name !== slsName ? ` (renamed from ${slsName})` : ""}`,
    );

    const events = convertEvents(cv, cv.r.child(fn, "events"), base, key);
    if (events.length > 0) spec.events = events;
    // serverless-iam-roles-per-function: the function's own statements, on its own role.
    const ownStatements: Record<string, unknown>[] = [];
    statementsAt(
        cv,
        cv.r.child(fn, "iamRoleStatements"),
        `${base}.iamRoleStatements`,
        ownStatements,
        `${key}.policyStatements`,
    );
    if (ownStatements.length > 0) {
        spec.policyStatements = ownStatements;
        const inherit = cv.r.value(cv.r.child(fn, "iamRoleStatementsInherit")).value === true;
        if (!inherit && cv.statements.length > 0)
            cv.line(
                `${base}.iamRoleStatementsInherit`,
                "not converted",
                "serverless-iam-roles-per-function gave this function only its own statements; in lambda-docker it also gets the service's policyStatements (every function's role): move those it must not have into the functions that need them",
            );
    }
    for (const k of cv.r.keys(fn)) {
        if (FUNCTION_KEYS.includes(k) || (k === "package" && spec.code !== undefined)) continue;
        if (
            k === "iamRoleStatements" ||
            (k === "iamRoleStatementsInherit" && spec.policyStatements)
        )
            continue;
        const hint =
            k === "name"
                ? "lambda-docker names functions itself (Pulumi auto-names): the deployed function name changes, so update whatever calls it by name"
                : k === "package"
                  ? "zip functions package their whole `code` directory"
                  : k === "provisionedConcurrency"
                    ? "no manifest equivalent; set it in your Pulumi program"
                    : "no manifest equivalent; configure it in your Pulumi program if you need it";
        cv.line(`${base}.${k}`, "not converted", hint);
    }
}

export function imageFunction(
    cv: Converter,
    slsName: string,
    fn: Cursor,
    key: string,
    spec: Record<string, unknown>,
): string | undefined {
    const base = `functions.${slsName}`;
    const image = cv.r.child(fn, "image");
    let ref: string | undefined;
    let uri: string | undefined;
    const config: Record<string, Cursor> = {};
    if (cv.r.kind(image) === "map") {
        for (const k of cv.r.keys(image)) {
            const c = cv.r.child(image, k);
            if (k === "name") ref = cv.takeString(c, `${base}.image.name`, undefined);
            else if (k === "uri") uri = cv.takeString(c, `${base}.image.uri`, undefined);
            else if (["command", "entryPoint", "workingDirectory"].includes(k)) config[k] = c;
            else cv.line(`${base}.image.${k}`, "not converted", "no manifest equivalent");
        }
    } else if (cv.r.kind(image) === "scalar") {
        const value = cv.takeString(image, `${base}.image`, undefined) ?? "";
        if (ECR_URI.test(value)) uri = value;
        else ref = value;
    }
    if (ref !== undefined && uri === undefined) {
        const known = cv.imageNames.get(ref);
        if (known === undefined) {
            cv.line(
                base,
                "not converted",
                `its image ${show(ref)} is not defined in provider.ecr.images`,
            );
            return undefined;
        }
        uri = known.uri;
    }
    if (uri !== undefined || ref === undefined) {
        // A prebuilt image: the manifest runs it pinned by digest, and promotion copies it like a built one.
        const text = uri ?? cv.describe(image);
        const pinned = /@sha256:[a-f0-9]{64}$/.test(text) && !isPlaceholder(text);
        const name = manifestName(slsName);
        cv.images[name] = {
            uri: pinned || isPlaceholder(text) ? text : `${PLACEHOLDER_PREFIX}${text}`,
        };
        if (!pinned) {
            cv.todos.push({
                key: `images.${name}.uri`,
                expression: isPlaceholder(text) ? text.slice(PLACEHOLDER_PREFIX.length) : text,
            });
            cv.line(
                `${base}.image`,
                "placeholder",
                `images.${name}.uri = ${show(cv.images[name].uri)}: the image must be pinned by digest (<repository>@sha256:<64 hex>), and ${text} is ${isPlaceholder(text) || /\$\{/.test(text) ? "not known to the importer" : "a tag that can move"}; replace it by hand`,
            );
        }
        spec.image = name;
        if (config.command !== undefined)
            spec.command = cv.list(config.command, `${base}.image.command`, `${key}.command`);
        else {
            spec.command = [`${PLACEHOLDER_PREFIX}image.command (the image's CMD)`];
            cv.todos.push({
                key: `${key}.command[0]`,
                expression: "image.command (the image's CMD)",
            });
            cv.line(
                `${base}.image.command`,
                "placeholder",
                `${key}.command[0]: a prebuilt image's CMD is not in serverless.yml; write its handler by hand`,
            );
        }
        for (const k of ["entryPoint", "workingDirectory"])
            if (config[k] !== undefined)
                spec[k] = cv.take(config[k], `${base}.image.${k}`, `${key}.${k}`);
        return `image function (prebuilt image ${text})`;
    }
    const known = cv.imageNames.get(ref)!;
    spec.image = known.name;
    const command = config.command;
    if (command !== undefined) {
        spec.command = cv.list(command, `${base}.image.command`, `${key}.command`);
    } else {
        const cmd = dockerfileCmd(cv, known.dockerfile!);
        if (cmd.command !== undefined) {
            spec.command = cmd.command;
            cv.line(
                `${base}.image.command`,
                "converted",
                `not set: ${key}.command = ${JSON.stringify(cmd.command)}, the CMD of ${cv.rel(known.dockerfile!)} that Serverless's function ran`,
            );
        } else {
            const placeholder = `${PLACEHOLDER_PREFIX}image.command (${cmd.reason})`;
            spec.command = [placeholder];
            cv.todos.push({
                key: `${key}.command[0]`,
                expression: `image.command (${cmd.reason})`,
            });
            cv.line(
                `${base}.image.command`,
                "placeholder",
                `${key}.command[0] = ${show(placeholder)}: not set in serverless.yml and ${cmd.reason}; replace it by hand`,
            );
        }
    }
    if (config.entryPoint !== undefined)
        spec.entryPoint = cv.list(
            config.entryPoint,
            `${base}.image.entryPoint`,
            `${key}.entryPoint`,
        );
    if (config.workingDirectory !== undefined)
        spec.workingDirectory = cv.take(
            config.workingDirectory,
            `${base}.image.workingDirectory`,
            `${key}.workingDirectory`,
        );
    for (const k of ["runtime", "layers"]) {
        if (cv.r.kind(cv.r.child(fn, k)) !== "missing")
            cv.line(
                `${base}.${k}`,
                "not converted",
                `an image function has no ${k}: it comes from the image`,
            );
    }
    const command0 = (spec.command as unknown[])[0];
    return `image function (image ${known.name}, command ${show(command0)})`;
}

export function zipFunction(
    cv: Converter,
    slsName: string,
    fn: Cursor,
    key: string,
    spec: Record<string, unknown>,
): string | undefined {
    const base = `functions.${slsName}`;
    const name = manifestName(slsName);
    const ownRuntime = cv.r.kind(cv.r.child(fn, "runtime")) !== "missing";
    const runtimeCursor = ownRuntime
        ? cv.r.child(fn, "runtime")
        : cv.r.at(cv.root, "provider", "runtime");
    const runtime =
        cv.r.kind(runtimeCursor) === "missing"
            ? undefined
            : cv.takeString(
                  runtimeCursor,
                  ownRuntime ? `${base}.runtime` : "provider.runtime",
                  `${key}.runtime`,
              );
    if (runtime === undefined) {
        cv.line(
            base,
            "not converted",
            "it has a handler but no runtime, so Serverless deploys it as Node.js; lambda-docker's zip functions run Python",
        );
        return undefined;
    }
    if (!isPlaceholder(runtime) && !runtime.startsWith("python")) {
        cv.line(
            base,
            "not converted",
            `its runtime is ${runtime}; lambda-docker's zip functions run Python`,
        );
        return undefined;
    }
    if (!ownRuntime) cv.providerRuntimeUsers++;
    const handler =
        cv.takeString(cv.r.child(fn, "handler"), `${base}.handler`, `${key}.handler`) ?? "";
    const converted = isPlaceholder(handler) ? handler : handler.replace(/\//g, ".");
    spec.handler = converted;
    if (converted === "wsgi_handler.handler" && usesPlugin(cv, "serverless-wsgi")) {
        // The module exists only in the package serverless-wsgi builds: not in the code lambda-docker zips.
        spec.handler = `${PLACEHOLDER_PREFIX}wsgi_handler.handler (serverless-wsgi's generated handler)`;
        cv.todos.push({
            key: `${key}.handler`,
            expression: "wsgi_handler.handler (serverless-wsgi's generated handler)",
        });
        cv.line(
            `${base}.handler`,
            "placeholder",
            `${key}.handler: wsgi_handler.handler is generated by serverless-wsgi at package time and is not in the code: add a WSGI adapter (e.g. apig-wsgi's make_lambda_handler(app)) and write its handler here`,
        );
    }
    spec.code = codeSpec(cv, cv.r.child(fn, "package"));
    cv.zipFunctionKeys.push(`${key}.code`);
    if (!isPlaceholder(runtime) && !(PYTHON_RUNTIMES as readonly string[]).includes(runtime)) {
        // An old runtime is not silently upgraded: the code may need changes first.
        spec.runtime = `${PLACEHOLDER_PREFIX}${runtime}`;
        cv.todos.push({ key: `${key}.runtime`, expression: runtime });
        cv.line(
            `${base}.runtime`,
            "placeholder",
            `${key}.runtime = ${show(spec.runtime)}: Lambda no longer creates ${runtime} functions (it accepts ${PYTHON_RUNTIMES.join(", ")}); choose one and test the code on it`,
        );
    } else spec.runtime = runtime;
    if (converted !== handler) {
        cv.line(
            `${base}.handler`,
            "converted",
            `${handler} → ${key}.handler = ${converted} (Lambda's Python runtime imports path/to/module as path.to.module)`,
        );
    }
    const own = cv.r.child(fn, "layers");
    let layers: string[];
    if (cv.r.kind(own) !== "missing") {
        layers = layerList(cv, own, `${base}.layers`, `${key}.layers`);
    } else {
        cv.providerLayers ??= layerList(
            cv,
            cv.r.at(cv.root, "provider", "layers"),
            "provider.layers",
            "functions.*.layers",
            false,
        );
        layers = cv.providerLayers;
        if (layers.length > 0) cv.providerLayersUsers.push(name);
        layers.forEach(
            (l, i) =>
                isPlaceholder(l) &&
                cv.todos.push({
                    key: `${key}.layers[${i}]`,
                    expression: l.slice(PLACEHOLDER_PREFIX.length),
                }),
        );
    }
    if (layers.length > 0) spec.layers = layers;
    return `zip function (handler ${converted}, runtime ${runtime}, code: the service directory, see package)`;
}

/** What Serverless leaves out of every package (its own defaults). */
const SERVERLESS_EXCLUDES = [
    ".git/**",
    ".gitignore",
    ".DS_Store",
    "npm-debug.log",
    "yarn-*.log",
    ".serverless/**",
    ".serverless_plugins/**",
    "serverless.yml",
    "serverless.yaml",
    "serverless.json",
];
/** The files the import adds beside serverless.yml, and Node's: none belongs in a Python function's zip. */
const PROJECT_EXCLUDES = [
    "node_modules/**",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "index.ts",
    "Pulumi.yaml",
    "Pulumi.*.yaml",
    "stacks/**",
    "events/**",
    "lambda-docker.yaml",
    ".lambda-docker/**",
];

/**
 * A zip function's `code`: the service directory with Serverless's package semantics. `package.patterns`
 * (in order: `!glob` leaves, `glob` comes back) and the older `package.include` / `package.exclude`,
 * the service's and then the function's own.
 */
function codeSpec(cv: Converter, fnPackage: Cursor): Record<string, unknown> {
    const include: string[] = [];
    const exclude: string[] = [...SERVERLESS_EXCLUDES, ...PROJECT_EXCLUDES];
    for (const pkg of [cv.r.child(cv.root, "package"), fnPackage]) {
        const strings = (k: string): string[] => {
            const value = cv.r.value(cv.r.child(pkg, k)).value;
            return Array.isArray(value)
                ? value.filter((x): x is string => typeof x === "string")
                : [];
        };
        for (const p of strings("patterns")) {
            const glob = p.replace(/^!/, "").replace(/^\.\//, "");
            if (glob !== "") (p.startsWith("!") ? exclude : include).push(glob);
        }
        exclude.push(...strings("exclude").map((p) => p.replace(/^\.\//, "")));
        include.push(...strings("include").map((p) => p.replace(/^\.\//, "")));
    }
    return {
        path: cv.rel("."),
        ...(include.length > 0 ? { include: [...new Set(include)] } : {}),
        exclude: [...new Set(exclude)],
    };
}

/** Whether serverless.yml lists `plugin` (`plugins: [..]` or `plugins: { modules: [..] }`). */
function usesPlugin(cv: Converter, plugin: string): boolean {
    const plugins = cv.r.value(cv.r.child(cv.root, "plugins")).value;
    const list = Array.isArray(plugins)
        ? plugins
        : ((plugins as { modules?: unknown[] } | undefined)?.modules ?? []);
    return list.includes(plugin);
}
