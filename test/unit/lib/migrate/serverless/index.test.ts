import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { formatReportLine, importCommand, readIfExists } from "../../../../../cli/commands/import";
import {
    ImportResult,
    Intrinsic,
    PLACEHOLDER_PREFIX,
    ReportStatus,
    STACK_LOG_LEVELS,
    Todo,
    Unresolved,
    VariableResolver,
    importServerless,
    layerLogicalId,
    manifestName,
} from "../../../../../lib/migrate/serverless";
import { parseManifest } from "../../../../../lib/manifest";
import { LOG_LEVELS, parseStackConfig } from "../../../../../config/stackConfig";
import { FIXTURES as TEST_FIXTURES } from "../../../../support/paths";

type Line = [ReportStatus, string, string];

const FIXTURES = path.join(TEST_FIXTURES, "serverless");

function fixture(name: string, stage = "dev"): ImportResult {
    return importServerless(path.join(FIXTURES, name, "serverless.yml"), {
        stage,
        readFile: readIfExists,
    });
}

function lines(result: ImportResult): Line[] {
    return result.report.map((l) => [l.status, l.item, l.detail]);
}

/** Every path the manifest names (contexts, Dockerfiles, layer directories) exists in the fixture. */
function assertPathsExist(dir: string, manifest: Record<string, unknown>): void {
    const images = (manifest.images ?? {}) as Record<
        string,
        { context: string; dockerfile?: string }
    >;
    for (const image of Object.values(images)) {
        if ("uri" in image) continue; // a prebuilt image names no path
        assert.ok(fs.statSync(path.join(dir, image.context)).isDirectory(), image.context);
        assert.ok(
            fs
                .statSync(
                    path.join(dir, image.dockerfile ?? path.join(image.context, "Dockerfile")),
                )
                .isFile(),
        );
    }
    const layers = (manifest.layers ?? {}) as Record<string, { path: string }>;
    for (const layer of Object.values(layers))
        assert.ok(fs.statSync(path.join(dir, layer.path, "python")).isDirectory(), layer.path);
}

const SEED_MANIFEST = {
    images: {
        campaigns: {
            context: "app",
            buildArgs: {
                APP_STAGE: "dev",
                PIP_INDEX_URL: "https://pypi.org/simple",
            },
        },
    },
    policyStatements: [
        {
            effect: "Allow",
            actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/campaigns-dev"],
        },
        {
            effect: "Allow",
            actions: ["sqs:*"],
            resources: ["arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev"],
            allowWildcards: true,
        },
        {
            effect: "Allow",
            actions: ["cloudwatch:PutMetricData"],
            resources: ["*"],
            allowWildcards: true,
        },
        {
            effect: "Allow",
            actions: ["sqs:SendMessage"],
            resources: ["TODO(lambda-docker import): {Fn::GetAtt: [ReportsQueue, Arn]}"],
        },
    ],
    functions: {
        "campaign-orchestrator": {
            image: "campaigns",
            command: ["src.functions.campaign.orchestrator.handler"],
            memorySize: 2048,
            timeout: 300,
            environment: {
                CAMPAIGNS_TABLE: "campaigns-dev",
                REPORTS_QUEUE_URL: "TODO(lambda-docker import): {Ref: ReportsQueue}",
                SLACK_WEBHOOK_URL: {
                    config: "slackWebhookUrl",
                    secret: true,
                },
                BATCH_SIZE: "50",
            },
            reservedConcurrentExecutions: 5,
            description: "Plans and launches the day's campaigns",
            events: [
                {
                    schedule: "rate(15 minutes)",
                },
                {
                    schedule: {
                        expression: "cron(0 12 * * ? *)",
                        enabled: false,
                        input: {
                            mode: "digest",
                        },
                    },
                },
                {
                    schedule: {
                        expression: "cron(0 18 ? * MON-FRI *)",
                        enabled: false,
                        input: {
                            mode: "digest",
                        },
                    },
                },
                {
                    sqs: {
                        queue: "arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev",
                        batchSize: 5,
                    },
                },
            ],
        },
        "report-sync": {
            image: "campaigns",
            command: ["src.functions.reports.sync.handler"],
            timeout: 900,
            environment: {
                CAMPAIGNS_TABLE: "campaigns-dev",
                REPORTS_QUEUE_URL: "TODO(lambda-docker import): {Ref: ReportsQueue}",
                LOG_LEVEL: "WARNING",
            },
            events: [
                {
                    sqs: {
                        queue: "TODO(lambda-docker import): !GetAtt ReportsQueue.Arn",
                        batchSize: 10,
                    },
                },
                {
                    schedule: "cron(0 3 * * ? *)",
                },
            ],
        },
        api: {
            image: "campaigns",
            command: ["src.functions.api.handler.handler"],
            environment: {
                CAMPAIGNS_TABLE: "campaigns-dev",
                REPORTS_QUEUE_URL: "TODO(lambda-docker import): {Ref: ReportsQueue}",
            },
            events: [
                {
                    http: "GET /campaigns",
                },
                {
                    http: "GET /campaigns/{id}",
                },
            ],
        },
    },
};

const SEED_STACK = {
    "aws:region": "us-east-1",
    "lambda-docker:memorySize": "1024",
    "lambda-docker:timeout": "120",
    "lambda-docker:logRetentionDays": "30",
    "lambda-docker:architecture": "x86_64",
    "lambda-docker:logLevel": "DEBUG",
};

const SEED_REPORT: Line[] = [
    ["converted", "provider.region", "→ stack aws:region = us-east-1"],
    ["converted", "provider.memorySize", "→ stack lambda-docker:memorySize = 1024"],
    ["converted", "provider.timeout", "→ stack lambda-docker:timeout = 120"],
    ["converted", "provider.logRetentionInDays", "→ stack lambda-docker:logRetentionDays = 30"],
    ["converted", "provider.architecture", "→ stack lambda-docker:architecture = x86_64"],
    [
        "converted",
        "provider.environment.STAGE",
        "not written: lambda-docker sets STAGE to the stack name in every function",
    ],
    [
        "converted",
        "provider.environment.LOG_LEVEL",
        "→ stack lambda-docker:logLevel = DEBUG (lambda-docker sets LOG_LEVEL in every function from it)",
    ],
    [
        "converted",
        "provider.environment.CAMPAIGNS_TABLE",
        '→ environment.CAMPAIGNS_TABLE of every function; environment.CAMPAIGNS_TABLE of every function = "campaigns-dev" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "placeholder",
        "provider.environment.REPORTS_QUEUE_URL",
        'environment.REPORTS_QUEUE_URL of every function = "TODO(lambda-docker import): {Ref: ReportsQueue}": a CloudFormation reference is known only at deploy time; replace it by hand',
    ],
    [
        "not converted",
        "provider.tracing",
        "lambda-docker's manifest and stack config have no equivalent; configure it in your Pulumi program if you need it",
    ],
    [
        "not converted",
        "provider.httpApi.cors",
        "HTTP API settings are not part of the manifest; configure the API in your Pulumi program",
    ],
    [
        "not converted",
        "provider.httpApi.authorizers",
        "HTTP API settings are not part of the manifest; configure the API in your Pulumi program",
    ],
    [
        "converted",
        "provider.ecr.images.campaigns",
        '→ images.campaigns: context app, build args APP_STAGE, PIP_INDEX_URL; images.campaigns.buildArgs.APP_STAGE = "dev" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "converted",
        "provider.ecr.images.campaigns.platform",
        "lambda-docker builds every image for stack lambda-docker:architecture (x86_64)",
    ],
    [
        "not converted",
        "provider.ecr",
        "Serverless's repository serverless-campaigns-dev is not reused: lambda-docker creates its own EcrRepository (or adopt the existing one with `adoptExisting: true` and `repositoryName`, see README)",
    ],
    [
        "converted",
        "provider.iamRoleStatements[0]",
        '→ policyStatements[0] (every function\'s role): Allow dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query on "arn:aws:dynamodb:us-east-1:123456789012:table/campaigns-dev"; policyStatements[0].resources[0] = "arn:aws:dynamodb:us-east-1:123456789012:table/campaigns-dev" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "converted",
        "provider.iamRoleStatements[1]",
        '→ policyStatements[1] (every function\'s role): Allow sqs:* on "arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev"; allowWildcards: true, because it grants action "sqs:*", which lambda-docker refuses unless allowed on purpose: the policy pack (iam-no-wildcards) still refuses it, since AWS has narrower grants for these actions: narrow it before the first CI run; policyStatements[1].resources[0] = "arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "converted",
        "provider.iamRoleStatements[2]",
        '→ policyStatements[2] (every function\'s role): Allow cloudwatch:PutMetricData on "*"; allowWildcards: true, because it grants resource "*", which lambda-docker refuses unless allowed on purpose: AWS grants these actions only on "*", so the policy pack accepts it',
    ],
    [
        "placeholder",
        "provider.iamRoleStatements[3].Resource",
        'policyStatements[3].resources[0] = "TODO(lambda-docker import): {Fn::GetAtt: [ReportsQueue, Arn]}": a CloudFormation reference is known only at deploy time; replace it by hand',
    ],
    [
        "converted",
        "provider.iamRoleStatements[3]",
        "→ policyStatements[3] (every function's role): Allow sqs:SendMessage on a placeholder",
    ],
    [
        "converted",
        "functions.campaignOrchestrator.environment.SLACK_WEBHOOK_URL",
        "functions.campaign-orchestrator.environment.SLACK_WEBHOOK_URL = config slackWebhookUrl (secret), read by the program from the stack's config: pulumi config set --secret slackWebhookUrl <value> --stack dev (it was ${ssm:/campaigns/${sls:stage}/slack-webhook})",
    ],
    [
        "converted",
        "functions.campaignOrchestrator",
        '→ functions.campaign-orchestrator: image function (image campaigns, command "src.functions.campaign.orchestrator.handler") (renamed from campaignOrchestrator)',
    ],
    [
        "converted",
        "functions.campaignOrchestrator.events[0].schedule",
        "→ functions.campaign-orchestrator.events[0]: schedule rate(15 minutes)",
    ],
    [
        "converted",
        "functions.campaignOrchestrator.events[1].schedule",
        "→ functions.campaign-orchestrator.events[1], functions.campaign-orchestrator.events[2]: schedule cron(0 12 * * ? *), cron(0 18 ? * MON-FRI *) (disabled) with its input",
    ],
    [
        "converted",
        "functions.campaignOrchestrator.events[2].sqs",
        '→ functions.campaign-orchestrator.events[3]: sqs arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev, batch size 5; functions.campaign-orchestrator.events[3].sqs.queue = "arn:aws:sqs:us-east-1:123456789012:campaign-jobs-dev" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "converted",
        "functions.reportSync",
        '→ functions.report-sync: image function (image campaigns, command "src.functions.reports.sync.handler") (renamed from reportSync)',
    ],
    [
        "placeholder",
        "functions.reportSync.events[0].sqs.arn",
        'functions.report-sync.events[0].sqs.queue = "TODO(lambda-docker import): !GetAtt ReportsQueue.Arn": a CloudFormation reference is known only at deploy time; replace it by hand',
    ],
    [
        "placeholder",
        "functions.reportSync.events[0].sqs",
        "→ functions.report-sync.events[0]: sqs (queue is a placeholder), batch size 10",
    ],
    [
        "converted",
        "functions.reportSync.events[1].schedule",
        "→ functions.report-sync.events[1]: schedule cron(0 3 * * ? *)",
    ],
    [
        "not converted",
        "functions.reportSync.events[2].s3",
        "the manifest has no s3 events (only schedule, http and sqs); add the trigger in your Pulumi program",
    ],
    [
        "converted",
        "functions.api",
        '→ functions.api: image function (image campaigns, command "src.functions.api.handler.handler")',
    ],
    [
        "converted",
        "functions.api.events[0].httpApi",
        "→ functions.api.events[0]: http GET /campaigns",
    ],
    [
        "converted",
        "functions.api.events[1].httpApi",
        "→ functions.api.events[1]: http GET /campaigns/{id}",
    ],
    [
        "not converted",
        "functions.api.events[2].httpApi",
        "it has an authorizer, which the manifest cannot express: without it the route would be public; add the route with its authorizer in your Pulumi program",
    ],
    [
        "not converted",
        "provider.runtime",
        '"python3.11" is unused: image functions take their runtime from their image',
    ],
    [
        "not converted",
        "resources.Resources.CampaignsRepository",
        'AWS::ECR::Repository: adopt it with `new EcrRepository(…, { repositoryName: "campaigns-dev", adoptExisting: true })` (see README), after setting DeletionPolicy: Retain on it and deploying, so removing the Serverless stack keeps it and its images',
    ],
    [
        "not converted",
        "resources.Resources.ReportsQueue",
        "AWS::SQS::Queue: keep it (import it as a Pulumi resource), or let lambda-docker create a new one per stage under the manifest's `queues:` and name it in sqs events (its messages and its URL stay with the old queue)",
    ],
    [
        "not converted",
        "resources.Outputs",
        "CloudFormation is not part of the manifest; write it as Pulumi resources",
    ],
    [
        "not converted",
        "plugins.serverless-prune-plugin",
        "Serverless plugins do not run under lambda-docker: lambda-docker publishes no function versions, so there are none to prune",
    ],
    [
        "not converted",
        "service",
        "deployed names change: Serverless named functions campaigns-<stage>-<function>; lambda-docker's are Pulumi auto-names",
    ],
    ["not converted", "frameworkVersion", "a Serverless Framework setting"],
    [
        "not converted",
        "custom",
        "read only through the ${self:custom…} variables that use it; plugin settings in it are not converted",
    ],
];

