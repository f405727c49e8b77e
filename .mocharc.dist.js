// Mocha's settings for `npm test`: the tests as compiled into dist/test by its one compile (no ts-node
// in every worker), otherwise as .mocharc.js.
"use strict";
const base = require("./.mocharc.js");
module.exports = {
    ...base,
    require: ["dist/test/support/dockerHygiene.js"],
    extension: ["js"],
    spec: base.spec.map((s) => `dist/${s.replace(/\.ts$/, ".js")}`),
};
