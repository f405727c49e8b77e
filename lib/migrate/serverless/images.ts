/** `provider.ecr.images`: built images and prebuilt image URIs. */
import * as path from "path";
import { instructions } from "../../build/dockerfile";
import * as v from "../../validation";
import { Converter, ECR_URI, PLATFORMS, isPlaceholder, manifestName, show } from "./converter";
import { PLACEHOLDER_PREFIX } from "./report";

export function convertImages(cv: Converter): void {
    const ecr = cv.r.at(cv.root, "provider", "ecr");
    for (const k of cv.r.keys(ecr)) {
        if (k === "images") continue;
        const item = `provider.ecr.${k}`;
        if (k === "scanOnPush") {
            const value = cv.takeString(cv.r.child(ecr, k), item, "lambda-docker:scanOnPush", {
                stack: true,
            });
            if (value !== undefined) {
                cv.setStack("lambda-docker:scanOnPush", value);
                cv.line(item, "converted", `→ stack lambda-docker:scanOnPush = ${value}`);
            }
        } else if (k === "maxImages") {
            const value = cv.takeString(cv.r.child(ecr, k), item, "lambda-docker:keepImages", {
                stack: true,
            });
            if (value !== undefined) {
                cv.setStack("lambda-docker:keepImages", value);
                cv.line(
                    item,
                    "converted",
                    `→ stack lambda-docker:keepImages = ${value} (the newest ${value} images of the stage are kept)`,
                );
            }
        } else {
            cv.line(item, "not converted", "no lambda-docker equivalent");
        }
    }
    const images = cv.r.child(ecr, "images");
    const platforms: { image: string; architecture: v.Architecture }[] = [];
    const names = cv.r.keys(images);
    for (const slsName of names) {
        const item = `provider.ecr.images.${slsName}`;
        const c = cv.r.child(images, slsName);
        const name = manifestName(slsName);
        if (cv.r.kind(c) === "scalar") {
            const value = cv.takeString(c, item, undefined) ?? "";
            if (ECR_URI.test(value)) {
                cv.imageNames.set(slsName, { uri: value });
                cv.line(
                    item,
                    "not converted",
                    `${value} is a prebuilt image, not a build: the manifest only lists images lambda-docker builds`,
                );
            } else {
                cv.images[name] = { context: cv.rel(value) };
                cv.imageNames.set(slsName, { name, dockerfile: path.join(value, "Dockerfile") });
                cv.line(
                    item,
                    "converted",
                    `→ images.${name}: context ${cv.rel(value)}${name !== slsName ? ` (renamed from ${slsName})` : ""}`,
                );
            }
            continue;
        }
        if (cv.r.kind(c) !== "map") {
            cv.line(
                item,
                "not converted",
                `${cv.describe(c)} is not an image definition the importer can read`,
            );
            continue;
        }
        const uri = cv.r.child(c, "uri");
        if (cv.r.kind(uri) !== "missing") {
            const value = cv.takeString(uri, `${item}.uri`, undefined);
            cv.imageNames.set(slsName, { uri: value });
            cv.line(
                item,
                "not converted",
                `${value} is a prebuilt image (uri), not a build: the manifest only lists images lambda-docker builds`,
            );
            continue;
        }
        const ctx =
            cv.takeString(cv.r.child(c, "path"), `${item}.path`, `images.${name}.context`) ?? ".";
        const image: Record<string, unknown> = { context: isPlaceholder(ctx) ? ctx : cv.rel(ctx) };
        const file = cv.takeString(
            cv.r.child(c, "file"),
            `${item}.file`,
            `images.${name}.dockerfile`,
        );
        const dockerfile = path.join(ctx, file ?? "Dockerfile");
        if (file !== undefined && file !== "Dockerfile")
            image.dockerfile = isPlaceholder(file) ? file : cv.rel(dockerfile);
        const buildArgs = cv.r.child(c, "buildArgs");
        const args: Record<string, string> = {};
        for (const a of cv.r.keys(buildArgs)) {
            const value = cv.takeString(
                cv.r.child(buildArgs, a),
                `${item}.buildArgs.${a}`,
                `images.${name}.buildArgs.${a}`,
            );
            if (value !== undefined) args[a] = value;
        }
        if (Object.keys(args).length > 0) image.buildArgs = args;
        cv.images[name] = image;
        cv.imageNames.set(slsName, { name, dockerfile });
        const parts = [`context ${image.context}`];
        if (image.dockerfile !== undefined) parts.push(`dockerfile ${image.dockerfile}`);
        if (image.buildArgs !== undefined) parts.push(`build args ${Object.keys(args).join(", ")}`);
        cv.line(
            item,
            "converted",
            `→ images.${name}: ${parts.join(", ")}${name !== slsName ? ` (renamed from ${slsName})` : ""}`,
        );

        const platform = cv.r.child(c, "platform");
        if (cv.r.kind(platform) !== "missing") {
            const value = cv.takeString(platform, `${item}.platform`, undefined) ?? "";
            const architecture = PLATFORMS[value];
            if (architecture === undefined)
                cv.line(
                    `${item}.platform`,
                    "not converted",
                    `${show(value)} is not a Lambda platform (linux/amd64 or linux/arm64)`,
                );
            else platforms.push({ image: slsName, architecture });
        }
        for (const k of cv.r.keys(c)) {
            if (["path", "file", "buildArgs", "platform"].includes(k)) continue;
            const hint =
                k === "cacheFrom"
                    ? "LambdaImage caches builds in the ECR registry itself"
                    : k === "buildOptions"
                      ? "LambdaImage takes no extra docker build flags"
                      : k === "provenance"
                        ? "LambdaImage pushes single-platform images without attestations"
                        : "no lambda-docker equivalent";
            cv.line(`${item}.${k}`, "not converted", hint);
        }
    }
    convertPlatforms(cv, platforms);
    if (names.length > 0) {
        const service = cv.r.value(cv.r.child(cv.root, "service")).value;
        cv.line(
            "provider.ecr",
            "not converted",
            `Serverless's repository serverless-${typeof service === "string" ? service : "<service>"}-${cv.stage} is not reused: ` +
                "lambda-docker creates its own EcrRepository (or adopt the existing one with `adoptExisting: true` and `repositoryName`, see README)",
        );
    }
}

