/**
 * The preflight imports each handler as Lambda would: with the function's environment, the reserved
 * variables (region, function name, task root) and dummy credentials, no network; and it tells a missing
 * handler, a non-callable one and a module that raised while importing apart.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { preflight } from "../../../../lib/local";
import { BASE_IMAGE, docker, requireDocker, tempDir } from "../../../support/docker";

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

describe("the preflight imports handlers as Lambda would", function () {
    this.timeout(300000);
    let dir: string;
    const images: string[] = [];
    before(function () {
        requireDocker(this);
        dir = tempDir("ld-preflight-");
        write(
            path.join(dir, "Dockerfile"),
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nCOPY fns/ /var/task/fns/\n",
        );
        write(path.join(dir, "fns", "__init__.py"), "");
        // AWS's recommended pattern: settings read and clients made at import time.
        write(
            path.join(dir, "fns", "orders.py"),
            [
                "import os",
                'TABLE = os.environ["TABLE_NAME"]',
                'REGION = os.environ["AWS_REGION"]',
                'assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] in ("orders", "typo") and os.environ["AWS_ACCESS_KEY_ID"]',
                "def handler(event, context):",
                '    return {"table": TABLE, "region": REGION}',
                "",
            ].join("\n"),
        );
        write(path.join(dir, "fns", "constant.py"), "handler = 42\n");
    });
    after(() => {
        for (const image of images) docker(["image", "rm", "--force", image]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("passes a handler that reads its environment and region at import, with them given", async () => {
        const local = await preflight({
            context: dir,
            buildArgs: { BASE_IMAGE },
            region: "eu-west-1",
            functions: [
                {
                    name: "orders",
                    command: ["fns.orders.handler"],
                    environment: { TABLE_NAME: "orders" },
                },
            ],
        });
        images.push(local.image);
    });

    it("reports what raised while importing with the handler's own frame, apart from not found and not callable", async () => {
        await assert.rejects(
            preflight({
                context: dir,
                buildArgs: { BASE_IMAGE },
                functions: [
                    { name: "orders", command: ["fns.orders.handler"] },
                    { name: "constant", command: ["fns.constant.handler"] },
                    { name: "missing", command: ["fns.nothing.handler"] },
                    {
                        name: "typo",
                        command: ["fns.orders.handlr"],
                        environment: { TABLE_NAME: "t" },
                    },
                ],
            }),
            {
                name: "PreflightError",
                message:
                    `Preflight failed for 4 function(s) in the image built from ${JSON.stringify(path.join(dir, "Dockerfile"))}:\n` +
                    '  - function "constant", command "fns.constant.handler": not callable: fns.constant.handler is a int\n' +
                    '  - function "missing", command "fns.nothing.handler": not found: there is no module \'fns.nothing\' in the image\n' +
                    '  - function "orders", command "fns.orders.handler": raised KeyError while importing: \'TABLE_NAME\' (fns/orders.py:2)\n' +
                    "  - function \"typo\", command \"fns.orders.handlr\": not found: module 'fns.orders' has no attribute 'handlr'",
            },
        );
    });
});
