/**
 * The least-privilege IAM policies that preview and deploy a lambda-docker service: every resource
 * type the program creates maps to the actions the provider calls for it, scoped to the names the
 * program gives. One table; a test fails when the program creates a type that is not in it.
 */

/** What a manifest program creates, as plain names (see `programShape`). */
export interface ProgramShape {
    readonly stage: string;
    /** Images some function uses. */
    readonly images: readonly string[];
    readonly layers: readonly string[];
    readonly queues: readonly string[];
    readonly functions: readonly {
        readonly name: string;
        readonly kind: "image" | "zip";
        readonly events: readonly ("schedule" | "http" | "sqs")[];
    }[];
    /** A promoting stack (prod): it promotes instead of building. */
    readonly promotes: boolean;
}

export interface Scope {
    readonly partition: string;
    readonly region: string;
    /** The account id, or `*` for any. */
    readonly account: string;
    /** The promotion source's account, or `*`. */
    readonly sourceAccount: string;
}

interface Ctx {
    readonly shape: ProgramShape;
    readonly arn: (
        service: string,
        resource: string,
        opts?: { region?: string; account?: string },
    ) => string;
    readonly scope: Scope;
}

export interface TypeActions {
    /** What a preview and a refresh call: reads only. */
    readonly read: readonly string[];
    /** What `up` and `destroy` call besides the reads. */
    readonly write: readonly string[];
    /** The resources those actions are on, as narrow as the names allow. */
    readonly resources: (ctx: Ctx) => string[];
    /** A condition the statement carries, if any. */
    readonly condition?: (ctx: Ctx) => Record<string, Record<string, string | string[]>>;
}

const fnNames = (c: Ctx, kind?: "image" | "zip") =>
    c.shape.functions.filter((f) => kind === undefined || f.kind === kind).map((f) => f.name);
const withEvent = (c: Ctx, event: "schedule" | "http" | "sqs") =>
    c.shape.functions.filter((f) => f.events.includes(event)).map((f) => f.name);
const repositories = (c: Ctx, account?: string) =>
    [...c.shape.images, ...(c.shape.layers.length > 0 ? ["layer_artifacts"] : [])].map((r) =>
        c.arn("ecr", `repository/${r}-repository-*`, { account }),
    );
const roles = (c: Ctx) => fnNames(c).map((f) => c.arn("iam", `role/${f}-role-*`, { region: "" }));
const schedulerRoles = (c: Ctx) =>
    withEvent(c, "schedule").map((f) => c.arn("iam", `role/${f}-scheduler-*`, { region: "" }));
const functions = (c: Ctx, names = fnNames(c)) =>
    names.map((f) => c.arn("lambda", `function:${f}-*`));
const logGroups = (c: Ctx) =>
    fnNames(c).flatMap((f) => [
        c.arn("logs", `log-group:/aws/lambda/${f}-*`),
        c.arn("logs", `log-group:/aws/lambda/${f}-*:*`),
    ]);
