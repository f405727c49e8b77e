/**
 * The manifest's vocabulary for imported services (prebuilt images, code patterns, config-backed
 * environment, SQS batching windows), its path confinement, and a fuzz of bad manifests: each refused
 * with its key named, no stack trace, no hang, and no host path read.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { checkManifestDeploy, parseManifest, readManifest } from "../../../../lib/manifest";
import { codeFilter } from "../../../../lib/build/codePatterns";
import { ValidationError } from "../../../../lib/validation";

const DIGEST = `sha256:${"a".repeat(64)}`;
const URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/legacy@${DIGEST}`;

/** A project directory with the files the base manifest names. */
function project(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-vocab-"));
    fs.mkdirSync(path.join(dir, "app"));
    fs.writeFileSync(path.join(dir, "app", "Dockerfile"), "FROM scratch\n");
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(path.join(dir, "src", "api.py"), "def handler(e, c): return e\n");
    fs.mkdirSync(path.join(dir, "events"));
    fs.writeFileSync(path.join(dir, "events", "a.json"), "{}\n");
    return dir;
}

const BASE = (): Record<string, unknown> => ({
    images: { app: { context: "app" }, legacy: { uri: URI } },
    queues: { jobs: {} },
    functions: {
        api: {
            image: "app",
            command: ["src.api.handler"],
            environment: { PLAIN: "x", TOKEN: { config: "apiToken", secret: true } },
            events: [
                { http: "GET /a" },
                { sqs: { queue: "jobs", batchSize: 100, maximumBatchingWindow: 5 } },
            ],
            samples: ["events/a.json"],
        },
        old: { image: "legacy", command: ["legacy.handler"] },
        zipped: {
            handler: "api.handler",
            code: { path: "src", include: ["keep/**"], exclude: ["tests/**", "*.md"] },
        },
    },
});

