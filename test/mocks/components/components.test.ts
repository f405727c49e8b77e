import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    EcrRepository,
    ImageFunction,
    LambdaImage,
    dynamoDbTableStatement,
} from "../../../components";
import { hashBuildInputs } from "../../../lib/build/contextHash";
import { urnSuffixedName } from "../../../components/internal/names";
import { ACCOUNT, REGION, REGISTRY, ResourceRecorder, valueOf } from "../../../plan/engine";

const recorder = new ResourceRecorder();

function makeContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-ctx-"));
    fs.writeFileSync(
        path.join(dir, "Dockerfile"),
        "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nCOPY src ${LAMBDA_TASK_ROOT}/src\n",
    );
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(
        path.join(dir, "src", "app.py"),
        "def handler(event, context):\n    return event\n",
    );
    return dir;
}

describe("components under mocks", () => {
    let context: string;
    beforeEach(async () => {
        await recorder.install("dev");
        context = makeContext();
    });
    afterEach(() => fs.rmSync(context, { recursive: true, force: true }));

    describe("EcrRepository", () => {
        it("creates a scanned, encrypted repository and a per-stage lifecycle policy", async () => {
            const repo = new EcrRepository("app", {
                stage: "dev",
                keepImages: 5,
                untaggedExpiryDays: 2,
                forceDelete: true,
            });
            assert.equal(await valueOf(repo.repositoryUrl), `${REGISTRY}/app-repository-abc1234`);
            await recorder.settle();
            assert.deepEqual(recorder.summary(), [
                "aws:ecr/lifecyclePolicy:LifecyclePolicy app-lifecycle",
                "aws:ecr/repository:Repository app-repository",
                "lambda-docker:index:EcrRepository app",
            ]);
            const r = recorder.one("aws:ecr/repository:Repository", "app-repository");
            assert.equal(r.parentType, "lambda-docker:index:EcrRepository");
            assert.deepEqual(r.inputs.imageScanningConfiguration, { scanOnPush: true });
            assert.equal(r.inputs.imageTagMutability, "MUTABLE");
            assert.equal(r.inputs.imageTagMutabilityExclusionFilters, undefined);
            assert.deepEqual(r.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
            assert.equal(r.inputs.forceDelete, true);
            const policy = recorder.one("aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-lifecycle");
            assert.equal(policy.parentType, "lambda-docker:index:EcrRepository");
            assert.equal(policy.inputs.repository, "app-repository-abc1234");
            assert.deepEqual(JSON.parse(policy.inputs.policy), {
                rules: [
                    {
                        rulePriority: 1,
                        description: "Expire untagged images after 2 day(s)",
                        selection: {
                            tagStatus: "untagged",
                            countType: "sinceImagePushed",
                            countUnit: "days",
                            countNumber: 2,
                        },
                        action: { type: "expire" },
                    },
                    {
                        rulePriority: 2,
                        description: "Keep the newest 5 dev image(s)",
                        selection: {
                            tagStatus: "tagged",
                            tagPrefixList: ["dev-"],
                            countType: "imageCountMoreThan",
                            countNumber: 5,
                        },
                        action: { type: "expire" },
                    },
                ],
            });
        });

        it("keeps the build-cache tag writable on an IMMUTABLE repository, with a KMS key", async () => {
            new EcrRepository("prod", {
                stage: "prod",
                tagMutability: "IMMUTABLE",
                encryptionType: "KMS",
                kmsKey: "arn:aws:kms:us-east-1:1:key/k",
            });
            await recorder.settle();
            const r = recorder.one("aws:ecr/repository:Repository", "prod-repository");
            assert.equal(r.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
            assert.deepEqual(r.inputs.imageTagMutabilityExclusionFilters, [
                { filter: "buildcache_*", filterType: "WILDCARD" },
            ]);
            assert.deepEqual(r.inputs.encryptionConfigurations, [
                { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:1:key/k" },
            ]);
            assert.equal(r.inputs.forceDelete, false);
        });

        it("is plainly IMMUTABLE when the build cache is off", async () => {
            new EcrRepository("prod", {
                stage: "prod",
                tagMutability: "IMMUTABLE",
                buildCache: false,
            });
            await recorder.settle();
            const r = recorder.one("aws:ecr/repository:Repository", "prod-repository");
            assert.equal(r.inputs.imageTagMutability, "IMMUTABLE");
            assert.equal(r.inputs.imageTagMutabilityExclusionFilters, undefined);
        });

        it("rejects bad args before registering anything", async () => {
            assert.throws(() => new EcrRepository("app", { stage: "Dev" }), {
                message:
                    'EcrRepository "app": `stage` must be lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev"); got "Dev".',
            });
            assert.throws(() => new EcrRepository("app", { stage: "dev", keepImages: 0 }), {
                message: 'EcrRepository "app": `keepImages` must be an integer >= 1; got 0.',
            });
            assert.throws(
                () => new EcrRepository("app", { stage: "dev", tagMutability: "mutable" as never }),
                {
                    message:
                        'EcrRepository "app": `tagMutability` must be one of "MUTABLE", "IMMUTABLE"; got "mutable".',
                },
            );
            assert.throws(() => new EcrRepository("app", { stage: "dev", kmsKey: "arn:k" }), {
                message:
                    'EcrRepository "app": `kmsKey` must be left unset unless `encryptionType` is "KMS"; got "arn:k".',
            });
            await recorder.settle();
            assert.deepEqual(recorder.resources, []);
        });
    });

    describe("LambdaImage", () => {
        it("builds one platform, pushes a content-addressed stage tag and exposes a digest-pinned URI", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            const image = new LambdaImage("app", {
                repository: repo,
                stage: "dev",
                context,
                architecture: "arm64",
                buildArgs: { BASE_IMAGE: "local/python:3.11" },
                extraTags: ["dev-latest"],
            });
            const hash = hashBuildInputs({
                context,
                buildArgs: { BASE_IMAGE: "local/python:3.11" },
                platform: "linux/arm64",
            });
            const repoUrl = `${REGISTRY}/app-repository-abc1234`;
            const tags = await valueOf(image.tags);
            assert.deepEqual(tags, [
                `${repoUrl}:dev-${hash.slice(0, 16)}`,
                `${repoUrl}:dev-latest`,
            ]);
            const digest = await valueOf(image.digest);
            assert.match(digest, /^sha256:[0-9a-f]{64}$/);
            assert.equal(await valueOf(image.imageUri), `${repoUrl}@${digest}`);

            await recorder.settle();
            const img = recorder.one("docker-build:index:Image", "app-image");
            assert.equal(img.parentType, "lambda-docker:index:LambdaImage");
            assert.deepEqual(img.inputs.platforms, ["linux/arm64"]);
            assert.equal(img.inputs.push, true);
            assert.deepEqual(img.inputs.context, {
                location: path.relative(process.cwd(), context),
            });
            assert.deepEqual(img.inputs.dockerfile, {
                location: path.relative(process.cwd(), path.join(context, "Dockerfile")),
            });
            assert.deepEqual(img.inputs.buildArgs, { BASE_IMAGE: "local/python:3.11" });
            assert.deepEqual(img.inputs.tags, tags);
            assert.deepEqual(img.inputs.cacheFrom, [
                { registry: { ref: `${repoUrl}:buildcache_dev` } },
            ]);
            assert.deepEqual(img.inputs.cacheTo, [
                {
                    registry: {
                        ref: `${repoUrl}:buildcache_dev`,
                        mode: "max",
                        imageManifest: true,
                        ociMediaTypes: true,
                        ignoreError: true,
                    },
                },
            ]);
            assert.equal(img.inputs.buildOnPreview, false);
            assert.equal(img.inputs.secrets, undefined);
            assert.equal(await valueOf(image.building), true);
            assert.deepEqual(
                recorder.calls
                    .filter((c) => c.token === "aws:ecr/getImages:getImages")
                    .map((c) => c.inputs),
                [{ repositoryName: "app-repository-abc1234", registryId: ACCOUNT }],
            );
            assert.deepEqual(img.inputs.registries, [
                { address: REGISTRY, username: "AWS", password: "mock-ecr-password" },
            ]);
            assert.deepEqual(img.secretInputs, ["registries"]);
            const auth = recorder.calls.find(
                (c) => c.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
            );
            assert.deepEqual(auth?.inputs, { registryId: ACCOUNT });
        });

        it("gives the same tag for the same content and a new one when a file changes", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            const a = await valueOf(
                new LambdaImage("a", { repository: repo, stage: "dev", context }).tags,
            );
            const b = await valueOf(
                new LambdaImage("b", { repository: repo, stage: "dev", context }).tags,
            );
            fs.appendFileSync(path.join(context, "src", "app.py"), "# changed\n");
            const c = await valueOf(
                new LambdaImage("c", { repository: repo, stage: "dev", context }).tags,
            );
            assert.deepEqual(a, b);
            assert.notDeepEqual(a, c);
        });

        it("omits the registry cache when `cache` is false", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            new LambdaImage("app", { repository: repo, stage: "dev", context, cache: false });
            await recorder.settle();
            const img = recorder.one("docker-build:index:Image", "app-image");
            assert.equal(img.inputs.cacheFrom, undefined);
            assert.equal(img.inputs.cacheTo, undefined);
        });

        it("refuses a moving tag on an IMMUTABLE repository, a stage mismatch and a missing Dockerfile", async () => {
            const prod = new EcrRepository("prod", { stage: "prod", tagMutability: "IMMUTABLE" });
            await recorder.settle();
            const before = recorder.resources.length;
            assert.throws(
                () =>
                    new LambdaImage("app", {
                        repository: prod,
                        stage: "prod",
                        context,
                        extraTags: ["prod-latest"],
                    }),
                {
                    message:
                        'LambdaImage "app": `extraTags` must be empty when the repository\'s `tagMutability` is IMMUTABLE: an extra tag such as ' +
                        '"prod-latest" moves to a new image on every build, which ECR refuses for immutable tags (use a MUTABLE repository, ' +
                        'or rely on the content-addressed tag); got ["prod-latest"].',
                },
            );
            assert.throws(
                () => new LambdaImage("app", { repository: prod, stage: "dev", context }),
                {
                    message:
                        'LambdaImage "app": `stage` must be the repository\'s stage "prod" (its lifecycle policy counts only `prod-` tags); got "dev".',
                },
            );
            fs.rmSync(path.join(context, "Dockerfile"));
            assert.throws(
                () => new LambdaImage("app", { repository: prod, stage: "prod", context }),
                {
                    message: `LambdaImage "app": \`dockerfile\` must be an existing Dockerfile (default: <context>/Dockerfile); got ${JSON.stringify(path.join(context, "Dockerfile"))}.`,
                },
            );
            assert.throws(
                () =>
                    new LambdaImage("app", {
                        repository: prod,
                        stage: "prod",
                        context: "/nonexistent/dir",
                    }),
                {
                    message: `LambdaImage "app": \`context\` must be an existing directory (resolved against ${process.cwd()}); got "/nonexistent/dir".`,
                },
            );
            await recorder.settle();
            assert.equal(recorder.resources.length, before);
        });
    });

    describe("ImageFunction", () => {
        it("runs the image's digest-pinned URI with its own command, role and log group", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            const image = new LambdaImage("app", { repository: repo, stage: "dev", context });
            const fn = new ImageFunction("orchestrator", {
                image,
                command: ["src.functions.campaign.orchestrator.handler"],
                memorySize: 1024,
                timeout: 60,
                logRetentionDays: 30,
                environment: { LOG_LEVEL: "DEBUG" },
                reservedConcurrentExecutions: 5,
                tracing: "Active",
                policyStatements: [
                    dynamoDbTableStatement({
                        region: REGION,
                        accountId: ACCOUNT,
                        tablePrefix: "campaigns-",
                        access: "read",
                    }),
                ],
            });
            const uri = await valueOf(image.imageUri);
            assert.equal(await valueOf(fn.imageUri), uri);
            await valueOf(fn.arn);
            await recorder.settle();

            const children = recorder.resources
                .filter((r) => r.parentType === "lambda-docker:index:ImageFunction")
                .map((r) => `${r.type} ${r.name}`)
                .sort();
            assert.deepEqual(children, [
                "aws:cloudwatch/logGroup:LogGroup orchestrator-logs",
                "aws:iam/role:Role orchestrator-role",
                "aws:iam/rolePolicy:RolePolicy orchestrator-policy",
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment orchestrator-xray",
                "aws:lambda/function:Function orchestrator-function",
            ]);
            const f = recorder.one("aws:lambda/function:Function", "orchestrator-function");
            assert.equal(f.inputs.packageType, "Image");
            assert.equal(f.inputs.imageUri, uri);
            assert.match(
                f.inputs.imageUri,
                /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app-repository-abc1234@sha256:[0-9a-f]{64}$/,
            );
            assert.deepEqual(f.inputs.imageConfig, {
                commands: ["src.functions.campaign.orchestrator.handler"],
            });
            assert.deepEqual(f.inputs.architectures, ["x86_64"]);
            assert.equal(f.inputs.memorySize, 1024);
            assert.equal(f.inputs.timeout, 60);
            assert.equal(f.inputs.reservedConcurrentExecutions, 5);
            assert.deepEqual(f.inputs.environment, { variables: { LOG_LEVEL: "DEBUG" } });
            assert.deepEqual(f.inputs.tracingConfig, { mode: "Active" });
            assert.deepEqual(f.inputs.loggingConfig, {
                logFormat: "Text",
                logGroup: `/aws/lambda/${urnSuffixedName("orchestrator", "urn:pulumi:dev::lambda-docker::lambda-docker:index:ImageFunction::orchestrator")}`,
            });
            assert.equal(f.inputs.layers, undefined);
            assert.equal(f.inputs.role, `arn:aws:iam::${ACCOUNT}:role/orchestrator-role-abc1234`);

            const logs = recorder.one("aws:cloudwatch/logGroup:LogGroup", "orchestrator-logs");
            assert.equal(logs.inputs.retentionInDays, 30);
            const role = recorder.one("aws:iam/role:Role", "orchestrator-role");
            assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "lambda.amazonaws.com" },
                        Action: "sts:AssumeRole",
                    },
                ],
            });
            const policy = recorder.one("aws:iam/rolePolicy:RolePolicy", "orchestrator-policy");
            assert.deepEqual(JSON.parse(policy.inputs.policy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: [
                            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${urnSuffixedName("orchestrator", "urn:pulumi:dev::lambda-docker::lambda-docker:index:ImageFunction::orchestrator")}:*`,
                        ],
                    },
                    {
                        Effect: "Allow",
                        Action: [
                            "dynamodb:BatchGetItem",
                            "dynamodb:ConditionCheckItem",
                            "dynamodb:DescribeTable",
                            "dynamodb:GetItem",
                            "dynamodb:Query",
                            "dynamodb:Scan",
                        ],
                        Resource: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/campaigns-*`],
                    },
                ],
            });
            const xray = recorder.one(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "orchestrator-xray",
            );
            assert.equal(xray.inputs.policyArn, "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess");
        });

        it("shares one image between functions, each with its own command", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            const image = new LambdaImage("app", { repository: repo, stage: "dev", context });
            new ImageFunction("a", { image, command: ["src.a.handler"] });
            new ImageFunction("b", {
                image,
                command: ["src.b.handler", "extra-arg"],
                entryPoint: ["/lambda-entrypoint.sh"],
                workingDirectory: "/var/task",
            });
            await recorder.settle();
            assert.equal(recorder.ofType("docker-build:index:Image").length, 1);
            const a = recorder.one("aws:lambda/function:Function", "a-function");
            const b = recorder.one("aws:lambda/function:Function", "b-function");
            assert.equal(a.inputs.imageUri, b.inputs.imageUri);
            assert.deepEqual(a.inputs.imageConfig, { commands: ["src.a.handler"] });
            assert.deepEqual(b.inputs.imageConfig, {
                commands: ["src.b.handler", "extra-arg"],
                entryPoints: ["/lambda-entrypoint.sh"],
                workingDirectory: "/var/task",
            });
            assert.equal(a.inputs.memorySize, 512);
            assert.equal(a.inputs.timeout, 30);
            assert.equal(a.inputs.environment, undefined);
            assert.equal(a.inputs.tracingConfig, undefined);
            assert.equal(
                recorder.one("aws:cloudwatch/logGroup:LogGroup", "a-logs").inputs.retentionInDays,
                14,
            );
            assert.deepEqual(
                recorder.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
                [],
            );
        });

        it("accepts an image URI string", async () => {
            const uri = `${REGISTRY}/app@sha256:${"a".repeat(64)}`;
            new ImageFunction("ext", {
                image: uri,
                command: ["app.handler"],
                architecture: "arm64",
            });
            await recorder.settle();
            const f = recorder.one("aws:lambda/function:Function", "ext-function");
            assert.equal(f.inputs.imageUri, uri);
            assert.deepEqual(f.inputs.architectures, ["arm64"]);
        });

        it("rejects bad args with the key, the value and what is allowed, creating nothing", async () => {
            const repo = new EcrRepository("app", { stage: "dev" });
            const image = new LambdaImage("app", { repository: repo, stage: "dev", context });
            await recorder.settle();
            const before = recorder.summary();
            const cases: [Record<string, unknown>, string][] = [
                [
                    { command: [] },
                    '`command` must be a non-empty list whose first element is a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler"); got [].',
                ],
                [
                    { command: ["orchestrator"] },
                    '`command[0]` must be a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler"); got "orchestrator".',
                ],
                [
                    { command: ["a.b"], memorySize: 64 },
                    "`memorySize` must be an integer from 128 to 10240 (MB); got 64.",
                ],
                [
                    { command: ["a.b"], timeout: 901 },
                    "`timeout` must be an integer from 1 to 900 (seconds); got 901.",
                ],
                [
                    { command: ["a.b"], logRetentionDays: 10 },
                    "`logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got 10.",
                ],
                [
                    { command: ["a.b"], architecture: "arm64" },
                    '`architecture` must be the image\'s architecture "x86_64" (a mismatch fails at invoke with "exec format error"); got "arm64".',
                ],
                [
                    { command: ["a.b"], environment: { AWS_REGION: "x" } },
                    '`environment.AWS_REGION` must be a name Lambda does not reserve (reserved: _HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR); got "AWS_REGION".',
                ],
                [
                    { command: ["a.b"], layers: ["arn:aws:lambda:us-east-1:1:layer:x:1"] },
                    '`layers` must be absent: container-image functions cannot use layers (put the dependencies in the image, or use ZipFunction); got ["arn:aws:lambda:us-east-1:1:layer:x:1"].',
                ],
                [
                    { command: ["a.b"], policyStatements: [{ actions: ["*"], resources: ["*"] }] },
                    '`policyStatements[0].actions[0]` must be an IAM action in `service:Action` form (e.g. "dynamodb:GetItem"), not "*" or "<service>:*" (set `allowWildcards: true` on the statement to grant it on purpose); got "*".',
                ],
                [
                    { command: ["a.b"], tracing: "On" },
                    '`tracing` must be one of "Active", "PassThrough"; got "On".',
                ],
            ];
            for (const [extra, message] of cases) {
                assert.throws(() => new ImageFunction("fn", { image, ...extra } as never), {
                    message: `ImageFunction "fn": ${message}`,
                });
            }
            assert.throws(
                () => new ImageFunction("fn", { image: "app:latest", command: ["a.b"] }),
                {
                    message:
                        'ImageFunction "fn": `image` must be a LambdaImage, a PromotedImage or an image URI `<registry>/<repository>:<tag>` or `…@sha256:<digest>`; got "app:latest".',
                },
            );
            await recorder.settle();
            assert.deepEqual(recorder.summary(), before);
        });
    });
});
