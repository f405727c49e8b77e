/**
 * A Pulumi mocks engine that records every registered resource: tests assert a component's exact
 * child contract with it (types, names, parents, inputs), and the local plan prints what it recorded.
 */
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { useLayerFetcher } from "../layer/promotedLayer";

// Internal to @pulumi/pulumi but exported: lets a test wait until every registration has reached the mocks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs(): Promise<void>;
    getMonitor(): unknown;
};

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** The parent's type (from the URN's type chain), "" for a resource at the stack root. */
    parentType: string;
    /** Top-level input keys whose value was a secret (shown unwrapped in `inputs`). */
    readonly secretInputs: string[];
    /** Inputs plus the outputs the mock provider computed (names, ARNs, digests), as after a provider's check. */
    readonly state: Record<string, any>;
    /** The resource's URN, filled in by `settle()`. */
    urn: string;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && SECRET_SIG in value;
}

/** Replaces serialized secrets by their values, so tests compare plain data. */
function reveal(value: unknown): any {
    if (isSecret(value)) return reveal(value.value);
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value))
        return value;
    if (Array.isArray(value)) return (value as unknown[]).map(reveal);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** The outputs a provider would compute for each resource type we create. */
function providerState(
    type: string,
    name: string,
    inputs: Record<string, any>,
): Record<string, any> {
    const physical = inputs.name ?? `${name}-abc1234`;
    switch (type) {
        case "aws:ecr/repository:Repository":
            return {
                ...inputs,
                name: physical,
                arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${physical}`,
                registryId: ACCOUNT,
                repositoryUrl: `${REGISTRY}/${physical}`,
            };
        case "docker-build:index:Image": {
            const digest = `sha256:${sha256(JSON.stringify(inputs.tags ?? []))}`;
            return {
                ...inputs,
                digest,
                ref: `${(inputs.tags ?? [""])[0]}@${digest}`,
                contextHash: "mock",
            };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const logGroupName = inputs.name ?? `${inputs.namePrefix ?? ""}abc1234`;
            return {
                ...inputs,
                name: logGroupName,
                arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName}`,
            };
        }
        case "aws:iam/role:Role":
            return { ...inputs, name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
        case "aws:lambda/function:Function": {
            const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`;
            return {
                ...inputs,
                name: physical,
                arn,
                invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations`,
            };
        }
        case "aws:apigatewayv2/api:Api":
            return {
                ...inputs,
                name: physical,
                apiEndpoint: `https://${name}-id.execute-api.${REGION}.amazonaws.com`,
                arn: `arn:aws:apigateway:${REGION}::/apis/${name}-id`,
                executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${name}-id`,
            };
        case "aws:apigatewayv2/stage:Stage":
            return {
                ...inputs,
                invokeUrl: `https://${inputs.apiId}.execute-api.${REGION}.amazonaws.com/`,
                arn: `arn:aws:apigateway:${REGION}::/apis/${inputs.apiId}/stages/${inputs.name}`,
            };
        case "aws:sqs/queue:Queue":
            return {
                ...inputs,
                name: physical,
                arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`,
                url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`,
            };
        case "aws:scheduler/schedule:Schedule":
            return {
                ...inputs,
                name: physical,
                arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${physical}`,
            };
        case "command:local:Command":
            // What the provider reports at creation; the mocks engine runs no command.
            return { ...inputs, stdout: "", stderr: "" };
        case "aws:lambda/layerVersion:LayerVersion":
            return {
                ...inputs,
                arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${inputs.layerName ?? name}:1`,
            };
        default:
            return { ...inputs, arn: `arn:aws:mock:${REGION}:${ACCOUNT}:${name}` };
    }
}

/** The images and layers a deployed stack exports, by name. @default one image "app", no layer */
export interface DeployedShape {
    readonly images: readonly string[];
    readonly layers: readonly string[];
}

