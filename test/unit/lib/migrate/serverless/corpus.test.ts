// The importer over the 34 real services of ../shared/corpus/serverless, run the way a user runs it:
// on a copy of each folder, the manifest written beside serverless.yml, then read as `check` and the
// plan read it. Secrets the services include from gitignored or secret-named files are planted in the
// copies with known values, which must not appear in anything the importer writes or prints.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { importCommand } from "../../../../../cli/commands/import";
import { checkManifestDeploy, readManifest } from "../../../../../lib/manifest";
import { PLACEHOLDER_PREFIX } from "../../../../../lib/migrate/serverless";
import { packageRoot } from "../../../../../lib/commandLine";

const CORPUS = path.resolve(packageRoot(), "..", "shared", "corpus", "serverless");

/** Values planted in the copies: each is what a user keeps out of git. */
const PLANTED: Record<string, Record<string, string>> = {
    "examples__aws-python-auth0-custom-authorizers-api": {
        "secrets.json": JSON.stringify({ AUTH0_CLIENT_ID: "planted-auth0-id-5f1c" }),
        public_key: "planted-public-key-9a7e",
    },
    "examples__aws-python-telegram-bot": {
        "serverless.env.yml": "TELEGRAM_TOKEN: planted-telegram-token-77c2\n",
    },
};
const SECRETS = Object.values(PLANTED).flatMap((files) =>
    Object.values(files).flatMap((text) => text.match(/planted-[a-z0-9-]+/g) ?? []),
);

/** The services whose manifest `check` and the plan accept with no hand edit. */
const ACCEPTED = [
    "aws-billing-to-slack__root",
    "examples__aws-multiple-runtime",
    "examples__aws-python-auth0-custom-authorizers-api",
    "examples__aws-python-http-api-with-dynamodb",
    "examples__aws-python-http-api-with-pynamodb",
    "examples__aws-python-line-echo-bot",
    "examples__aws-python-pynamodb-s3-sigurl",
    "examples__aws-python-rest-api-with-dynamodb",
    "examples__aws-python-rest-api-with-pymongo",
    "examples__aws-python-scheduled-cron",
    "examples__aws-python-telegram-bot",
    "examples__legacy_aws-python3",
    "fastapi-serverless-docker-template__root",
    "prices-api__root",
    "serverless-lambda-layer__root",
    "serverless-lambda-python-template__root",
    "serverless-python-requirements__example",
    "travis-ecr-testing__root",
];

/** The exact manifests of five of them (the Serverless service directory is the zip functions' code). */
const EXACT: Record<string, unknown> = {
    "examples__aws-python-scheduled-cron": {
        functions: {
            "rate-handler": {
                handler: "handler.run",
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
                    ],
                },
                runtime: "python3.9",
                events: [{ schedule: "rate(1 minute)" }],
            },
            "cron-handler": {
                handler: "handler.run",
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
                    ],
                },
                runtime: "python3.9",
                events: [{ schedule: "cron(0/2 * ? * MON-FRI *)" }],
            },
        },
    },
    "examples__legacy_aws-python3": {
        functions: {
            hello: {
                handler: "handler.hello",
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
                    ],
                },
                runtime: "python3.9",
            },
        },
    },
    "prices-api__root": {
        images: { appimage: { context: "." } },
        policyStatements: [
            {
                effect: "Allow",
                actions: ["s3:GetObject"],
                resources: [
                    "arn:aws:s3:::alcolina-pbras-prices/prices/pbras.prices.json",
                    "arn:aws:s3:::alcolina-pbras-prices/prices/stations/station=*/prices.json",
                ],
            },
            {
                effect: "Allow",
                actions: ["s3:PutObject"],
                resources: [
                    "arn:aws:s3:::alcolina-pbras-prices/prices/stations/station=*/prices.json",
                ],
            },
        ],
        functions: {
            app: {
                image: "appimage",
                command: ["alcolina.main.wsgi"],
                events: [{ http: "$default" }],
            },
        },
    },
    "travis-ecr-testing__root": {
        images: { appimage: { context: "." } },
        functions: {
            func1: {
                image: "appimage",
                command: ["app.handler"],
                entryPoint: ["/lambda-entrypoint.sh"],
                timeout: 60,
                events: [{ http: "POST /qa" }],
            },
            func2: {
                image: "appimage",
                command: ["app.handler2"],
                entryPoint: ["/lambda-entrypoint.sh"],
                events: [{ http: "GET /goodbye" }],
            },
            func3: {
                image: "appimage",
                command: ["app2.handler3"],
                entryPoint: ["/lambda-entrypoint.sh"],
                events: [{ http: "GET /func3" }],
            },
        },
    },
    "examples__aws-python-telegram-bot": {
        functions: {
            webhook: {
                handler: "handler.webhook",
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
                    ],
                },
                runtime: "python3.9",
                environment: { TELEGRAM_TOKEN: { config: "telegramToken", secret: true } },
                events: [{ http: "POST /" }],
            },
            "set-webhook": {
                handler: "handler.set_webhook",
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
                    ],
                },
                runtime: "python3.9",
                environment: { TELEGRAM_TOKEN: { config: "telegramToken", secret: true } },
                events: [{ http: "POST /set_webhook" }],
            },
        },
    },
};

type Outcome =
    | { kind: "accepted"; functions: string[] }
    | { kind: "placeholder"; message: string }
    | { kind: "invalid"; message: string }
    | { kind: "refused"; message: string };

interface Run {
    outcome: Outcome;
    written: string;
    printed: string;
    /** lambda-docker.yaml as written, parsed. */
    manifest?: unknown;
}