const apis = (c: Ctx) => [
    c.arn("apigateway", "/apis", { account: "" }),
    c.arn("apigateway", "/apis/*", { account: "" }),
    c.arn("apigateway", "/tags/*", { account: "" }),
];
const ECR_PULL = [
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
];
const ECR_PUSH = [
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
];
const APIGW = {
    read: ["apigateway:GET"],
    write: ["apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
};

/**
 * Per type, the actions `pulumi-aws` (the Terraform AWS provider underneath), `pulumi-docker-build` and
 * the package's own commands call. Component types call nothing themselves unless they read at preview.
 */
export const TYPE_ACTIONS: Readonly<Record<string, TypeActions>> = {
    // Calls the program makes while it runs, at preview too: the provider checks its identity; images look up their tag.
    "program:invokes": {
        read: ["sts:GetCallerIdentity", "ecr:GetAuthorizationToken"],
        write: [],
        resources: () => ["*"],
    },
    // Reading a log group lists groups by name prefix, which IAM authorizes on every group of the region.
    // `lambda-docker smoke` after the deploy (the workflow's smoke-dev job runs with the building stage's role).
    "program:smokeTest": {
        read: [],
        write: ["lambda:InvokeFunction"],
        resources: (c) => functions(c),
    },
    "program:describeLogGroups": {
        read: ["logs:DescribeLogGroups"],
        write: [],
        resources: (c) => [c.arn("logs", "log-group:*")],
    },
    "lambda-docker:index:EcrRepository": { read: [], write: [], resources: () => [] },
    "aws:ecr/repository:Repository": {
        read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"],
        write: [
            "ecr:CreateRepository",
            "ecr:DeleteRepository",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:TagResource",
            "ecr:UntagResource",
        ],
        resources: (c) => repositories(c),
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
        read: ["ecr:GetLifecyclePolicy"],
        write: ["ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
        resources: (c) => repositories(c),
    },
    // LambdaImage lists its repository's tags (aws.ecr.getImages) to reuse an image already pushed.
    "lambda-docker:index:LambdaImage": {
        read: ["ecr:ListImages"],
        write: [],
        resources: (c) => repositories(c),
    },
    // docker-build pushes (and pulls its registry cache); its read inspects the pushed manifest. Images are retained, never deleted.
    "docker-build:index:Image": {
        read: ["ecr:BatchGetImage", "ecr:DescribeImages"],
        write: [...ECR_PULL, ...ECR_PUSH],
        resources: (c) => repositories(c),
    },
    "lambda-docker:index:PromotedImage": { read: [], write: [], resources: () => [] },
    // PromotedLayer reads the zip while the program runs (preview included), from this stage's repository or the source's.
    "lambda-docker:index:PromotedLayer": {
        read: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        write: [],
        resources: (c) => [...repositories(c), ...repositories(c, c.scope.sourceAccount)],
    },
    // `lambda-docker promote` / `layer push`: pull from the source (another stage's repository, maybe another account), push here.
    "command:local:Command": {
        read: [],
        write: [...ECR_PULL, ...ECR_PUSH],
        resources: (c) => [
            ...repositories(c),
            ...(c.shape.promotes ? repositories(c, c.scope.sourceAccount) : []),
        ],
    },
    "lambda-docker:index:DockerLayer": { read: [], write: [], resources: () => [] },
    "aws:lambda/layerVersion:LayerVersion": {
        read: ["lambda:GetLayerVersion"],
        write: ["lambda:PublishLayerVersion", "lambda:DeleteLayerVersion"],
        resources: (c) =>
            c.shape.layers.flatMap((l) => [
                c.arn("lambda", `layer:${l}-${c.shape.stage}`),
                c.arn("lambda", `layer:${l}-${c.shape.stage}:*`),
            ]),
    },
    "lambda-docker:index:ImageFunction": { read: [], write: [], resources: () => [] },
    "lambda-docker:index:ZipFunction": { read: [], write: [], resources: () => [] },
    "aws:lambda/function:Function": {
        read: [
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
            "lambda:GetRuntimeManagementConfig",
            "lambda:ListTags",
        ],
        write: [
            "lambda:CreateFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:DeleteFunction",
            "lambda:PutFunctionConcurrency",
            "lambda:DeleteFunctionConcurrency",
            "lambda:PublishVersion",
            "lambda:TagResource",
            "lambda:UntagResource",
        ],
        resources: (c) => functions(c),
    },
    // Lambda reads an image function's image as the caller, and adds itself to the repository policy when it has to.
    "program:imageFunctionsPull": {
        read: [],
        write: [
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:GetRepositoryPolicy",
            "ecr:SetRepositoryPolicy",
        ],
        resources: (c) => c.shape.images.map((i) => c.arn("ecr", `repository/${i}-repository-*`)),
    },
    "aws:iam/role:Role": {
        read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
        write: [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListInstanceProfilesForRole",
        ],
        resources: (c) => [...roles(c), ...schedulerRoles(c)],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        read: ["iam:GetRolePolicy"],
        write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
        resources: (c) => [...roles(c), ...schedulerRoles(c)],
    },
    // The function's role goes to Lambda, the scheduler's role to EventBridge Scheduler, and nowhere else.
    "program:passRoleLambda": {
        read: [],
        write: ["iam:PassRole"],
        resources: (c) => roles(c),
        condition: () => ({ StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } }),
    },
    "program:passRoleScheduler": {
        read: [],
        write: ["iam:PassRole"],
        resources: (c) => schedulerRoles(c),
        condition: () => ({ StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } }),
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        read: ["logs:ListTagsForResource"],
        write: [
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ],
        resources: (c) => [
            ...logGroups(c),
            ...(withEvent(c, "http").length > 0
                ? [
                      c.arn("logs", "log-group:/aws/http-api/*"),
                      c.arn("logs", "log-group:/aws/http-api/*:*"),
                  ]
                : []),
        ],
    },
    "aws:sqs/queue:Queue": {
        read: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"],
        write: [
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sqs:SetQueueAttributes",
            "sqs:TagQueue",
            "sqs:UntagQueue",
        ],
        resources: (c) => c.shape.queues.map((q) => c.arn("sqs", `${q}-${c.shape.stage}`)),
    },
    "aws:scheduler/schedule:Schedule": {
        read: ["scheduler:GetSchedule"],
        write: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
        resources: (c) =>
            withEvent(c, "schedule").map((f) =>
                c.arn("scheduler", `schedule/default/${f}-schedule-*`),
            ),
    },
    "aws:lambda/eventSourceMapping:EventSourceMapping": {
        read: ["lambda:GetEventSourceMapping"],
        write: [
            "lambda:CreateEventSourceMapping",
            "lambda:UpdateEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
        ],
        // A mapping's ARN holds a UUID AWS picks; the function it targets is the scope.
        resources: () => ["*"],
        condition: (c) => ({
            ArnLike: { "lambda:FunctionArn": functions(c, withEvent(c, "sqs")) },
        }),
    },
    "aws:lambda/permission:Permission": {
        read: ["lambda:GetPolicy"],
        write: ["lambda:AddPermission", "lambda:RemovePermission"],
        resources: (c) => functions(c, withEvent(c, "http")),
    },
    "lambda-docker:index:HttpApi": { read: [], write: [], resources: () => [] },
    "aws:apigatewayv2/api:Api": { ...APIGW, resources: apis },
    "aws:apigatewayv2/stage:Stage": { ...APIGW, resources: apis },
    "aws:apigatewayv2/integration:Integration": { ...APIGW, resources: apis },
    "aws:apigatewayv2/route:Route": { ...APIGW, resources: apis },
    // An HTTP API stage with access logs: what API Gateway's guide lists for activating logging (http-api-logging.html).
    "program:httpApiAccessLogs": {
        read: ["logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries"],
        write: [
            "logs:CreateLogDelivery",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
        ],
        resources: () => ["*"],
    },
};