const SEED_TODOS: Todo[] = [
    {
        key: "policyStatements[3].resources[0]",
        expression: "{Fn::GetAtt: [ReportsQueue, Arn]}",
    },
    {
        key: "functions.campaign-orchestrator.environment.REPORTS_QUEUE_URL",
        expression: "{Ref: ReportsQueue}",
    },
    {
        key: "functions.report-sync.environment.REPORTS_QUEUE_URL",
        expression: "{Ref: ReportsQueue}",
    },
    {
        key: "functions.report-sync.events[0].sqs.queue",
        expression: "!GetAtt ReportsQueue.Arn",
    },
    {
        key: "functions.api.environment.REPORTS_QUEUE_URL",
        expression: "{Ref: ReportsQueue}",
    },
];

const MINIMAL_MANIFEST = {
    images: {
        app: {
            context: ".",
        },
    },
    functions: {
        hello: {
            image: "app",
            command: ["app.handler"],
            events: [
                {
                    http: "$default",
                },
            ],
        },
    },
};

const MINIMAL_STACK = {
    "aws:region": "us-east-1",
    "lambda-docker:memorySize": "1024",
    "lambda-docker:timeout": "6",
};

const MINIMAL_REPORT: Line[] = [
    ["converted", "provider.region", "not set: Serverless's default us-east-1 → stack aws:region"],
    [
        "converted",
        "provider.memorySize",
        "not set: Serverless's default 1024 MB → stack lambda-docker:memorySize",
    ],
    [
        "converted",
        "provider.timeout",
        "not set: Serverless's default 6 seconds → stack lambda-docker:timeout",
    ],
    ["converted", "provider.ecr.images.app", "→ images.app: context ."],
    [
        "not converted",
        "provider.ecr",
        "Serverless's repository serverless-hello-dev is not reused: lambda-docker creates its own EcrRepository (or adopt the existing one with `adoptExisting: true` and `repositoryName`, see README)",
    ],
    [
        "converted",
        "functions.hello.image.command",
        'not set: functions.hello.command = ["app.handler"], the CMD of Dockerfile that Serverless\'s function ran',
    ],
    [
        "converted",
        "functions.hello",
        '→ functions.hello: image function (image app, command "app.handler")',
    ],
    [
        "converted",
        "functions.hello.events[0].httpApi",
        "→ functions.hello.events[0]: http $default",
    ],
    [
        "not converted",
        "service",
        "deployed names change: Serverless named functions hello-<stage>-<function>; lambda-docker's are Pulumi auto-names",
    ],
];

const MINIMAL_TODOS: Todo[] = [];

const URI_MANIFEST = {
    images: {
        app: {
            context: "app",
            dockerfile: "app/Dockerfile.lambda",
        },
        "ledger-export": {
            uri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing-legacy@sha256:6bb600b4d6e1d7cf521097177dd0c4e9ea373edb91984a505333be8ac9455d38",
        },
        worker: {
            uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:3f2a9c0d1e2b4a5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab",
        },
    },
    functions: {
        invoices: {
            image: "app",
            command: ["invoices.handler"],
            events: [
                {
                    schedule: "rate(1 hour)",
                },
            ],
        },
        "ledger-export": {
            image: "ledger-export",
            command: ["ledger.export_handler"],
            events: [
                {
                    schedule: "cron(0 2 * * ? *)",
                },
            ],
        },
        worker: {
            image: "worker",
            command: ["TODO(lambda-docker import): image.command (the image's CMD)"],
            timeout: 60,
            events: [
                {
                    sqs: "arn:aws:sqs:eu-west-1:123456789012:billing-work",
                },
            ],
        },
    },
};

const URI_STACK = {
    "aws:region": "eu-west-1",
    "lambda-docker:memorySize": "1024",
    "lambda-docker:timeout": "6",
    "lambda-docker:architecture": "arm64",
};

const URI_REPORT: Line[] = [
    ["converted", "provider.region", "→ stack aws:region = eu-west-1"],
    [
        "converted",
        "provider.memorySize",
        "not set: Serverless's default 1024 MB → stack lambda-docker:memorySize",
    ],
    [
        "converted",
        "provider.timeout",
        "not set: Serverless's default 6 seconds → stack lambda-docker:timeout",
    ],
    ["converted", "provider.architecture", "→ stack lambda-docker:architecture = arm64"],
    [
        "converted",
        "provider.ecr.images.app",
        "→ images.app: context app, dockerfile app/Dockerfile.lambda",
    ],
    [
        "not converted",
        "provider.ecr.images.app.cacheFrom",
        "LambdaImage caches builds in the ECR registry itself",
    ],
    [
        "not converted",
        "provider.ecr.images.legacy",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing-legacy@sha256:6bb600b4d6e1d7cf521097177dd0c4e9ea373edb91984a505333be8ac9455d38 is a prebuilt image (uri), not a build: the manifest only lists images lambda-docker builds",
    ],
    [
        "converted",
        "provider.ecr.images.app.platform",
        "lambda-docker builds every image for stack lambda-docker:architecture (arm64)",
    ],
    [
        "not converted",
        "provider.ecr",
        "Serverless's repository serverless-billing-dev is not reused: lambda-docker creates its own EcrRepository (or adopt the existing one with `adoptExisting: true` and `repositoryName`, see README)",
    ],
    [
        "converted",
        "functions.invoices",
        '→ functions.invoices: image function (image app, command "invoices.handler")',
    ],
    [
        "converted",
        "functions.invoices.events[0].schedule",
        "→ functions.invoices.events[0]: schedule rate(1 hour)",
    ],
    [
        "converted",
        "functions.ledgerExport",
        "→ functions.ledger-export: image function (prebuilt image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing-legacy@sha256:6bb600b4d6e1d7cf521097177dd0c4e9ea373edb91984a505333be8ac9455d38) (renamed from ledgerExport)",
    ],
    [
        "converted",
        "functions.ledgerExport.events[0].schedule",
        "→ functions.ledger-export.events[0]: schedule cron(0 2 * * ? *)",
    ],
    [
        "placeholder",
        "functions.worker.image.command",
        "functions.worker.command[0]: a prebuilt image's CMD is not in serverless.yml; write its handler by hand",
    ],
    [
        "converted",
        "functions.worker",
        "→ functions.worker: image function (prebuilt image 123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:3f2a9c0d1e2b4a5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab)",
    ],
    [
        "converted",
        "functions.worker.events[0].sqs",
        "→ functions.worker.events[0]: sqs arn:aws:sqs:eu-west-1:123456789012:billing-work",
    ],
    [
        "not converted",
        "service",
        "deployed names change: Serverless named functions billing-<stage>-<function>; lambda-docker's are Pulumi auto-names",
    ],
    ["not converted", "frameworkVersion", "a Serverless Framework setting"],
];