/** The image and layer outputs a deployed stack of a manifest program (index.ts) exports, with mock values. */
export function deployedStackOutputs(
    stack: string,
    shape: DeployedShape = { images: ["app"], layers: [] },
): Record<string, unknown> {
    const stage = stack.split("/").pop();
    const image = (name: string) => {
        const repositoryUrl = `${REGISTRY}/${name}-repository-${stage}`;
        const hash = sha256(name === "app" ? `image of ${stack}` : `image ${name} of ${stack}`);
        const tags = [`${repositoryUrl}:${stage}-${hash.slice(0, 16)}`];
        return {
            repositoryUrl,
            uri: `${repositoryUrl}@sha256:${hash}`,
            digest: `sha256:${hash}`,
            tags,
        };
    };
    const images = Object.fromEntries(shape.images.map((n) => [n, image(n)]));
    const layers = Object.fromEntries(
        shape.layers.map((n) => {
            const zip = sha256(`layer ${n} of ${stack}`);
            return [
                n,
                {
                    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${n}-${stage}:1`,
                    sha256: zip,
                    artifact: `${REGISTRY}/layer_artifacts-repository-${stage}:${stage}-${zip.slice(0, 16)}@sha256:${sha256(`artifact ${zip}`)}`,
                },
            ];
        }),
    );
    const first = images[shape.images[0]];
    return {
        ...(first
            ? {
                  repositoryUrl: first.repositoryUrl,
                  imageDigest: first.digest,
                  imageUri: first.uri,
                  imageTags: first.tags,
              }
            : {}),
        architecture: "x86_64",
        images,
        layers,
    };
}

export class ResourceRecorder {
    readonly resources: Recorded[] = [];
    readonly calls: { token: string; inputs: Record<string, any> }[] = [];
    /** Images already in a repository, by repository name then tag -> digest, as `aws.ecr.getImages` lists them. */
    existingImages: Record<string, Record<string, string>> = {};
    /**
     * Outputs of other stacks, by StackReference name, kept across installs so a test can deploy dev and
     * then run prod against dev's outputs; a stack not listed looks like a deployed mock of this program.
     */
    stackOutputs: Record<string, Record<string, unknown>> = {};
    /** What a stack not listed in `stackOutputs` exports (see deployedStackOutputs). */
    deployed: DeployedShape = { images: ["app"], layers: [] };
    /** What PromotedLayers fetched (the mocks engine reads no registry). */
    readonly fetchedLayers: { sources: readonly string[]; sha256: string }[] = [];

    readonly mocks: pulumi.runtime.Mocks = {
        newResource: (args) => {
            if (args.type === "pulumi:pulumi:StackReference") {
                const stack = args.inputs.name as string;
                return {
                    id: stack,
                    state: {
                        name: stack,
                        outputs:
                            this.stackOutputs[stack] ?? deployedStackOutputs(stack, this.deployed),
                        secretOutputNames: [],
                    },
                };
            }
            const inputs = reveal(args.inputs);
            const secretInputs = Object.keys(args.inputs)
                .filter((k) => isSecret(args.inputs[k]))
                .sort();
            const state = providerState(args.type, args.name, inputs);
            this.resources.push({
                type: args.type,
                name: args.name,
                inputs,
                parentType: "",
                secretInputs,
                state,
                urn: "",
            });
            return { id: `${args.name}-id`, state };
        },
        call: (args) => {
            this.calls.push({ token: args.token, inputs: args.inputs });
            switch (args.token) {
                case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                    return {
                        userName: "AWS",
                        password: "mock-ecr-password",
                        proxyEndpoint: `https://${REGISTRY}`,
                        registryId: ACCOUNT,
                    };
                case "aws:ecr/getImages:getImages": {
                    const images = this.existingImages[args.inputs.repositoryName as string] ?? {};
                    return {
                        id: args.inputs.repositoryName,
                        repositoryName: args.inputs.repositoryName,
                        registryId: args.inputs.registryId ?? ACCOUNT,
                        imageIds: Object.entries(images).map(([imageTag, imageDigest]) => ({
                            imageTag,
                            imageDigest,
                        })),
                    };
                }
                case "aws:index/getPartition:getPartition":
                    return {
                        id: "aws",
                        partition: "aws",
                        dnsSuffix: "amazonaws.com",
                        reverseDnsPrefix: "com.amazonaws",
                    };
                case "aws:index/getRegion:getRegion":
                    return { name: REGION, region: REGION, id: REGION };
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: ACCOUNT,
                        arn: `arn:aws:iam::${ACCOUNT}:user/test`,
                        userId: "AIDA",
                        id: ACCOUNT,
                    };
                default:
                    throw new Error(`unexpected invoke ${args.token}`);
            }
        },
    };

    /** Installs the mocks for a program of `project` and `stack` (as `pulumi.runtime.setMocks`), clearing what was recorded. */
    async install(stack = "dev", preview = false, project = "lambda-docker"): Promise<void> {
        this.resources.length = 0;
        this.calls.length = 0;
        this.existingImages = {};
        this.fetchedLayers.length = 0;
        // A PromotedLayer "fetches" a zip that is not there: the mocks engine reads no registry.
        useLayerFetcher(async (request) => {
            this.fetchedLayers.push({ sources: [...request.sources], sha256: request.sha256 });
            return {
                zipPath: `${request.dir}/${request.sha256}.zip`,
                sha256: request.sha256,
                zippedBytes: 0,
                unzippedBytes: 0,
                from: request.sources[0],
            };
        });
        await pulumi.runtime.setMocks(this.mocks, project, stack, preview);
    }

    /** Waits until every registration has reached the mocks, then fills in each resource's parent from its URN. */
    async settle(): Promise<Recorded[]> {
        await settings.waitForRPCs();
        const monitor = settings.getMonitor() as { resources: Map<string, unknown> };
        for (const urn of monitor.resources.keys()) {
            // urn:pulumi:<stack>::<project>::<parent types…$>type::name
            const [, , chain, name] = urn.split("::");
            const types = chain.split("$");
            const rec = this.resources.find(
                (r) => r.name === name && r.type === types[types.length - 1],
            );
            if (rec) {
                rec.parentType = types.length > 1 ? types[types.length - 2] : "";
                rec.urn = urn;
            }
        }
        return this.resources;
    }

    ofType(type: string): Recorded[] {
        return this.resources.filter((r) => r.type === type);
    }

    one(type: string, name: string): Recorded {
        const found = this.resources.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) {
            throw new Error(
                `expected one ${type} named ${name}, found ${found.length}: ${this.summary().join(", ")}`,
            );
        }
        return found[0];
    }

    /** `type name` of every recorded resource, sorted: a compact, exact picture of what a program creates. */
    summary(): string[] {
        return this.resources.map((r) => `${r.type} ${r.name}`).sort();
    }
}

/** Resolves an Output's value (mocks run with preview=false, so every value resolves). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    // Output.promise() is internal but the only way to observe a rejected output.
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The path of a FileArchive or FileAsset input, as the engine would record it. */
export function assetPath(asset: unknown): Promise<string> {
    return (asset as { path: Promise<string> }).path;
}
