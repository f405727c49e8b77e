/** `resources`, `plugins` and the keys the importer does not convert. */
import { Converter, KNOWN_PLUGIN_HINTS } from "./converter";

export function convertResources(cv: Converter): void {
    const resources = cv.r.child(cv.root, "resources");
    const groups =
        cv.r.kind(resources) === "seq"
            ? Array.from({ length: cv.r.length(resources) }, (_, i) => cv.r.child(resources, i))
            : [resources];
    for (const group of groups) {
        for (const section of cv.r.keys(group)) {
            const c = cv.r.child(group, section);
            if (section !== "Resources") {
                cv.line(
                    `resources.${section}`,
                    "not converted",
                    "CloudFormation is not part of the manifest; write it as Pulumi resources",
                );
                continue;
            }
            for (const id of cv.r.keys(c)) {
                const res = cv.r.child(c, id);
                const type = cv.r.value(cv.r.child(res, "Type")).value;
                if (type === "AWS::ECR::Repository") {
                    const name = cv.r.value(cv.r.at(res, "Properties", "RepositoryName")).value;
                    const shown = typeof name === "string" ? name : "<its name>";
                    cv.line(
                        `resources.Resources.${id}`,
                        "not converted",
                        `AWS::ECR::Repository: adopt it with \`new EcrRepository(…, { repositoryName: "${shown}", adoptExisting: true })\` (see README), ` +
                            "after setting DeletionPolicy: Retain on it and deploying, so removing the Serverless stack keeps it and its images",
                    );
                } else if (type === "AWS::SQS::Queue") {
                    cv.line(
                        `resources.Resources.${id}`,
                        "not converted",
                        "AWS::SQS::Queue: keep it (import it as a Pulumi resource), or let lambda-docker create a new one per stage under the manifest's " +
                            "`queues:` and name it in sqs events (its messages and its URL stay with the old queue)",
                    );
                } else {
                    cv.line(
                        `resources.Resources.${id}`,
                        "not converted",
                        `${typeof type === "string" ? type : "a CloudFormation resource"}: write it as a Pulumi resource (or import the existing one)`,
                    );
                }
            }
        }
    }
}

export function convertPlugins(cv: Converter): void {
    const plugins = cv.r.child(cv.root, "plugins");
    const list = cv.r.kind(plugins) === "map" ? cv.r.child(plugins, "modules") : plugins;
    for (let i = 0; i < cv.r.length(list); i++) {
        const name = cv.r.value(cv.r.child(list, i)).value;
        const shown = typeof name === "string" ? name : JSON.stringify(name);
        cv.line(
            `plugins.${shown}`,
            "not converted",
            `Serverless plugins do not run under lambda-docker${KNOWN_PLUGIN_HINTS[shown] ? `: ${KNOWN_PLUGIN_HINTS[shown]}` : ""}`,
        );
    }
}

export function convertRest(cv: Converter): void {
    const handled = [
        "provider",
        "functions",
        "layers",
        "resources",
        "plugins",
        ...(cv.zipFunctionKeys.length > 0 ? ["package"] : []),
    ];
    for (const k of cv.r.keys(cv.root)) {
        if (handled.includes(k)) continue;
        const hint =
            k === "service"
                ? `deployed names change: Serverless named functions ${serviceName(cv.r.value(cv.r.child(cv.root, k)).value)}-<stage>-<function>; lambda-docker's are Pulumi auto-names`
                : k === "custom"
                  ? "read only through the ${self:custom…} variables that use it; plugin settings in it are not converted"
                  : k === "package"
                    ? "there are no zip functions to package"
                    : [
                            "frameworkVersion",
                            "configValidationMode",
                            "deprecationNotificationMode",
                            "variablesResolutionMode",
                            "useDotenv",
                            "org",
                            "app",
                            "console",
                            "dashboard",
                            "license",
                        ].includes(k)
                      ? "a Serverless Framework setting"
                      : k === "params" || k === "stages"
                        ? "read only through ${param:…} variables"
                        : "no lambda-docker equivalent";
        cv.line(k, "not converted", hint);
    }
    for (const w of cv.r.warnings)
        cv.line(w.file, "not converted", `YAML: ${w.message} (read as its plain value)`);
}

/** `service: x`, or the older `service: { name: x }`. */
function serviceName(value: unknown): string {
    if (typeof value === "object" && value !== null && "name" in value)
        return String((value as { name: unknown }).name);
    return String(value);
}