const URI_TODOS: Todo[] = [
    {
        key: "functions.worker.command[0]",
        expression: "image.command (the image's CMD)",
    },
];

const ZIPLAYERS_MANIFEST = {
    layers: {
        "common-libs": {
            path: "layers/common",
            description: "Shared report helpers",
        },
    },
    functions: {
        "list-reports": {
            handler: "src.handlers.reports.list_reports",
            code: {
                path: ".",
                exclude: [
                    ".git/**",
                    ".gitignore",
                    ".DS_Store",
                    "npm-debug.log",
                    "yarn-*.log",
                    ".serverless/**",
                    ".serverless_plugins/**",
                    "serverless.yml",
                    "serverless.yaml",
                    "serverless.json",
                    "node_modules/**",
                    "package.json",
                    "package-lock.json",
                    "tsconfig.json",
                    "index.ts",
                    "Pulumi.yaml",
                    "Pulumi.*.yaml",
                    "stacks/**",
                    "events/**",
                    "lambda-docker.yaml",
                    ".lambda-docker/**",
                    "tests/**",
                    "layers/**",
                ],
            },
            runtime: "python3.12",
            layers: [
                "common-libs",
                "arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV2-Arm64:79",
            ],
            environment: {
                POWERTOOLS_SERVICE_NAME: "reports",
                REPORTS_BUCKET: "reports-dev-exports",
                API_TOKEN: {
                    config: "apiToken",
                    secret: true,
                },
                PAGE_SIZE: "25",
            },
            events: [
                {
                    http: "GET /reports",
                },
            ],
        },
        "get-report": {
            handler: "src.handlers.reports.get_report",
            code: {
                path: ".",
                exclude: [
                    ".git/**",
                    ".gitignore",
                    ".DS_Store",
                    "npm-debug.log",
                    "yarn-*.log",
                    ".serverless/**",
                    ".serverless_plugins/**",
                    "serverless.yml",
                    "serverless.yaml",
                    "serverless.json",
                    "node_modules/**",
                    "package.json",
                    "package-lock.json",
                    "tsconfig.json",
                    "index.ts",
                    "Pulumi.yaml",
                    "Pulumi.*.yaml",
                    "stacks/**",
                    "events/**",
                    "lambda-docker.yaml",
                    ".lambda-docker/**",
                    "tests/**",
                    "layers/**",
                ],
            },
            runtime: "python3.12",
            layers: ["common-libs"],
            environment: {
                POWERTOOLS_SERVICE_NAME: "reports",
                REPORTS_BUCKET: "reports-dev-exports",
                API_TOKEN: {
                    config: "apiToken",
                    secret: true,
                },
                PAGE_SIZE: "25",
            },
            events: [
                {
                    http: "GET /reports/{id}",
                },
            ],
        },
        health: {
            handler: "src.handlers.health.handler",
            code: {
                path: ".",
                exclude: [
                    ".git/**",
                    ".gitignore",
                    ".DS_Store",
                    "npm-debug.log",
                    "yarn-*.log",
                    ".serverless/**",
                    ".serverless_plugins/**",
                    "serverless.yml",
                    "serverless.yaml",
                    "serverless.json",
                    "node_modules/**",
                    "package.json",
                    "package-lock.json",
                    "tsconfig.json",
                    "index.ts",
                    "Pulumi.yaml",
                    "Pulumi.*.yaml",
                    "stacks/**",
                    "events/**",
                    "lambda-docker.yaml",
                    ".lambda-docker/**",
                    "tests/**",
                    "layers/**",
                ],
            },
            runtime: "python3.11",
            layers: [
                "arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV2-Arm64:79",
            ],
            environment: {
                POWERTOOLS_SERVICE_NAME: "reports",
                REPORTS_BUCKET: "reports-dev-exports",
                API_TOKEN: {
                    config: "apiToken",
                    secret: true,
                },
                PAGE_SIZE: "25",
            },
            description: "Liveness probe",
            events: [
                {
                    http: "ANY /{proxy+}",
                },
            ],
        },
    },
};

const ZIPLAYERS_STACK = {
    "aws:region": "eu-central-1",
    "lambda-docker:memorySize": "512",
    "lambda-docker:timeout": "29",
    "lambda-docker:architecture": "arm64",
};

const ZIPLAYERS_REPORT: Line[] = [
    ["converted", "provider.region", "→ stack aws:region = eu-central-1"],
    ["converted", "provider.memorySize", "→ stack lambda-docker:memorySize = 512"],
    ["converted", "provider.timeout", "→ stack lambda-docker:timeout = 29"],
    ["converted", "provider.architecture", "→ stack lambda-docker:architecture = arm64"],
    [
        "converted",
        "provider.environment.POWERTOOLS_SERVICE_NAME",
        "→ environment.POWERTOOLS_SERVICE_NAME of every function",
    ],
    [
        "converted",
        "provider.environment.REPORTS_BUCKET",
        '→ environment.REPORTS_BUCKET of every function; environment.REPORTS_BUCKET of every function = "reports-dev-exports" is the "dev" value of a stage-dependent expression, but the manifest is shared by every stack: give other stages their own manifest (`lambda-docker:manifest`) or set it in code',
    ],
    [
        "converted",
        "provider.environment.API_TOKEN",
        "environment.API_TOKEN of every function = config apiToken (secret), read by the program from the stack's config: pulumi config set --secret apiToken <value> --stack dev (it was ${env:REPORTS_API_TOKEN})",
    ],
    [
        "converted",
        "provider.environment.PAGE_SIZE",
        "→ environment.PAGE_SIZE of every function; environment.PAGE_SIZE of every function = 25 is the default of ${env:PAGE_SIZE, 25} (${env:PAGE_SIZE}: environment variables are not read by the importer): check it is the value you deploy with",
    ],
    [
        "converted",
        "layers.commonLibs",
        "→ layers.common-libs: the directory layers/common, zipped as is (renamed from commonLibs)",
    ],
    ["not converted", "layers.commonLibs.compatibleRuntimes", "no manifest equivalent"],
    [
        "converted",
        "functions.listReports.handler",
        "src/handlers/reports.list_reports → functions.list-reports.handler = src.handlers.reports.list_reports (Lambda's Python runtime imports path/to/module as path.to.module)",
    ],
    [
        "converted",
        "functions.listReports.layers[0]",
        "!Ref CommonLibsLambdaLayer → functions.list-reports.layers: common-libs",
    ],
    [
        "converted",
        "functions.listReports.layers[1]",
        "→ functions.list-reports.layers: arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV2-Arm64:79",
    ],
    [
        "converted",
        "functions.listReports",
        "→ functions.list-reports: zip function (handler src.handlers.reports.list_reports, runtime python3.12, code: the service directory, see package) (renamed from listReports)",
    ],
    [
        "converted",
        "functions.listReports.events[0].http",
        "→ functions.list-reports.events[0]: http GET /reports: a REST API (v1) endpoint becomes an HTTP API route, with a new URL and payload format 2.0 (requestContext.http.method, rawPath, …); check the handler reads it",
    ],
    [
        "not converted",
        "functions.listReports.events[0].http.cors",
        "CORS is configured on the API, in your Pulumi program",
    ],
    [
        "converted",
        "functions.getReport.handler",
        "src/handlers/reports.get_report → functions.get-report.handler = src.handlers.reports.get_report (Lambda's Python runtime imports path/to/module as path.to.module)",
    ],
    [
        "converted",
        "functions.getReport.layers[0]",
        "{Ref: CommonLibsLambdaLayer} → functions.get-report.layers: common-libs",
    ],
    [
        "converted",
        "functions.getReport",
        "→ functions.get-report: zip function (handler src.handlers.reports.get_report, runtime python3.12, code: the service directory, see package) (renamed from getReport)",
    ],
    [
        "converted",
        "functions.getReport.events[0].http",
        "→ functions.get-report.events[0]: http GET /reports/{id}: a REST API (v1) endpoint becomes an HTTP API route, with a new URL and payload format 2.0 (requestContext.http.method, rawPath, …); check the handler reads it",
    ],
    [
        "converted",
        "functions.health.handler",
        "src/handlers/health.handler → functions.health.handler = src.handlers.health.handler (Lambda's Python runtime imports path/to/module as path.to.module)",
    ],
    [
        "converted",
        "provider.layers[0]",
        "→ functions.*.layers: arn:aws:lambda:eu-central-1:017000801446:layer:AWSLambdaPowertoolsPythonV2-Arm64:79",
    ],
    [
        "converted",
        "functions.health",
        "→ functions.health: zip function (handler src.handlers.health.handler, runtime python3.11, code: the service directory, see package)",
    ],
    [
        "converted",
        "functions.health.events[0].http",
        "→ functions.health.events[0]: http ANY /{proxy+}: a REST API (v1) endpoint becomes an HTTP API route, with a new URL and payload format 2.0 (requestContext.http.method, rawPath, …); check the handler reads it",
    ],
    [
        "converted",
        "package",
        "→ functions.list-reports.code, functions.get-report.code, functions.health.code: the service directory, minus Serverless's default excludes, the lambda-docker project's own files and the package patterns, as Serverless zipped it",
    ],
    [
        "converted",
        "provider.runtime",
        '"python3.12" → the runtime of the 2 zip function(s) that set none',
    ],
    ["converted", "provider.layers", "used by health (the zip functions without their own layers)"],
    [
        "not converted",
        "service",
        "deployed names change: Serverless named functions reports-api-<stage>-<function>; lambda-docker's are Pulumi auto-names",
    ],
    ["not converted", "frameworkVersion", "a Serverless Framework setting"],
];

