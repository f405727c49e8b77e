import * as assert from "node:assert/strict";
import {
    MEDIA_TYPES,
    PromotionError,
    configArchitecture,
    credentialsFor,
    ecrHost,
    parseBearerChallenge,
    parseImageManifest,
    parseSource,
    parseTarget,
    registryBaseUrl,
    validateArchitecture,
    validateTag,
} from "../../../../lib/registry/reference";
import { withDigest } from "../../../../lib/registry/client";

const D = `sha256:${"ab".repeat(32)}`;
const manifest = (mediaType: string, extra: Record<string, unknown> = {}) =>
    Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType,
            config: { mediaType: "x", digest: D, size: 10 },
            layers: [{ mediaType: "l", digest: D, size: 20 }],
            ...extra,
        }),
    );

describe("registry: references", () => {
    it("parseSource splits host, repository, tag and digest", () => {
        assert.deepEqual(parseSource("source", `127.0.0.1:5000/dev/app:dev-1@${D}`), {
            repository: "127.0.0.1:5000/dev/app",
            tag: "dev-1",
            digest: D,
            host: "127.0.0.1:5000",
            name: "dev/app",
        });
    });

    it("parseTarget takes a repository without tag or digest", () => {
        assert.deepEqual(
            parseTarget("target", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app"),
            { host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", name: "team/app" },
        );
        for (const bad of ["reg/app:tag", `reg/app@${D}`, "app", "Reg/App", ""]) {
            assert.throws(() => parseTarget("target", bad), {
                message: `\`target\` must be a repository \`<registry>/<repository>\` without a tag or digest; got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it("validates tags and architectures with exact messages", () => {
        assert.equal(validateTag("tag", "prod-1a"), "prod-1a");
        assert.throws(() => validateTag("tag", "-x"), {
            message:
                '`tag` must be a Docker tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -; got "-x".',
        });
        assert.equal(validateArchitecture("architecture", undefined), undefined);
        assert.throws(() => validateArchitecture("architecture", "amd64"), {
            message:
                '`architecture` must be "x86_64" or "arm64" (Lambda\'s architectures); got "amd64".',
        });
    });

    it("uses plain HTTP for loopback registries only, as Docker does", () => {
        const cases: [string, string][] = [
            ["127.0.0.1:5000", "http://127.0.0.1:5000"],
            ["127.1.2.3", "http://127.1.2.3"],
            ["localhost:5000", "http://localhost:5000"],
            ["[::1]:5000", "http://[::1]:5000"],
            ["localhost.example.com", "https://localhost.example.com"],
            [
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
            ],
            ["10.0.0.1:5000", "https://10.0.0.1:5000"],
        ];
        for (const [host, url] of cases) assert.equal(registryBaseUrl(host), url, host);
    });

    it("recognizes ECR hosts and picks credentials per host or for all", () => {
        assert.deepEqual(ecrHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com"), {
            registryId: "123456789012",
            region: "eu-west-1",
        });
        assert.deepEqual(ecrHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"), {
            registryId: "123456789012",
            region: "cn-north-1",
        });
        assert.equal(ecrHost("ghcr.io"), undefined);
        const one = { username: "u", password: "p" };
        assert.deepEqual(credentialsFor(one, "any"), one);
        assert.deepEqual(credentialsFor({ "a:1": one }, "a:1"), one);
        assert.equal(credentialsFor({ "a:1": one }, "b"), undefined);
        assert.equal(credentialsFor(undefined, "b"), undefined);
    });

    it("parses Bearer challenges and ignores Basic ones", () => {
        assert.deepEqual(
            parseBearerChallenge(
                'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
            ),
            {
                realm: "https://auth.example/token",
                service: "registry.example",
                scope: "repository:a/b:pull",
            },
        );
        assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
        assert.equal(parseBearerChallenge(null), undefined);
    });

    it("appends the digest to an upload URL with or without a query", () => {
        assert.equal(
            withDigest("http://r/v2/a/blobs/uploads/1", D),
            `http://r/v2/a/blobs/uploads/1?digest=${encodeURIComponent(D)}`,
        );
        assert.equal(
            withDigest("http://r/v2/a/blobs/uploads/1?_state=x", D),
            `http://r/v2/a/blobs/uploads/1?_state=x&digest=${encodeURIComponent(D)}`,
        );
    });
});

describe("registry: manifests", () => {
    it("parses Docker v2 and OCI image manifests into config and layers", () => {
        for (const type of [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]) {
            assert.deepEqual(parseImageManifest(manifest(type), "", "src"), {
                mediaType: type,
                config: { mediaType: "x", digest: D, size: 10 },
                layers: [{ mediaType: "l", digest: D, size: 20 }],
            });
        }
        const noType = Buffer.from(
            JSON.stringify({ schemaVersion: 2, config: { digest: D, size: 1 }, layers: [] }),
        );
        assert.equal(
            parseImageManifest(noType, `${MEDIA_TYPES.ociManifest}; charset=utf-8`, "src")
                .mediaType,
            MEDIA_TYPES.ociManifest,
        );
    });

    it("refuses indexes and manifest lists, other media types and malformed manifests", () => {
        for (const type of [MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]) {
            assert.throws(
                () =>
                    parseImageManifest(
                        Buffer.from(JSON.stringify({ mediaType: type, manifests: [] })),
                        "",
                        "r/a@x",
                    ),
                {
                    name: "PromotionError",
                    message:
                        `\`source\` must be a single-platform image; got an image index (${type}) at r/a@x. ` +
                        "Lambda accepts single-platform images: promote the digest of one platform's manifest, and build without attestations.",
                },
            );
        }
        assert.throws(
            () =>
                parseImageManifest(
                    manifest("application/vnd.docker.distribution.manifest.v1+json"),
                    "",
                    "s",
                ),
            {
                message:
                    '`source` must be a Docker v2 or OCI image manifest; got "application/vnd.docker.distribution.manifest.v1+json" at s.',
            },
        );
        assert.throws(() => parseImageManifest(Buffer.from("{"), "", "s"), {
            message: "The manifest of s is not JSON.",
        });
        assert.throws(
            () =>
                parseImageManifest(
                    manifest(MEDIA_TYPES.ociManifest, { config: { digest: "md5:1", size: 1 } }),
                    "",
                    "s",
                ),
            {
                message:
                    "The source manifest's config is not a descriptor with a sha256 digest and a size.",
            },
        );
        assert.ok(new PromotionError("x") instanceof Error);
    });

    it("maps an image config's architecture to Lambda's names", () => {
        assert.equal(
            configArchitecture(Buffer.from('{"architecture":"amd64","os":"linux"}')),
            "x86_64",
        );
        assert.equal(configArchitecture(Buffer.from('{"architecture":"arm64"}')), "arm64");
        assert.equal(configArchitecture(Buffer.from('{"architecture":"s390x"}')), "s390x");
        assert.equal(configArchitecture(Buffer.from("{}")), "unknown");
        assert.throws(() => configArchitecture(Buffer.from("nope")), {
            message: "The source image's config blob is not JSON.",
        });
    });
});
