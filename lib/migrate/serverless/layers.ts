/** `layers` and layer references. */
import { isIntrinsicObject } from "./intrinsics";
import {
    Converter,
    LAYER_ARN,
    isPlaceholder,
    layerLogicalId,
    manifestName,
    show,
} from "./converter";
import { Cursor } from "./variables";
import { Intrinsic } from "./intrinsics";

export function convertLayers(cv: Converter): void {
    const layers = cv.r.child(cv.root, "layers");
    for (const slsName of cv.r.keys(layers)) {
        const item = `layers.${slsName}`;
        const c = cv.r.child(layers, slsName);
        const name = manifestName(slsName);
        const p = cv.r.child(c, "path");
        if (cv.r.kind(p) === "missing") {
            cv.line(
                item,
                "not converted",
                "it has no `path` (a prebuilt package.artifact): the manifest zips layer directories or builds them with Docker",
            );
            continue;
        }
        const dir = cv.takeString(p, `${item}.path`, `layers.${name}.path`) ?? "";
        const layer: Record<string, unknown> = { path: isPlaceholder(dir) ? dir : cv.rel(dir) };
        const description = cv.takeString(
            cv.r.child(c, "description"),
            `${item}.description`,
            `layers.${name}.description`,
        );
        if (description !== undefined) layer.description = description;
        cv.layers[name] = layer;
        cv.layerRefs.set(layerLogicalId(slsName), name);
        cv.line(
            item,
            "converted",
            `→ layers.${name}: the directory ${layer.path}, zipped as is${name !== slsName ? ` (renamed from ${slsName})` : ""}`,
        );
        for (const k of cv.r.keys(c)) {
            if (k === "path" || k === "description") continue;
            const hint =
                k === "name"
                    ? "DockerLayer and ZipFunction name layers after the Pulumi stack"
                    : k === "retain"
                      ? "old layer versions are kept by Pulumi's retainOnDelete in code, if you need it"
                      : "no manifest equivalent";
            cv.line(`${item}.${k}`, "not converted", hint);
        }
    }
}

/** A function's `layers`: manifest layer names for `Ref`s to this service's layers, versioned ARNs as they are. */
export function layerList(
    cv: Converter,
    list: Cursor,
    itemBase: string,
    key: string,
    todo = true,
): string[] {
    const layers: string[] = [];
    const n = cv.r.kind(list) === "seq" ? cv.r.length(list) : 0;
    for (let i = 0; i < n; i++) {
        const c = cv.r.child(list, i);
        const item = `${itemBase}[${i}]`;
        const t = cv.r.value(c).value;
        const ref =
            t instanceof Intrinsic && t.source.startsWith("!Ref ")
                ? String(t.value)
                : t instanceof Intrinsic &&
                    isIntrinsicObject(t.value) &&
                    typeof t.value.Ref === "string"
                  ? t.value.Ref
                  : undefined;
        if (ref !== undefined) {
            const layer = cv.layerRefs.get(ref);
            if (layer !== undefined) {
                layers.push(layer);
                cv.line(item, "converted", `${(t as Intrinsic).source} → ${key}: ${layer}`);
            } else {
                cv.line(
                    item,
                    "not converted",
                    `${(t as Intrinsic).source} is not a layer of this service's \`layers\``,
                );
            }
            continue;
        }
        const value = cv.takeString(c, item, `${key}[${layers.length}]`, { todo });
        if (value === undefined) {
            cv.line(
                item,
                "not converted",
                `${cv.describe(c)} is not a layer reference the importer can read`,
            );
        } else if (isPlaceholder(value) || LAYER_ARN.test(value)) {
            layers.push(value);
            if (!isPlaceholder(value)) cv.line(item, "converted", `→ ${key}: ${value}`);
        } else {
            cv.line(
                item,
                "not converted",
                `${show(value)} is not a versioned layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)`,
            );
        }
    }
    return layers;
}