const ZIPLAYERS_TODOS: Todo[] = [];

const SEED_HEADER = [
    '# Generated by `lambda-docker import serverless` from serverless.yml (stage "dev").',
    "# Review it, and the import report, before the first deploy.",
    '# TODO: 5 value(s) the importer could not resolve are written as "TODO(lambda-docker import): <expression>";',
    "# the manifest is refused until each is replaced by hand:",
    "#   - policyStatements[3].resources[0]: {Fn::GetAtt: [ReportsQueue, Arn]}",
    "#   - functions.campaign-orchestrator.environment.REPORTS_QUEUE_URL: {Ref: ReportsQueue}",
    "#   - functions.report-sync.environment.REPORTS_QUEUE_URL: {Ref: ReportsQueue}",
    "#   - functions.report-sync.events[0].sqs.queue: !GetAtt ReportsQueue.Arn",
    "#   - functions.api.environment.REPORTS_QUEUE_URL: {Ref: ReportsQueue}",
];

describe("import serverless: fixtures", () => {
    const cases: [string, Record<string, unknown>, Record<string, string>, Line[], Todo[]][] = [
        ["seed", SEED_MANIFEST, SEED_STACK, SEED_REPORT, SEED_TODOS],
        ["minimal", MINIMAL_MANIFEST, MINIMAL_STACK, MINIMAL_REPORT, MINIMAL_TODOS],
        ["uri", URI_MANIFEST, URI_STACK, URI_REPORT, URI_TODOS],
        ["zip-layers", ZIPLAYERS_MANIFEST, ZIPLAYERS_STACK, ZIPLAYERS_REPORT, ZIPLAYERS_TODOS],
    ];
    for (const [name, manifest, stack, report, todos] of cases) {
        it(`${name}: the exact manifest, stack config, report and TODOs`, () => {
            const result = fixture(name);
            assert.deepEqual(result.manifest, manifest);
            assert.deepEqual(result.stackConfig, stack);
            assert.deepEqual(lines(result), report);
            assert.deepEqual(result.todos, todos);
        });

        it(`${name}: the YAML files hold exactly the manifest and the stack config, and the paths exist`, () => {
            const result = fixture(name);
            assert.deepEqual(YAML.parse(result.manifestYaml), manifest);
            const written = YAML.parse(result.stackYaml) as { config: Record<string, unknown> };
            assert.deepEqual(
                Object.fromEntries(Object.entries(written.config).map(([k, v]) => [k, String(v)])),
                stack,
            );
            assertPathsExist(path.join(FIXTURES, name), manifest);
            const header = result.manifestYaml.split("\n").filter((l) => l.startsWith("#"));
            assert.equal(header.length, todos.length === 0 ? 3 : 4 + todos.length);
            assert.deepEqual(
                header.slice(4),
                todos.map((t) => `#   - ${t.key}: ${t.expression}`),
            );
        });

        it(`${name}: every placeholder in the manifest is listed as a TODO, and nothing else starts with the prefix`, () => {
            const result = fixture(name);
            const found: string[] = [];
            const walk = (v: unknown): void => {
                if (typeof v === "string" && v.startsWith(PLACEHOLDER_PREFIX))
                    found.push(v.slice(PLACEHOLDER_PREFIX.length));
                else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
            };
            walk(result.manifest);
            assert.deepEqual(found.sort(), todos.map((t) => t.expression).sort());
        });
    }

    it("seed: the manifest's header says it was generated and lists every TODO", () => {
        assert.deepEqual(
            fixture("seed").manifestYaml.split("\n").slice(0, SEED_HEADER.length),
            SEED_HEADER,
        );
    });

    it("minimal: the exact files", () => {
        const result = fixture("minimal");
        assert.equal(
            result.manifestYaml,
            [
                '# Generated by `lambda-docker import serverless` from serverless.yml (stage "dev").',
                "# Review it, and the import report, before the first deploy.",
                "# No TODO: every value was resolved.",
                "images:",
                "  app:",
                "    context: .",
                "functions:",
                "  hello:",
                "    image: app",
                "    command: [app.handler]",
                "    events:",
                "      - http: $default",
                "",
            ].join("\n"),
        );
        assert.equal(
            result.stackYaml,
            [
                '# Generated by `lambda-docker import serverless` from serverless.yml (stage "dev").',
                "config:",
                "  aws:region: us-east-1",
                "  lambda-docker:memorySize: 1024",
                "  lambda-docker:timeout: 6",
                "",
            ].join("\n"),
        );
    });

    it("every stack config is valid for the stack it names", () => {
        for (const name of ["seed", "minimal", "uri", "zip-layers"]) {
            const result = fixture(name);
            assert.doesNotThrow(() => parseStackConfig("dev", result.stackConfig), name);
        }
    });

    it("seed for stage prod: the prod config file, prod ARNs and log level, and the stage in every name", () => {
        const result = fixture("seed", "prod");
        assert.deepEqual(result.stackConfig, { ...SEED_STACK, "lambda-docker:logLevel": "INFO" });
        const m = result.manifest as typeof SEED_MANIFEST;
        assert.deepEqual(m.policyStatements[0].resources, [
            "arn:aws:dynamodb:us-east-1:210987654321:table/campaigns-prod",
        ]);
        assert.deepEqual(m.policyStatements[1].resources, [
            "arn:aws:sqs:us-east-1:210987654321:campaign-jobs-prod",
        ]);
        assert.deepEqual(m.functions["campaign-orchestrator"].events[3], {
            sqs: { queue: "arn:aws:sqs:us-east-1:210987654321:campaign-jobs-prod", batchSize: 5 },
        });
        assert.equal(m.functions.api.environment.CAMPAIGNS_TABLE, "campaigns-prod");
        assert.deepEqual(m.images.campaigns.buildArgs, {
            APP_STAGE: "prod",
            PIP_INDEX_URL: "https://pypi.org/simple",
        });
        assert.match(
            result.stackYaml,
            /^# Generated by `lambda-docker import serverless` from serverless.yml \(stage "prod"\)\.$/m,
        );
    });

    it("writes paths relative to --out", () => {
        const result = importServerless(path.join(FIXTURES, "seed", "serverless.yml"), {
            outDir: FIXTURES,
            readFile: readIfExists,
        });
        assert.deepEqual((result.manifest.images as Record<string, unknown>).campaigns, {
            context: "seed/app",
            buildArgs: { APP_STAGE: "dev", PIP_INDEX_URL: "https://pypi.org/simple" },
        });
        assert.match(
            result.manifestYaml,
            /^# Generated by `lambda-docker import serverless` from seed\/serverless.yml \(stage "dev"\)\.$/m,
        );
    });

    it("refuses a stage that cannot name a stack", () => {
        assert.throws(() => fixture("minimal", "Prod"), {
            message:
                '`--stage` must be lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev"); got "Prod".',
        });
    });
});

/** A resolver over in-memory files under /svc. */
function resolver(files: Record<string, string>, stage = "dev"): VariableResolver {
    return new VariableResolver("/svc", "serverless.yml", stage, (f) => files[f]);
}

function valueAt(r: VariableResolver, ...keys: string[]): unknown {
    return r.value(r.at(r.root(), ...keys)).value;
}

