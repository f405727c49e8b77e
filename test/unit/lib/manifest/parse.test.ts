/** lambda-docker.yaml v2: the parser's exact result and refusals, and the shipped JSON Schema checked against the parser. */
import * as assert from "node:assert/strict";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    MANIFEST_KEYS,
    imageFunctionsOf,
    parseManifest,
    queueVisibilityTimeouts,
    readManifest,
    zipFunctionsOf,
} from "../../../../lib/manifest";
import { REPO_ROOT } from "../../../support/paths";

const ROOT = REPO_ROOT;
const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, "schema", "lambda-docker.schema.json"), "utf8"),
);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders";
const FULL = {
    images: {
        app: { context: "app" },
        reports: {
            context: "reports",
            dockerfile: "reports/Dockerfile",
            buildArgs: { PIP_INDEX: "x" },
        },
    },
    layers: {
        core: { context: "layers/core", description: "core" },
        vendored: { path: "layers/vendored" },
    },
    queues: { jobs: { visibilityTimeout: 120 } },
    policyStatements: [
        {
            actions: ["dynamodb:GetItem"],
            resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
        },
    ],
    functions: {
        orders: {
            image: "app",
            command: ["src.functions.orders.handler"],
            memorySize: 1024,
            timeout: 120,
            environment: { TABLE_NAME: "orders" },
            events: [
                { schedule: "rate(15 minutes)" },
                { http: "GET /orders/{id}" },
                { sqs: { queue: QUEUE, batchSize: 10 } },
                { sqs: "jobs" },
            ],
        },
        "report-api": {
            handler: "report_api.handler",
            code: "app/zip",
            runtime: "python3.12",
            layers: ["core", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"],
        },
        nightly: {
            image: "reports",
            command: ["reports.nightly"],
            events: [
                {
                    schedule: {
                        expression: "cron(0 3 * * ? *)",
                        enabled: false,
                        input: { full: true },
                    },
                },
            ],
        },
    },
};

function refused(doc: unknown): string {
    try {
        parseManifest(doc, "base");
    } catch (e) {
        return (e as Error).message;
    }
    return "accepted";
}

describe("the manifest (lambda-docker.yaml v2)", () => {
    it('reads the first form unchanged in meaning: `image:` is the image "app"', () => {
        const m = parseManifest(
            { image: { context: "app" }, functions: { api: { command: ["src.api.handler"] } } },
            "base",
        );
        assert.deepEqual(m, {
            images: {
                app: {
                    context: "base/app",
                    dockerfile: undefined,
                    buildArgs: {},
                    target: undefined,
                },
            },
            layers: {},
            queues: {},
            policyStatements: [],
            functions: {
                api: {
                    kind: "image",
                    image: "app",
                    command: ["src.api.handler"],
                    entryPoint: undefined,
                    workingDirectory: undefined,
                    memorySize: undefined,
                    timeout: undefined,
                    environment: {},
                    configEnvironment: {},
                    reservedConcurrentExecutions: undefined,
                    architecture: undefined,
                    description: undefined,
                    policyStatements: [],
                    events: [],
                    samples: [],
                },
            },
        });
    });

    it("parses the whole service to an exact value", () => {
        const m = parseManifest(FULL, "svc");
        assert.deepEqual(m.images, {
            app: { context: "svc/app", dockerfile: undefined, buildArgs: {}, target: undefined },
            reports: {
                context: "svc/reports",
                dockerfile: "svc/reports/Dockerfile",
                buildArgs: { PIP_INDEX: "x" },
                target: undefined,
            },
        });
        assert.deepEqual(m.layers, {
            core: {
                kind: "docker",
                context: "svc/layers/core",
                dockerfile: undefined,
                buildArgs: {},
                target: undefined,
                description: "core",
            },
            vendored: { kind: "directory", path: "svc/layers/vendored", description: undefined },
        });
        assert.deepEqual(m.queues, {
            jobs: { visibilityTimeout: 120, messageRetentionSeconds: undefined },
        });
        assert.deepEqual(m.functions.orders.events, [
            { schedule: { expression: "rate(15 minutes)", enabled: true } },
            { http: { route: "GET /orders/{id}" } },
            { sqs: { queue: QUEUE, batchSize: 10, enabled: true } },
            { sqs: { queue: "jobs", enabled: true } },
        ]);
        assert.deepEqual(
            [
                m.functions.orders.memorySize,
                m.functions.orders.timeout,
                m.functions.orders.environment,
            ],
            [1024, 120, { TABLE_NAME: "orders" }],
        );
        assert.deepEqual(m.functions["report-api"], {
            kind: "zip",
            handler: "report_api.handler",
            code: "svc/app/zip",
            include: [],
            exclude: [],
            runtime: "python3.12",
            layers: ["core", "arn:aws:lambda:us-east-1:123456789012:layer:shared:3"],
            memorySize: undefined,
            timeout: undefined,
            environment: {},
            configEnvironment: {},
            reservedConcurrentExecutions: undefined,
            architecture: undefined,
            description: undefined,
            policyStatements: [],
            events: [],
            samples: [],
        });
        assert.deepEqual(m.functions.nightly.events, [
            {
                schedule: {
                    expression: "cron(0 3 * * ? *)",
                    enabled: false,
                    input: { full: true },
                },
            },
        ]);
        assert.deepEqual(
            imageFunctionsOf(m, "reports").map(([n]) => n),
            ["nightly"],
        );
        assert.deepEqual(
            zipFunctionsOf(m).map(([n]) => n),
            ["report-api"],
        );
        assert.deepEqual(m.policyStatements, FULL.policyStatements);
    });

    const fn = (f: object) => ({
        image: { context: "app" },
        functions: { orders: { command: ["app.handler"], ...f } },
    });
    const cases: [string, unknown, string][] = [
        [
            "image and images",
            {
                image: { context: "a" },
                images: { b: { context: "b" } },
                functions: { f: { command: ["a.h"] } },
            },
            '`image` must be absent when `images` is given (`image:` is the one image named "app"); got {"context":"a"}.',
        ],
        [
            "no image name with two images",
            {
                images: { a: { context: "a" }, b: { context: "b" } },
                functions: { f: { command: ["a.h"] } },
            },
            "`functions.f.image` must be the name of one of the images (a, b); it may be left out only when there is one image; got undefined.",
        ],
        [
            "an unknown image",
            { images: { a: { context: "a" } }, functions: { f: { image: "z", command: ["a.h"] } } },
            '`functions.f.image` must be one of "a"; got "z".',
        ],
        [
            "command and handler",
            fn({ handler: "a.h", code: "x" }),
            '`functions.orders.command` must be absent on a zip function (it has `handler` and `code`; an image function has `command`); got ["app.handler"].',
        ],
        [
            "a zip key on an image function",
            fn({ runtime: "python3.11" }),
            '`functions.orders.runtime` must be absent on an image function (it belongs to zip functions); got "python3.11".',
        ],
        [
            "six layers",
            {
                functions: {
                    z: { handler: "a.h", code: "c", layers: ["l", "l", "l", "l", "l", "l"] },
                },
                layers: { l: { path: "p" } },
            },
            '`functions.z.layers` must be a list of at most 5 layers (Lambda\'s limit per function); got ["l","l","l","l","l","l"].',
        ],
        [
            "an unknown layer",
            {
                functions: { z: { handler: "a.h", code: "c", layers: ["nope"] } },
                layers: { l: { path: "p" } },
            },
            '`functions.z.layers[0]` must be the name of one of the manifest\'s layers (l) or a versioned layer ARN; got "nope".',
        ],
        [
            "a bad route",
            fn({ events: [{ http: "GET orders" }] }),
            '`functions.orders.events[0].http` must be "<METHOD> <path>" with METHOD one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a path starting with "/" (segments may be {name}, the last may be {name+}), or "$default"; got "GET orders".',
        ],
        [
            "a bad schedule",
            fn({ events: [{ schedule: "every day" }] }),
            '`functions.orders.events[0].schedule` must be `rate(<n> minute(s)|hour(s)|day(s))` (e.g. "rate(15 minutes)") or `cron(<6 fields>)` (e.g. "cron(0 12 * * ? *)"), with a singular unit only for 1; got "every day".',
        ],
        [
            "batchSize 0",
            fn({ events: [{ sqs: { queue: QUEUE, batchSize: 0 } }] }),
            "`functions.orders.events[0].sqs.batchSize` must be an integer from 1 to 10000; got 0.",
        ],
        [
            "a queue that is neither declared nor an ARN",
            fn({ events: [{ sqs: "orders" }] }),
            '`functions.orders.events[0].sqs.queue` must be an SQS queue ARN `arn:aws:sqs:<region>:<account>:<queue>`; got "orders".',
        ],
        [
            "one route on two functions",
            {
                image: { context: "a" },
                functions: {
                    a: { command: ["a.h"], events: [{ http: "GET /x" }] },
                    b: { command: ["b.h"], events: [{ http: { route: "GET /x" } }] },
                },
            },
            '`functions.b.events[0].http` must be a route no other function has (function "a" already has "GET /x"); got "GET /x".',
        ],
        [
            "an importer placeholder",
            fn({ environment: { TABLE: "TODO(lambda-docker import): ${ssm:/orders/table}" } }),
            '`functions.orders.environment.TABLE` must be a real value in place of the importer\'s placeholder (replace it by hand); got "TODO(lambda-docker import): ${ssm:/orders/table}".',
        ],
        [
            "a number in the environment",
            fn({ environment: { RETRIES: 3 } }),
            "`functions.orders.environment.RETRIES` must be a string (quote numbers and booleans in YAML) or `{ config: <key>, secret?: true }`; got 3.",
        ],
        [
            "an unknown key",
            fn({ memory: 512 }),
            "`functions.orders.memory` must be absent (allowed keys: memorySize, timeout, environment, reservedConcurrentExecutions, architecture, description, policyStatements, events, samples, image, command, entryPoint, workingDirectory); got 512.",
        ],
        [
            "a layer with context and path",
            {
                layers: { l: { context: "a", path: "b" } },
                functions: { z: { handler: "a.h", code: "c" } },
            },
            '`layers.l` must be a Docker-built layer `{ context, dockerfile?, buildArgs?, target? }` or a prebuilt directory `{ path }`, exactly one of `context` and `path`; got {"context":"a","path":"b"}.',
        ],
        [
            "an event with two triggers",
            fn({ events: [{ schedule: "rate(1 hour)", http: "GET /x" }] }),
            '`functions.orders.events[0]` must be one trigger: `schedule: rate(...)|cron(...)`, `http: "METHOD /path"` or `sqs: { queue, batchSize? }`; got {"schedule":"rate(1 hour)","http":"GET /x"}.',
        ],
        [
            "a reserved environment name",
            fn({ environment: { AWS_REGION: "x" } }),
            '`functions.orders.environment.AWS_REGION` must be a name Lambda does not reserve (reserved: _HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR); got "AWS_REGION".',
        ],
    ];
    for (const [what, doc, message] of cases) {
        it(`refuses ${what}, naming the key`, () => assert.equal(refused(doc), message));
    }

    it("reads each function's sample events, relative to the manifest, with what the response must show", () => {
        const m = parseManifest(
            {
                image: { context: "app" },
                functions: {
                    api: {
                        command: ["src.api.handler"],
                        samples: [
                            "events/health.json",
                            { event: "events/bad.json", status: 400, expect: { ok: false } },
                        ],
                    },
                },
            },
            "svc",
        );
        assert.deepEqual(m.functions.api.samples, [
            { event: "svc/events/health.json" },
            { event: "svc/events/bad.json", status: 400, expect: { ok: false } },
        ]);
        const bad = (samples: unknown) => () =>
            parseManifest(
                { image: { context: "app" }, functions: { api: { command: ["h.h"], samples } } },
                "svc",
            );
        assert.throws(bad("events/a.json"), {
            message:
                '`functions.api.samples` must be a list of event files or `{ event, status?, expect? }`; got "events/a.json".',
        });
        assert.throws(bad([{ event: "a.json", status: 99 }]), {
            message:
                "`functions.api.samples[0].status` must be an integer from 100 to 599; got 99.",
        });
        assert.throws(bad([{ event: "a.json", code: 200 }]), {
            message:
                "`functions.api.samples[0].code` must be absent (allowed keys: event, status, expect); got 200.",
        });
    });

    it("names the file in every error, and reads the repository's manifest", () => {
        assert.throws(() => readManifest(path.join(ROOT, "nope.yaml")), {
            message: `Manifest ${JSON.stringify(path.join(ROOT, "nope.yaml"))} not found: create it (see lambda-docker.yaml in the README) or pass --manifest.`,
        });
        const m = readManifest(path.join(ROOT, "lambda-docker.yaml"));
        assert.deepEqual(Object.keys(m.functions), [
            "campaign-orchestrator",
            "report-sync",
            "api",
            "report-api",
        ]);
        const file = path.join(ROOT, "test", "fixtures", "bad-manifest.yaml");
        fs.writeFileSync(
            file,
            "image: { context: app }\nfunctions: { a: { command: [x.h], timeout: 0 } }\n",
        );
        try {
            assert.throws(() => readManifest(file), {
                message: `Manifest ${JSON.stringify(file)}: \`functions.a.timeout\` must be an integer from 1 to 900 (seconds); got 0.`,
            });
        } finally {
            fs.rmSync(file);
        }
    });

    it("gives each queue a visibility timeout that covers its functions, and refuses a shorter one", () => {
        const doc = (visibilityTimeout?: number) => ({
            queues: {
                jobs: visibilityTimeout === undefined ? {} : { visibilityTimeout },
                idle: {},
            },
            image: { context: "app" },
            functions: {
                a: { command: ["a.h"], timeout: 120, events: [{ sqs: "jobs" }] },
                b: { command: ["b.h"], events: [{ sqs: "jobs" }] },
            },
        });
        assert.deepEqual(queueVisibilityTimeouts(parseManifest(doc(), "."), 30), {
            jobs: 720,
            idle: 180,
        });
        assert.deepEqual(queueVisibilityTimeouts(parseManifest(doc(150), "."), 30), {
            jobs: 150,
            idle: 180,
        });
        assert.deepEqual(queueVisibilityTimeouts(parseManifest(doc(), "."), 9000), {
            jobs: 43200,
            idle: 43200,
        });
        assert.throws(() => queueVisibilityTimeouts(parseManifest(doc(60), "."), 30), {
            message:
                '`queues.jobs.visibilityTimeout` must be at least the timeout of every function it triggers (function "a" has 120 seconds; AWS refuses the mapping otherwise); got 60.',
        });
    });

    describe("the shipped JSON Schema", () => {
        it("accepts what the parser accepts: the whole service, the first form, and the repository's manifest", () => {
            for (const doc of [
                FULL,
                { image: { context: "app" }, functions: { api: { command: ["src.api.handler"] } } },
                YAML.parse(fs.readFileSync(path.join(ROOT, "lambda-docker.yaml"), "utf8")),
            ]) {
                assert.equal(validate(doc), true, JSON.stringify(validate.errors));
                assert.doesNotThrow(() => parseManifest(doc, "."));
            }
        });

        it("rejects what the parser rejects", () => {
            const schemaChecks = cases.filter(
                ([what]) =>
                    ![
                        "an importer placeholder",
                        "an unknown image",
                        "an unknown layer",
                        "one route on two functions",
                        "a queue that is neither declared nor an ARN",
                        "a reserved environment name",
                        "no image name with two images",
                    ].includes(what),
            );
            assert.ok(schemaChecks.length >= 10);
            for (const [what, doc] of schemaChecks) {
                assert.equal(validate(doc), false, `the schema accepted ${what}`);
                assert.notEqual(refused(doc), "accepted");
            }
        });

        it("has at each level exactly the keys the parser allows", () => {
            const keys = (o: { properties: object }) => Object.keys(o.properties).sort();
            const sorted = (k: readonly string[]) => [...k].sort();
            const p = schema.properties;
            const [imageFn, zipFn] = p.functions.additionalProperties.oneOf;
            const [dockerLayer, directoryLayer] = p.layers.additionalProperties.oneOf;
            const [schedule, http, sqs] = imageFn.properties.events.items.oneOf.map(
                (e: { properties: Record<string, { oneOf: { properties?: object }[] }> }) =>
                    Object.values(e.properties)[0].oneOf[1],
            );
            assert.deepEqual(keys(schema), sorted(MANIFEST_KEYS.root));
            assert.deepEqual(keys(p.image), sorted(MANIFEST_KEYS.image));
            assert.deepEqual(keys(p.images.additionalProperties), sorted(MANIFEST_KEYS.image));
            assert.deepEqual(keys(dockerLayer), sorted(MANIFEST_KEYS.dockerLayer));
            assert.deepEqual(keys(directoryLayer), sorted(MANIFEST_KEYS.directoryLayer));
            assert.deepEqual(keys(p.queues.additionalProperties), sorted(MANIFEST_KEYS.queue));
            assert.deepEqual(
                keys(imageFn),
                sorted([...MANIFEST_KEYS.common, ...MANIFEST_KEYS.imageFunction]),
            );
            assert.deepEqual(
                keys(zipFn),
                sorted([...MANIFEST_KEYS.common, ...MANIFEST_KEYS.zipFunction]),
            );
            assert.deepEqual(
                [keys(schedule), keys(http), keys(sqs)],
                [
                    sorted(MANIFEST_KEYS.schedule),
                    sorted(MANIFEST_KEYS.http),
                    sorted(MANIFEST_KEYS.sqs),
                ],
            );
        });
    });
});
