import * as assert from "node:assert/strict";
import { parseEnvFile } from "../../../cli/envFile";

describe("check --env-file", () => {
    it("reads KEY=VALUE lines with comments, blanks, export and quotes", () => {
        assert.deepEqual(
            parseEnvFile(
                "# tables\nTABLE_NAME=orders\n\nexport REGION='eu-west-1'\nEMPTY=\nQUOTED=\"a b\"\n",
                ".env",
            ),
            {
                TABLE_NAME: "orders",
                REGION: "eu-west-1",
                EMPTY: "",
                QUOTED: "a b",
            },
        );
    });

    it("names the file and line of a bad entry", () => {
        assert.throws(() => parseEnvFile("OK=1\nnot an assignment\n", ".env"), {
            message: '--env-file .env, line 2: expected KEY=VALUE, got "not an assignment"',
        });
    });
});
