// Mocha's settings. Under CI (CI=true, as .ci/run runs), a pending test fails the run: every test must
// run there. Locally, only the Docker tests may pend, and only when no Docker engine answers.
"use strict";
module.exports = {
    require: ["ts-node/register", "test/support/dockerHygiene.ts"],
    extension: ["ts"],
    spec: ["test/unit/**/*.test.ts", "test/mocks/**/*.test.ts", "test/package/**/*.test.ts", "test/remote/**/*.test.ts", "test/docker/**/*.test.ts"],
    timeout: 20000,
    "forbid-pending": process.env.CI === "true",
};
