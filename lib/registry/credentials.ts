/**
 * Registry credentials for a host, in the order a user expects: given explicitly, then ECR's
 * GetAuthorizationToken (the AWS SDK's default credential chain), then Docker's own configuration
 * (`docker login`: config.json `auths`, `credHelpers` and `credsStore`), as skopeo and crane read it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PromotionError, RegistryCredentials, credentialsFor, ecrHost } from "./reference";

interface DockerConfig {
    auths?: Record<
        string,
        { auth?: string; username?: string; password?: string; identitytoken?: string }
    >;
    credHelpers?: Record<string, string>;
    credsStore?: string;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; undefined when there is none or it is not JSON. */
export function readDockerConfig(env: NodeJS.ProcessEnv = process.env): DockerConfig | undefined {
    const file = path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json");
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as DockerConfig;
    } catch {
        return undefined;
    }
}

/** The keys Docker may have stored a host under: `host`, `https://host`, `http://host`, and Docker Hub's legacy URL. */
function keysFor(host: string): string[] {
    const keys = [
        host,
        `https://${host}`,
        `http://${host}`,
        `https://${host}/v1/`,
        `https://${host}/v2/`,
    ];
    if (host === "registry-1.docker.io" || host === "docker.io")
        keys.push("https://index.docker.io/v1/");
    return keys;
}

/** Runs `docker-credential-<helper> get` for `host`, as the Docker CLI does. */
function fromHelper(
    helper: string,
    host: string,
    env: NodeJS.ProcessEnv,
): RegistryCredentials | undefined {
    const run = spawnSync(`docker-credential-${helper}`, ["get"], {
        input: host,
        env,
        encoding: "utf8",
        timeout: 30_000,
    });
    if (run.error || run.status !== 0) return undefined;
    try {
        const doc = JSON.parse(run.stdout) as { Username?: string; Secret?: string };
        return doc.Secret ? { username: doc.Username ?? "", password: doc.Secret } : undefined;
    } catch {
        return undefined;
    }
}

/** What `docker login` stored for `host`, if anything. */
export function dockerCredentials(
    host: string,
    env: NodeJS.ProcessEnv = process.env,
    config = readDockerConfig(env),
): RegistryCredentials | undefined {
    if (!config) return undefined;
    const helper = config.credHelpers?.[host];
    if (helper) return fromHelper(helper, host, env);
    for (const key of keysFor(host)) {
        const entry = config.auths?.[key];
        if (!entry) continue;
        if (entry.identitytoken) return { username: "<token>", password: entry.identitytoken };
        if (entry.username !== undefined && entry.password !== undefined)
            return { username: entry.username, password: entry.password };
        if (entry.auth) {
            const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon > 0)
                return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        }
    }
    return config.credsStore ? fromHelper(config.credsStore, host, env) : undefined;
}

type EcrSdk = typeof import("@aws-sdk/client-ecr");
const ecrTokens = new Map<string, Promise<RegistryCredentials>>();

/** ECR's registry credentials from GetAuthorizationToken, with the AWS SDK's default credential chain (cached per host). */
export function ecrCredentials(
    host: string,
    registryId: string,
    region: string,
): Promise<RegistryCredentials> {
    let pending = ecrTokens.get(host);
    if (!pending) {
        pending = (async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const sdk = require("@aws-sdk/client-ecr") as EcrSdk;
            let out: import("@aws-sdk/client-ecr").GetAuthorizationTokenCommandOutput;
            try {
                out = await new sdk.ECRClient({ region }).send(
                    new sdk.GetAuthorizationTokenCommand({ registryIds: [registryId] }),
                );
            } catch (e) {
                throw new PromotionError(
                    `ECR GetAuthorizationToken for ${host} failed (${(e as Error).name}: ${(e as Error).message}); the AWS credentials of this process need ecr:GetAuthorizationToken.`,
                );
            }
            const token = out.authorizationData?.[0]?.authorizationToken;
            if (!token)
                throw new PromotionError(
                    `ECR GetAuthorizationToken returned no token for ${host}.`,
                );
            const decoded = Buffer.from(token, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        })();
        pending.catch(() => ecrTokens.delete(host));
        ecrTokens.set(host, pending);
    }
    return pending;
}

/** Credentials for `host`: explicit ones, else ECR's token for an ECR host, else Docker's configuration; undefined means anonymous. */
export async function resolveCredentials(
    host: string,
    explicit: RegistryCredentials | Record<string, RegistryCredentials> | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryCredentials | undefined> {
    const given = credentialsFor(explicit, host);
    if (given) return given;
    const ecr = ecrHost(host);
    if (ecr) return ecrCredentials(host, ecr.registryId, ecr.region);
    return dockerCredentials(host, env);
}