describe("the manifest's vocabulary for imported services", () => {
    let dir: string;
    beforeEach(() => (dir = project()));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads prebuilt images, code patterns, config-backed variables and batching windows exactly", () => {
        const m = parseManifest(BASE(), dir);
        assert.deepEqual(m.images.legacy, { kind: "prebuilt", uri: URI });
        const api = m.functions.api;
        assert.deepEqual(
            [api.environment, api.configEnvironment],
            [{ PLAIN: "x" }, { TOKEN: { config: "apiToken", secret: true } }],
        );
        assert.deepEqual(api.events[1], {
            sqs: { queue: "jobs", batchSize: 100, maximumBatchingWindow: 5, enabled: true },
        });
        const zipped = m.functions.zipped;
        assert.ok(zipped.kind === "zip");
        assert.deepEqual(
            [zipped.code, zipped.include, zipped.exclude],
            [`${dir}/src`, ["keep/**"], ["tests/**", "*.md"]],
        );
    });

    it("packages what Serverless's patterns package: excludes leave, includes come back", () => {
        const keep = codeFilter({
            exclude: ["**", "!x"].slice(0, 1).concat(["*.md"]),
            include: ["app/**", "README.md"],
        });
        assert.deepEqual(
            ["app/a.py", "app/sub/b.py", "README.md", "NOTES.md", "tests/t.py", ".env"].map(keep),
            [true, true, true, false, false, false],
        );
        const dotfiles = codeFilter({ exclude: [".git/**", "node_modules/**"] });
        assert.deepEqual(
            [".git/config", "node_modules/x/y.js", ".hidden.py", "handler.py"].map(dotfiles),
            [false, false, true, true],
        );
        assert.throws(() => codeFilter({ exclude: ["!a"] }), {
            message:
                '`exclude[0]` must be a glob relative to the code directory (no leading `/` or `!`: `exclude` lists what leaves, `include` what comes back); got "!a".',
        });
    });

    it("refuses what the plan would refuse, so check and invoke accept only what the plan accepts", () => {
        const cases: [string, (m: any) => void, string][] = [
            [
                "a batch over 10 without a window",
                (m) => (m.functions.api.events[1].sqs.maximumBatchingWindow = undefined),
                "`functions.api.events[1].sqs.maximumBatchingWindow` must be at least 1 when `batchSize` is over 10 (AWS requires a batching window for batches of 100); got undefined.",
            ],
            [
                "a FIFO queue batch over 10",
                (m) =>
                    (m.functions.api.events[1].sqs = {
                        queue: "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
                        batchSize: 20,
                        maximumBatchingWindow: 1,
                    }),
                "`functions.api.events[1].sqs.batchSize` must be an integer from 1 to 10 for a FIFO queue; got 20.",
            ],
            [
                "a function name Lambda's 64 characters can't hold",
                (m) => {
                    m.functions["a".repeat(56)] = m.functions.old;
                    delete m.functions.old;
                },
                `\`functions.${"a".repeat(56)}\` must be at most 51 characters: its IAM role is auto-named \`<name>-role-<7 random>\` and AWS allows 64 (56 given); got "${"a".repeat(56)}".`,
            ],
            [
                "a route whose permission id is over 100 characters",
                (m) => (m.functions.api.events[0] = { http: `GET /${"x".repeat(90)}` }),
                `\`functions.api.events[0].http.route\` must be a route whose invoke permission fits AWS's 100-character statement id`,
            ],
        ];
        for (const [what, change, message] of cases) {
            const doc = BASE();
            change(doc);
            assert.throws(
                () => parseManifest(doc, dir),
                (e: Error) => e instanceof ValidationError && e.message.startsWith(message),
                what,
            );
        }
        const m = parseManifest(
            {
                functions: {
                    w: { image: "app", command: ["a.h"], events: [{ sqs: "jobs" }] },
                    v: { image: "app", command: ["a.h"], timeout: 900 },
                },
                images: { app: { context: "app" } },
                queues: { jobs: { visibilityTimeout: 30 } },
            },
            dir,
        );
        assert.doesNotThrow(() => checkManifestDeploy(m, { timeout: 30 }));
        assert.throws(() => checkManifestDeploy(m, { timeout: 60, source: "x.yaml" }), {
            message:
                'Manifest "x.yaml": `queues.jobs.visibilityTimeout` must be at least the timeout of every function it triggers (function "w" has 60 seconds; AWS refuses the mapping otherwise); got 30.',
        });
    });

    it("keeps every path inside the manifest's directory, symlinks resolved, and refuses special files", () => {
        fs.symlinkSync("/etc", path.join(dir, "etc-link"));
        fs.symlinkSync("/proc/self", path.join(dir, "proc-link"));
        const fifo = path.join(dir, "pipe");
        assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
        const cases: [unknown, string][] = [
            ["/etc", "a path relative to the manifest's directory (absolute paths are refused)"],
            ["/", "a path relative to the manifest's directory (absolute paths are refused)"],
            ["../../x", "a path inside the manifest's directory (`..` may not leave it)"],
            ["src/../../x", "a path inside the manifest's directory (`..` may not leave it)"],
            [
                "etc-link",
                'a path that stays inside the manifest\'s directory once symlinks are resolved (it leads to "/etc")',
            ],
            [
                "etc-link/ssl/missing",
                'a path that stays inside the manifest\'s directory once symlinks are resolved (it leads to "/etc/ssl/missing")',
            ],
            ["pipe", "a regular file or a directory (not a device, socket or pipe)"],
        ];
        for (const [p, allowed] of cases) {
            const doc = BASE();
            (doc.functions as any).zipped.code = p;
            assert.throws(() => parseManifest(doc, dir), {
                message: `\`functions.zipped.code\` must be ${allowed}; got ${JSON.stringify(p)}.`,
            });
        }
        const doc = BASE();
        (doc.functions as any).zipped.code = "proc-link";
        assert.throws(() => parseManifest(doc, dir), {
            message:
                /^`functions\.zipped\.code` must be a path that stays inside the manifest's directory once symlinks are resolved \(it leads to "\/proc\/\d+"\); got "proc-link"\.$/,
        });
    });
});

/** One bad value at one key of the base manifest, and the key the error must name. */
type Mutation = [key: string, set: (m: any) => void];

const at =
    (keys: (string | number)[], value: unknown) =>
    (m: any): void => {
        let o = m;
        for (const k of keys.slice(0, -1)) o = o[k];
        o[keys[keys.length - 1]] = value;
    };

