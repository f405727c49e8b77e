/**
 * A whole service from lambda-docker.yaml, with the stage's settings from its stack's config (the stack
 * name is the stage): the program `index.ts` runs, and the one `lambda-docker import` writes for a user.
 * A stack with `lambda-docker:promoteFrom` (prod) builds nothing: it promotes the source stack's images
 * and layer zips by digest.
 */
import * as pulumi from "@pulumi/pulumi";
import { readManifest } from "../../lib/manifest";
import { preflightManifest } from "../../lib/manifest/localBuild";
import {
    CONFIG_DEFAULTS,
    PROJECT,
    functionEnvironment,
    parseStackConfig,
} from "../../config/stackConfig";
import { checkManifestDeploy, deployManifest, usedImages } from "./deployManifest";
import { readPromotionSources } from "./promotionSources";

/** Deploys the manifest the stack's config names; returns the stack outputs. */
export async function manifestProgram(): Promise<Record<string, unknown>> {
    const all = pulumi.runtime.allConfig();
    const manifest = readManifest(all[`${PROJECT}:manifest`] ?? CONFIG_DEFAULTS.manifest);
    // Values a function's environment reads from config (`{ config, secret }`) are the project's own
    // keys; in a project named like this package they share its namespace, so they are set apart.
    const refs = new Set(
        Object.values(manifest.functions).flatMap((f) =>
            Object.values(f.configEnvironment).map((r) => `${pulumi.getProject()}:${r.config}`),
        ),
    );
    const config = parseStackConfig(
        pulumi.getStack(),
        Object.fromEntries(Object.entries(all).filter(([k]) => !refs.has(k))),
    );
    const project = new pulumi.Config();
    const environment = functionEnvironment(config);
    const buildArgs = { BASE_IMAGE: config.baseImage };
    checkManifestDeploy(manifest, { timeout: config.timeout, source: config.manifest });
    if (config.preflight) {
        // Every handler imports, in its image, with the environment and region it gets on Lambda: before any AWS call.
        const { architecture, region, memorySize } = config;
        await preflightManifest(manifest, {
            buildArgs,
            architecture,
            region,
            environment,
            memorySize,
            onOutput: (line) => void pulumi.log.debug(line),
        });
    }
    const promotion =
        config.promoteFrom === undefined
            ? undefined
            : await readPromotionSources({
                  stage: config.stage,
                  promoteFrom: config.promoteFrom,
                  architecture: config.architecture,
                  imageDigest: config.imageDigest,
                  images: usedImages(manifest),
                  layers: Object.keys(manifest.layers),
              });
    const { keepImages, untaggedExpiryDays, tagMutability, scanOnPush, forceDelete, protect } =
        config;
    const deployed = await deployManifest(manifest, {
        stage: config.stage,
        architecture: config.architecture,
        memorySize: config.memorySize,
        timeout: config.timeout,
        logRetentionDays: config.logRetentionDays,
        environment,
        buildArgs,
        latestTag: config.latestTag,
        promotion,
        source: config.manifest,
        repositories: {
            keepImages,
            untaggedExpiryDays,
            tagMutability,
            scanOnPush,
            forceDelete,
            protect,
        },
        commandEnvironment: config.profile ? { AWS_PROFILE: config.profile } : undefined,
        config: (key, secret) => (secret ? project.requireSecret(key) : project.require(key)),
    });
    return deployed.outputs;
}
