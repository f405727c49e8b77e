import * as assert from "node:assert/strict";
import * as v from "../../components/core/validation";

describe("validation helpers", () => {
    it("accepts memory from 128 to 10240 MB and names the key, value and range otherwise", () => {
        assert.equal(v.memorySize("memorySize", 128), 128);
        assert.equal(v.memorySize("memorySize", 10240), 10240);
        for (const bad of [127, 10241, 512.5, "512", undefined]) {
            assert.throws(() => v.memorySize("memorySize", bad), {
                name: "ValidationError",
                message: `\`memorySize\` must be an integer from 128 to 10240 (MB); got ${v.show(bad)}.`,
            });
        }
    });

    it("accepts timeouts from 1 to 900 seconds", () => {
        assert.equal(v.timeout("t", 1), 1);
        assert.equal(v.timeout("t", 900), 900);
        assert.throws(() => v.timeout("t", 0), { message: "`t` must be an integer from 1 to 900 (seconds); got 0." });
        assert.throws(() => v.timeout("t", NaN), { message: "`t` must be an integer from 1 to 900 (seconds); got NaN." });
    });

    it("accepts only CloudWatch's retention values", () => {
        for (const ok of [1, 14, 90, 3653]) assert.equal(v.logRetentionDays("r", ok), ok);
        assert.throws(() => v.logRetentionDays("r", 0), {
            message: "`r` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got 0.",
        });
    });

    it("accepts stages of lowercase letters, digits and inner hyphens", () => {
        for (const ok of ["dev", "prod", "pr-123", "a1"]) assert.equal(v.stage("stage", ok), ok);
        for (const bad of ["Dev", "dev_1", "-dev", "dev-", "a--b", "", 7]) {
            assert.throws(() => v.stage("stage", bad), {
                message: `\`stage\` must be lowercase letters, digits and single inner hyphens ([a-z0-9-]+, e.g. "dev"); got ${v.show(bad)}.`,
            });
        }
    });

    it("accepts handlers in module.function form", () => {
        for (const ok of ["a.b", "src.functions.campaign.orchestrator.handler", "_m.f_1"]) assert.equal(v.handler("h", ok), ok);
        for (const bad of ["handler", "a..b", "1a.b", "a.b-c", "a.", ".a", "a b.c"]) {
            assert.throws(() => v.handler("h", bad), {
                message: `\`h\` must be a Python handler in \`module.function\` form (e.g. "src.functions.campaign.orchestrator.handler"); got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it("checks an image command: a non-empty list of strings led by a handler", () => {
        assert.deepEqual(v.command("command", ["a.b", "--flag"]), ["a.b", "--flag"]);
        assert.throws(() => v.command("command", "a.b"), {
            message: "`command` must be a non-empty list whose first element is a Python handler in `module.function` form (e.g. \"src.functions.campaign.orchestrator.handler\"); got \"a.b\".",
        });
        assert.throws(() => v.command("command", ["a.b", " "]), { message: "`command[1]` must be a non-empty string; got \" \"." });
        assert.throws(() => v.command("command", ["main"]), {
            message: "`command[0]` must be a Python handler in `module.function` form (e.g. \"src.functions.campaign.orchestrator.handler\"); got \"main\".",
        });
    });

    it("refuses environment names Lambda reserves or can't hold", () => {
        assert.equal(v.environmentName("e", "LOG_LEVEL"), "LOG_LEVEL");
        assert.throws(() => v.environmentName("e", "1X"), { message: "`e` must be an environment variable name matching [a-zA-Z][a-zA-Z0-9_]*; got \"1X\"." });
        assert.throws(() => v.environmentName("e", "_HANDLER"), { message: "`e` must be an environment variable name matching [a-zA-Z][a-zA-Z0-9_]*; got \"_HANDLER\"." });
        assert.throws(() => v.environmentName("e", "AWS_LAMBDA_RUNTIME_API"), (err: Error) => {
            assert.ok(err.message.startsWith("`e` must be a name Lambda does not reserve (reserved: _HANDLER, "), err.message);
            assert.ok(err.message.endsWith("); got \"AWS_LAMBDA_RUNTIME_API\"."), err.message);
            return true;
        });
    });

    it("checks architectures, counts and booleans", () => {
        assert.equal(v.architecture("a", "arm64"), "arm64");
        assert.throws(() => v.architecture("a", "aarch64"), { message: "`a` must be one of \"x86_64\", \"arm64\"; got \"aarch64\"." });
        assert.throws(() => v.atLeast("n", 0, 1), { message: "`n` must be an integer >= 1; got 0." });
        assert.throws(() => v.boolean("b", "true"), { message: "`b` must be true or false; got \"true\"." });
    });

    it("prefixes errors with the component and its name, keeping the key", () => {
        assert.throws(() => v.withContext("ImageFunction", "api", () => v.timeout("timeout", 0)), (err: v.ValidationError) => {
            assert.equal(err.key, "timeout");
            assert.equal(err.message, "ImageFunction \"api\": `timeout` must be an integer from 1 to 900 (seconds); got 0.");
            return true;
        });
        assert.throws(() => v.withContext("X", "y", () => { throw new TypeError("other"); }), { name: "TypeError", message: "other" });
    });
});
