/** `provider`: region, memory, timeout, architecture, runtime and environment. */
import { Converter, PROVIDER_KEYS, isPlaceholder, show } from "./converter";
import { Cursor } from "./variables";
import { SERVERLESS_DEFAULTS, STACK_LOG_LEVELS } from "./index";

export function convertProvider(cv: Converter): void {
    const provider = cv.r.child(cv.root, "provider");
    const name = cv.r.value(cv.r.child(provider, "name")).value;
    if (name !== undefined && name !== "aws")
        throw new Error(`Only AWS services can be imported: provider.name is ${show(name)}.`);

    const region = cv.r.child(provider, "region");
    if (cv.r.kind(region) === "missing") {
        cv.setStack("aws:region", SERVERLESS_DEFAULTS.region);
        cv.line(
            "provider.region",
            "converted",
            `not set: Serverless's default ${SERVERLESS_DEFAULTS.region} → stack aws:region`,
        );
    } else {
        const value = cv.takeString(region, "provider.region", "aws:region", { stack: true });
        if (value !== undefined) {
            cv.setStack("aws:region", value);
            if (!isPlaceholder(value))
                cv.line("provider.region", "converted", `→ stack aws:region = ${value}`);
        }
    }
    numberSetting(
        cv,
        provider,
        "memorySize",
        "lambda-docker:memorySize",
        SERVERLESS_DEFAULTS.memorySize,
        "MB",
    );
    numberSetting(
        cv,
        provider,
        "timeout",
        "lambda-docker:timeout",
        SERVERLESS_DEFAULTS.timeout,
        "seconds",
    );

    const retention = cv.r.child(provider, "logRetentionInDays");
    if (cv.r.kind(retention) !== "missing") {
        const value = cv.takeString(
            retention,
            "provider.logRetentionInDays",
            "lambda-docker:logRetentionDays",
            { stack: true },
        );
        if (value !== undefined) {
            cv.setStack("lambda-docker:logRetentionDays", value);
            if (!isPlaceholder(value))
                cv.line(
                    "provider.logRetentionInDays",
                    "converted",
                    `→ stack lambda-docker:logRetentionDays = ${value}`,
                );
        }
    }

    const architecture = cv.r.child(provider, "architecture");
    if (cv.r.kind(architecture) !== "missing") {
        const value = cv.takeString(
            architecture,
            "provider.architecture",
            "lambda-docker:architecture",
            { stack: true },
        );
        if (value !== undefined) {
            cv.setStack("lambda-docker:architecture", value);
            if (value === "x86_64" || value === "arm64") cv.stackArchitecture = value;
            if (!isPlaceholder(value))
                cv.line(
                    "provider.architecture",
                    "converted",
                    `→ stack lambda-docker:architecture = ${value}`,
                );
        }
    }

    const environment = cv.r.child(provider, "environment");
    for (const k of cv.r.keys(environment)) {
        const item = `provider.environment.${k}`;
        const t = cv.r.value(cv.r.child(environment, k));
        const value = t.value;
        if (
            k === "LOG_LEVEL" &&
            typeof value === "string" &&
            (STACK_LOG_LEVELS as readonly string[]).includes(value)
        ) {
            cv.setStack("lambda-docker:logLevel", value);
            cv.line(
                item,
                "converted",
                `→ stack lambda-docker:logLevel = ${value} (lambda-docker sets LOG_LEVEL in every function from it)`,
            );
            continue;
        }
        if (k === "STAGE" && value === cv.stage && t.notes.stage) {
            cv.line(
                item,
                "converted",
                "not written: lambda-docker sets STAGE to the stack name in every function",
            );
            continue;
        }
        const s = cv.takeEnv(
            cv.r.child(environment, k),
            item,
            `environment.${k} of every function`,
            k,
            { todo: false },
        );
        if (s === undefined) {
            cv.line(item, "not converted", `${show(value)} is not a string, number or boolean`);
            continue;
        }
        cv.providerEnv.push({ name: k, value: s });
        if (typeof s === "string" && !isPlaceholder(s))
            cv.line(item, "converted", `→ environment.${k} of every function`);
    }
    if (cv.r.kind(environment) === "unresolved" || cv.r.kind(environment) === "intrinsic") {
        cv.line(
            "provider.environment",
            "not converted",
            `${show(cv.describe(environment))} is not a mapping the importer can read`,
        );
    }

    for (const k of cv.r.keys(provider)) {
        if (PROVIDER_KEYS.includes(k)) continue;
        cv.line(
            `provider.${k}`,
            "not converted",
            `lambda-docker's manifest and stack config have no equivalent; configure it in your Pulumi program if you need it`,
        );
    }
    const httpApi = cv.r.child(provider, "httpApi");
    for (const k of cv.r.keys(httpApi)) {
        cv.line(
            `provider.httpApi.${k}`,
            "not converted",
            "HTTP API settings are not part of the manifest; configure the API in your Pulumi program",
        );
    }
}

export function numberSetting(
    cv: Converter,
    provider: Cursor,
    key: "memorySize" | "timeout",
    stackKey: string,
    fallback: number,
    unit: string,
): void {
    const item = `provider.${key}`;
    const c = cv.r.child(provider, key);
    if (cv.r.kind(c) === "missing") {
        cv.setStack(stackKey, String(fallback));
        cv.line(
            item,
            "converted",
            `not set: Serverless's default ${fallback} ${unit} → stack ${stackKey}`,
        );
        return;
    }
    const value = cv.takeString(c, item, stackKey, { stack: true });
    if (value === undefined) return;
    cv.setStack(stackKey, value);
    if (!isPlaceholder(value)) cv.line(item, "converted", `→ stack ${stackKey} = ${value}`);
}
