/** What `lambda-docker.yaml` declares: the whole service (images, layers, queues, functions and their triggers). */
import type { PolicyStatementShape } from "../iamStatements";
import type { Architecture } from "../validation";

/** An image lambda-docker builds from a Docker context. */
export interface BuiltImageSpec {
    readonly kind?: "build";
    readonly context: string;
    readonly dockerfile?: string;
    readonly buildArgs: Readonly<Record<string, string>>;
    readonly target?: string;
}
/** A prebuilt image, pinned by digest (`<registry>/<repository>@sha256:<64 hex>`); promotion copies it like a built one. */
export interface PrebuiltImageSpec {
    readonly kind: "prebuilt";
    readonly uri: string;
}
export type ImageSpec = BuiltImageSpec | PrebuiltImageSpec;

/** An environment value read from the stack's Pulumi config (`pulumi config set [--secret] <config>`), never written in the manifest. */
export interface ConfigRef {
    /** The config key, in the project's namespace. */
    readonly config: string;
    /** Read with `requireSecret`, so the value stays encrypted in the state. @default false */
    readonly secret: boolean;
}

export type LayerSpec =
    | {
          readonly kind: "docker";
          readonly context: string;
          readonly dockerfile?: string;
          readonly buildArgs: Readonly<Record<string, string>>;
          readonly target?: string;
          readonly description?: string;
      }
    | { readonly kind: "directory"; readonly path: string; readonly description?: string };

export interface QueueSpec {
    /** Seconds; at least the timeout of every function it triggers. @default 6 times the longest timeout of those functions */
    readonly visibilityTimeout?: number;
    /** Seconds a message is kept, 60-1209600. @default 345600 (4 days, SQS's default) */
    readonly messageRetentionSeconds?: number;
}

export type EventSpec =
    | {
          readonly schedule: {
              readonly expression: string;
              readonly enabled: boolean;
              readonly input?: unknown;
          };
      }
    | { readonly http: { readonly route: string } }
    | {
          readonly sqs: {
              readonly queue: string;
              readonly batchSize?: number;
              /** Seconds to gather a batch, 0-300; at least 1 when `batchSize` is over 10. @default undefined (AWS's 0) */
              readonly maximumBatchingWindow?: number;
              readonly enabled: boolean;
          };
      };

/** A sample event of a function, for `lambda-docker smoke`: its file, and what the response must show. */
export interface SampleSpec {
    /** The event's JSON file (absolute, resolved from the manifest's directory). */
    readonly event: string;
    /** The expected `statusCode` of the response (HTTP functions). @default undefined (not checked) */
    readonly status?: number;
    /** A JSON subset the response must contain. @default undefined (not checked) */
    readonly expect?: unknown;
}

export interface FunctionOverrides {
    readonly memorySize?: number;
    readonly timeout?: number;
    readonly environment: Readonly<Record<string, string>>;
    /** Variables whose values come from the stack's config (`{ config, secret }` in the manifest). @default {} */
    readonly configEnvironment: Readonly<Record<string, ConfigRef>>;
    readonly reservedConcurrentExecutions?: number;
    readonly architecture?: Architecture;
    readonly description?: string;
    readonly policyStatements: PolicyStatementShape[];
    readonly events: EventSpec[];
    /** Sample events (`functions.<fn>.samples`). @default [] */
    readonly samples: SampleSpec[];
}

export interface ImageFunctionSpec extends FunctionOverrides {
    readonly kind: "image";
    readonly image: string;
    readonly command: string[];
    readonly entryPoint?: string[];
    readonly workingDirectory?: string;
}

export interface ZipFunctionSpec extends FunctionOverrides {
    readonly kind: "zip";
    readonly handler: string;
    /** The code directory (absolute or relative to the working directory, resolved from the manifest's). */
    readonly code: string;
    /** Patterns (Serverless's `package.patterns` globs, relative to `code`) of files left out of the zip. @default [] */
    readonly exclude: string[];
    /** Patterns of files put back although an `exclude` matches them. @default [] */
    readonly include: string[];
    readonly runtime: string;
    readonly layers: string[];
}

export type FunctionSpec = ImageFunctionSpec | ZipFunctionSpec;

export interface Manifest {
    readonly images: Readonly<Record<string, ImageSpec>>;
    readonly layers: Readonly<Record<string, LayerSpec>>;
    readonly queues: Readonly<Record<string, QueueSpec>>;
    readonly policyStatements: PolicyStatementShape[];
    readonly functions: Readonly<Record<string, FunctionSpec>>;
}

export const DEFAULT_MANIFEST = "lambda-docker.yaml";
/** The name of the image the singular `image:` form declares. */
export const DEFAULT_IMAGE_NAME = "app";
/** Prefix of the values `lambda-docker import` could not resolve; the parser refuses them. */
export const PLACEHOLDER_PREFIX = "TODO(lambda-docker import)";

/** The keys each level allows, shared with the schema test. */
export const MANIFEST_KEYS = {
    root: ["image", "images", "layers", "queues", "policyStatements", "functions"],
    image: ["context", "dockerfile", "buildArgs", "target", "uri"],
    code: ["path", "include", "exclude"],
    configRef: ["config", "secret"],
    dockerLayer: ["context", "dockerfile", "buildArgs", "target", "description"],
    directoryLayer: ["path", "description"],
    queue: ["visibilityTimeout", "messageRetentionSeconds"],
    common: [
        "memorySize",
        "timeout",
        "environment",
        "reservedConcurrentExecutions",
        "architecture",
        "description",
        "policyStatements",
        "events",
        "samples",
    ],
    imageFunction: ["image", "command", "entryPoint", "workingDirectory"],
    zipFunction: ["handler", "code", "runtime", "layers"],
    schedule: ["expression", "enabled", "input"],
    http: ["route"],
    sqs: ["queue", "batchSize", "maximumBatchingWindow", "enabled"],
    sample: ["event", "status", "expect"],
} as const;
