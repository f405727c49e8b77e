#!/usr/bin/env node
/**
 * `node tools/ci/stack-architecture.js <stack>` prints GitHub step outputs for the stack's
 * `lambda-docker:architecture`: `platform=linux/amd64|linux/arm64` and `emulate=true` when the runner
 * can't run that platform natively (the workflow then sets up QEMU). Dependency-free, so it runs
 * before `npm ci`.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const PLATFORMS = { x86_64: "linux/amd64", arm64: "linux/arm64" };
const NODE_ARCHITECTURES = { x64: "x86_64", arm64: "arm64" };

/** The stack file's architecture (default x86_64) and whether a runner of `runnerArch` (Node's `process.arch`) must emulate it. */
function decide(stackFileText, runnerArch) {
    const m = /^\s*lambda-docker:architecture:\s*["']?([A-Za-z0-9_]+)["']?\s*(#.*)?$/m.exec(
        stackFileText,
    );
    const architecture = m ? m[1] : "x86_64";
    if (!PLATFORMS[architecture])
        throw new Error(
            `lambda-docker:architecture must be x86_64 or arm64; got ${JSON.stringify(architecture)}.`,
        );
    return {
        architecture,
        platform: PLATFORMS[architecture],
        emulate: NODE_ARCHITECTURES[runnerArch] !== architecture,
    };
}

if (require.main === module) {
    const stack = process.argv[2];
    const file = path.join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
    const d = decide(fs.readFileSync(file, "utf8"), process.arch);
    process.stdout.write(
        `architecture=${d.architecture}\nplatform=${d.platform}\nemulate=${d.emulate}\n`,
    );
}

module.exports = { decide };
