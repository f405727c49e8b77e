#!/usr/bin/env node
/**
 * `npm test`: first what shares nothing runs at once: one compile that typechecks the whole tree and
 * builds the dist/ the tests spawn the CLI from, lint, the Python tests, and the few tests that assert on
 * the whole Docker daemon (test/serial/, through ts-node: the daemon is theirs alone while nothing else
 * uses it). Then mocha runs the compiled test files in parallel workers. Exits non-zero after the first
 * failing phase, printing its output. Arguments go to the parallel mocha run.
 */
"use strict";
const { spawn } = require("child_process");

function run(name, cmd, args, env = {}) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(cmd, args, {
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, ...env },
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (code) =>
            resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }),
        );
    });
}

async function main() {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // One compile of the whole tree typechecks it (tests included) and builds dist/, which the tests spawn.
    const checks = await Promise.all([
        run("typecheck and build", process.execPath, [
            require.resolve("typescript/bin/tsc"),
            "-p",
            "tsconfig.json",
            "--stripInternal",
            "--sourceMap",
            "false",
            "--declarationMap",
            "false",
        ]),
        run("lint", npm, ["run", "--silent", "lint"]),
        run("python", npm, ["run", "--silent", "test:python"]),
        run(
            "Docker daemon tests (test/serial)",
            process.execPath,
            [
                require.resolve("mocha/bin/mocha.js"),
                "--no-config",
                "--require",
                "ts-node/register",
                "--require",
                "test/support/dockerHygiene.ts",
                "--extension",
                "ts",
                "--timeout",
                "300000",
                ...(process.env.CI === "true" ? ["--forbid-pending"] : []),
                "test/serial/**/*.test.ts",
            ],
            { TS_NODE_TRANSPILE_ONLY: "true" },
        ),
    ]);
    for (const c of checks) {
        // A test run's own count, so the total of tests run is visible.
        const passing = /(\d+) passing/.exec(c.output);
        process.stdout.write(
            `${c.code === 0 ? "ok  " : "FAIL"} ${c.name} (${c.seconds.toFixed(1)} s${passing ? `, ${passing[1]} passing` : ""})\n`,
        );
    }
    const failed = checks.filter((c) => c.code !== 0);
    for (const c of failed) process.stdout.write(`\n--- ${c.name} ---\n${c.output}\n`);
    if (failed.length > 0) process.exit(1);
    const mocha = (args) =>
        new Promise((resolve) => {
            const child = spawn(
                process.execPath,
                [require.resolve("mocha/bin/mocha.js"), ...args],
                {
                    stdio: "inherit",
                    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
                },
            );
            child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
        });
    // The tests as compiled (dist/test): no worker transpiles TypeScript again.
    process.exit(await mocha(["--config", ".mocharc.dist.js", ...process.argv.slice(2)]));
}

main();
