/** The components Pulumi's component provider serves to other languages (provider/index.ts), and their type tokens. */
export const SERVED_COMPONENTS = [
    "DockerLayer",
    "EcrRepository",
    "HttpApi",
    "ImageFunction",
    "LambdaService",
    "ZipFunction",
] as const;
export const SERVED_TYPES: string[] = SERVED_COMPONENTS.map(
    (name) => `lambda-docker:index:${name}`,
);
