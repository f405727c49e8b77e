import * as assert from "node:assert/strict";
import * as v from "../../../lib/validation";

const RETENTIONS =
    "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";
const HANDLER_MSG =
    'a Python handler in `module.function` form (e.g. "src.functions.campaign.orchestrator.handler")';
const RESERVED =
    "_HANDLER, _X_AMZN_TRACE_ID, AWS_DEFAULT_REGION, AWS_REGION, AWS_EXECUTION_ENV, AWS_LAMBDA_FUNCTION_NAME, " +
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_INITIALIZATION_TYPE, AWS_LAMBDA_LOG_GROUP_NAME, " +
    "AWS_LAMBDA_LOG_STREAM_NAME, AWS_ACCESS_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, " +
    "AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR";

describe("validation: show, fail, ValidationError, withContext", () => {
    it("show renders undefined and non-finite numbers bare, everything else as JSON", () => {
        const cases: [unknown, string][] = [
            [undefined, "undefined"],
            [NaN, "NaN"],
            [Infinity, "Infinity"],
            [-Infinity, "-Infinity"],
            [null, "null"],
            [0, "0"],
            [12.5, "12.5"],
            ["", '""'],
            ['a "b"', '"a \\"b\\""'],
            [true, "true"],
            [[1, "x"], '[1,"x"]'],
            [{ a: 1 }, '{"a":1}'],
        ];
        for (const [value, shown] of cases) assert.equal(v.show(value), shown, String(value));
    });

    it("fail throws a ValidationError carrying the key and the `key` must … ; got … . message", () => {
        assert.throws(
            () => v.fail("k", "nice", 3),
            (err: unknown) => {
                assert.ok(err instanceof v.ValidationError);
                assert.ok(err instanceof Error);
                assert.equal(err.name, "ValidationError");
                assert.equal(err.key, "k");
                assert.equal(err.message, "`k` must be nice; got 3.");
                return true;
            },
        );
    });

    it("withContext returns the callback's value and prefixes only ValidationErrors with component and name, keeping the key", () => {
        assert.equal(
            v.withContext("C", "n", () => 42),
            42,
        );
        assert.throws(
            () => v.withContext("ImageFunction", "api", () => v.timeout("timeout", 0)),
            (err: unknown) => {
                assert.ok(err instanceof v.ValidationError);
                assert.equal(err.key, "timeout");
                assert.equal(
                    err.message,
                    'ImageFunction "api": `timeout` must be an integer from 1 to 900 (seconds); got 0.',
                );
                return true;
            },
        );
        assert.throws(
            () =>
                v.withContext("X", "y", () => {
                    throw new TypeError("other");
                }),
            { name: "TypeError", message: "other" },
        );
    });
});

describe("validation: numbers", () => {
    it("integerInRange accepts integers within the bounds inclusive and omits the unit parentheses when no unit is given", () => {
        for (const ok of [2, 3, 5]) assert.equal(v.integerInRange("n", ok, 2, 5), ok);
        for (const bad of [1, 6, 2.5, "3", NaN, Infinity, null, undefined, true]) {
            assert.throws(() => v.integerInRange("n", bad, 2, 5), {
                message: `\`n\` must be an integer from 2 to 5; got ${v.show(bad)}.`,
            });
        }
        assert.throws(() => v.integerInRange("n", 9, 2, 5, "apples"), {
            message: "`n` must be an integer from 2 to 5 (apples); got 9.",
        });
    });

    it("memorySize accepts integers 128..10240 MB and rejects floats, strings and out-of-range values with the exact message", () => {
        for (const ok of [128, 512, 10240]) assert.equal(v.memorySize("memorySize", ok), ok);
        const cases: [unknown, string][] = [
            [127, "127"],
            [10241, "10241"],
            [512.5, "512.5"],
            ["512", '"512"'],
            [undefined, "undefined"],
            [null, "null"],
            [NaN, "NaN"],
        ];
        for (const [bad, shown] of cases) {
            assert.throws(() => v.memorySize("memorySize", bad), {
                name: "ValidationError",
                message: `\`memorySize\` must be an integer from 128 to 10240 (MB); got ${shown}.`,
            });
        }
    });

    it('timeout accepts integers 1..900 seconds and rejects 0, 901, 1.5, "30", NaN', () => {
        for (const ok of [1, 30, 900]) assert.equal(v.timeout("t", ok), ok);
        const cases: [unknown, string][] = [
            [0, "0"],
            [901, "901"],
            [1.5, "1.5"],
            ["30", '"30"'],
            [NaN, "NaN"],
            [-Infinity, "-Infinity"],
        ];
        for (const [bad, shown] of cases) {
            assert.throws(() => v.timeout("t", bad), {
                message: `\`t\` must be an integer from 1 to 900 (seconds); got ${shown}.`,
            });
        }
    });

    it("atLeast accepts integers at or above the minimum and rejects smaller, fractional and non-number values", () => {
        for (const ok of [1, 2, 1000000]) assert.equal(v.atLeast("n", ok, 1), ok);
        const cases: [unknown, string][] = [
            [0, "0"],
            [-1, "-1"],
            [1.5, "1.5"],
            ["2", '"2"'],
            [undefined, "undefined"],
        ];
        for (const [bad, shown] of cases)
            assert.throws(() => v.atLeast("n", bad, 1), {
                message: `\`n\` must be an integer >= 1; got ${shown}.`,
            });
    });

    it("logRetentionDays accepts exactly CloudWatch's 22 retention values and nothing else", () => {
        assert.equal(v.LOG_RETENTION_DAYS.join(", "), RETENTIONS);
        for (const ok of v.LOG_RETENTION_DAYS) assert.equal(v.logRetentionDays("r", ok), ok);
        const cases: [unknown, string][] = [
            [0, "0"],
            [2, "2"],
            [13, "13"],
            [15, "15"],
            [3654, "3654"],
            [14.5, "14.5"],
            ["14", '"14"'],
            [null, "null"],
        ];
        for (const [bad, shown] of cases) {
            assert.throws(() => v.logRetentionDays("r", bad), {
                message: `\`r\` must be one of ${RETENTIONS}; got ${shown}.`,
            });
        }
    });
});