/** The types (and program-level pseudo-types) a manifest program creates for `shape`, sorted. */
export function programTypes(shape: ProgramShape): string[] {
    const types = new Set<string>(["program:invokes"]);
    const add = (...t: string[]) => t.forEach((x) => types.add(x));
    if (shape.images.length > 0) {
        add(
            "lambda-docker:index:EcrRepository",
            "aws:ecr/repository:Repository",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "program:imageFunctionsPull",
        );
        add(
            ...(shape.promotes
                ? ["lambda-docker:index:PromotedImage", "command:local:Command"]
                : ["lambda-docker:index:LambdaImage", "docker-build:index:Image"]),
        );
    }
    if (shape.layers.length > 0) {
        add(
            "lambda-docker:index:EcrRepository",
            "aws:ecr/repository:Repository",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "aws:lambda/layerVersion:LayerVersion",
            "command:local:Command",
        );
        add(
            shape.promotes
                ? "lambda-docker:index:PromotedLayer"
                : "lambda-docker:index:DockerLayer",
        );
    }
    if (shape.queues.length > 0) add("aws:sqs/queue:Queue");
    for (const f of shape.functions) {
        add(
            f.kind === "image"
                ? "lambda-docker:index:ImageFunction"
                : "lambda-docker:index:ZipFunction",
        );
        add(
            "aws:lambda/function:Function",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "program:passRoleLambda",
            "program:describeLogGroups",
        );
        if (!shape.promotes) add("program:smokeTest");
        if (f.events.includes("schedule"))
            add("aws:scheduler/schedule:Schedule", "program:passRoleScheduler");
        if (f.events.includes("sqs")) add("aws:lambda/eventSourceMapping:EventSourceMapping");
        if (f.events.includes("http")) {
            add(
                "lambda-docker:index:HttpApi",
                "aws:apigatewayv2/api:Api",
                "aws:apigatewayv2/stage:Stage",
                "aws:apigatewayv2/integration:Integration",
                "aws:apigatewayv2/route:Route",
                "aws:lambda/permission:Permission",
                "program:httpApiAccessLogs",
            );
        }
    }
    return [...types].sort();
}