export function convertPlatforms(
    cv: Converter,
    platforms: { image: string; architecture: v.Architecture }[],
): void {
    if (platforms.length === 0) return;
    if (cv.stackArchitecture !== undefined) {
        for (const p of platforms) {
            const item = `provider.ecr.images.${p.image}.platform`;
            if (p.architecture === cv.stackArchitecture)
                cv.line(
                    item,
                    "converted",
                    `lambda-docker builds every image for stack lambda-docker:architecture (${p.architecture})`,
                );
            else
                cv.line(
                    item,
                    "not converted",
                    `${p.architecture} conflicts with provider.architecture ${cv.stackArchitecture}: lambda-docker builds for lambda-docker:architecture (${cv.stackArchitecture})`,
                );
        }
        return;
    }
    const distinct = [...new Set(platforms.map((p) => p.architecture))];
    if (distinct.length === 1) {
        cv.setStack("lambda-docker:architecture", distinct[0]);
        cv.stackArchitecture = distinct[0];
        for (const p of platforms)
            cv.line(
                `provider.ecr.images.${p.image}.platform`,
                "converted",
                `→ stack lambda-docker:architecture = ${p.architecture}`,
            );
        return;
    }
    const expression = platforms
        .map((p) => `provider.ecr.images.${p.image}.platform ${p.architecture}`)
        .join(", ");
    cv.setStack("lambda-docker:architecture", `${PLACEHOLDER_PREFIX}${expression}`);
    cv.todos.push({ key: "lambda-docker:architecture", expression });
    for (const p of platforms) {
        cv.line(
            `provider.ecr.images.${p.image}.platform`,
            "placeholder",
            `stack lambda-docker:architecture: the images disagree (${distinct.join(" vs ")}) and lambda-docker builds every image for one architecture; choose it by hand`,
        );
    }
}

export function dockerfileCmd(
    cv: Converter,
    dockerfile: string,
): { command?: string[]; reason: string } {
    const shown = cv.rel(dockerfile);
    const text = cv.readFile(path.resolve(cv.serviceDir, dockerfile));
    if (text === undefined) return { reason: `${shown} was not found to read its CMD` };
    const all = instructions(text);
    const lastFrom = all.map((i) => /^FROM\s/i.test(i)).lastIndexOf(true);
    const cmd = all
        .slice(lastFrom + 1)
        .filter((i) => /^CMD\s/i.test(i))
        .pop();
    if (cmd === undefined) return { reason: `the last stage of ${shown} has no CMD` };
    try {
        const parsed: unknown = JSON.parse(cmd.replace(/^CMD\s+/i, ""));
        if (
            Array.isArray(parsed) &&
            parsed.length > 0 &&
            parsed.every((p) => typeof p === "string")
        )
            return { command: parsed as string[], reason: "" };
    } catch {
        // shell form: not a handler Lambda's runtime can load
    }
    return { reason: `the CMD of ${shown} is not in exec form (["module.handler"])` };
}