describe("validation: enums, booleans and strings", () => {
    it("oneOf accepts only listed values, compared strictly (no string/number coercion), and lists them quoted", () => {
        assert.equal(v.oneOf("k", "b", ["a", "b"]), "b");
        assert.equal(v.oneOf("k", 2, [1, 2]), 2);
        assert.throws(() => v.oneOf("k", "c", ["a", "b"]), {
            message: '`k` must be one of "a", "b"; got "c".',
        });
        assert.throws(() => v.oneOf("k", "A", ["a", "b"]), {
            message: '`k` must be one of "a", "b"; got "A".',
        });
        assert.throws(() => v.oneOf("k", "2", [1, 2]), {
            message: '`k` must be one of 1, 2; got "2".',
        });
    });

    it("architecture accepts x86_64 and arm64 only", () => {
        assert.deepEqual([...v.ARCHITECTURES], ["x86_64", "arm64"]);
        for (const ok of ["x86_64", "arm64"]) assert.equal(v.architecture("a", ok), ok);
        for (const bad of ["aarch64", "amd64", "ARM64", "x86-64", ""]) {
            assert.throws(() => v.architecture("a", bad), {
                message: `\`a\` must be one of "x86_64", "arm64"; got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it('boolean accepts only real booleans, not "true", 1 or null', () => {
        assert.equal(v.boolean("b", true), true);
        assert.equal(v.boolean("b", false), false);
        const cases: [unknown, string][] = [
            ["true", '"true"'],
            [1, "1"],
            [0, "0"],
            [null, "null"],
            [undefined, "undefined"],
        ];
        for (const [bad, shown] of cases)
            assert.throws(() => v.boolean("b", bad), {
                message: `\`b\` must be true or false; got ${shown}.`,
            });
    });

    it("nonEmptyString returns the string unchanged and rejects empty, whitespace-only and non-strings", () => {
        for (const ok of ["a", " a ", "0"]) assert.equal(v.nonEmptyString("s", ok), ok);
        const cases: [unknown, string][] = [
            ["", '""'],
            ["   ", '"   "'],
            ["\t\n", '"\\t\\n"'],
            [5, "5"],
            [null, "null"],
            [undefined, "undefined"],
        ];
        for (const [bad, shown] of cases)
            assert.throws(() => v.nonEmptyString("s", bad), {
                message: `\`s\` must be a non-empty string; got ${shown}.`,
            });
    });

    it("matches tests strings against the pattern, rejects non-strings, and uses the given description", () => {
        assert.equal(v.matches("m", "abc", /^a/, "starting with a"), "abc");
        assert.throws(() => v.matches("m", "xbc", /^a/, "starting with a"), {
            message: '`m` must be starting with a; got "xbc".',
        });
        assert.throws(() => v.matches("m", 7, /7/, "seven"), {
            message: "`m` must be seven; got 7.",
        });
    });

    it("stage accepts lowercase letters, digits and single inner hyphens only", () => {
        for (const ok of ["dev", "prod", "pr-123", "a1", "1", "a-b-c"])
            assert.equal(v.stage("stage", ok), ok);
        for (const bad of [
            "Dev",
            "dev_1",
            "-dev",
            "dev-",
            "a--b",
            "",
            "a b",
            "dév",
            7,
            undefined,
        ]) {
            assert.throws(() => v.stage("stage", bad), {
                message: `\`stage\` must be lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev"); got ${v.show(bad)}.`,
            });
        }
    });

    it("handler accepts dotted Python identifiers with at least one dot and rejects everything else", () => {
        for (const ok of [
            "a.b",
            "src.functions.campaign.orchestrator.handler",
            "_m.f_1",
            "A.B",
            "m1._f",
        ])
            assert.equal(v.handler("h", ok), ok);
        const bad: [unknown, string][] = [
            ["handler", '"handler"'],
            ["a..b", '"a..b"'],
            ["1a.b", '"1a.b"'],
            ["a.b-c", '"a.b-c"'],
            ["a.1b", '"a.1b"'],
            ["a.", '"a."'],
            [".a", '".a"'],
            ["a b.c", '"a b.c"'],
            ["a.b ", '"a.b "'],
            ["a/b.c", '"a/b.c"'],
            ["", '""'],
            [3, "3"],
        ];
        for (const [value, shown] of bad) {
            assert.throws(() => v.handler("h", value), {
                message: `\`h\` must be ${HANDLER_MSG}; got ${shown}.`,
            });
        }
    });

    it("command accepts a non-empty string list led by a handler and returns a copy", () => {
        const input = ["src.app.handler", "--flag", "x"];
        const out = v.command("command", input);
        assert.deepEqual(out, input);
        assert.notEqual(out, input);
        assert.deepEqual(v.command("command", ["a.b"]), ["a.b"]);
    });

    it("command rejects non-lists, empty lists, empty or non-string parts and a non-handler first element with exact messages", () => {
        const cases: [unknown, string][] = [
            [
                "a.b",
                `\`command\` must be a non-empty list whose first element is ${HANDLER_MSG}; got "a.b".`,
            ],
            [
                [],
                `\`command\` must be a non-empty list whose first element is ${HANDLER_MSG}; got [].`,
            ],
            [
                undefined,
                `\`command\` must be a non-empty list whose first element is ${HANDLER_MSG}; got undefined.`,
            ],
            [["a.b", " "], '`command[1]` must be a non-empty string; got " ".'],
            [["a.b", 5], "`command[1]` must be a non-empty string; got 5."],
            [[""], '`command[0]` must be a non-empty string; got "".'],
            [["main"], `\`command[0]\` must be ${HANDLER_MSG}; got "main".`],
            [["python", "a.b"], `\`command[0]\` must be ${HANDLER_MSG}; got "python".`],
        ];
        for (const [value, message] of cases)
            assert.throws(() => v.command("command", value), { message });
    });

    it("stringList accepts lists of non-empty strings (including empty lists) and names the bad index", () => {
        assert.deepEqual(v.stringList("l", []), []);
        assert.deepEqual(v.stringList("l", ["a", "b"]), ["a", "b"]);
        assert.throws(() => v.stringList("l", "a"), {
            message: '`l` must be a list of non-empty strings; got "a".',
        });
        assert.throws(() => v.stringList("l", ["a", ""]), {
            message: '`l[1]` must be a non-empty string; got "".',
        });
        assert.throws(() => v.stringList("l", [null]), {
            message: "`l[0]` must be a non-empty string; got null.",
        });
    });

    it("environmentName accepts ordinary names and refuses malformed ones with the pattern message", () => {
        for (const ok of ["LOG_LEVEL", "a", "PYTHONPATH", "AWS_XRAY_CONTEXT_MISSING", "Aws_Region"])
            assert.equal(v.environmentName("e", ok), ok);
        for (const bad of ["1X", "A-B", "", "A B", "_PRIVATE", "_HANDLER", "_X_AMZN_TRACE_ID"]) {
            assert.throws(() => v.environmentName("e", bad), {
                message: `\`e\` must be an environment variable name matching [a-zA-Z][a-zA-Z0-9_]*; got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it("environmentName refuses every well-formed name Lambda reserves, listing the reserved names", () => {
        assert.equal(v.RESERVED_ENV_NAMES.join(", "), RESERVED);
        const wellFormed = v.RESERVED_ENV_NAMES.filter((n) => !n.startsWith("_"));
        assert.equal(wellFormed.length, 16);
        for (const name of wellFormed) {
            assert.throws(() => v.environmentName("e", name), {
                name: "ValidationError",
                message: `\`e\` must be a name Lambda does not reserve (reserved: ${RESERVED}); got "${name}".`,
            });
        }
    });
});

describe("validation of unusual values", () => {
    it("reports a BigInt as a validation error, not a serialization crash", () => {
        assert.throws(() => v.memorySize("m", BigInt(10)), {
            name: "ValidationError",
            message: "`m` must be an integer from 128 to 10240 (MB); got 10n.",
        });
    });
});
