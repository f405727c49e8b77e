/**
 * Publishing a layer zip: an `aws.lambda.LayerVersion` from the zip (through an S3 object when it is
 * over Lambda's 50 MB direct-upload limit), shared by DockerLayer and PromotedLayer.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_DIRECT_UPLOAD_LIMIT, formatBytes } from "../../lib/build/layerBuild";
import { stableRelativePath } from "../../lib/build/buildPaths";
import { LayerZip } from "../internal/componentState";
import { Architecture } from "../../lib/validation";

/** Lambda's `sourceCodeHash`: the base64 sha256 of the zip. */
export function sourceCodeHash(sha256Hex: string): string {
    return Buffer.from(sha256Hex, "hex").toString("base64");
}

export interface LayerVersionSpec {
    readonly kind: string;
    readonly layerName: pulumi.Input<string>;
    readonly description?: pulumi.Input<string>;
    readonly compatibleRuntimes: string[];
    readonly architecture: Architecture;
    readonly retainOldVersions: boolean;
    readonly s3Bucket?: pulumi.Input<string>;
}

/** Creates `<name>-layer` (and `<name>-zip` in S3 when needed) under `parent`; throws first when the zip is too large to upload. */
export function createLayerVersion(
    parent: pulumi.Resource,
    name: string,
    spec: LayerVersionSpec,
    zip: LayerZip,
): aws.lambda.LayerVersion {
    const overDirect = zip.zippedBytes > LAMBDA_DIRECT_UPLOAD_LIMIT;
    if (overDirect && spec.s3Bucket === undefined) {
        throw new Error(
            `${spec.kind} "${name}": the zip is ${formatBytes(zip.zippedBytes)}, over Lambda's direct-upload limit of ` +
                `${formatBytes(LAMBDA_DIRECT_UPLOAD_LIMIT)}; set \`s3Bucket\` to upload it through S3.`,
        );
    }
    const zipPath = stableRelativePath(zip.zipPath);
    const object = overDirect
        ? new aws.s3.BucketObjectv2(
              `${name}-zip`,
              {
                  bucket: spec.s3Bucket!,
                  key: pulumi.interpolate`lambda-docker/layers/${spec.layerName}/${zip.sha256}.zip`,
                  source: new pulumi.asset.FileAsset(zipPath),
              },
              { parent },
          )
        : undefined;
    return new aws.lambda.LayerVersion(
        `${name}-layer`,
        {
            layerName: spec.layerName,
            description: spec.description,
            code: object ? undefined : new pulumi.asset.FileArchive(zipPath),
            s3Bucket: object?.bucket,
            s3Key: object?.key,
            sourceCodeHash: sourceCodeHash(zip.sha256),
            compatibleRuntimes: spec.compatibleRuntimes,
            compatibleArchitectures: [spec.architecture],
            skipDestroy: spec.retainOldVersions,
        },
        { parent },
    );
}
