/**
 * What each function's warm container runs, checked before every request: an image function's image,
 * rebuilt when a dependency input changed (sourceMounts.ts says which), with its source mounted; a zip
 * function's code mounted at /var/task in the base image, with its layers.
 */
import * as fs from "fs";
import { manifestImageBuild, zipFunctionLayers } from "../../manifest/localBuild";
import type { FunctionSpec, Manifest } from "../../manifest";
import { ManifestBuildSettings } from "../../manifest/localBuild";
import { buildLocalImage } from "../localImage";
import { Mount, TASK_ROOT } from "../mounts";
import { runtimeOfBaseImage } from "../runtimeEnvironment";
import { dependencyFingerprint } from "./sourceMounts";
import { WarmTarget } from "./warmContainer";

/** A mount source's identity: an editor that saves by renaming replaces a file, which a bind mount does not follow. */
function identity(mounts: readonly Mount[]): string {
    return mounts
        .map((m) => {
            const st = fs.statSync(m.source);
            return `${m.target}=${st.dev}:${st.ino}`;
        })
        .join(",");
}

export interface TargetOptions {
    /** Builds shared by the functions of one serve, by image and fingerprint: several functions of one image build it once. */
    readonly builds: Map<string, Promise<string>>;
    readonly manifest: Manifest;
    readonly functionName: string;
    readonly settings: Pick<ManifestBuildSettings, "buildArgs" | "architecture" | "env">;
    /** Run this image instead of building (an image function), or instead of the base image (a zip function). @default undefined */
    readonly image?: string;
    /** Says what is happening (a build). */
    readonly note: (message: string) => void;
    /** Receives each build output line. @default undefined */
    readonly onBuildOutput?: (line: string) => void;
}

/** The target of one function, as a function asked before each request. */
export function functionTarget(o: TargetOptions): () => Promise<WarmTarget> {
    const fn: FunctionSpec = o.manifest.functions[o.functionName];
    if (fn.kind === "zip") {
        let layers: Promise<string[]> | undefined;
        const image = o.image ?? o.settings.buildArgs.BASE_IMAGE;
        return async () => {
            layers ??= zipFunctionLayers(o.manifest, fn, {
                ...o.settings,
                architecture: fn.architecture ?? o.settings.architecture,
                onOutput: o.onBuildOutput,
            });
            const mounts = [{ source: fn.code, target: TASK_ROOT }];
            return {
                image,
                command: [fn.handler],
                workingDirectory: TASK_ROOT,
                mounts,
                layers: await layers,
                runtime: fn.runtime,
                key: `${image} ${identity(mounts)}`,
            };
        };
    }
    if (o.image !== undefined) {
        const fixed = {
            image: o.image,
            command: fn.command,
            workingDirectory: fn.workingDirectory,
        };
        return () => Promise.resolve({ ...fixed, key: o.image! });
    }
    const spec = o.manifest.images[fn.image];
    if (spec.kind === "prebuilt") {
        // A prebuilt image runs as pinned (pulled by docker on first use); nothing to rebuild or mount.
        const fixed = {
            image: spec.uri,
            command: fn.command,
            workingDirectory: fn.workingDirectory,
        };
        return () => Promise.resolve({ ...fixed, key: spec.uri });
    }
    const build = manifestImageBuild(spec, {
        ...o.settings,
        architecture: fn.architecture ?? o.settings.architecture,
        onOutput: o.onBuildOutput,
    });
    const runtime = runtimeOfBaseImage(
        spec.buildArgs?.BASE_IMAGE ?? o.settings.buildArgs.BASE_IMAGE,
    );
    let built: { fingerprint: string; image: string } | undefined;
    return async () => {
        const { fingerprint, mounts } = dependencyFingerprint({
            context: build.context,
            dockerfile: build.dockerfile,
            settings: [build.buildArgs, build.target, build.architecture],
        });
        if (built?.fingerprint !== fingerprint) {
            const key = `${fn.image} ${fingerprint}`;
            let image = o.builds.get(key);
            if (image === undefined) {
                o.note(
                    built
                        ? `dependency inputs of image ${fn.image} changed: building it again`
                        : `building image ${fn.image}`,
                );
                image = buildLocalImage(build).then((b) => {
                    o.note(
                        `image ${fn.image} is ${b.image}${b.built ? " (built)" : " (up to date)"}`,
                    );
                    return b.image;
                });
                o.builds.set(key, image);
                image.catch(() => o.builds.delete(key));
            }
            built = { fingerprint, image: await image };
        }
        return {
            image: built.image,
            command: fn.command,
            workingDirectory: fn.workingDirectory,
            mounts,
            runtime,
            key: `${built.image} ${identity(mounts)}`,
        };
    };
}
