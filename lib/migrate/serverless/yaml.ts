/** The manifest and stack file as YAML, keys in a reading order. */
import * as YAML from "yaml";
import { isPlaceholder } from "./converter";

const FUNCTION_ORDER = [
    "image",
    "command",
    "entryPoint",
    "workingDirectory",
    "handler",
    "code",
    "runtime",
    "layers",
    "memorySize",
    "timeout",
    "environment",
    "reservedConcurrentExecutions",
    "architecture",
    "description",
    "policyStatements",
    "events",
];

export function ordered(spec: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of FUNCTION_ORDER) if (spec[k] !== undefined) out[k] = spec[k];
    return out;
}

export function toYaml(value: unknown): string {
    const doc = new YAML.Document(value);
    YAML.visit(doc, {
        Seq(_, node) {
            const scalars = node.items.every((i) => YAML.isScalar(i) && !isPlaceholder(i.value));
            const width = node.items.reduce(
                (n: number, i) => n + String(YAML.isScalar(i) ? i.value : "").length + 2,
                0,
            );
            if (scalars && width <= 72) node.flow = true;
        },
    });
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Converts the Serverless service at `file` (serverless.yml) for `stage`. */
