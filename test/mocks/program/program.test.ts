/**
 * Runs the root program (index.ts) under mocks for each real stack file, the way `pulumi up --stack
 * <stack>` would feed it: mocks read neither Pulumi.yaml nor stack files, so the stack file is parsed
 * here and handed to the program as the CLI would (every value a string).
 *
 * The program builds its layer with Docker while it runs (as a real preview does), so these tests
 * need the engine and the local base image (BASE_IMAGE stands in for the Lambda base image).
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BASE_IMAGE, requireDocker } from "../../support/docker";
import { urnSuffixedName } from "../../../components/internal/names";
import { Recorded, assetPath, valueOf } from "../../../plan/engine";
import { ProgramRun } from "../../../plan/program";
import { recorder, runProgram } from "../../support/localProgram";
import { runPolicies } from "../../support/policyRunner";

function byName(resources: Recorded[], type: string, name: string): Recorded {
    const found = resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
}

async function resolvedOutputs(run: ProgramRun): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
        Object.entries(run.outputs).map(
            async ([k, o]) => [k, await valueOf(pulumi.output(o))] as const,
        ),
    );
    return Object.fromEntries(entries);
}

describe("the program (index.ts) under mocks", function () {
    this.timeout(300000);
    let dev: ProgramRun;
    let prod: ProgramRun;
    before(async function () {
        requireDocker(this);
        dev = await runProgram("dev");
        // prod promotes what dev deployed: its StackReference("dev") reads dev's real outputs.
        recorder.stackOutputs = { dev: await resolvedOutputs(dev) };
        prod = await runProgram("prod");
    });
    after(() => {
        recorder.stackOutputs = {}; // other files' runs of prod read the mock dev outputs again
    });

    it("composes what lambda-docker.yaml declares: a repository and an image shared by three image functions, a layer, a zip function, a queue and one HTTP API, in every stack", () => {
        for (const [run, image, layer] of [
            [dev, "LambdaImage", "DockerLayer"],
            [prod, "PromotedImage", "PromotedLayer"],
        ] as const) {
            const components = run.resources
                .filter((r) => r.type.startsWith("lambda-docker:"))
                .map((r) => `${r.type} ${r.name}`)
                .sort();
            assert.deepEqual(
                components,
                [
                    `lambda-docker:index:${layer} campaign-core`,
                    "lambda-docker:index:EcrRepository app",
                    "lambda-docker:index:EcrRepository layer_artifacts",
                    "lambda-docker:index:HttpApi http",
                    "lambda-docker:index:ImageFunction api",
                    "lambda-docker:index:ImageFunction campaign-orchestrator",
                    "lambda-docker:index:ImageFunction report-sync",
                    `lambda-docker:index:${image} app`,
                    "lambda-docker:index:ZipFunction report-api",
                ].sort(),
            );
            const fns = run.resources.filter(
                (r) =>
                    r.type === "aws:lambda/function:Function" && r.inputs.packageType === "Image",
            );
            assert.deepEqual(fns.map((f) => [f.name, f.inputs.imageConfig.commands]).sort(), [
                ["api-function", ["src.functions.api.handler.handler"]],
                ["campaign-orchestrator-function", ["src.functions.campaign.orchestrator.handler"]],
                ["report-sync-function", ["src.functions.reports.sync.handler"]],
            ]);
            assert.equal(new Set(fns.map((f) => f.inputs.imageUri)).size, 1);
            assert.deepEqual(
                run.resources
                    .filter((r) => r.type === "aws:sqs/queue:Queue")
                    .map((q) => [q.name, q.inputs.name, q.inputs.visibilityTimeoutSeconds]),
                [["report-requests", `report-requests-${run === dev ? "dev" : "prod"}`, 360]],
            );
            assert.match(fns[0].inputs.imageUri, /@sha256:[0-9a-f]{64}$/);
        }
    });

    it("applies dev's stack values: mutable tags with dev-latest, force delete, debug logs, 14-day retention", () => {
        const repo = byName(dev.resources, "aws:ecr/repository:Repository", "app-repository");
        assert.equal(repo.inputs.imageTagMutability, "MUTABLE");
        assert.equal(repo.inputs.forceDelete, true);
        const policy = JSON.parse(
            byName(dev.resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-lifecycle").inputs
                .policy,
        );
        assert.deepEqual(
            policy.rules.map((r: { selection: unknown }) => r.selection),
            [
                {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: 1,
                },
                {
                    tagStatus: "tagged",
                    tagPrefixList: ["dev-"],
                    countType: "imageCountMoreThan",
                    countNumber: 10,
                },
            ],
        );
        const image = byName(dev.resources, "docker-build:index:Image", "app-image");
        assert.equal(image.inputs.tags.length, 2);
        assert.match(image.inputs.tags[0], /:dev-[0-9a-f]{16}$/);
        assert.match(image.inputs.tags[1], /:dev-latest$/);
        assert.deepEqual(image.inputs.buildArgs, { BASE_IMAGE });
        assert.deepEqual(image.inputs.context, { location: "app" });
        assert.deepEqual(image.inputs.dockerfile, { location: "app/Dockerfile" });
        const fn = byName(dev.resources, "aws:lambda/function:Function", "api-function");
        assert.equal(fn.inputs.memorySize, 512);
        assert.equal(fn.inputs.timeout, 30);
        assert.deepEqual(fn.inputs.environment, {
            variables: { LOG_LEVEL: "DEBUG", STAGE: "dev" },
        });
        assert.equal(
            byName(dev.resources, "aws:cloudwatch/logGroup:LogGroup", "api-logs").inputs
                .retentionInDays,
            14,
        );
    });

    it("applies prod's stack values: immutable tags (cache excluded), no moving tag, more memory, 90-day retention", () => {
        const repo = byName(prod.resources, "aws:ecr/repository:Repository", "app-repository");
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
        assert.deepEqual(repo.inputs.imageTagMutabilityExclusionFilters, [
            { filter: "buildcache_*", filterType: "WILDCARD" },
        ]);
        assert.equal(repo.inputs.forceDelete, false);
        const policy = JSON.parse(
            byName(prod.resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-lifecycle")
                .inputs.policy,
        );
        assert.deepEqual(
            policy.rules.map((r: { selection: unknown }) => r.selection),
            [
                {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: 7,
                },
                {
                    tagStatus: "tagged",
                    tagPrefixList: ["prod-"],
                    countType: "imageCountMoreThan",
                    countNumber: 30,
                },
            ],
        );
        const fn = byName(prod.resources, "aws:lambda/function:Function", "report-sync-function");
        assert.equal(fn.inputs.memorySize, 1024);
        assert.equal(fn.inputs.timeout, 60);
        assert.deepEqual(fn.inputs.environment, {
            variables: { LOG_LEVEL: "INFO", STAGE: "prod" },
        });
        assert.equal(
            byName(prod.resources, "aws:cloudwatch/logGroup:LogGroup", "report-sync-logs").inputs
                .retentionInDays,
            90,
        );
    });

    it("builds nothing in prod: it promotes dev's digest under prod-<dev's hash>-<12 hex of the digest> and pins every image function to it", async () => {
        assert.deepEqual(
            prod.resources.filter((r) => r.type === "docker-build:index:Image"),
            [],
        );
        const devTag = byName(dev.resources, "docker-build:index:Image", "app-image").inputs
            .tags[0] as string;
        const devDigest = (await valueOf(dev.outputs.imageDigest)) as string;
        const prodUrl = byName(prod.resources, "aws:ecr/repository:Repository", "app-repository")
            .state.repositoryUrl as string;
        const prodTag = `prod-${devTag.split(":dev-")[1]}-${devDigest.slice(7, 19)}`;
        assert.equal(
            byName(prod.resources, "command:local:Command", "app-promotion").inputs.create,
            `node dist/cli/main.js promote --source ${devTag}@${devDigest} --target ${prodUrl} --tag ${prodTag} --architecture x86_64`,
        );
        const fns = prod.resources.filter(
            (r) => r.type === "aws:lambda/function:Function" && r.inputs.packageType === "Image",
        );
        assert.deepEqual(
            fns.map((f) => f.inputs.imageUri),
            [1, 2, 3].map(() => `${prodUrl}@${devDigest}`),
        );
        assert.equal(await valueOf(prod.outputs.imageDigest), devDigest);
        assert.deepEqual(await valueOf(prod.outputs.imageTags), [`${prodUrl}:${prodTag}`]);
    });

    it("builds no layer in prod: dev pushes its zip as an artifact, prod publishes that exact zip (same sha256) and copies the artifact", async () => {
        const devLayers = (await valueOf(pulumi.output(dev.outputs.layers))) as Record<
            string,
            { arn: string; sha256: string; artifact: string }
        >;
        const { sha256, artifact } = devLayers["campaign-core"];
        const devRepo = byName(
            dev.resources,
            "aws:ecr/repository:Repository",
            "layer_artifacts-repository",
        ).state.repositoryUrl as string;
        const devZip = await assetPath(
            byName(dev.resources, "aws:lambda/layerVersion:LayerVersion", "campaign-core-layer")
                .inputs.code,
        );
        assert.equal(
            byName(dev.resources, "command:local:Command", "campaign-core-artifact").inputs.create,
            `node dist/cli/main.js layer push --zip ${devZip} --target ${devRepo} --tag dev-${sha256.slice(0, 16)}`,
        );
        assert.match(
            artifact,
            new RegExp(`^${devRepo}:dev-${sha256.slice(0, 16)}@sha256:[0-9a-f]{64}$`),
        );
        const prodRepo = byName(
            prod.resources,
            "aws:ecr/repository:Repository",
            "layer_artifacts-repository",
        ).state.repositoryUrl as string;
        const digest = artifact.split("@")[1];
        assert.deepEqual(recorder.fetchedLayers, [
            { sources: [`${prodRepo}@${digest}`, `${devRepo}@${digest}`], sha256 },
        ]);
        assert.equal(
            byName(prod.resources, "command:local:Command", "campaign-core-artifact").inputs.create,
            `node dist/cli/main.js promote --layer --source ${artifact} --target ${prodRepo} --tag prod-${sha256.slice(0, 16)}-${digest.slice(7, 19)}`,
        );
        const layer = byName(
            prod.resources,
            "aws:lambda/layerVersion:LayerVersion",
            "campaign-core-layer",
        );
        assert.equal(layer.inputs.sourceCodeHash, Buffer.from(sha256, "hex").toString("base64"));
        assert.equal(
            await assetPath(layer.inputs.code),
            `.lambda-docker/cache/promoted/${sha256}.zip`,
        );
    });

    it("promotes a pinned digest of the source stack's repository with lambda-docker:imageDigest (a rollback)", async () => {
        const pinned = `sha256:${"9".repeat(64)}`;
        await runProgram("prod", { "lambda-docker:imageDigest": pinned });
        const devUrl = (await valueOf(dev.outputs.repositoryUrl)) as string;
        assert.match(
            recorder.one("command:local:Command", "app-promotion").inputs.create,
            new RegExp(
                ` --source ${devUrl}@${pinned} .* --tag prod-${"9".repeat(16)}-${"9".repeat(12)} `,
            ),
        );
    });

    it("refuses, before creating anything, a source stack of another architecture or one that exported no image", async () => {
        await assert.rejects(runProgram("prod", { "lambda-docker:architecture": "arm64" }), {
            message:
                'Stack "prod": `lambda-docker:architecture` must be the source stack\'s architecture "x86_64" ' +
                '(the outputs of stack "dev" (`lambda-docker:promoteFrom`)); got "arm64".',
        });
        assert.deepEqual(recorder.resources, []);
        recorder.stackOutputs["acme/lambda-docker/empty"] = {};
        await assert.rejects(
            runProgram("prod", { "lambda-docker:promoteFrom": "acme/lambda-docker/empty" }),
            {
                message:
                    'Stack "prod": the outputs of stack "acme/lambda-docker/empty" (`lambda-docker:promoteFrom`) have no image "app" ' +
                    "(`images.<name>.digest` and `tags`); run `pulumi up --stack acme/lambda-docker/empty` first.",
            },
        );
        assert.deepEqual(recorder.resources, []);
        // A dev deployed before layers were promoted exported no artifact.
        const withoutLayers = Object.fromEntries(
            Object.entries(recorder.stackOutputs.dev).filter(([k]) => k !== "layers"),
        );
        recorder.stackOutputs["acme/lambda-docker/old"] = withoutLayers;
        await assert.rejects(
            runProgram("prod", { "lambda-docker:promoteFrom": "acme/lambda-docker/old" }),
            {
                message:
                    'Stack "prod": the outputs of stack "acme/lambda-docker/old" (`lambda-docker:promoteFrom`) have no layer artifact for "campaign-core" ' +
                    "(`layers.<name>.artifact` and `sha256`); run `pulumi up --stack acme/lambda-docker/old` first " +
                    "(a stage builds layers once and pushes them as artifacts for the next to promote).",
            },
        );
        assert.deepEqual(recorder.resources, []);
    });

    it("wires the zip function to the campaign-core layer of its stage", () => {
        for (const [run, stage] of [
            [dev, "dev"],
            [prod, "prod"],
        ] as const) {
            const layer = byName(
                run.resources,
                "aws:lambda/layerVersion:LayerVersion",
                "campaign-core-layer",
            );
            assert.equal(layer.inputs.layerName, `campaign-core-${stage}`);
            assert.deepEqual(layer.inputs.compatibleRuntimes, ["python3.11"]);
            const fn = byName(run.resources, "aws:lambda/function:Function", "report-api-function");
            assert.equal(fn.inputs.packageType, "Zip");
            assert.equal(fn.inputs.handler, "report_api.handler");
            assert.deepEqual(fn.inputs.layers, [
                `arn:aws:lambda:us-east-1:123456789012:layer:campaign-core-${stage}:1`,
            ]);
            assert.equal(fn.inputs.environment.variables.PYTHONPATH, "/opt/python");
        }
        assert.equal(
            byName(dev.resources, "aws:lambda/layerVersion:LayerVersion", "campaign-core-layer")
                .inputs.sourceCodeHash,
            byName(prod.resources, "aws:lambda/layerVersion:LayerVersion", "campaign-core-layer")
                .inputs.sourceCodeHash,
        );
    });

    it("exports the repository URL, the digest-pinned image URI, the layer and every function's name and ARN", async () => {
        for (const run of [dev, prod]) {
            assert.deepEqual(Object.keys(run.outputs).sort(), [
                "apiUrl",
                "architecture",
                "functionArns",
                "functionNames",
                "imageDigest",
                "imageTags",
                "imageUri",
                "images",
                "layers",
                "repositoryUrl",
            ]);
        }
        assert.equal(await valueOf(pulumi.output(dev.outputs.architecture)), "x86_64");
        assert.match((await valueOf(dev.outputs.imageDigest)) as string, /^sha256:[0-9a-f]{64}$/);
        const uri = (await valueOf(dev.outputs.imageUri)) as string;
        const url = (await valueOf(dev.outputs.repositoryUrl)) as string;
        assert.ok(uri.startsWith(`${url}@sha256:`), uri);
        const names = await valueOf(
            pulumi.output(
                dev.outputs.functionNames as unknown as Record<string, pulumi.Output<string>>,
            ),
        );
        const stable = (type: string, name: string) =>
            urnSuffixedName(
                name,
                `urn:pulumi:dev::lambda-docker::lambda-docker:index:${type}::${name}`,
            );
        assert.deepEqual(names, {
            "campaign-orchestrator": stable("ImageFunction", "campaign-orchestrator"),
            "report-sync": stable("ImageFunction", "report-sync"),
            api: stable("ImageFunction", "api"),
            "report-api": stable("ZipFunction", "report-api"),
        });
        const layers = (await valueOf(pulumi.output(dev.outputs.layers))) as Record<
            string,
            { arn: string; sha256: string; artifact: string }
        >;
        assert.deepEqual(Object.keys(layers), ["campaign-core"]);
        assert.deepEqual(Object.keys(layers["campaign-core"]), ["arn", "sha256", "artifact"]);
        assert.match(layers["campaign-core"].sha256, /^[0-9a-f]{64}$/);
        assert.equal(
            await valueOf(pulumi.output(dev.outputs.apiUrl)),
            "https://http-api-id.execute-api.us-east-1.amazonaws.com/",
        );
        const images = (await valueOf(pulumi.output(dev.outputs.images))) as Record<
            string,
            { uri: string; digest: string }
        >;
        assert.deepEqual(Object.keys(images), ["app"]);
        assert.equal(images.app.uri, uri);
    });

    it("gives each function of the manifest its triggers: a schedule with input, an SQS mapping on the stage's queue, routes on the one API", () => {
        const schedule = byName(
            dev.resources,
            "aws:scheduler/schedule:Schedule",
            "campaign-orchestrator-schedule-0",
        );
        assert.deepEqual(
            [
                schedule.inputs.scheduleExpression,
                schedule.inputs.state,
                JSON.parse(schedule.inputs.target.input),
            ],
            [
                "rate(15 minutes)",
                "ENABLED",
                { campaignId: "scheduled", action: "resume", accounts: [] },
            ],
        );
        const mapping = byName(
            dev.resources,
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            "report-sync-sqs-0",
        );
        assert.deepEqual(
            [mapping.inputs.eventSourceArn, mapping.inputs.batchSize],
            ["arn:aws:sqs:us-east-1:123456789012:report-requests-dev", 10],
        );
        assert.deepEqual(
            dev.resources
                .filter((r) => r.type === "aws:apigatewayv2/route:Route")
                .map((r) => r.inputs.routeKey)
                .sort(),
            ["ANY /campaigns/{proxy+}", "GET /health", "GET /reports/{id}"],
        );
        assert.deepEqual(
            dev.resources
                .filter((r) => r.type === "aws:lambda/permission:Permission")
                .map((r) => r.inputs.sourceArn)
                .sort(),
            [
                "arn:aws:execute-api:us-east-1:123456789012:http-api-id/*/*/campaigns/*",
                "arn:aws:execute-api:us-east-1:123456789012:http-api-id/*/GET/health",
                "arn:aws:execute-api:us-east-1:123456789012:http-api-id/*/GET/reports/*",
            ],
        );
    });

    it("passes the policy pack with zero violations in dev and prod", async () => {
        for (const run of [dev, prod]) {
            const resources = run.resources.filter((r) => !r.type.startsWith("lambda-docker:"));
            assert.deepEqual(
                await runPolicies(
                    resources.map((r) => ({
                        type: r.type,
                        name: r.name,
                        props: r.state,
                        urn: r.urn,
                    })),
                ),
                [],
            );
        }
        assert.match(dev.resources[0].urn, /^urn:pulumi:dev::lambda-docker::/);
    });

    it("fails before creating anything when a stack value is invalid", async () => {
        await assert.rejects(runProgram("dev", { "lambda-docker:memorySize": "64" }), {
            message:
                'Stack "dev": `lambda-docker:memorySize` must be an integer from 128 to 10240 (MB); got 64.',
        });
        assert.deepEqual(recorder.resources, []);
    });
});
