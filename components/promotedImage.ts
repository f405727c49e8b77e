/** Placeholder until PromotedImage lands (issue 9); see components/core/imageSource.ts. */
import * as pulumi from "@pulumi/pulumi";

export class PromotedImage extends pulumi.ComponentResource {
    public readonly imageUri!: pulumi.Output<string>;
}
