import * as pulumi from "@pulumi/pulumi";
import { PolicyStatementArgs } from "../lambda/iam";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import {
    EcrRepository,
    EncryptionType,
    TagMutability,
    resolveEcrRepositoryArgs,
} from "../ecr/repository";
import { parseRoute } from "../../lib/lambda/events";
import { HttpApi } from "../api/httpApi";
import { ImageFunction } from "../lambda/imageFunction";
import { ServiceEvent, functionEvents, mergeFunctionSettings } from "./functionSettings";
import { LogFormat, TracingMode, resolveFunctionCommon } from "../lambda/functionArgs";
import { LambdaImage, validateLambdaImageArgs } from "../image/lambdaImage";

/** One function of a LambdaService: its image command and any settings that differ from the service's. */
export interface ServiceFunctionArgs {
    /** Image command, the handler first, e.g. `["src.functions.campaign.orchestrator.handler"]`. */
    readonly command: string[];
    /** Memory in MB. @default the service's `memorySize` */
    readonly memorySize?: number;
    /** Timeout in seconds. @default the service's `timeout` */
    readonly timeout?: number;
    /** Environment variables, added to the service's. @default {} */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /** Reserved concurrency. @default undefined (unreserved) */
    readonly reservedConcurrentExecutions?: number;
    /** IAM statements for this function's role. @default [] */
    readonly policyStatements?: PolicyStatementArgs[];
    /**
     * Triggers, as plain data: `{ schedule: "rate(15 minutes)" }`, `{ http: "GET /orders/{id}" }` (on the
     * service's one HttpApi, created when a function has a route) or `{ sqs: { queueArn, batchSize? } }`.
     * @default []
     */
    readonly events?: ServiceEvent[];
}

/** A LambdaService function's trigger: like FunctionEvent, with routes (`"GET /orders/{id}"`) on the service's own HttpApi. */
export type { ServiceEvent };

export interface LambdaServiceArgs {
    /** Stage: image tags are `<stage>-<hash>`, and the lifecycle policy keeps the newest per stage. */
    readonly stage: string;
    /** Build context directory with the Dockerfile. */
    readonly context: string;
    /** Dockerfile path. @default "<context>/Dockerfile" */
    readonly dockerfile?: string;
    /** `x86_64` or `arm64`. @default "x86_64" */
    readonly architecture?: Architecture;
    /** Docker build args. @default {} */
    readonly buildArgs?: Record<string, string>;
    /** Multi-stage target. @default undefined (the last stage) */
    readonly target?: string;
    /** The functions: name -> command and overrides. At least one. */
    readonly functions: Record<string, ServiceFunctionArgs>;
    /** Newest stage images kept. @default 10 */
    readonly keepImages?: number;
    /** Days before untagged images expire. @default 1 */
    readonly untaggedExpiryDays?: number;
    /** @default "MUTABLE" */
    readonly tagMutability?: TagMutability;
    /** @default true */
    readonly scanOnPush?: boolean;
    /** @default "AES256" */
    readonly encryptionType?: EncryptionType;
    /** KMS key ARN with `encryptionType: "KMS"`. @default undefined */
    readonly kmsKey?: pulumi.Input<string>;
    /** Delete the repository with its images. @default false */
    readonly forceDelete?: boolean;
    /** Extra image tags such as `dev-latest` (MUTABLE only). @default [] */
    readonly extraTags?: string[];
    /** Memory of every function, in MB. @default 512 */
    readonly memorySize?: number;
    /** Timeout of every function, in seconds. @default 30 */
    readonly timeout?: number;
    /** Log retention of every function, in days. @default 14 */
    readonly logRetentionDays?: number;
    /** Environment variables of every function. @default {} */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /** X-Ray tracing of every function. @default undefined */
    readonly tracing?: TracingMode;
    /** Log format of every function. @default "Text" */
    readonly logFormat?: LogFormat;
}

