/**
 * What a zip function needs from a layer component (DockerLayer, PromotedLayer) before it creates
 * anything: its architecture, its zip once it exists (for the 250 MB check), and its versioned ARN.
 * Layer components register here, so ZipFunction takes any of them without importing each class.
 */
import * as pulumi from "@pulumi/pulumi";
import { Architecture } from "../../lib/validation";

export interface LayerZip {
    readonly zipPath: string;
    /** sha256 (hex) of the zip. */
    readonly sha256: string;
    readonly unzippedBytes: number;
    readonly zippedBytes: number;
}

export interface LayerSource {
    readonly architecture: Architecture;
    /** Resolves when the zip exists (built, cached or fetched); rejects if that or a size check failed. */
    readonly built: Promise<LayerZip>;
    readonly arn: pulumi.Output<string>;
}

const sources = new WeakMap<object, LayerSource>();

export function registerLayerSource(layer: object, source: LayerSource): void {
    sources.set(layer, source);
}

/** The registered source of `layer`, or undefined when it is not a lambda-docker layer component. */
export function layerSource(layer: unknown): LayerSource | undefined {
    return typeof layer === "object" && layer !== null ? sources.get(layer) : undefined;
}
