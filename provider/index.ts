/**
 * lambda-docker as a Pulumi package for every language. Pulumi's Node.js plugin host finds the
 * component classes exported here, infers their schema from the args interfaces and serves them
 * (see PulumiPlugin.yaml). Served: the components whose args are plain data. LambdaImage (it takes an
 * EcrRepository reference) is served through LambdaService, which builds repository, image and
 * functions together.
 *
 * The classes come from the installed `lambda-docker` package (package.json), so this directory works
 * wherever it is copied. This file is what the host analyzes; the plugin runs index.js, which exports
 * the same classes without a TypeScript compile at every start. The schema is inferred from the
 * package's TypeScript sources, which tsconfig.json selects with the `lambda-docker-source` export
 * condition: the host can't read string enums (`as const` objects) from .d.ts files.
 */
export {
    DockerLayer,
    EcrRepository,
    HttpApi,
    ImageFunction,
    LambdaService,
    ZipFunction,
} from "lambda-docker";
