/**
 * Each Serverless fixture, imported with `lambda-docker import serverless`, then run through the real
 * program (index.ts) under mocks: the manifest parses (or is refused until its placeholders are replaced),
 * and the program creates every function with its triggers.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PLACEHOLDER_PREFIX, readManifest } from "../../../lib/manifest";
import { importServerless } from "../../../lib/migrate/serverless";
import { readIfExists } from "../../../cli/commands/import";
import { Recorded } from "../../../plan/engine";
import { runProgram } from "../../support/localProgram";
import { FIXTURES as TEST_FIXTURES } from "../../support/paths";

const FIXTURES = path.join(TEST_FIXTURES, "serverless");

/** Replaces the importer's placeholders as a person would: a code directory, an ARN, or a value. */
function replacePlaceholders(value: unknown, key = ""): unknown {
    if (typeof value === "string" && value.startsWith(PLACEHOLDER_PREFIX)) {
        if (key === "code") return ".";
        if (key === "command[]") return "handler.main";
        if (key === "queue" || key.startsWith("resources"))
            return "arn:aws:sqs:us-east-1:123456789012:replaced-by-hand";
        return "replaced-by-hand";
    }
    if (Array.isArray(value)) return value.map((x) => replacePlaceholders(x, `${key}[]`));
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(
            Object.entries(value).map(([k, x]) => [k, replacePlaceholders(x, k)]),
        );
    return value;
}

function imported(fixture: string): {
    dir: string;
    manifest: string;
    config: Record<string, string>;
    placeholders: number;
    configKeys: string[];
} {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ld-import-${fixture}-`));
    fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
    const result = importServerless(path.join(dir, "serverless.yml"), {
        stage: "dev",
        outDir: dir,
        readFile: readIfExists,
    });
    const manifest = path.join(dir, "lambda-docker.yaml");
    fs.writeFileSync(manifest, result.manifestYaml);
    const configKeys = result.configCommands.map(
        (c) => c.split(" ")[c.includes("--secret") ? 4 : 3],
    );
    return {
        dir,
        manifest,
        config: result.stackConfig,
        placeholders: result.todos.length,
        configKeys,
    };
}

const count = (resources: Recorded[], type: string) =>
    resources.filter((r) => r.type === type).length;

describe("imported Serverless services run through the program under mocks", function () {
    this.timeout(120000);
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    const expectations: Record<
        string,
        {
            placeholders: boolean;
            functions: string[];
            routes: number;
            schedules: number;
            mappings: number;
            layers: number;
        }
    > = {
        seed: {
            placeholders: true,
            functions: ["api", "campaign-orchestrator", "report-sync"],
            routes: 2,
            schedules: 4,
            mappings: 2,
            layers: 0,
        },
        minimal: {
            placeholders: false,
            functions: ["hello"],
            routes: 1,
            schedules: 0,
            mappings: 0,
            layers: 0,
        },
        uri: {
            placeholders: true,
            functions: ["invoices", "ledger-export", "worker"],
            routes: 0,
            schedules: 2,
            mappings: 1,
            layers: 0,
        },
        "zip-layers": {
            placeholders: false,
            functions: ["get-report", "health", "list-reports"],
            routes: 3,
            schedules: 0,
            mappings: 0,
            layers: 1,
        },
    };

    for (const [fixture, expected] of Object.entries(expectations)) {
        it(`${fixture}: ${expected.placeholders ? "refused until the placeholders are replaced, then " : ""}deploys every function with its triggers`, async () => {
            const { dir, manifest, config, placeholders, configKeys } = imported(fixture);
            dirs.push(dir);
            assert.equal(placeholders > 0, expected.placeholders);
            if (expected.placeholders) {
                assert.throws(
                    () => readManifest(manifest),
                    /must be a real value in place of the importer's placeholder \(replace it by hand\)/,
                );
                const doc = YAML.parse(fs.readFileSync(manifest, "utf8"));
                fs.writeFileSync(manifest, YAML.stringify(replacePlaceholders(doc)));
            }
            // The values `pulumi config set --secret <key>` would set, in the project's namespace.
            const secrets = Object.fromEntries(
                configKeys.map((k) => [`lambda-docker:${k}`, `value-of-${k}`]),
            );
            const run = await runProgram("dev", {
                ...config,
                ...secrets,
                "lambda-docker:manifest": manifest,
            });
            // Each config-backed variable reaches its functions as a secret, read from the config.
            for (const k of configKeys) {
                const fns = run.resources.filter(
                    (r) =>
                        r.type === "aws:lambda/function:Function" &&
                        Object.values(r.inputs.environment?.variables ?? {}).includes(
                            `value-of-${k}`,
                        ),
                );
                assert.ok(fns.length > 0, `${fixture}: no function reads ${k}`);
                for (const f of fns) assert.ok(f.secretInputs.includes("environment"), f.name);
            }
            const functions = run.resources
                .filter(
                    (r) =>
                        r.type === "lambda-docker:index:ImageFunction" ||
                        r.type === "lambda-docker:index:ZipFunction",
                )
                .map((r) => r.name)
                .sort();
            assert.deepEqual(functions, expected.functions);
            assert.deepEqual(
                [
                    count(run.resources, "aws:apigatewayv2/route:Route"),
                    count(run.resources, "aws:scheduler/schedule:Schedule"),
                    count(run.resources, "aws:lambda/eventSourceMapping:EventSourceMapping"),
                    count(run.resources, "aws:lambda/layerVersion:LayerVersion"),
                ],
                [expected.routes, expected.schedules, expected.mappings, expected.layers],
            );
            // Each route's permission is scoped to the service's API and that route.
            const routes = run.resources
                .filter((r) => r.type === "aws:apigatewayv2/route:Route")
                .map((r) => r.inputs.routeKey as string);
            const arns = run.resources
                .filter((r) => r.type === "aws:lambda/permission:Permission")
                .map((r) => r.inputs.sourceArn as string);
            assert.deepEqual(
                arns.sort(),
                routes
                    .map(
                        (k) =>
                            `arn:aws:execute-api:us-east-1:123456789012:http-api-id/${k === "$default" ? "*/$default" : `*/${k.split(" ")[0] === "ANY" ? "*" : k.split(" ")[0]}${k.split(" ")[1].replace(/\{[^}]+\}/g, "*")}`}`,
                    )
                    .sort(),
            );
        });
    }
});
