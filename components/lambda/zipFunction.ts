import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { formatBytes } from "../../lib/build/layerBuild";
import {
    DEFAULT_RUNTIME,
    LAMBDA_UNZIPPED_LIMIT,
    LAYER_ARN,
    LAYER_ARN_ALLOWED,
    MAX_LAYERS,
} from "../../lib/lambda/rules";
import { listTree, writeZip } from "../../lib/build/zip";
import { codeFilter } from "../../lib/build/codePatterns";
import { existingDirectory, stableRelativePath } from "../../lib/build/buildPaths";
import * as v from "../../lib/validation";
import { Architecture } from "../../lib/validation";
import type { DockerLayer } from "../layer/dockerLayer";
import { LayerSource, stateOf } from "../internal/componentState";
import { sourceCodeHash } from "../layer/layerVersion";
import type { PromotedLayer } from "../layer/promotedLayer";
import {
    FunctionCommonArgs,
    ResolvedFunctionCommon,
    functionNameOf,
    resolveFunctionCommon,
    validateFunctionNames,
} from "./functionArgs";
import { commonFunctionInputs, createFunctionSupport } from "./functionSupport";
import { createTriggers, validateEvents } from "./triggers";

/** Lambda allows at most five layers per function. */
export { MAX_LAYERS };
/** Where Lambda mounts layers' `python/` directories. */
export const LAYER_PYTHONPATH = "/opt/python";

export interface ZipFunctionArgs extends FunctionCommonArgs {
    /** Directory with the function's code; zipped deterministically (bytecode left out). */
    readonly code: string;
    /** Globs (relative to `code`, Serverless's package patterns) of files left out of the zip. @default [] */
    readonly exclude?: string[];
    /** Globs of files put back in although an `exclude` glob matches them. @default [] */
    readonly include?: string[];
    /** Handler in `module.function` form, e.g. `api.handler` for `handler` in `<code>/api.py`. */
    readonly handler: string;
    /** Python runtime, one Lambda still accepts for new functions (python3.9 to python3.14). @default "python3.11" */
    readonly runtime?: string;
    /** Up to 5 layers: DockerLayers, PromotedLayers or layer version ARNs. @default [] */
    readonly layers?: (DockerLayer | PromotedLayer | pulumi.Input<string>)[];
    /** `x86_64` or `arm64`; must be compatible with every layer component. @default the layers' architecture, else "x86_64" */
    readonly architecture?: Architecture;
    /** Directory for the code zip, relative to the project. @default ".lambda-docker/cache" */
    readonly cacheDir?: string;
}

interface ResolvedZipFunctionArgs {
    readonly code: string;
    /** Whether a file (path relative to `code`) is packaged. */
    readonly keep: (relPath: string) => boolean;
    readonly handler: string;
    readonly runtime: string;
    readonly architecture: Architecture;
    /** The layer components (DockerLayer, PromotedLayer), whose zips count against the 250 MB limit. */
    readonly dockerLayers: LayerSource[];
    readonly cacheDir: string;
    readonly common: ResolvedFunctionCommon;
}

/** The file a handler's module lives in, if it is in `code`. */
function handlerModuleExists(code: string, handler: string): boolean {
    const modulePath = handler.split(".").slice(0, -1).join("/");
    return (
        fs.existsSync(path.join(code, `${modulePath}.py`)) ||
        fs.existsSync(path.join(code, modulePath, "__init__.py"))
    );
}

/** @internal */
export function resolveZipFunctionArgs(args: ZipFunctionArgs): ResolvedZipFunctionArgs {
    const code = existingDirectory("code", args.code);
    const keep = codeFilter({ include: args.include, exclude: args.exclude });
    const handler = v.handler("handler", args.handler);
    const runtime = v.pythonRuntime("runtime", args.runtime ?? DEFAULT_RUNTIME);
    const layerList = args.layers ?? [];
    if (!Array.isArray(layerList) || layerList.length > MAX_LAYERS) {
        v.fail(
            "layers",
            `a list of at most ${MAX_LAYERS} layers (Lambda's limit per function)`,
            Array.isArray(layerList) ? `${layerList.length} layers` : layerList,
        );
    }
    layerList.forEach((l, i) => {
        if (
            stateOf("layer", l) === undefined &&
            (l === undefined || l === null || (typeof l === "string" && !LAYER_ARN.test(l)))
        ) {
            v.fail(`layers[${i}]`, `a DockerLayer, a PromotedLayer or ${LAYER_ARN_ALLOWED}`, l);
        }
    });
    const dockerLayers = layerList.flatMap((l) => stateOf("layer", l) ?? []);
    const layerArchitectures = [...new Set(dockerLayers.map((l) => l.architecture))];
    if (layerArchitectures.length > 1)
        v.fail("layers", "DockerLayers of one architecture", layerArchitectures);
    const architecture = v.architecture(
        "architecture",
        args.architecture ?? layerArchitectures[0] ?? "x86_64",
    );
    if (layerArchitectures.length === 1 && architecture !== layerArchitectures[0]) {
        v.fail(
            "architecture",
            `the DockerLayers' architecture "${layerArchitectures[0]}" (native code built for one won't load on the other)`,
            architecture,
        );
    }
    if (layerList.length === 0 && !handlerModuleExists(code, handler)) {
        v.fail(
            "handler",
            `a module in \`code\` (${JSON.stringify(code)} has no ${handler.split(".").slice(0, -1).join("/")}.py)`,
            handler,
        );
    }
    return {
        code,
        keep,
        handler,
        runtime,
        architecture,
        dockerLayers,
        cacheDir: args.cacheDir ?? path.join(".lambda-docker", "cache"),
        common: resolveFunctionCommon(args),
    };
}

