/**
 * A DockerLayer builder for the offline plan: it validates the layer's inputs and computes their
 * content hash, but runs no Docker. The plan then shows a layer's input hash where a deploy would
 * show its zip's sha256, so a change to the layer's Dockerfile, context or args still shows up.
 */
import { BuildLayerOptions, LayerBuildResult, resolveLayerBuild } from "../lib/build/layerBuild";

export async function planLayerBuilder(options: BuildLayerOptions): Promise<LayerBuildResult> {
    const { inputHash, cacheDir } = resolveLayerBuild(options);
    return {
        zipPath: `${cacheDir}/${inputHash}.zip`,
        sha256: inputHash,
        unzippedBytes: 0,
        zippedBytes: 0,
        cached: true,
        inputHash,
    };
}