async function importService(name: string): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-corpus-"));
    try {
        fs.cpSync(path.join(CORPUS, name), dir, { recursive: true });
        for (const [file, text] of Object.entries(PLANTED[name] ?? {}))
            fs.writeFileSync(path.join(dir, file), text);
        const before = new Set(fs.readdirSync(dir, { recursive: true }).map(String));
        let printed = "";
        try {
            await importCommand((t) => void (printed += t)).parseAsync(["serverless", dir], {
                from: "user",
            });
        } catch (e) {
            return {
                outcome: { kind: "refused", message: (e as Error).message },
                written: "",
                printed,
            };
        }
        const written = fs
            .readdirSync(dir, { recursive: true })
            .map(String)
            .filter((f) => !before.has(f) && fs.statSync(path.join(dir, f)).isFile())
            .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
            .join("\n");
        const doc = YAML.parse(fs.readFileSync(path.join(dir, "lambda-docker.yaml"), "utf8"));
        try {
            const manifest = readManifest(path.join(dir, "lambda-docker.yaml"));
            checkManifestDeploy(manifest, { timeout: 30 });
            return {
                outcome: { kind: "accepted", functions: Object.keys(manifest.functions) },
                written,
                printed,
                manifest: doc,
            };
        } catch (e) {
            const message = (e as Error).message;
            return {
                outcome: {
                    kind: message.includes(PLACEHOLDER_PREFIX) ? "placeholder" : "invalid",
                    message,
                },
                written,
                printed,
            };
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("the importer over 34 real Serverless services (../shared/corpus/serverless)", function () {
    this.timeout(60_000);
    const runs = new Map<string, Run>();

    before(async () => {
        if (!fs.existsSync(CORPUS))
            throw new Error(
                `The corpus is missing: ${CORPUS} (it lives beside the repository, in ../shared).`,
            );
        for (const name of fs.readdirSync(CORPUS).sort())
            if (fs.statSync(path.join(CORPUS, name)).isDirectory())
                runs.set(name, await importService(name));
    });

    const names = (kind: Outcome["kind"]) =>
        [...runs].filter(([, r]) => r.outcome.kind === kind).map(([n]) => n);

    it("reads all 34 services, crashes on none, and writes no invalid manifest", () => {
        assert.equal(runs.size, 34);
        assert.deepEqual(names("invalid"), []);
    });

    it("refuses exactly the non-AWS and non-Python services, by name", () => {
        assert.deepEqual(names("refused"), [
            "examples__google-python-simple-http-endpoint",
            "serverless-python-requirements__tests_scaleway_provider",
            "tateyomi-api-container__root",
        ]);
        const message = (n: string) => (runs.get(n)!.outcome as { message: string }).message;
        assert.equal(
            message("examples__google-python-simple-http-endpoint"),
            'Only AWS services can be imported: provider.name is "google".',
        );
        assert.match(
            message("tateyomi-api-container__root"),
            /^Cannot import serverless\.yml: it has no Python function or layer lambda-docker can deploy \(functions\.index: its runtime is nodejs14\.x; lambda-docker's zip functions run Python\)\. lambda-docker ships Python functions only\.$/,
        );
    });

    it("writes a manifest accepted as written for 18 of the 31 imported services", () => {
        assert.deepEqual(names("accepted"), ACCEPTED);
    });

    it("leaves a placeholder in the others exactly where serverless.yml lacks what the manifest needs", () => {
        // The first refusal of each. A generated handler (serverless-wsgi), a queue construct (serverless-lift)
        // or a CloudFormation queue the program must create; a CMD that only the Dockerfile has (the corpus
        // keeps configuration only); an image URI from SSM or the environment; a runtime Lambda no longer creates.
        assert.deepEqual(
            [...runs]
                .filter(([, r]) => r.outcome.kind === "placeholder")
                .map(([n, r]) => [
                    n,
                    /`([^`]+)`/.exec((r.outcome as { message: string }).message)![1],
                ]),
            [
                ["examples__aws-python-flask-api", "functions.api.handler"],
                ["examples__aws-python-flask-dynamodb-api", "functions.api.handler"],
                ["examples__aws-python-sqs-worker", "functions.producer.environment.QUEUE_URL"],
                ["examples__legacy_aws-nodejs-docker", "functions.hello.command[0]"],
                ["examples__legacy_aws-python-docker", "functions.hello.command[0]"],
                ["playwright_lambda_test__root", "policyStatements[1].resources[0]"],
                ["scrape-craigslist-rentals__root", "functions.cl-scraper.runtime"],
                ["serverless-docker-flask__root", "functions.api.handler"],
                ["serverless-lambda-container-boilerplate__root", "images.main.uri"],
                ["serverless-python-requirements__tests_base", "functions.hello5.command[0]"],
                [
                    "simplify-development-lambda-container-image-serverless-framework__root",
                    "images.app.uri",
                ],
                ["sls-docker-lambda__root", "images.world.uri"],
                ["template-serverless-docker-python__root", "functions.test-function.runtime"],
            ],
        );
    });

    it("writes the exact manifest of five services", () => {
        for (const [name, expected] of Object.entries(EXACT))
            assert.deepEqual(runs.get(name)!.manifest, expected, name);
    });

    it("writes no planted secret anywhere, and prints the config command for each", () => {
        for (const [name, run] of runs)
            for (const secret of SECRETS) {
                assert.ok(!run.written.includes(secret), `${name} wrote ${secret}`);
                assert.ok(!run.printed.includes(secret), `${name} printed ${secret}`);
            }
        assert.match(
            runs.get("examples__aws-python-telegram-bot")!.printed,
            /\n {2}pulumi config set --secret telegramToken <value> --stack dev {3}# was \$\{file\(\.\/serverless\.env\.yml\):TELEGRAM_TOKEN, ''\}\n/,
        );
    });
});