export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: string[];
    readonly Resource: string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: PolicyStatement[];
}

/** `Ecr`, `LambdaIam`…: a statement id from the services its actions belong to. */
function sid(actions: readonly string[], seen: Set<string>): string {
    const services = [...new Set(actions.map((a) => a.split(":")[0]))];
    const base = services.map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join("");
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}${n}`;
    seen.add(id);
    return id;
}

/**
 * The preview policy (reads) or the deploy policy (reads and writes) for `shape`: one statement per
 * type that calls anything, actions sorted, so the output diffs cleanly between versions.
 */
export function deployPolicy(
    shape: ProgramShape,
    scope: Scope,
    kind: "preview" | "deploy",
): PolicyDocument {
    const arn = (
        service: string,
        resource: string,
        opts: { region?: string; account?: string } = {},
    ): string =>
        `arn:${scope.partition}:${service}:${opts.region ?? scope.region}:${opts.account ?? scope.account}:${resource}`;
    const ctx: Ctx = { shape, scope, arn };
    // One statement per distinct resource list and condition, so the document reads by what it grants on.
    const groups = new Map<
        string,
        { actions: Set<string>; resources: string[]; condition?: PolicyStatement["Condition"] }
    >();
    for (const type of programTypes(shape)) {
        const entry = TYPE_ACTIONS[type];
        if (!entry)
            throw new Error(
                `lambda-docker: no IAM actions are known for ${type}; add it to TYPE_ACTIONS in lib/iam/deployPolicy.ts.`,
            );
        const actions = kind === "preview" ? entry.read : [...entry.read, ...entry.write];
        const resources = [...new Set(entry.resources(ctx))].sort();
        if (actions.length === 0 || resources.length === 0) continue;
        const condition = entry.condition?.(ctx);
        const key = JSON.stringify([resources, condition ?? null]);
        const group = groups.get(key) ?? { actions: new Set<string>(), resources, condition };
        actions.forEach((a) => group.actions.add(a));
        groups.set(key, group);
    }
    const seen = new Set<string>();
    const statements = [...groups.values()]
        .map((g) => ({ ...g, sorted: [...g.actions].sort() }))
        .sort((x, y) => (x.sorted[0] < y.sorted[0] ? -1 : x.sorted[0] > y.sorted[0] ? 1 : 0))
        .map(
            (g): PolicyStatement => ({
                Sid: sid(g.sorted, seen),
                Effect: "Allow",
                Action: g.sorted,
                Resource: g.resources,
                ...(g.condition ? { Condition: g.condition } : {}),
            }),
        );
    return { Version: "2012-10-17", Statement: statements };
}
