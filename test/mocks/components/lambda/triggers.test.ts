/** Triggers under mocks: each kind's exact children and scoping, and every refusal before anything exists. */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HttpApi, ImageFunction, LambdaService, ZipFunction } from "../../../../components";
import { ACCESS_LOG_FORMAT } from "../../../../components/api/httpApi";
import { urnSuffixedName } from "../../../../components/internal/names";
import { ACCOUNT, REGION, ResourceRecorder, valueOf } from "../../../../plan/engine";
import { REPO_ROOT } from "../../../support/paths";

const recorder = new ResourceRecorder();
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app@sha256:${"a".repeat(64)}`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`;
const fnName = (type: string, name: string) =>
    urnSuffixedName(name, `urn:pulumi:dev::lambda-docker::lambda-docker:index:${type}::${name}`);
const fnArn = (type: string, name: string) =>
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fnName(type, name)}`;

describe("triggers under mocks", () => {
    beforeEach(async () => recorder.install("dev"));

    it("HttpApi: one HTTP API, an auto-deployed $default stage writing JSON access logs to a log group with retention", async () => {
        const api = new HttpApi("api", { stage: "dev", logRetentionDays: 30 });
        assert.equal(
            await valueOf(api.url),
            "https://api-api-id.execute-api.us-east-1.amazonaws.com/",
        );
        await recorder.settle();
        assert.deepEqual(recorder.summary(), [
            "aws:apigatewayv2/api:Api api-api",
            "aws:apigatewayv2/stage:Stage api-stage",
            "aws:cloudwatch/logGroup:LogGroup api-access-logs",
            "lambda-docker:index:HttpApi api",
        ]);
        assert.deepEqual(
            recorder.one("aws:apigatewayv2/api:Api", "api-api").inputs.protocolType,
            "HTTP",
        );
        const logs = recorder.one("aws:cloudwatch/logGroup:LogGroup", "api-access-logs");
        assert.deepEqual(
            [logs.inputs.name, logs.inputs.retentionInDays, logs.parentType],
            ["/aws/http-api/api-api-id/access", 30, "lambda-docker:index:HttpApi"],
        );
        const stage = recorder.one("aws:apigatewayv2/stage:Stage", "api-stage");
        assert.deepEqual(
            [stage.inputs.name, stage.inputs.autoDeploy, stage.inputs.accessLogSettings],
            [
                "$default",
                true,
                {
                    destinationArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/http-api/api-api-id/access`,
                    format: JSON.stringify(ACCESS_LOG_FORMAT),
                },
            ],
        );
    });

    it("HTTP: an AWS_PROXY 2.0 integration, a route per event, a permission scoped to the API and the route", async () => {
        const api = new HttpApi("api", { stage: "dev" });
        new ImageFunction("orders", {
            image: IMAGE,
            command: ["app.handler"],
            events: [
                { http: { api, route: "GET /orders/{id}" } },
                { http: { api, route: "ANY /admin/{proxy+}" } },
                { http: { api, route: "$default" } },
            ],
        });
        await recorder.settle();
        const children = recorder.summary().filter((s) => /integration|route|invoke/.test(s));
        assert.deepEqual(children, [
            "aws:apigatewayv2/integration:Integration orders-integration",
            "aws:apigatewayv2/route:Route orders-route-any-admin-proxy",
            "aws:apigatewayv2/route:Route orders-route-default",
            "aws:apigatewayv2/route:Route orders-route-get-orders-id",
            "aws:lambda/permission:Permission orders-invoke-any-admin-proxy",
            "aws:lambda/permission:Permission orders-invoke-default",
            "aws:lambda/permission:Permission orders-invoke-get-orders-id",
        ]);
        const integration = recorder.one(
            "aws:apigatewayv2/integration:Integration",
            "orders-integration",
        );
        assert.deepEqual(
            [
                integration.parentType,
                integration.inputs.apiId,
                integration.inputs.integrationType,
                integration.inputs.integrationMethod,
                integration.inputs.payloadFormatVersion,
                integration.inputs.integrationUri,
            ],
            [
                "lambda-docker:index:ImageFunction",
                "api-api-id",
                "AWS_PROXY",
                "POST",
                "2.0",
                `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn("ImageFunction", "orders")}/invocations`,
            ],
        );
        const route = recorder.one("aws:apigatewayv2/route:Route", "orders-route-get-orders-id");
        assert.deepEqual(
            [route.inputs.routeKey, route.inputs.target],
            ["GET /orders/{id}", "integrations/orders-integration-id"],
        );
        const permissions = ["get-orders-id", "any-admin-proxy", "default"].map(
            (slug) =>
                recorder.one("aws:lambda/permission:Permission", `orders-invoke-${slug}`).inputs,
        );
        const execution = `arn:aws:execute-api:${REGION}:${ACCOUNT}:api-api-id`;
        assert.deepEqual(
            permissions.map((p) => p.sourceArn),
            [`${execution}/*/GET/orders/*`, `${execution}/*/*/admin/*`, `${execution}/*/$default`],
        );
        for (const p of permissions)
            assert.deepEqual(
                [p.action, p.principal, p.function],
                [
                    "lambda:InvokeFunction",
                    "apigateway.amazonaws.com",
                    fnName("ImageFunction", "orders"),
                ],
            );
    });

    it("schedule: an EventBridge Scheduler schedule through a role that trusts only the scheduler of this account and may invoke only this function", async () => {
        new ImageFunction("nightly", {
            image: IMAGE,
            command: ["app.handler"],
            events: [
                { schedule: "cron(0 3 * * ? *)", input: { full: true } },
                { schedule: "rate(1 hour)", enabled: false },
            ],
        });
        await recorder.settle();
        assert.deepEqual(
            recorder.summary().filter((s) => /schedul/.test(s)),
            [
                "aws:iam/role:Role nightly-scheduler",
                "aws:iam/rolePolicy:RolePolicy nightly-scheduler-invoke",
                "aws:scheduler/schedule:Schedule nightly-schedule-0",
                "aws:scheduler/schedule:Schedule nightly-schedule-1",
            ],
        );
        const role = recorder.one("aws:iam/role:Role", "nightly-scheduler");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ],
        });
        const arn = fnArn("ImageFunction", "nightly");
        assert.deepEqual(
            JSON.parse(
                recorder.one("aws:iam/rolePolicy:RolePolicy", "nightly-scheduler-invoke").inputs
                    .policy,
            ),
            {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["lambda:InvokeFunction"],
                        Resource: [arn, `${arn}:*`],
                    },
                ],
            },
        );
        const [first, second] = ["nightly-schedule-0", "nightly-schedule-1"].map(
            (n) => recorder.one("aws:scheduler/schedule:Schedule", n).inputs,
        );
        assert.deepEqual(first, {
            scheduleExpression: "cron(0 3 * * ? *)",
            state: "ENABLED",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn,
                roleArn: `arn:aws:iam::${ACCOUNT}:role/nightly-scheduler-abc1234`,
                input: '{"full":true}',
            },
        });
        assert.deepEqual(
            [second.scheduleExpression, second.state, second.target.input],
            ["rate(1 hour)", "DISABLED", undefined],
        );
        assert.equal(
            recorder.resources.filter((r) => r.type === "aws:lambda/permission:Permission").length,
            0,
            "a schedule needs no resource policy",
        );
    });

    it("SQS: an event source mapping after a grant of exactly receive, delete and attributes on that queue", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-trig-"));
        try {
            fs.writeFileSync(
                path.join(dir, "worker.py"),
                "def handler(event, context):\n    return None\n",
            );
            new ZipFunction("worker", {
                code: dir,
                handler: "worker.handler",
                cacheDir: path.join(dir, "cache"),
                events: [
                    { sqs: { queueArn: QUEUE, batchSize: 100, maximumBatchingWindowInSeconds: 5 } },
                ],
            });
            await recorder.settle();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const grant = recorder.one("aws:iam/rolePolicy:RolePolicy", "worker-sqs-0");
        assert.equal(grant.inputs.role, "worker-role-id");
        assert.deepEqual(JSON.parse(grant.inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    Resource: [QUEUE],
                },
            ],
        });
        const mapping = recorder.one(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            "worker-sqs-0",
        );
        assert.deepEqual(mapping.inputs, {
            eventSourceArn: QUEUE,
            functionName: fnArn("ZipFunction", "worker"),
            batchSize: 100,
            enabled: true,
            maximumBatchingWindowInSeconds: 5,
        });
        assert.equal(mapping.parentType, "lambda-docker:index:ZipFunction");
    });

    it("LambdaService: the same events as plain data, routes on the service's own HttpApi", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-svc-"));
        try {
            fs.writeFileSync(
                path.join(dir, "Dockerfile"),
                "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\n",
            );
            const svc = new LambdaService("shop", {
                stage: "dev",
                context: dir,
                functions: {
                    orders: {
                        command: ["app.orders"],
                        events: [{ http: "GET /orders/{id}" }, { schedule: "rate(5 minutes)" }],
                    },
                    worker: { command: ["app.worker"], events: [{ sqs: { queueArn: QUEUE } }] },
                },
            });
            assert.equal(
                await valueOf(svc.apiUrl),
                "https://shop-http-api-id.execute-api.us-east-1.amazonaws.com/",
            );
            await recorder.settle();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepEqual(
            recorder
                .summary()
                .filter((s) => /Route |Schedule |EventSourceMapping |HttpApi /.test(s)),
            [
                "aws:apigatewayv2/route:Route shop-orders-route-get-orders-id",
                "aws:lambda/eventSourceMapping:EventSourceMapping shop-worker-sqs-0",
                "aws:scheduler/schedule:Schedule shop-orders-schedule-0",
                "lambda-docker:index:HttpApi shop-http",
            ],
        );
    });

    describe("refusals, before anything is created", () => {
        const cases: [string, () => unknown, string][] = [
            [
                "a schedule that is neither rate() nor cron()",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ schedule: "every 5 minutes" }],
                    }),
                'ImageFunction "a": `events[0].schedule` must be `rate(<n> minute(s)|hour(s)|day(s))` (e.g. "rate(15 minutes)") or `cron(<6 fields>)` (e.g. "cron(0 12 * * ? *)"), with a singular unit only for 1; got "every 5 minutes".',
            ],
            [
                "an unknown method",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [
                            {
                                http: {
                                    api: new HttpApi("x", { stage: "dev" }),
                                    route: "FETCH /orders",
                                },
                            },
                        ],
                    }),
                'ImageFunction "a": `events[0].http.route` must be "<METHOD> <path>" with METHOD one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a path starting with "/" (segments may be {name}, the last may be {name+}), or "$default"; got "FETCH /orders".',
            ],
            [
                "a path without a leading /",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [
                            {
                                http: {
                                    api: new HttpApi("x", { stage: "dev" }),
                                    route: "GET orders",
                                },
                            },
                        ],
                    }),
                'ImageFunction "a": `events[0].http.route` must be "<METHOD> <path>" with METHOD one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a path starting with "/" (segments may be {name}, the last may be {name+}), or "$default"; got "GET orders".',
            ],
            [
                "a batch size of 0",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ sqs: { queueArn: QUEUE, batchSize: 0 } }],
                    }),
                'ImageFunction "a": `events[0].sqs.batchSize` must be an integer from 1 to 10000; got 0.',
            ],
            [
                "a batch size of 10001",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ sqs: { queueArn: QUEUE, batchSize: 10001 } }],
                    }),
                'ImageFunction "a": `events[0].sqs.batchSize` must be an integer from 1 to 10000; got 10001.',
            ],
            [
                "a batch over 10 without a batching window",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ sqs: { queueArn: QUEUE, batchSize: 50 } }],
                    }),
                'ImageFunction "a": `events[0].sqs.maximumBatchingWindowInSeconds` must be at least 1 when `batchSize` is over 10 (AWS requires a batching window for batches of 50); got undefined.',
            ],
            [
                "a batch over 10 on a FIFO queue",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [
                            {
                                sqs: {
                                    queueArn: `${QUEUE}.fifo`,
                                    batchSize: 20,
                                    maximumBatchingWindowInSeconds: 1,
                                },
                            },
                        ],
                    }),
                'ImageFunction "a": `events[0].sqs.batchSize` must be an integer from 1 to 10 for a FIFO queue; got 20.',
            ],
            [
                "an http event without an api",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ http: { route: "GET /x" } as never }],
                    }),
                'ImageFunction "a": `events[0].http.api` must be an HttpApi (`new HttpApi("api", { stage })`) or an HTTP API id: every http event names the API it is routed on; got undefined.',
            ],
            [
                "an event with two kinds",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ schedule: "rate(1 hour)", sqs: { queueArn: QUEUE } }],
                    }),
                'ImageFunction "a": `events[0]` must be one trigger: `{ schedule: "rate(...)", input?, enabled? }`, `{ http: { api, route } }` or `{ sqs: { queueArn, batchSize? } }`; got ["schedule","sqs"].',
            ],
            [
                "the same schedule twice",
                () =>
                    new ImageFunction("a", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ schedule: "rate(1 hour)" }, { schedule: "rate(1 hour)" }],
                    }),
                'ImageFunction "a": `events` must be distinct schedules (the same expression twice would invoke the function twice); got "rate(1 hour)".',
            ],
            [
                "a name whose schedule would exceed Scheduler's 64 characters",
                () =>
                    new ImageFunction("ffffffffffffffffffffffffffffffffffffffffffffff", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [{ schedule: "rate(1 hour)" }],
                    }),
                'ImageFunction "ffffffffffffffffffffffffffffffffffffffffffffff": `name` must be at most 45 characters: its EventBridge Scheduler schedule is auto-named `<name>-schedule-0-<7 random>` and AWS allows 64 (46 given); got "ffffffffffffffffffffffffffffffffffffffffffffff".',
            ],
            [
                "a route whose permission statement id would exceed 100 characters",
                () =>
                    new ImageFunction("orders-api", {
                        image: IMAGE,
                        command: ["app.handler"],
                        events: [
                            {
                                http: {
                                    api: new HttpApi("x", { stage: "dev" }),
                                    route: "GET /reports/{reportId}/sections/{sectionId}/paragraphs/{paragraphId}/revisions/history",
                                },
                            },
                        ],
                    }),
                'ImageFunction "orders-api": `events[0].http.route` must be a route whose invoke permission fits AWS\'s 100-character statement id: it is auto-named `<name>-invoke-<route>-<7 random>`, here 106 characters ("orders-api-invoke-get-reports-reportid-sections-sectionid-paragraphs-paragraphid-revisions-history"); shorten the route or the function\'s name; got "GET /reports/{reportId}/sections/{sectionId}/paragraphs/{paragraphId}/revisions/history".',
            ],
        ];
        for (const [what, make, message] of cases) {
            it(`refuses ${what}`, async () => {
                assert.throws(make, { name: "ValidationError", message });
                await recorder.settle();
                assert.deepEqual(
                    recorder.resources.filter(
                        (r) =>
                            r.type !== "lambda-docker:index:HttpApi" &&
                            !r.type.startsWith("aws:apigatewayv2/") &&
                            !r.type.startsWith("aws:cloudwatch/"),
                    ),
                    [],
                );
            });
        }

        it("refuses two functions on one route, naming both, and a function that takes one route twice", async () => {
            const api = new HttpApi("api", { stage: "dev" });
            new ImageFunction("orders", {
                image: IMAGE,
                command: ["app.orders"],
                events: [{ http: { api, route: "GET /orders" } }],
            });
            assert.throws(
                () =>
                    new ImageFunction("legacy", {
                        image: IMAGE,
                        command: ["app.legacy"],
                        events: [
                            { http: { api, route: "GET /health" } },
                            { http: { api, route: "GET /orders" } },
                        ],
                    }),
                {
                    message:
                        'ImageFunction "legacy": `events[1].http.route` must be a route no other function of this HttpApi has (function "orders" already has "GET /orders"); got "GET /orders".',
                },
            );
            assert.throws(
                () =>
                    new ImageFunction("twice", {
                        image: IMAGE,
                        command: ["app.twice"],
                        events: [
                            { http: { api, route: "POST /x" } },
                            { http: { api, route: "POST /x" } },
                        ],
                    }),
                {
                    message:
                        'ImageFunction "twice": `events[1].http.route` must be a route no other function of this HttpApi has (function "twice" already has "POST /x"); got "POST /x".',
                },
            );
            // The refused function claimed nothing: its other route is still free.
            new ImageFunction("health", {
                image: IMAGE,
                command: ["app.health"],
                events: [{ http: { api, route: "GET /health" } }],
            });
            await recorder.settle();
            assert.deepEqual(
                recorder.summary().filter((s) => s.startsWith("lambda-docker:index:ImageFunction")),
                [
                    "lambda-docker:index:ImageFunction health",
                    "lambda-docker:index:ImageFunction orders",
                ],
            );
        });

        it("refuses a route two LambdaService functions share", () => {
            assert.throws(
                () =>
                    new LambdaService("shop", {
                        stage: "dev",
                        context: path.join(REPO_ROOT, "app"),
                        functions: {
                            a: { command: ["app.a"], events: [{ http: "GET /x" }] },
                            b: { command: ["app.b"], events: [{ http: "GET /x" }] },
                        },
                    }),
                {
                    message:
                        'LambdaService "shop": `functions.b.events[0].http` must be a route no other function has (function "a" already has "GET /x"); got "GET /x".',
                },
            );
        });
    });
});