const FUNCTION_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Validates the whole service, every function included, before anything is created. @internal */
export function validateLambdaServiceArgs(args: LambdaServiceArgs): void {
    const repo = resolveEcrRepositoryArgs({ ...args });
    validateLambdaImageArgs(
        { ...args, repository: undefined as never },
        repo.stage,
        repo.tagMutability === "IMMUTABLE",
    );
    if (
        typeof args.functions !== "object" ||
        args.functions === null ||
        Object.keys(args.functions).length === 0
    ) {
        v.fail(
            "functions",
            "a map of at least one function name to { command, … }",
            args.functions,
        );
    }
    const routes = new Map<string, string>();
    for (const [name, fn] of Object.entries(args.functions)) {
        v.matches(
            `functions.${name}`,
            name,
            FUNCTION_NAME,
            "a function name of lowercase letters, digits and inner hyphens",
        );
        v.command(`functions.${name}.command`, fn?.command);
        v.withContext("function", name, () =>
            resolveFunctionCommon(serviceFunctionSettings(args, fn)),
        );
        if (fn.events !== undefined && !Array.isArray(fn.events))
            v.fail(`functions.${name}.events`, "a list of triggers", fn.events);
        (fn.events ?? []).forEach((e, i) => {
            const key = `functions.${name}.events[${i}]`;
            if (typeof e !== "object" || e === null)
                v.fail(
                    key,
                    'one trigger: `{ schedule }`, `{ http: "METHOD /path" }` or `{ sqs }`',
                    e,
                );
            if (e.http !== undefined) {
                const route = parseRoute(`${key}.http`, e.http).routeKey;
                const owner = routes.get(route);
                if (owner !== undefined)
                    v.fail(
                        `${key}.http`,
                        `a route no other function has (function "${owner}" already has ${JSON.stringify(route)})`,
                        route,
                    );
                routes.set(route, name);
            }
        });
    }
}

function serviceFunctionSettings(args: LambdaServiceArgs, fn: ServiceFunctionArgs) {
    return {
        ...mergeFunctionSettings(
            {
                memorySize: args.memorySize,
                timeout: args.timeout,
                logRetentionDays: args.logRetentionDays,
                environment: args.environment,
            },
            fn,
        ),
        tracing: args.tracing,
        logFormat: args.logFormat,
    };
}

/**
 * A whole container-image service in one component: an EcrRepository, a LambdaImage and an
 * ImageFunction per entry of `functions`, all sharing the image. The form other languages use, since
 * LambdaImage takes a component reference that Pulumi's component provider can't serve.
 */
export class LambdaService extends pulumi.ComponentResource {
    public readonly repositoryUrl: pulumi.Output<string>;
    /** Digest-pinned image URI shared by every function. */
    public readonly imageUri: pulumi.Output<string>;
    public readonly imageTags: pulumi.Output<string[]>;
    /** Function name -> ARN. */
    public readonly functionArns: pulumi.Output<Record<string, string>>;
    /** Function name -> deployed Lambda function name. */
    public readonly functionNames: pulumi.Output<Record<string, string>>;
    /** The HTTP API's invoke URL, when a function has an `http` event; else undefined. */
    public readonly apiUrl: pulumi.Output<string | undefined>;

    constructor(name: string, args: LambdaServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        v.withContext("LambdaService", name, () => validateLambdaServiceArgs(args));
        super("lambda-docker:index:LambdaService", name, {}, opts);

        const repository = new EcrRepository(
            `${name}-repo`,
            {
                stage: args.stage,
                keepImages: args.keepImages,
                untaggedExpiryDays: args.untaggedExpiryDays,
                tagMutability: args.tagMutability,
                scanOnPush: args.scanOnPush,
                encryptionType: args.encryptionType,
                kmsKey: args.kmsKey,
                forceDelete: args.forceDelete,
            },
            { parent: this },
        );
        const image = new LambdaImage(
            `${name}-image`,
            {
                repository,
                stage: args.stage,
                context: args.context,
                dockerfile: args.dockerfile,
                architecture: args.architecture,
                buildArgs: args.buildArgs,
                target: args.target,
                extraTags: args.extraTags,
            },
            { parent: this },
        );
        let api: HttpApi | undefined;
        const httpApi = (): HttpApi =>
            (api ??= new HttpApi(
                `${name}-http`,
                { stage: args.stage, logRetentionDays: args.logRetentionDays },
                { parent: this },
            ));
        const functions = Object.entries(args.functions).map(
            ([fnName, fn]) =>
                [
                    fnName,
                    new ImageFunction(
                        `${name}-${fnName}`,
                        {
                            image,
                            command: fn.command,
                            architecture: args.architecture,
                            ...serviceFunctionSettings(args, fn),
                            events: functionEvents(fn.events ?? [], httpApi),
                        },
                        { parent: this },
                    ),
                ] as const,
        );

        this.apiUrl = api ? api.url : pulumi.output(undefined);
        this.repositoryUrl = repository.repositoryUrl;
        this.imageUri = image.imageUri;
        this.imageTags = image.tags;
        this.functionArns = pulumi.output(
            Object.fromEntries(functions.map(([n, f]) => [n, f.arn])),
        );
        this.functionNames = pulumi.output(
            Object.fromEntries(functions.map(([n, f]) => [n, f.functionName])),
        );
        this.registerOutputs({
            repositoryUrl: this.repositoryUrl,
            imageUri: this.imageUri,
            imageTags: this.imageTags,
            functionArns: this.functionArns,
            functionNames: this.functionNames,
            apiUrl: this.apiUrl,
        });
    }
}
