import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import {
    FunctionCommonArgs,
    functionNameOf,
    resolveFunctionCommon,
    validateFunctionNames,
} from "./functionArgs";
import { commonFunctionInputs, createFunctionSupport } from "./functionSupport";
import { createTriggers, validateEvents } from "./triggers";
import { stateOf } from "../internal/componentState";
import type { LambdaImage } from "../image/lambdaImage";
import type { PromotedImage } from "../image/promotedImage";

export interface ImageFunctionArgs extends FunctionCommonArgs {
    /**
     * The image: a LambdaImage or a PromotedImage (its digest-pinned `imageUri` is used), or an ECR image
     * URI (`repo@sha256:…` or `repo:tag`).
     */
    readonly image: LambdaImage | PromotedImage | pulumi.Input<string>;
    /** Image command, `imageConfig.commands`: the handler first, e.g. `["src.functions.campaign.orchestrator.handler"]`. */
    readonly command: string[];
    /** Image entry point override. @default undefined (the image's ENTRYPOINT) */
    readonly entryPoint?: string[];
    /** Working directory override. @default undefined (the image's WORKDIR) */
    readonly workingDirectory?: string;
    /** `x86_64` or `arm64`; must equal a LambdaImage's architecture. @default the image's architecture, else "x86_64" */
    readonly architecture?: Architecture;
}

/** `registry/repository` followed by `:tag` or `@sha256:<64 hex>`. */
const IMAGE_URI_PATTERN =
    /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/;

export interface ResolvedImageFunctionArgs {
    readonly command: string[];
    readonly entryPoint?: string[];
    readonly workingDirectory?: string;
    readonly architecture: Architecture;
}

/** @internal */
export function resolveImageFunctionArgs(args: ImageFunctionArgs): ResolvedImageFunctionArgs {
    let imageArchitecture: Architecture | undefined;
    const source = stateOf("image", args.image);
    if (source) {
        imageArchitecture = source.architecture;
    } else if (typeof args.image === "string") {
        v.matches(
            "image",
            args.image,
            IMAGE_URI_PATTERN,
            "a LambdaImage, a PromotedImage or an image URI `<registry>/<repository>:<tag>` or `…@sha256:<digest>`",
        );
    } else if (args.image === undefined || args.image === null) {
        v.fail("image", "a LambdaImage, a PromotedImage or an image URI string", args.image);
    }
    if ("layers" in (args as object)) {
        v.fail(
            "layers",
            "absent: container-image functions cannot use layers (put the dependencies in the image, or use ZipFunction)",
            (args as { layers?: unknown }).layers,
        );
    }
    const architecture = v.architecture(
        "architecture",
        args.architecture ?? imageArchitecture ?? "x86_64",
    );
    if (imageArchitecture !== undefined && architecture !== imageArchitecture) {
        v.fail(
            "architecture",
            `the image's architecture "${imageArchitecture}" (a mismatch fails at invoke with "exec format error")`,
            architecture,
        );
    }
    return {
        command: v.command("command", args.command),
        entryPoint:
            args.entryPoint === undefined ? undefined : v.stringList("entryPoint", args.entryPoint),
        workingDirectory:
            args.workingDirectory === undefined
                ? undefined
                : v.matches(
                      "workingDirectory",
                      args.workingDirectory,
                      /^\//,
                      "an absolute path inside the image",
                  ),
        architecture,
    };
}

/**
 * A Lambda function that runs a container image with its own command: many ImageFunctions can
 * share one LambdaImage, each pointing `imageConfig.commands` at a different handler.
 */
export class ImageFunction extends pulumi.ComponentResource {
    /** The `aws.lambda.Function`, for `@pulumi/aws`'s event helpers and anything else that takes one. */
    public readonly function: aws.lambda.Function;
    /** The function's execution role. */
    public readonly role: aws.iam.Role;
    /** The function's log group, `/aws/lambda/<function name>`. */
    public readonly logGroup: aws.cloudwatch.LogGroup;
    /** The function's ARN. */
    public readonly arn: pulumi.Output<string>;
    /** The function's name: `<name>-<8 hex of the URN>` unless `functionName` was given. */
    public readonly functionName: pulumi.Output<string>;
    /** The execution role's ARN. */
    public readonly roleArn: pulumi.Output<string>;
    /** The execution role's name, to attach more policies. */
    public readonly roleName: pulumi.Output<string>;
    /** `/aws/lambda/<function name>`. */
    public readonly logGroupName: pulumi.Output<string>;
    /** The digest-pinned image URI the function runs (`<repository>@sha256:…`). */
    public readonly imageUri: pulumi.Output<string>;

    constructor(name: string, args: ImageFunctionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const [resolved, common, events] = v.withContext("ImageFunction", name, () => {
            validateFunctionNames(name, args);
            const checked = [resolveImageFunctionArgs(args), resolveFunctionCommon(args)] as const;
            return [...checked, validateEvents(name, args.events)] as const;
        });
        super("lambda-docker:index:ImageFunction", name, {}, opts);

        const functionName = functionNameOf(this, name, args);
        const support = createFunctionSupport(name, this, common, args, functionName);
        const imageUri =
            stateOf("image", args.image)?.imageUri ??
            pulumi.output(args.image as pulumi.Input<string>);
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                ...commonFunctionInputs(args, common, support, resolved.architecture),
                name: functionName,
                packageType: "Image",
                imageUri,
                imageConfig: {
                    commands: resolved.command,
                    entryPoints: resolved.entryPoint,
                    workingDirectory: resolved.workingDirectory,
                },
            },
            { parent: this, dependsOn: support.dependsOn },
        );

        createTriggers({ name, parent: this, fn, role: support.role, tags: args.tags }, events);

        this.function = fn;
        this.role = support.role;
        this.logGroup = support.logGroup;
        this.arn = fn.arn;
        this.functionName = fn.name;
        this.roleArn = support.role.arn;
        this.roleName = support.role.name;
        this.logGroupName = support.logGroup.name;
        this.imageUri = imageUri;
        this.registerOutputs({
            arn: this.arn,
            functionName: this.functionName,
            roleArn: this.roleArn,
            roleName: this.roleName,
            logGroupName: this.logGroupName,
            imageUri: this.imageUri,
        });
    }
}
