/**
 * What a function needs from an image component (LambdaImage, PromotedImage), as plain values known
 * at construction time: its architecture, and the digest-pinned URI output. Image components register
 * themselves here, so ImageFunction accepts any of them without importing each class.
 */
import * as pulumi from "@pulumi/pulumi";
import { Architecture } from "../../lib/validation";

export interface ImageSource {
    readonly architecture: Architecture;
    /** `<repositoryUrl>@sha256:…` */
    readonly imageUri: pulumi.Output<string>;
}

const sources = new WeakMap<object, ImageSource>();

export function registerImageSource(image: object, source: ImageSource): void {
    sources.set(image, source);
}

/** The registered source of `image`, or undefined when it is not a lambda-docker image component. */
export function imageSource(image: unknown): ImageSource | undefined {
    return typeof image === "object" && image !== null ? sources.get(image) : undefined;
}
