import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSecretSpec, secretFlags, validateSecrets } from "../../../../lib/build/secrets";

describe("build secrets", () => {
    it("parses docker's --secret forms", () => {
        assert.deepEqual(parseSecretSpec("id=pip_token,src=/run/token"), [
            "pip_token",
            { src: "/run/token" },
        ]);
        assert.deepEqual(parseSecretSpec("env=PIP_TOKEN,id=pip"), ["pip", { env: "PIP_TOKEN" }]);
        for (const bad of [
            "pip_token",
            "id=pip",
            "id=pip,src=",
            "id=pip,src=a,env=B",
            "id=bad id,src=a",
            "src=a",
        ]) {
            assert.throws(() => parseSecretSpec(bad), {
                message: `\`--secret\` must be \`id=<id>,src=<file>\` or \`id=<id>,env=<VARIABLE>\`; got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it("validates secret maps with the exact key at fault", () => {
        assert.deepEqual(
            validateSecrets("secrets", { b: { env: "B" }, a: { src: "/f" }, c: { value: "v" } }),
            ["a", "b", "c"],
        );
        assert.deepEqual(validateSecrets("secrets", undefined), []);
        const cases: [unknown, string][] = [
            [[], "`secrets` must be a map of secret ids to { env } or { src } sources; got []."],
            [
                { "no spaces": { env: "A" } },
                '`secrets.no spaces` must be keyed by a BuildKit secret id of 1-64 [A-Za-z0-9_.-]; got "no spaces".',
            ],
            [
                { a: { env: "A", src: "/f" } },
                '`secrets.a` must be exactly one of { env: "<VARIABLE>" }, { src: "<file>" } or { value: "<value>" }; got ["env","src"].',
            ],
            [
                { a: "plain-value" },
                '`secrets.a` must be exactly one of { env: "<VARIABLE>" }, { src: "<file>" } or { value: "<value>" }; got "plain-value".',
            ],
            [
                { a: { env: "1BAD" } },
                '`secrets.a.env` must be an environment variable name; got "1BAD".',
            ],
        ];
        for (const [input, message] of cases)
            assert.throws(() => validateSecrets("secrets", input), { message });
    });

    it("passes values through the child's environment, never the command line", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ld-secret-")), "token");
        fs.writeFileSync(file, "x");
        const out = secretFlags(
            { z: { value: "v4lue" }, a: { src: file }, m: { env: "HOME" } },
            { HOME: "/root" },
        );
        assert.deepEqual(out, {
            flags: [
                "--secret",
                `id=a,src=${file}`,
                "--secret",
                "id=m,env=HOME",
                "--secret",
                "id=z,env=LAMBDA_DOCKER_SECRET_2",
            ],
            env: { LAMBDA_DOCKER_SECRET_2: "v4lue" },
        });
        assert.equal(out.flags.join(" ").includes("v4lue"), false);
        assert.throws(() => secretFlags({ t: { env: "NOT_SET_ANYWHERE" } }, {}), {
            message: 'Build secret "t": environment variable NOT_SET_ANYWHERE is not set.',
        });
        assert.throws(() => secretFlags({ t: { src: "/no/such/file" } }, {}), {
            message: 'Build secret "t": file "/no/such/file" does not exist.',
        });
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });
});