describe("import serverless: variables", () => {
    const SERVICE = [
        "service: orders",
        "provider:",
        "  name: aws",
        "  stage: qa",
        "  region: ${opt:region, self:provider.defaultRegion, 'eu-west-1'}",
        "custom:",
        "  stage: ${opt:stage, 'dev'}",
        "  tables:",
        "    dev: orders-dev-table",
        "    prod: orders-prod-table",
        "  table: ${self:custom.tables.${sls:stage}}",
        "  name: orders-${sls:stage}-${self:custom.table}",
        "  size: ${self:custom.missing, 42}",
        "  sized: n${self:custom.size}",
        "  flag: ${self:custom.missing, true}",
        '  quoted: ${self:custom.missing, "a, b"}',
        "  fromEnv: ${env:ORDERS_TABLE, 'orders-local'}",
        "  inc: ${file(sls/a.yml)}",
        "  incKey: ${file(./sls/a.yml):nested.value}",
        "  perStage: ${file(sls/${self:custom.stage}.yml):memory}",
        "  missingDefault: ${file(sls/missing.yml):x, 'fallback'}",
        "  domain: ${param:domain}",
        "stages:",
        "  default:",
        "    params:",
        "      domain: example.dev",
        "  prod:",
        "    params:",
        "      domain: example.com",
    ].join("\n");
    const FILES = {
        "/svc/serverless.yml": SERVICE,
        "/svc/sls/a.yml":
            "nested:\n  value: ${file(sls/b.yml):deep}\n  stage: ${self:custom.stage}\n",
        "/svc/sls/b.yml": "deep: from-b-${sls:stage}\n",
        "/svc/sls/dev.yml": "memory: 512\n",
        "/svc/sls/prod.yml": "memory: 2048\n",
    };

    it("resolves ${opt:stage} and ${sls:stage} to the stage, with defaults only when nothing else answers", () => {
        assert.equal(valueAt(resolver(FILES), "custom", "stage"), "dev");
        assert.equal(valueAt(resolver(FILES, "prod"), "custom", "stage"), "prod");
        assert.equal(valueAt(resolver(FILES), "provider", "region"), "eu-west-1");
    });

    it("resolves variables nested in variables, and variables embedded in strings", () => {
        assert.equal(valueAt(resolver(FILES), "custom", "table"), "orders-dev-table");
        assert.equal(
            valueAt(resolver(FILES, "prod"), "custom", "name"),
            "orders-prod-orders-prod-table",
        );
        assert.equal(valueAt(resolver(FILES), "custom", "sized"), "n42");
    });

    it("takes defaults as YAML would read them: numbers, booleans and quoted strings with commas", () => {
        const r = resolver(FILES);
        assert.equal(valueAt(r, "custom", "size"), 42);
        assert.equal(valueAt(r, "custom", "flag"), true);
        assert.equal(valueAt(r, "custom", "quoted"), "a, b");
    });

    it("notes a default taken in place of a source the importer does not read", () => {
        const r = resolver(FILES);
        assert.deepEqual(r.value(r.at(r.root(), "custom", "fromEnv")), {
            value: "orders-local",
            notes: {
                stage: false,
                defaults: [
                    {
                        expression: "${env:ORDERS_TABLE, 'orders-local'}",
                        reason: "${env:ORDERS_TABLE}: environment variables are not read by the importer",
                    },
                ],
            },
        });
        assert.deepEqual(r.value(r.at(r.root(), "provider", "region")).notes.defaults, [
            {
                expression: "${opt:region, self:provider.defaultRegion, 'eu-west-1'}",
                reason: "option --region is not given (the import stands for `serverless deploy --stage dev`)",
            },
        ]);
    });

    it("includes files, whole or by key, nested, with paths from the service directory as Serverless resolves them", () => {
        const r = resolver(FILES);
        assert.deepEqual(valueAt(r, "custom", "inc"), {
            nested: { value: "from-b-dev", stage: "dev" },
        });
        assert.equal(valueAt(r, "custom", "incKey"), "from-b-dev");
        assert.equal(valueAt(r, "custom", "perStage"), 512);
        assert.equal(valueAt(resolver(FILES, "prod"), "custom", "perStage"), 2048);
        assert.equal(valueAt(r, "custom", "missingDefault"), "fallback");
    });

    it("marks values that depend on the stage, through self references and included files", () => {
        const r = resolver(FILES);
        assert.equal(r.value(r.at(r.root(), "custom", "incKey")).notes.stage, true);
        assert.equal(r.value(r.at(r.root(), "custom", "perStage")).notes.stage, true);
        assert.equal(r.value(r.at(r.root(), "custom", "size")).notes.stage, false);
    });

    it("reads ${param:…} from serverless.yml's stages, the stage's own first", () => {
        assert.equal(valueAt(resolver(FILES), "custom", "domain"), "example.dev");
        assert.equal(valueAt(resolver(FILES, "prod"), "custom", "domain"), "example.com");
    });

    it("leaves what it cannot read as Unresolved, naming the expression and why; never a guess", () => {
        const r = resolver({
            "/svc/serverless.yml": [
                "custom:",
                "  ssm: ${ssm:/orders/table}",
                "  env: ${env:TABLE}",
                "  cf: ${cf:other-stack.TableName}",
                "  account: ${aws:accountId}",
                "  vault: ${vault:secret/orders}",
                "  embedded: orders-${ssm:/orders/suffix}",
                "  viaSelf: ${self:custom.ssm}",
                "  missingSelf: ${self:custom.nothing}",
                "  mapInString: x-${self:custom.map}",
                "  map: {a: 1}",
                "  js: ${file(./config.js):table}",
                "  instance: ${sls:instanceId}",
                "  bare: ${opt:region, eu-west-1}",
                "  resolver: ${shared-resolver:ssm:/orders/table}",
            ].join("\n"),
        });
        const cases: [string, Unresolved][] = [
            [
                "ssm",
                new Unresolved(
                    "${ssm:/orders/table}",
                    "${ssm:/orders/table}",
                    "SSM parameters are not read by the importer",
                ),
            ],
            [
                "env",
                new Unresolved(
                    "${env:TABLE}",
                    "${env:TABLE}",
                    "environment variables are not read by the importer",
                ),
            ],
            [
                "cf",
                new Unresolved(
                    "${cf:other-stack.TableName}",
                    "${cf:other-stack.TableName}",
                    "CloudFormation stack outputs are not read by the importer",
                ),
            ],
            [
                "account",
                new Unresolved(
                    "${aws:accountId}",
                    "${aws:accountId}",
                    "AWS account values are not read by the importer",
                ),
            ],
            [
                "vault",
                new Unresolved(
                    "${vault:secret/orders}",
                    "${vault:secret/orders}",
                    '"vault" variables are not read by the importer',
                ),
            ],
            [
                "embedded",
                new Unresolved(
                    "orders-${ssm:/orders/suffix}",
                    "${ssm:/orders/suffix}",
                    "SSM parameters are not read by the importer",
                ),
            ],
            [
                "viaSelf",
                new Unresolved(
                    "${self:custom.ssm}",
                    "${ssm:/orders/table}",
                    "SSM parameters are not read by the importer",
                ),
            ],
            [
                "missingSelf",
                new Unresolved(
                    "${self:custom.nothing}",
                    "${self:custom.nothing}",
                    "serverless.yml has no value at custom.nothing",
                ),
            ],
            [
                "mapInString",
                new Unresolved(
                    "x-${self:custom.map}",
                    "${self:custom.map}",
                    "${self:custom.map} is a mapping or list, which cannot be part of a string",
                ),
            ],
            [
                "js",
                new Unresolved(
                    "${file(./config.js):table}",
                    "${file(./config.js):table}",
                    "JavaScript and TypeScript files are not run by the importer",
                ),
            ],
            [
                "instance",
                new Unresolved(
                    "${sls:instanceId}",
                    "${sls:instanceId}",
                    "only ${sls:stage} has a value outside a Serverless run",
                ),
            ],
            [
                "bare",
                new Unresolved(
                    "${opt:region, eu-west-1}",
                    "${eu-west-1}",
                    "it is neither a variable source nor a quoted string, number or boolean (Serverless refuses it too)",
                ),
            ],
            [
                "resolver",
                new Unresolved(
                    "${shared-resolver:ssm:/orders/table}",
                    "${shared-resolver:ssm:/orders/table}",
                    '"shared-resolver" variables are not read by the importer',
                ),
            ],
        ];
        for (const [key, expected] of cases)
            assert.deepEqual(valueAt(r, "custom", key), expected, key);
    });

    it("leaves CloudFormation's own ${AWS::…} and ${Name} as text, as Serverless does (its sources start lowercase)", () => {
        const r = resolver({
            "/svc/serverless.yml":
                "custom:\n  a: arn:${AWS::Partition}:s3:::orders-${sls:stage}\n  b: ${Bucket}\n",
        });
        assert.equal(valueAt(r, "custom", "a"), "arn:${AWS::Partition}:s3:::orders-dev");
        assert.equal(valueAt(r, "custom", "b"), "${Bucket}");
    });

    it("reads CloudFormation tags and intrinsic mappings as Intrinsic values, without crashing", () => {
        const r = resolver({
            "/svc/serverless.yml":
                "custom:\n  a: !GetAtt Queue.Arn\n  b: !Join [':', [arn, !Ref AWS::Region]]\n  c: {Ref: Queue}\n  d: !Sub 'arn:${AWS::Partition}:s3:::b'\n",
        });
        assert.deepEqual(
            valueAt(r, "custom", "a"),
            new Intrinsic("!GetAtt Queue.Arn", "Queue.Arn"),
        );
        assert.equal(
            (valueAt(r, "custom", "b") as Intrinsic).source,
            '!Join [":", [arn, !Ref AWS::Region]]',
        );
        assert.deepEqual(
            valueAt(r, "custom", "c"),
            new Intrinsic("{Ref: Queue}", { Ref: "Queue" }),
        );
        assert.equal(
            (valueAt(r, "custom", "d") as Intrinsic).source,
            "!Sub arn:${AWS::Partition}:s3:::b",
        );
    });

    it("refuses self-reference cycles with the chain of keys", () => {
        const r = resolver({
            "/svc/serverless.yml":
                "custom:\n  a: ${self:custom.b}\n  b: x-${self:custom.a}\n  whole: ${self:custom.inner}\n  inner:\n    back: ${self:custom.whole}\n",
        });
        assert.throws(() => valueAt(r, "custom", "a"), {
            message:
                "Cannot resolve ${self:custom.b} at custom.a: its variables refer back to it (custom.a → custom.b → custom.a).",
        });
        assert.throws(() => valueAt(r, "custom", "whole"), {
            message:
                "Cannot resolve ${self:custom.inner} at custom.whole: its variables refer back to it (custom.whole → custom.inner.back → custom.whole).",
        });
    });

    it("refuses cycles through included files, naming the file", () => {
        const r = resolver({
            "/svc/serverless.yml": "custom:\n  inc: ${file(sls/a.yml)}\n",
            "/svc/sls/a.yml": "x: ${self:custom.inc.x}\n",
        });
        assert.throws(() => valueAt(r, "custom", "inc"), {
            message:
                "Cannot resolve ${file(sls/a.yml)} at custom.inc: its variables refer back to it (custom.inc → sls/a.yml: x → custom.inc).",
        });
    });

    it("leaves an include whose file is missing unresolved, naming the file; Serverless reads nested includes from the service directory", () => {
        const r = resolver({
            "/svc/serverless.yml":
                "custom:\n  a: ${file(sls/missing.yml)}\n  b: ${file(sls/a.yml)}\n",
            "/svc/sls/a.yml": "x: ${file(./b.yml)}\n",
            "/svc/sls/b.yml": "y: 1\n",
        });
        assert.deepEqual(
            valueAt(r, "custom", "a"),
            new Unresolved(
                "${file(sls/missing.yml)}",
                "${file(sls/missing.yml)}",
                "file sls/missing.yml not found (file paths are relative to the service directory, the directory of serverless.yml)",
                undefined,
            ),
        );
        assert.deepEqual(valueAt(r, "custom", "b"), {
            x: new Unresolved(
                "${file(./b.yml)}",
                "${file(./b.yml)}",
                "file b.yml not found (file paths are relative to the service directory, the directory of serverless.yml)",
                undefined,
            ),
        });
    });

    it("names the file that does not parse", () => {
        const r = resolver({
            "/svc/serverless.yml": "custom:\n  a: ${file(sls/bad.yml)}\n",
            "/svc/sls/bad.yml": "a: [1, 2\n",
        });
        assert.throws(() => valueAt(r, "custom", "a"), {
            message:
                "Cannot parse sls/bad.yml: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2",
        });
        assert.throws(() => resolver({}).root(), {
            message: "Cannot read serverless.yml: no such file in /svc.",
        });
    });

    it("resolves only what is read: an unreadable value in plugin settings neither fails nor shows up", () => {
        const files = {
            "/svc/serverless.yml":
                "service: s\nprovider:\n  name: aws\ncustom:\n  alerts:\n    topic: ${cf:alerts.TopicArn}\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nfunctions: {}\n",
        };
        const result = importServerless("/svc/serverless.yml", {
            readFile: (f) => (files as Record<string, string>)[f],
        });
        assert.deepEqual(result.todos, []);
    });
});

