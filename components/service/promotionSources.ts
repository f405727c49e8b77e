/** What a promoting stack copies, read from its source stack's outputs and checked before anything is created. */
import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../../lib/validation";

export interface PromotionSources {
    /** Per image: `<source tag>@<digest>` (or `<repository>@<pinned digest>`, a rollback). */
    readonly images: Record<string, string>;
    /** Per layer: the source's artifact and its zip's sha256. */
    readonly layers: Record<string, { artifact: string; sha256: string }>;
}

export interface PromotionRequest {
    /** This stack's name (its stage), for messages. */
    readonly stage: string;
    /** `[<org>/[<project>/]]<stack>` */
    readonly promoteFrom: string;
    readonly architecture: Architecture;
    /** A digest of the source's repository to promote instead of its current image (a rollback). */
    readonly imageDigest?: string;
    readonly images: readonly string[];
    readonly layers: readonly string[];
}

/** Reads the source stack's `images`, `layers` and `architecture` through a StackReference; refuses what is missing. */
export async function readPromotionSources(request: PromotionRequest): Promise<PromotionSources> {
    const source = new pulumi.StackReference(request.promoteFrom);
    const read = async (name: string): Promise<unknown> =>
        (await source.getOutputDetails(name)).value;
    const [architecture, images, layers] = await Promise.all([
        read("architecture"),
        read("images"),
        read("layers"),
    ]);
    const where = `the outputs of stack "${request.promoteFrom}" (\`lambda-docker:promoteFrom\`)`;
    const exported = (typeof images === "object" && images !== null ? images : {}) as Record<
        string,
        { repositoryUrl?: unknown; digest?: unknown; tags?: unknown }
    >;
    const missing = request.images.filter(
        (n) => typeof exported[n]?.digest !== "string" || !Array.isArray(exported[n]?.tags),
    );
    if (missing.length > 0) {
        throw new Error(
            `Stack "${request.stage}": ${where} have no image ${missing.map((n) => JSON.stringify(n)).join(", ")} (\`images.<name>.digest\` and \`tags\`); run \`pulumi up --stack ${request.promoteFrom}\` first.`,
        );
    }
    const exportedLayers = (typeof layers === "object" && layers !== null ? layers : {}) as Record<
        string,
        { artifact?: unknown; sha256?: unknown }
    >;
    const missingLayers = request.layers.filter(
        (n) =>
            typeof exportedLayers[n]?.artifact !== "string" ||
            exportedLayers[n]?.artifact === "" ||
            typeof exportedLayers[n]?.sha256 !== "string",
    );
    if (missingLayers.length > 0) {
        throw new Error(
            `Stack "${request.stage}": ${where} have no layer artifact for ${missingLayers.map((n) => JSON.stringify(n)).join(", ")} (\`layers.<name>.artifact\` and \`sha256\`); ` +
                `run \`pulumi up --stack ${request.promoteFrom}\` first (a stage builds layers once and pushes them as artifacts for the next to promote).`,
        );
    }
    if (architecture !== request.architecture) {
        throw new Error(
            `Stack "${request.stage}": \`lambda-docker:architecture\` must be the source stack's architecture ${JSON.stringify(architecture)} ` +
                `(${where}); got ${JSON.stringify(request.architecture)}.`,
        );
    }
    // The source's content-addressed tag travels with the digest, so prod-<hash>-… matches dev-<hash>.
    return {
        images: Object.fromEntries(
            request.images.map((n) => {
                const image = exported[n] as {
                    repositoryUrl: string;
                    digest: string;
                    tags: string[];
                };
                return [
                    n,
                    request.imageDigest
                        ? `${image.repositoryUrl}@${request.imageDigest}`
                        : `${image.tags[0]}@${image.digest}`,
                ];
            }),
        ),
        layers: Object.fromEntries(
            request.layers.map((n) => [
                n,
                exportedLayers[n] as { artifact: string; sha256: string },
            ]),
        ),
    };
}
