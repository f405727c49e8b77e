import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "../../lib/validation";
import { setState, stateOf } from "../internal/componentState";

/** Which browsers' cross-origin requests the API answers. */
export interface HttpApiCors {
    /** @default [] */
    readonly allowOrigins?: string[];
    /** @default [] */
    readonly allowMethods?: string[];
    /** @default [] */
    readonly allowHeaders?: string[];
    /** @default [] */
    readonly exposeHeaders?: string[];
    /** @default false */
    readonly allowCredentials?: boolean;
    /** Seconds browsers cache the preflight answer. @default undefined */
    readonly maxAge?: number;
}

export interface HttpApiArgs {
    /** Stage of the service; part of the API's name. */
    readonly stage: string;
    /** Days CloudWatch keeps the access logs; one of CloudWatch's allowed values. @default 14 */
    readonly logRetentionDays?: number;
    /** CORS settings of the API. @default undefined (no CORS) */
    readonly cors?: HttpApiCors;
    /** Tags for the API, its stage and log group. @default {} */
    readonly tags?: Record<string, pulumi.Input<string>>;
}

/** The fields of each access log line (API Gateway's `$context` variables). */
export const ACCESS_LOG_FORMAT = {
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
} as const;

/**
 * One API Gateway HTTP API for a service: its `$default` stage (auto-deployed) writes JSON access logs
 * to a log group with retention. Functions add their routes with `events: [{ http: { api, route } }]`;
 * each route belongs to one function, and each function's invoke permission is scoped to its routes.
 */
export class HttpApi extends pulumi.ComponentResource {
    /** The type token, as Pulumi's component provider reads it for resource references. */
    public static readonly __pulumiType = "lambda-docker:index:HttpApi";
    /** The invoke URL, `https://<id>.execute-api.<region>.amazonaws.com/`. */
    public readonly url: pulumi.Output<string>;
    public readonly apiId: pulumi.Output<string>;
    /** `arn:aws:execute-api:<region>:<account>:<id>`, the prefix of the permissions' source ARNs. */
    public readonly executionArn: pulumi.Output<string>;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly api: aws.apigatewayv2.Api;

    constructor(name: string, args: HttpApiArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const resolved = v.withContext("HttpApi", name, () => ({
            stage: v.stage("stage", args.stage),
            logRetentionDays: v.logRetentionDays("logRetentionDays", args.logRetentionDays ?? 14),
        }));
        super(HttpApi.__pulumiType, name, {}, opts);

        this.api = new aws.apigatewayv2.Api(
            `${name}-api`,
            {
                protocolType: "HTTP",
                description: `${name} (${resolved.stage})`,
                corsConfiguration: args.cors,
                tags: args.tags,
            },
            { parent: this },
        );
        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            {
                name: pulumi.interpolate`/aws/http-api/${this.api.id}/access`,
                retentionInDays: resolved.logRetentionDays,
                tags: args.tags,
            },
            { parent: this },
        );
        const stage = new aws.apigatewayv2.Stage(
            `${name}-stage`,
            {
                apiId: this.api.id,
                name: "$default",
                autoDeploy: true,
                accessLogSettings: {
                    destinationArn: this.logGroup.arn,
                    format: JSON.stringify(ACCESS_LOG_FORMAT),
                },
                tags: args.tags,
            },
            { parent: this },
        );
        this.url = stage.invokeUrl;
        this.apiId = this.api.id;
        this.executionArn = this.api.executionArn;
        this.registerOutputs({ url: this.url, apiId: this.apiId, executionArn: this.executionArn });
    }

    /**
     * Claims `routeKey` for `owner` (a function's name); throws, naming both, when another function has it.
     * Called by a function while it validates, before it creates anything.
     */
    claimRoute(routeKey: string, owner: string, key: string): void {
        const routes = stateOf("routes", this) ?? new Map<string, string>();
        setState("routes", this, routes);
        const current = routes.get(routeKey);
        if (current !== undefined) {
            v.fail(
                key,
                `a route no other function of this HttpApi has (function "${current}" already has ${JSON.stringify(routeKey)})`,
                routeKey,
            );
        }
        routes.set(routeKey, owner);
    }

    /** Who owns `routeKey`, if anyone. */
    routeOwner(routeKey: string): string | undefined {
        return stateOf("routes", this)?.get(routeKey);
    }
}