/** Imports an in-memory service whose files live under /svc. */
function service(yaml: string, extra: Record<string, string> = {}): ImportResult {
    const files: Record<string, string> = { "/svc/serverless.yml": yaml, ...extra };
    return importServerless("/svc/serverless.yml", { readFile: (f) => files[f] });
}

function linesFor(result: ImportResult, prefix: string): Line[] {
    return lines(result).filter(
        ([, item]) =>
            item === prefix || item.startsWith(`${prefix}.`) || item.startsWith(`${prefix}[`),
    );
}

const IMAGE_SERVICE = (functions: string, provider = "") =>
    `service: s\nprovider:\n  name: aws\n${provider}  ecr:\n    images:\n      app:\n        path: app\nfunctions:\n${functions}`;
const DOCKERFILE = {
    "/svc/app/Dockerfile": 'FROM public.ecr.aws/lambda/python:3.11\nCMD ["app.handler"]\n',
};

describe("import serverless: conversion rules", () => {
    it("converts every http and httpApi route form to the manifest's route", () => {
        const result = service(
            IMAGE_SERVICE(
                [
                    "  api:",
                    "    image: app",
                    "    events:",
                    "      - http: GET users/{id}",
                    "      - http: {path: '', method: post}",
                    "      - http: {path: 'files/{proxy+}', method: any}",
                    "      - httpApi: 'patch /elo'",
                    "      - httpApi: {method: '*', path: /any/method}",
                    "      - httpApi: {path: '*'}",
                    "",
                ].join("\n"),
            ),
            DOCKERFILE,
        );
        assert.deepEqual(
            (result.manifest.functions as Record<string, { events: unknown[] }>).api.events,
            [
                { http: "GET /users/{id}" },
                { http: "POST /" },
                { http: "ANY /files/{proxy+}" },
                { http: "PATCH /elo" },
                { http: "ANY /any/method" },
                { http: "$default" },
            ],
        );
    });

    it("does not convert an event whose settings would change what the function receives or who may call it", () => {
        const result = service(
            IMAGE_SERVICE(
                [
                    "  worker:",
                    "    image: app",
                    "    events:",
                    "      - sqs: {arn: 'arn:aws:sqs:us-east-1:123456789012:q', functionResponseType: ReportBatchItemFailures}",
                    "      - sqs: {arn: 'arn:aws:sqs:us-east-1:123456789012:q', maximumBatchingWindow: 30}",
                    "      - schedule: {rate: rate(1 hour), inputTransformer: {inputTemplate: '{}'}}",
                    "      - http: {path: admin, method: get, authorizer: aws_iam}",
                    "      - http: {path: keyed, method: get, private: true}",
                    "      - eventBridge: {pattern: {source: [app]}}",
                    "",
                ].join("\n"),
            ),
            DOCKERFILE,
        );
        assert.deepEqual(
            (result.manifest.functions as Record<string, { events: unknown[] }>).worker.events,
            [{ sqs: "arn:aws:sqs:us-east-1:123456789012:q" }],
        );
        assert.deepEqual(linesFor(result, "functions.worker.events"), [
            [
                "not converted",
                "functions.worker.events[0].sqs",
                "functionResponseType cannot be expressed in the manifest, and dropping it would change what the function receives or who may call it",
            ],
            [
                "converted",
                "functions.worker.events[1].sqs",
                "→ functions.worker.events[0]: sqs arn:aws:sqs:us-east-1:123456789012:q",
            ],
            [
                "not converted",
                "functions.worker.events[1].sqs.maximumBatchingWindow",
                "the manifest has no batching window",
            ],
            [
                "not converted",
                "functions.worker.events[2].schedule",
                "inputTransformer cannot be expressed in the manifest, and dropping it would change what the function receives or who may call it",
            ],
            [
                "not converted",
                "functions.worker.events[3].http",
                "it has an authorizer, which the manifest cannot express: without it the route would be public; add the route with its authorizer in your Pulumi program",
            ],
            [
                "not converted",
                "functions.worker.events[4].http",
                "it has private: true (an API key), which the manifest cannot express: without it the route would be public; add the route with its API key in your Pulumi program",
            ],
            [
                "not converted",
                "functions.worker.events[5].eventBridge",
                "the manifest has no eventBridge events (only schedule, http and sqs); add the trigger in your Pulumi program",
            ],
        ]);
    });

    it("does not convert a statement with a Condition, NotAction or NotResource (dropping it would widen the grant)", () => {
        const result = service(
            IMAGE_SERVICE(
                "  api:\n    image: app\n",
                "  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::b/*', Condition: {Bool: {aws:SecureTransport: true}}}\n        - {Effect: Deny, NotAction: s3:*, Resource: '*'}\n        - {Effect: Allow, Action: [s3:PutObject], Resource: ['arn:aws:s3:::b/*']}\n",
            ),
            DOCKERFILE,
        );
        assert.deepEqual(result.manifest.policyStatements, [
            { effect: "Allow", actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b/*"] },
        ]);
        assert.deepEqual(linesFor(result, "provider.iam"), [
            [
                "not converted",
                "provider.iam.role.statements[0]",
                "Condition cannot be expressed in policyStatements (effect, actions, resources); dropping it would change what the statement grants, so add this statement in code",
            ],
            [
                "not converted",
                "provider.iam.role.statements[1]",
                "NotAction cannot be expressed in policyStatements (effect, actions, resources); dropping it would change what the statement grants, so add this statement in code",
            ],
            [
                "converted",
                "provider.iam.role.statements[2]",
                '→ policyStatements[0] (every function\'s role): Allow s3:PutObject on "arn:aws:s3:::b/*"',
            ],
        ]);
    });

    it("writes the stack architecture as a placeholder when the images' platforms disagree", () => {
        const result = service(
            "service: s\nprovider:\n  name: aws\n  ecr:\n    images:\n      a: {path: a, platform: linux/amd64}\n      b: {path: b, platform: linux/arm64}\nfunctions: {}\n",
        );
        assert.equal(
            result.stackConfig["lambda-docker:architecture"],
            "TODO(lambda-docker import): provider.ecr.images.a.platform x86_64, provider.ecr.images.b.platform arm64",
        );
        assert.deepEqual(
            linesFor(result, "provider.ecr.images").filter(([, item]) =>
                item.endsWith(".platform"),
            ),
            ["a", "b"].map(
                (i): Line => [
                    "placeholder",
                    `provider.ecr.images.${i}.platform`,
                    "stack lambda-docker:architecture: the images disagree (x86_64 vs arm64) and lambda-docker builds every image for one architecture; choose it by hand",
                ],
            ),
        );
        assert.throws(
            () => parseStackConfig("dev", result.stackConfig),
            /`lambda-docker:architecture` must be one of "x86_64", "arm64"; got "TODO\(lambda-docker import\): /,
        );
        assert.match(
            result.stackYaml,
            /^# TODO: lambda-docker:architecture is a placeholder \(provider\.ecr\.images\.a\.platform x86_64, provider\.ecr\.images\.b\.platform arm64\); replace it by hand\.$/m,
        );
    });

    it("takes an image function's command from its Dockerfile's CMD, or writes a placeholder when it has none in exec form", () => {
        const ok = service(IMAGE_SERVICE("  api:\n    image: app\n"), DOCKERFILE);
        assert.deepEqual((ok.manifest.functions as Record<string, unknown>).api, {
            image: "app",
            command: ["app.handler"],
        });
        const shell = service(IMAGE_SERVICE("  api:\n    image: app\n"), {
            "/svc/app/Dockerfile": "FROM base\nCMD app.handler\n",
        });
        assert.deepEqual((shell.manifest.functions as Record<string, unknown>).api, {
            image: "app",
            command: [
                'TODO(lambda-docker import): image.command (the CMD of app/Dockerfile is not in exec form (["module.handler"]))',
            ],
        });
        const none = service(IMAGE_SERVICE("  api:\n    image: app\n"));
        assert.deepEqual(linesFor(none, "functions.api.image"), [
            [
                "placeholder",
                "functions.api.image.command",
                'functions.api.command[0] = "TODO(lambda-docker import): image.command (app/Dockerfile was not found to read its CMD)": not set in serverless.yml and app/Dockerfile was not found to read its CMD; replace it by hand',
            ],
        ]);
    });

    it("renames functions to manifest names, refusing a second function with the same name", () => {
        const result = service(
            IMAGE_SERVICE("  fooBar:\n    image: app\n  foo_bar:\n    image: app\n"),
            DOCKERFILE,
        );
        assert.deepEqual(Object.keys(result.manifest.functions as object), ["foo-bar"]);
        assert.deepEqual(linesFor(result, "functions.foo_bar"), [
            [
                "not converted",
                "functions.foo_bar",
                "its manifest name foo-bar is taken by another function",
            ],
        ]);
    });

    it("gives a function its serverless-iam-roles-per-function statements, and says what inheriting changes", () => {
        const result = service(
            "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  iam:\n    role:\n      statements:\n        - {Effect: Allow, Action: [s3:GetObject], Resource: 'arn:aws:s3:::b/*'}\n" +
                "functions:\n  a:\n    handler: a.handler\n    iamRoleStatements:\n      - {Effect: Allow, Action: [sqs:SendMessage], Resource: 'arn:aws:sqs:us-east-1:123456789012:q'}\nplugins:\n  - serverless-iam-roles-per-function\n",
        );
        assert.deepEqual(
            (result.manifest.functions as Record<string, Record<string, unknown>>).a
                .policyStatements,
            [
                {
                    effect: "Allow",
                    actions: ["sqs:SendMessage"],
                    resources: ["arn:aws:sqs:us-east-1:123456789012:q"],
                },
            ],
        );
        assert.deepEqual(
            linesFor(result, "functions.a").filter(([, item]) => item.includes("iamRole")),
            [
                [
                    "converted",
                    "functions.a.iamRoleStatements[0]",
                    '→ functions.a.policyStatements[0] (this function\'s role): Allow sqs:SendMessage on "arn:aws:sqs:us-east-1:123456789012:q"',
                ],
                [
                    "not converted",
                    "functions.a.iamRoleStatementsInherit",
                    "serverless-iam-roles-per-function gave this function only its own statements; in lambda-docker it also gets the service's policyStatements (every function's role): move those it must not have into the functions that need them",
                ],
            ],
        );
    });

    it("leaves serverless-wsgi's generated handler as a placeholder that says what to write", () => {
        const result = service(
            "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  api:\n    handler: wsgi_handler.handler\nplugins:\n  - serverless-wsgi\n",
        );
        assert.equal(
            (result.manifest.functions as Record<string, Record<string, unknown>>).api.handler,
            "TODO(lambda-docker import): wsgi_handler.handler (serverless-wsgi's generated handler)",
        );
        assert.deepEqual(linesFor(result, "functions.api.handler"), [
            [
                "placeholder",
                "functions.api.handler",
                "functions.api.handler: wsgi_handler.handler is generated by serverless-wsgi at package time and is not in the code: add a WSGI adapter (e.g. apig-wsgi's make_lambda_handler(app)) and write its handler here",
            ],
        ]);
    });

    it("does not convert zip functions that are not Python", () => {
        const result = service(
            "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  a:\n    handler: a.handler\n  b:\n    handler: b.handler\n    runtime: python3.12\n",
        );
        assert.deepEqual(Object.keys(result.manifest.functions as object), ["b"]);
        assert.deepEqual(linesFor(result, "functions.a"), [
            [
                "not converted",
                "functions.a",
                "its runtime is nodejs20.x; lambda-docker's zip functions run Python",
            ],
        ]);
        // A service with no Python function left is refused by name, not written as an empty manifest.
        assert.throws(
            () =>
                service(
                    "service: s\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: a.handler\n",
                ),
            {
                message:
                    "Cannot import serverless.yml: it has no Python function or layer lambda-docker can deploy (functions.a: it has a handler but no runtime, so Serverless deploys it as Node.js; lambda-docker's zip functions run Python). lambda-docker ships Python functions only.",
            },
        );
    });

    it("reports keys it does not convert, an existing role, unknown YAML tags, and function names Serverless deployed", () => {
        const result = service(
            IMAGE_SERVICE(
                "  api:\n    image: app\n    name: orders-api\n    vpc: {subnetIds: [subnet-1]}\n",
                "  iam:\n    role: arn:aws:iam::123456789012:role/orders\n  deploymentBucket: {name: b}\n",
            ) + "x: !Custom thing\n",
            DOCKERFILE,
        );
        const shown = lines(result);
        assert.deepEqual(
            shown.filter(([, item]) =>
                [
                    "provider.iam.role",
                    "provider.deploymentBucket",
                    "functions.api.name",
                    "functions.api.vpc",
                    "x",
                    "serverless.yml",
                ].includes(item),
            ),
            [
                [
                    "not converted",
                    "provider.deploymentBucket",
                    "lambda-docker's manifest and stack config have no equivalent; configure it in your Pulumi program if you need it",
                ],
                [
                    "not converted",
                    "provider.iam.role",
                    '"arn:aws:iam::123456789012:role/orders" is an existing role: lambda-docker creates one role per function',
                ],
                [
                    "not converted",
                    "functions.api.name",
                    "lambda-docker names functions itself (Pulumi auto-names): the deployed function name changes, so update whatever calls it by name",
                ],
                [
                    "not converted",
                    "functions.api.vpc",
                    "no manifest equivalent; configure it in your Pulumi program if you need it",
                ],
                ["not converted", "x", "no lambda-docker equivalent"],
                [
                    "not converted",
                    "serverless.yml",
                    "YAML: Unresolved tag: !Custom at line 16 (read as its plain value)",
                ],
            ],
        );
    });

    it("reports events it cannot read as a list", () => {
        const result = service(
            IMAGE_SERVICE("  api:\n    image: app\n    events: ${ssm:/api/events}\n"),
            DOCKERFILE,
        );
        assert.deepEqual(linesFor(result, "functions.api.events"), [
            [
                "not converted",
                "functions.api.events",
                "${ssm:/api/events} is not a list of events the importer can read",
            ],
        ]);
    });

    it("refuses a JavaScript or TypeScript service, which is a program rather than data", () => {
        assert.throws(() => importServerless("/svc/serverless.ts", { readFile: () => undefined }), {
            message:
                "Cannot import serverless.ts: only serverless.yml, serverless.yaml and serverless.json services can be read (a JavaScript or TypeScript service is a program, not data).",
        });
    });

    it("refuses a provider other than AWS", () => {
        assert.throws(() => service("service: s\nprovider:\n  name: azure\n"), {
            message: 'Only AWS services can be imported: provider.name is "azure".',
        });
    });

    it("names: manifestName and Serverless's layer logical ids", () => {
        const names: [string, string][] = [
            ["campaignOrchestrator", "campaign-orchestrator"],
            ["APIHandler", "api-handler"],
            ["report_sync", "report-sync"],
            ["v2Api", "v2-api"],
            ["already-fine", "already-fine"],
        ];
        for (const [from, to] of names) assert.equal(manifestName(from), to);
        assert.equal(layerLogicalId("commonLibs"), "CommonLibsLambdaLayer");
        assert.equal(layerLogicalId("common-libs"), "CommonDashlibsLambdaLayer");
        assert.equal(layerLogicalId("py_deps"), "PyUnderscoredepsLambdaLayer");
    });

    it("maps LOG_LEVEL to the stack's log levels, the ones config/stackConfig.ts accepts", () => {
        assert.deepEqual([...STACK_LOG_LEVELS], [...LOG_LEVELS]);
    });
});

describe("import serverless: CLI", () => {
    let out: string;
    beforeEach(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-docker-import-"));
    });
    afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

    /** A copy of a fixture service in `<out>/svc`, so `--out <out>` contains it. */
    function copied(name: string): string {
        fs.cpSync(path.join(FIXTURES, name), path.join(out, "svc"), { recursive: true });
        return path.join(out, "svc", "serverless.yml");
    }

    async function runCli(...args: string[]): Promise<string> {
        let printed = "";
        await importCommand((t) => (printed += t))
            .exitOverride()
            .parseAsync(["serverless", ...args], { from: "user" });
        return printed;
    }

    it("writes lambda-docker.yaml, stacks/Pulumi.<stage>.yaml, the program and sample events into --out, and prints the report", async () => {
        const file = copied("zip-layers");
        const printed = await runCli(file, "--out", out, "--stage", "qa");
        const expected = importServerless(file, {
            stage: "qa",
            outDir: out,
            readFile: readIfExists,
        });
        assert.equal(
            fs.readFileSync(path.join(out, "lambda-docker.yaml"), "utf8"),
            expected.manifestYaml,
        );
        assert.equal(
            fs.readFileSync(path.join(out, "stacks", "Pulumi.qa.yaml"), "utf8"),
            expected.stackYaml,
        );
        assert.deepEqual(fs.readdirSync(out).sort(), [
            "Pulumi.yaml",
            "events",
            "index.ts",
            "lambda-docker.yaml",
            "stacks",
            "svc",
        ]);
        assert.deepEqual(fs.readdirSync(path.join(out, "stacks")), ["Pulumi.qa.yaml"]);
        assert.equal(
            fs.readFileSync(path.join(out, "index.ts"), "utf8"),
            '// Deploys lambda-docker.yaml with the stack\'s settings (stacks/Pulumi.<stack>.yaml).\nimport { manifestProgram } from "lambda-docker";\n\nexport = manifestProgram;\n',
        );
        const project = YAML.parse(fs.readFileSync(path.join(out, "Pulumi.yaml"), "utf8"));
        assert.deepEqual(
            [project.runtime, project.stackConfigDir],
            [{ name: "nodejs", options: { typescript: true } }, "stacks"],
        );
        const routes = Object.values(
            expected.manifest.functions as Record<string, { events?: { http?: string }[] }>,
        ).flatMap((f) => (f.events ?? []).flatMap((e) => (e.http ? [e.http] : [])));
        assert.equal(fs.readdirSync(path.join(out, "events")).length, routes.length);
        const converted = expected.report.filter((l) => l.status === "converted").length;
        const notConverted = expected.report.filter((l) => l.status === "not converted").length;
        assert.equal(
            printed,
            `${expected.report.map(formatReportLine).join("\n")}\n\n` +
                `Wrote ${path.join(out, "lambda-docker.yaml")} and ${path.join(out, "stacks", "Pulumi.qa.yaml")}: ${converted} converted, ${notConverted} not converted, 0 placeholder(s) to replace by hand.\n` +
                `Wrote ${["Pulumi.yaml", "index.ts", "events/list-reports-get-reports.json", "events/get-report-get-reports-id.json", "events/health-any-proxy.json"].map((f) => path.join(out, f)).join(", ")}: the Pulumi program that deploys the manifest.\n` +
                "\nThe functions read 1 value(s) from the stack's config; no value was written. Set each:\n" +
                "  pulumi config set --secret apiToken <value> --stack qa   # was ${env:REPORTS_API_TOKEN}\n" +
                `\nNext: lambda-docker check --stack qa (in ${out})\n`,
        );
        assert.equal(
            formatReportLine(expected.report[0]),
            "converted     provider.region: → stack aws:region = eu-central-1",
        );
    });

    it("refuses an --out the manifest's paths would leave, writing nothing", async () => {
        const file = path.join(FIXTURES, "zip-layers", "serverless.yml");
        await assert.rejects(runCli(file, "--out", out), {
            message: `--out ${JSON.stringify(out)} is outside the service: the manifest's paths are relative to it, and \`layers.common-libs.path\` would be ${JSON.stringify(path.relative(out, path.join(FIXTURES, "zip-layers", "layers", "common")))}, out of it. Write into the service directory (the default) or a directory that contains it; nothing was written.`,
        });
        assert.deepEqual(fs.readdirSync(out), []);
    });

    it("refuses to overwrite existing files without --force, writing nothing, and overwrites them with it", async () => {
        const file = copied("minimal");
        fs.mkdirSync(path.join(out, "stacks"));
        fs.writeFileSync(path.join(out, "stacks", "Pulumi.dev.yaml"), "config: {}\n");
        await assert.rejects(runCli(file, "--out", out), {
            message: `${path.join(out, "stacks", "Pulumi.dev.yaml")} already exists: nothing was written; pass --force to overwrite.`,
        });
        assert.equal(fs.existsSync(path.join(out, "lambda-docker.yaml")), false);
        assert.equal(
            fs.readFileSync(path.join(out, "stacks", "Pulumi.dev.yaml"), "utf8"),
            "config: {}\n",
        );
        await runCli(file, "--out", out, "--force");
        const expected = importServerless(file, { outDir: out, readFile: readIfExists });
        assert.equal(
            fs.readFileSync(path.join(out, "stacks", "Pulumi.dev.yaml"), "utf8"),
            expected.stackYaml,
        );
        assert.equal(
            fs.readFileSync(path.join(out, "lambda-docker.yaml"), "utf8"),
            expected.manifestYaml,
        );
        await assert.rejects(runCli(file, "--out", out), {
            message: `${path.join(out, "lambda-docker.yaml")} and ${path.join(out, "stacks", "Pulumi.dev.yaml")} already exist: nothing was written; pass --force to overwrite.`,
        });
    });

    it("defaults --out to the directory of serverless.yml and --stage to dev, and takes the service's directory too", async () => {
        for (const f of ["serverless.yml", "Dockerfile", "app.py"])
            fs.copyFileSync(path.join(FIXTURES, "minimal", f), path.join(out, f));
        await runCli(out);
        assert.equal(
            fs.readFileSync(path.join(out, "lambda-docker.yaml"), "utf8"),
            fixture("minimal").manifestYaml,
        );
        assert.equal(
            fs.readFileSync(path.join(out, "stacks", "Pulumi.dev.yaml"), "utf8"),
            fixture("minimal").stackYaml,
        );
    });

    it("fails with the resolver's error, naming the missing include, and writes nothing", async () => {
        fs.writeFileSync(
            path.join(out, "serverless.yml"),
            "service: s\nprovider:\n  name: aws\nfunctions: ${file(sls/functions.yml)}\n",
        );
        await assert.rejects(runCli(path.join(out, "serverless.yml")), {
            message:
                "Cannot resolve ${file(sls/functions.yml)} at functions: file sls/functions.yml not found (file paths are relative to the service directory, the directory of serverless.yml).",
        });
        assert.deepEqual(fs.readdirSync(out), ["serverless.yml"]);
    });
});

/** Replaces each placeholder as a user would by hand: a directory for code, a queue ARN, a value. */
function replaceByHand(value: unknown, key = ""): unknown {
    if (typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX)) {
        if (key.endsWith(".code")) return "src";
        if (key.endsWith(".queue") || key.includes(".resources["))
            return "arn:aws:sqs:us-east-1:123456789012:campaign-reports-dev";
        return "set-by-hand";
    }
    if (Array.isArray(value)) return value.map((x, i) => replaceByHand(x, `${key}[${i}]`));
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(
            Object.entries(value).map(([k, x]) => [k, replaceByHand(x, `${key}.${k}`)]),
        );
    return value;
}

describe("import serverless: the manifest parser reads what the importer writes", () => {
    it("minimal and zip-layers parse as written", () => {
        for (const name of ["minimal", "zip-layers"]) {
            const dir = path.join(FIXTURES, name);
            const manifest = parseManifest(YAML.parse(fixture(name).manifestYaml), dir);
            assert.deepEqual(
                Object.keys(manifest.functions),
                Object.keys((name === "minimal" ? MINIMAL_MANIFEST : ZIPLAYERS_MANIFEST).functions),
            );
        }
        const minimal = parseManifest(
            YAML.parse(fixture("minimal").manifestYaml),
            path.join(FIXTURES, "minimal"),
        );
        const hello = minimal.functions.hello;
        assert.ok(hello.kind === "image");
        assert.deepEqual(
            [hello.image, hello.command, hello.events],
            ["app", ["app.handler"], [{ http: { route: "$default" } }]],
        );
    });

    it("seed and uri are refused at their first placeholder, with the parser's message naming the key", () => {
        const refusals: [string, string, string][] = [
            [
                "seed",
                "policyStatements[3].resources[0]",
                "TODO(lambda-docker import): {Fn::GetAtt: [ReportsQueue, Arn]}",
            ],
            [
                "uri",
                "functions.worker.command[0]",
                "TODO(lambda-docker import): image.command (the image's CMD)",
            ],
        ];
        for (const [name, key, value] of refusals) {
            assert.throws(
                () =>
                    parseManifest(
                        YAML.parse(fixture(name).manifestYaml),
                        path.join(FIXTURES, name),
                    ),
                {
                    message: `\`${key}\` must be a real value in place of the importer's placeholder (replace it by hand); got ${JSON.stringify(value)}.`,
                },
            );
        }
    });

    it("once every placeholder is replaced by hand, seed and zip-layers parse: nothing else in them is refused", () => {
        const seed = parseManifest(
            replaceByHand(YAML.parse(fixture("seed").manifestYaml)),
            path.join(FIXTURES, "seed"),
        );
        assert.deepEqual(Object.keys(seed.functions), [
            "campaign-orchestrator",
            "report-sync",
            "api",
        ]);
        assert.equal(seed.policyStatements.length, 4);
        assert.deepEqual(
            seed.functions["campaign-orchestrator"].events.map((e) => Object.keys(e)[0]),
            ["schedule", "schedule", "schedule", "sqs"],
        );
        const zip = parseManifest(
            replaceByHand(YAML.parse(fixture("zip-layers").manifestYaml)),
            path.join(FIXTURES, "zip-layers"),
        );
        assert.deepEqual(Object.keys(zip.functions), ["list-reports", "get-report", "health"]);
        assert.deepEqual(zip.layers["common-libs"], {
            kind: "directory",
            path: path.join(FIXTURES, "zip-layers", "layers/common"),
            description: "Shared report helpers",
        });
    });
});
