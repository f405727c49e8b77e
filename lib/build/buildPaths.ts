/**
 * Validation of a Docker build's paths and args, shared by LambdaImage and layer builds, and the
 * path form that keeps state identical across machines.
 */
import * as fs from "fs";
import * as path from "path";
import { resolveDockerfile } from "./contextHash";
import * as v from "../validation";

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A path relative to `cwd` with `/` separators, so state written on one machine diffs equal on another. */
export function stableRelativePath(p: string, cwd: string = process.cwd()): string {
    const rel = path.relative(cwd, path.resolve(cwd, p)).split(path.sep).join("/");
    return rel === "" ? "." : rel;
}

export function existingDirectory(key: string, dir: unknown): string {
    v.nonEmptyString(key, dir);
    if (!fs.existsSync(dir as string) || !fs.statSync(dir as string).isDirectory()) {
        v.fail(key, `an existing directory (resolved against ${process.cwd()})`, dir);
    }
    return dir as string;
}

export function validateBuildArgs(key: string, buildArgs: unknown): Record<string, string> {
    if (buildArgs === undefined) return {};
    if (typeof buildArgs !== "object" || buildArgs === null || Array.isArray(buildArgs)) {
        v.fail(key, "a map of build-arg names to string values", buildArgs);
    }
    for (const [k, value] of Object.entries(buildArgs)) {
        v.matches(
            `${key}.${k}`,
            k,
            BUILD_ARG_NAME,
            "a build-arg name matching [A-Za-z_][A-Za-z0-9_]*",
        );
        if (typeof value !== "string") v.fail(`${key}.${k}`, "a string", value);
    }
    return { ...(buildArgs as Record<string, string>) };
}

/** Validates a build's context and Dockerfile paths; returns the Dockerfile path. */
export function validateBuildPaths(context: unknown, dockerfile: unknown): string {
    existingDirectory("context", context);
    if (dockerfile !== undefined) v.nonEmptyString("dockerfile", dockerfile);
    const file = resolveDockerfile(context as string, dockerfile as string | undefined);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        v.fail("dockerfile", "an existing Dockerfile (default: <context>/Dockerfile)", file);
    }
    return file;
}