const BAD_VALUES: unknown[] = [
    null,
    100_000,
    -1,
    true,
    "",
    [],
    {},
    "/etc/passwd",
    "../../../etc",
    { nested: [1] },
];
/** In place of the strings, where any string is a valid value (an environment variable). */
const NOT_STRINGS: unknown[] = [1.5, [null], { config: "" }];

function mutations(): Mutation[] {
    const out: Mutation[] = [];
    const targets: [string, (string | number)[], boolean][] = [
        // [key as the error names it, path in the doc, whether a string is fine there]
        ["images.app.context", ["images", "app", "context"], false],
        ["images.app.dockerfile", ["images", "app", "dockerfile"], false],
        ["images.legacy.uri", ["images", "legacy", "uri"], false],
        ["functions.api.command", ["functions", "api", "command"], false],
        ["functions.api.environment.TOKEN", ["functions", "api", "environment", "TOKEN"], true],
        ["functions.api.events[0]", ["functions", "api", "events", 0], false],
        ["functions.api.samples[0]", ["functions", "api", "samples", 0], false],
        ["functions.api.memorySize", ["functions", "api", "memorySize"], false],
        ["functions.api.timeout", ["functions", "api", "timeout"], false],
        ["functions.zipped.code", ["functions", "zipped", "code"], false],
        ["functions.zipped.code.path", ["functions", "zipped", "code", "path"], false],
        ["functions.zipped.handler", ["functions", "zipped", "handler"], false],
    ];
    for (const [key, keys, stringsFine] of targets) {
        const values = stringsFine
            ? [...BAD_VALUES.filter((v) => typeof v !== "string"), ...NOT_STRINGS]
            : BAD_VALUES;
        for (const value of values) out.push([key, at(keys, value)]);
    }
    return out;
}

describe("a fuzz of bad manifests", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = project()));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("refuses each of 120 bad manifests with an error that names its key, no stack trace, no hang and no host path read", () => {
        const all = mutations();
        assert.equal(all.length, 120);
        const accepted: string[] = [];
        for (const [i, [key, mutate]] of all.entries()) {
            const doc = BASE();
            mutate(doc);
            const file = path.join(dir, `m${i}.yaml`);
            fs.writeFileSync(file, YAML.stringify(doc));
            const started = Date.now();
            let error: unknown;
            try {
                readManifest(file);
            } catch (e) {
                error = e;
            }
            assert.ok(Date.now() - started < 2000, `${key}: took ${Date.now() - started} ms`);
            if (error === undefined) {
                accepted.push(
                    `${key} = ${JSON.stringify(YAML.parse(fs.readFileSync(file, "utf8")))}`,
                );
                continue;
            }
            assert.ok(error instanceof ValidationError, `${key}: ${String(error)}`);
            const message = (error as Error).message;
            assert.ok(message.startsWith(`Manifest ${JSON.stringify(file)}: \``), message);
            assert.ok(message.includes(`\`${key}`), `${key} not named in: ${message}`);
            assert.ok(!/\n\s+at /.test(message), `${key}: a stack trace in ${message}`);
            assert.ok(!message.includes("root:x:0:0"), `${key}: /etc/passwd was read`);
        }
        assert.deepEqual(accepted, []);
    });

    it("refuses YAML that is not a manifest: a scalar, a list, an alias bomb, a syntax error", () => {
        const texts: [string, RegExp][] = [
            ["42\n", /^Manifest ".*": `manifest` must be a mapping; got 42\.$/],
            ["- a\n", /^Manifest ".*": `manifest` must be a mapping; got \["a"\]\.$/],
            ["functions: [1\n", /^Manifest ".*": .*(Flow sequence|flow collection|Missing)/],
            [
                `a: &a [x,x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`).join("\n")}\n`,
                /^Manifest ".*": .*(alias|Excessive)/i,
            ],
        ];
        for (const [i, [text, expected]] of texts.entries()) {
            const file = path.join(dir, `y${i}.yaml`);
            fs.writeFileSync(file, text);
            const started = Date.now();
            assert.throws(
                () => readManifest(file),
                (e: Error) => expected.test(e.message.split("\n")[0]),
            );
            assert.ok(Date.now() - started < 2000);
        }
    });
});
