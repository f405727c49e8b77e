// The plugin's entry when Pulumi runs it (package.json "main"): plain JavaScript, so starting the
// plugin compiles and type-checks nothing. Pulumi's schema inference reads index.ts instead (it maps
// "main" from .js to .ts), which exports the same classes with their types; the tests check both lists.
const {
    DockerLayer,
    EcrRepository,
    HttpApi,
    ImageFunction,
    LambdaService,
    ZipFunction,
} = require("lambda-docker");

module.exports = { DockerLayer, EcrRepository, HttpApi, ImageFunction, LambdaService, ZipFunction };
