// Mocha's settings. Test files run in parallel workers (they share nothing: each registry, image tag and
// container is a test's own), MOCHA_JOBS of them. Under CI (CI=true, as .ci/run runs), a pending test
// fails the run: every test must run there. Locally, only the Docker tests may pend, and only when no
// Docker engine answers.
"use strict";
module.exports = {
    require: ["ts-node/register", "test/support/dockerHygiene.ts"],
    extension: ["ts"],
    // The longest files first (workers take files in this order), so no long file starts last.
    spec: [
        "test/package/**/*.test.ts",
        "test/docker/**/*.test.ts",
        "test/remote/**/*.test.ts",
        "test/mocks/**/*.test.ts",
        "test/unit/**/*.test.ts",
    ],
    timeout: 20000,
    parallel: process.env.MOCHA_PARALLEL !== "false",
    jobs: Number(process.env.MOCHA_JOBS || 4),
    "forbid-pending": process.env.CI === "true",
};