/** The function's environment: the user's variables, with /opt/python on PYTHONPATH when a DockerLayer is attached. @internal */
export function withLayerPythonPath(
    environment: Record<string, pulumi.Input<string>>,
    hasDockerLayer: boolean,
): Record<string, pulumi.Input<string>> {
    if (!hasDockerLayer) return environment;
    const current = environment.PYTHONPATH;
    if (current === undefined) return { ...environment, PYTHONPATH: LAYER_PYTHONPATH };
    return {
        ...environment,
        PYTHONPATH: pulumi
            .output(current)
            .apply((p) =>
                p.split(":").includes(LAYER_PYTHONPATH) ? p : `${p}:${LAYER_PYTHONPATH}`,
            ),
    };
}

/** Zips `code` deterministically into the cache, named by the zip's own sha256. */
async function zipCode(
    code: string,
    keep: (relPath: string) => boolean,
    cacheDir: string,
): Promise<{ zipPath: string; sha256: string; unzippedBytes: number }> {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = path.join(
        cacheDir,
        `.code-${process.pid}-${crypto.randomBytes(4).toString("hex")}.zip`,
    );
    try {
        const result = await writeZip(
            listTree(code).filter((e) => keep(e.path)),
            tmp,
        );
        const zipPath = path.join(cacheDir, `code-${result.sha256}.zip`);
        fs.renameSync(tmp, zipPath);
        return { zipPath, sha256: result.sha256, unzippedBytes: result.unzippedBytes };
    } finally {
        fs.rmSync(tmp, { force: true });
    }
}

/** Zips the code and waits for the layers, then checks code plus layers against Lambda's 250 MB limit. */
async function checkedCode(
    name: string,
    resolved: ResolvedZipFunctionArgs,
): Promise<{ zipPath: string; sha256: string }> {
    const [code, ...layerBuilds] = await Promise.all([
        zipCode(resolved.code, resolved.keep, resolved.cacheDir),
        ...resolved.dockerLayers.map((l) => l.built),
    ]);
    const total = code.unzippedBytes + layerBuilds.reduce((sum, b) => sum + b.unzippedBytes, 0);
    if (total > LAMBDA_UNZIPPED_LIMIT) {
        throw new Error(
            `ZipFunction "${name}": code and layers unzip to ${formatBytes(total)} (code ${formatBytes(code.unzippedBytes)}` +
                `${layerBuilds.map((b, i) => `, layer ${i + 1} ${formatBytes(b.unzippedBytes)}`).join("")}), over Lambda's limit of ` +
                `${formatBytes(LAMBDA_UNZIPPED_LIMIT)}. Move the heavy dependencies into a container image: LambdaImage + ImageFunction (up to 10 GB).`,
        );
    }
    return code;
}

/**
 * A zip-packaged Python Lambda function with Docker-built layers. Its code and every DockerLayer are
 * zipped and size-checked against Lambda's 250 MB unzipped limit before any of its resources is
 * created: every child waits for that check, so a failed one leaves nothing behind.
 *
 * The component registers only identity data as its inputs (handler, runtime, architecture): the
 * environment, paths and statements stay out of the state and the diff.
 */
export class ZipFunction extends pulumi.ComponentResource {
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

    constructor(name: string, args: ZipFunctionArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const [resolved, events] = v.withContext("ZipFunction", name, () => {
            validateFunctionNames(name, args);
            const checked = resolveZipFunctionArgs(args);
            return [checked, validateEvents(name, args.events)] as const;
        });
        super(
            "lambda-docker:index:ZipFunction",
            name,
            {
                handler: resolved.handler,
                runtime: resolved.runtime,
                architecture: resolved.architecture,
            },
            opts,
        );

        const code = checkedCode(name, resolved);
        code.catch(() => undefined); // reported through every child's registration
        const functionName = functionNameOf(this, name, args);
        const support = createFunctionSupport(
            name,
            this,
            resolved.common,
            args,
            functionName,
            code,
        );
        const environment = withLayerPythonPath(
            resolved.common.environment,
            resolved.dockerLayers.length > 0,
        );
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                ...commonFunctionInputs(args, resolved.common, support, resolved.architecture),
                name: functionName,
                environment:
                    Object.keys(environment).length > 0 ? { variables: environment } : undefined,
                packageType: "Zip",
                runtime: resolved.runtime,
                handler: resolved.handler,
                code: code.then((c) => new pulumi.asset.FileArchive(stableRelativePath(c.zipPath))),
                sourceCodeHash: code.then((c) => sourceCodeHash(c.sha256)),
                layers: (args.layers ?? []).map(
                    (l) => stateOf("layer", l)?.arn ?? (l as pulumi.Input<string>),
                ),
            },
            {
                parent: this,
                dependsOn: code.then(() => support.dependsOn) as Promise<pulumi.Resource[]>,
            },
        );
        createTriggers({ name, parent: this, fn, role: support.role, tags: args.tags }, events);

        this.function = fn;
        this.role = support.role;
        this.logGroup = support.logGroup;
        // A failed check fails these outputs too (the children's own outputs would never resolve).
        const ready = pulumi.output(code);
        this.arn = ready.apply(() => fn.arn);
        this.functionName = ready.apply(() => fn.name);
        this.roleArn = ready.apply(() => support.role.arn);
        this.roleName = ready.apply(() => support.role.name);
        this.logGroupName = ready.apply(() => support.logGroup.name);
        this.registerOutputs({
            arn: this.arn,
            functionName: this.functionName,
            roleArn: this.roleArn,
            roleName: this.roleName,
            logGroupName: this.logGroupName,
        });
    }
}
