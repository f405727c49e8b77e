import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import {
    CACHE_TAG_FILTER,
    PinnedReference,
    PLATFORMS,
    TAG_HASH_LENGTH,
    TAG_PATTERN,
    cacheTag,
    digestUri,
    parsePinnedReference,
    platformFor,
    promotionTag,
    registryHost,
    stageTag,
    tagRef,
    validateExtraTags,
} from "../../../lib/tags";
import { STAGE_PATTERN } from "../../../lib/validation";

const TAG_GRAMMAR = "a Docker tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -";
const RESERVED = "a tag outside the reserved build-cache names (buildcache_*)";
const immutableMessage = (stage: string, shown: string): string =>
    "`extraTags` must be empty when the repository's `tagMutability` is IMMUTABLE: an extra tag such as " +
    `"${stage}-latest" moves to a new image on every build, which ECR refuses for immutable tags ` +
    `(use a MUTABLE repository, or rely on the content-addressed tag); got ${shown}.`;

describe("tags: platforms", () => {
    it("platformFor maps each Lambda architecture to exactly one BuildKit platform", () => {
        const cases: [Parameters<typeof platformFor>[0], string][] = [
            ["x86_64", "linux/amd64"],
            ["arm64", "linux/arm64"],
        ];
        for (const [arch, platform] of cases) assert.equal(platformFor(arch), platform);
        assert.deepEqual({ ...PLATFORMS }, { x86_64: "linux/amd64", arm64: "linux/arm64" });
    });
});

describe("tags: stage and cache tags", () => {
    it("stageTag is `<stage>-` followed by the first 16 hex characters of the content hash", () => {
        assert.equal(TAG_HASH_LENGTH, 16);
        const hash = crypto.createHash("sha256").update("content").digest("hex");
        const cases: [string, string, string][] = [
            ["dev", "0123456789abcdef0123456789abcdef", "dev-0123456789abcdef"],
            ["prod", hash, `prod-${hash.slice(0, 16)}`],
            ["pr-12", "fedcba9876543210ffff", "pr-12-fedcba9876543210"],
        ];
        for (const [stage, h, tag] of cases) {
            assert.equal(stageTag(stage, h), tag);
            assert.match(tag.slice(stage.length + 1), /^[0-9a-f]{16}$/);
            assert.match(tag, TAG_PATTERN);
        }
    });

    it("cacheTag is buildcache_<stage>, matched by CACHE_TAG_FILTER", () => {
        assert.equal(cacheTag("prod"), "buildcache_prod");
        assert.equal(cacheTag("pr-7"), "buildcache_pr-7");
        assert.equal(CACHE_TAG_FILTER, "buildcache_*");
        assert.ok(cacheTag("dev").startsWith(CACHE_TAG_FILTER.slice(0, -1)));
    });

    it("no cache tag ever starts with `<s>-` for any valid stage s, so lifecycle stage rules never count it", () => {
        const stages = [
            "dev",
            "prod",
            "buildcache",
            "b",
            "bu",
            "build",
            "buildcache-x",
            "a-b",
            "a-b-c",
            "x1-y2",
            "0",
        ];
        let checked = 0;
        for (const stage of stages) {
            assert.match(stage, STAGE_PATTERN);
            const tag = cacheTag(stage);
            // Every valid-stage prefix of the tag, and every stage in the list: none is followed by "-".
            for (let i = 1; i < tag.length; i++) {
                const prefix = tag.slice(0, i);
                if (STAGE_PATTERN.test(prefix)) {
                    assert.notEqual(tag[i], "-", `${tag} starts with ${prefix}-`);
                    checked++;
                }
            }
            for (const other of stages)
                assert.equal(tag.startsWith(`${other}-`), false, `${tag} vs ${other}-`);
        }
        assert.ok(checked > 0);
    });
});

describe("tags: validateExtraTags", () => {
    it("returns the tags unchanged when they are valid, unique and the repository is mutable", () => {
        const tags = ["dev-latest", "v1.2", "_x", "A", "buildcache", "a".repeat(128)];
        assert.deepEqual(validateExtraTags("extraTags", tags, "dev", false), tags);
        assert.deepEqual(validateExtraTags("extraTags", [], "prod", true), []);
    });

    it("rejects tags outside Docker's grammar, naming the index", () => {
        const cases: [unknown[], string][] = [
            [["-x"], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "-x".`],
            [["ok", ".x"], `\`extraTags[1]\` must be ${TAG_GRAMMAR}; got ".x".`],
            [["a b"], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "a b".`],
            [["a:b"], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "a:b".`],
            [[""], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "".`],
            [
                ["a".repeat(129)],
                `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "${"a".repeat(129)}".`,
            ],
            [[5], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got 5.`],
            [[null], `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got null.`],
        ];
        for (const [tags, message] of cases)
            assert.throws(() => validateExtraTags("extraTags", tags, "dev", false), {
                name: "ValidationError",
                message,
            });
    });

    it("rejects any buildcache_ tag, the stage's own cache tag or another stage's", () => {
        for (const tag of ["buildcache_dev", "buildcache_prod", "buildcache_"]) {
            assert.throws(() => validateExtraTags("extraTags", ["ok", tag], "dev", false), {
                message: `\`extraTags[1]\` must be ${RESERVED}; got "${tag}".`,
            });
        }
    });

    it("rejects a repeated tag at its second position", () => {
        assert.throws(() => validateExtraTags("extraTags", ["a", "b", "a"], "dev", false), {
            message: '`extraTags[2]` must be a tag not already listed; got "a".',
        });
    });

    it("rejects any extra tag on an IMMUTABLE repository, after the per-tag checks", () => {
        assert.throws(() => validateExtraTags("extraTags", ["prod-latest"], "prod", true), {
            message: immutableMessage("prod", '["prod-latest"]'),
        });
        assert.throws(() => validateExtraTags("extraTags", ["x", "y"], "qa", true), {
            message: immutableMessage("qa", '["x","y"]'),
        });
        assert.throws(() => validateExtraTags("extraTags", ["-bad"], "prod", true), {
            message: `\`extraTags[0]\` must be ${TAG_GRAMMAR}; got "-bad".`,
        });
    });
});

describe("tags: references", () => {
    it("tagRef joins repository URL and tag with a colon", () => {
        assert.equal(tagRef("r.example/app", "dev-1"), "r.example/app:dev-1");
    });

    it("digestUri pins by a sha256 digest and rejects anything else with the exact message", () => {
        const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
        assert.equal(
            digestUri("1.dkr.ecr.us-east-1.amazonaws.com/app", digest),
            `1.dkr.ecr.us-east-1.amazonaws.com/app@${digest}`,
        );
        const bad = [
            "latest",
            `sha256:${"f".repeat(63)}`,
            `sha256:${"f".repeat(65)}`,
            `sha256:${"F".repeat(64)}`,
            `sha512:${"f".repeat(64)}`,
            "f".repeat(64),
            ` sha256:${"f".repeat(64)}`,
            "",
        ];
        for (const d of bad) {
            assert.throws(() => digestUri("r/app", d), {
                message: `Image digest must look like sha256:<64 hex>; got ${JSON.stringify(d)}.`,
            });
        }
    });

    it("registryHost returns everything before the first slash", () => {
        const cases: [string, string][] = [
            [
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            ],
            [
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            ],
            ["localhost:5000/app", "localhost:5000"],
            ["host-only", "host-only"],
        ];
        for (const [url, host] of cases) assert.equal(registryHost(url), host);
    });
});

describe("tags: promotion references", () => {
    const D = `sha256:${"0123456789abcdef".repeat(4)}`;
    it("parsePinnedReference splits registry/repository, optional tag and digest", () => {
        const cases: [string, PinnedReference][] = [
            [
                `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@${D}`,
                {
                    repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
                    tag: undefined,
                    digest: D,
                },
            ],
            [
                `127.0.0.1:5555/team/app:dev-3f2a9c0d1e2b4a5f@${D}`,
                { repository: "127.0.0.1:5555/team/app", tag: "dev-3f2a9c0d1e2b4a5f", digest: D },
            ],
            [`[::1]:5000/app:v1.2@${D}`, { repository: "[::1]:5000/app", tag: "v1.2", digest: D }],
        ];
        for (const [ref, parsed] of cases)
            assert.deepEqual(parsePinnedReference("source", ref), parsed);
    });

    it("parsePinnedReference refuses anything not pinned by a sha256 digest", () => {
        for (const bad of [
            "registry/app:dev-1",
            `app@${D}`,
            `registry/App@${D}`,
            `registry/app@sha256:${"F".repeat(64)}`,
            `registry/app@${D}x`,
            42,
        ]) {
            assert.throws(() => parsePinnedReference("source", bad), {
                message: `\`source\` must be a digest-pinned image reference \`<registry>/<repository>[:<tag>]@sha256:<64 hex>\`; got ${JSON.stringify(bad)}.`,
            });
        }
    });

    it("promotionTag keeps a content-addressed tag's hash (else the digest's first 16 hex digits) and names 12 hex digits of the digest", () => {
        const cases: [string | undefined, string][] = [
            ["dev-3f2a9c0d1e2b4a5f", "prod-3f2a9c0d1e2b4a5f-0123456789ab"],
            ["feature-x-3f2a9c0d1e2b4a5f", "prod-3f2a9c0d1e2b4a5f-0123456789ab"],
            ["dev-latest", "prod-0123456789abcdef-0123456789ab"],
            ["dev-3f2a9c0d1e2b4a5", "prod-0123456789abcdef-0123456789ab"],
            [undefined, "prod-0123456789abcdef-0123456789ab"],
        ];
        for (const [tag, expected] of cases)
            assert.equal(promotionTag("prod", { repository: "r/app", tag, digest: D }), expected);
    });

    it("promotionTag gives a rebuild of the same content (same source tag, another digest) a tag of its own", () => {
        const first = promotionTag("prod", {
            repository: "r/app",
            tag: "dev-3f2a9c0d1e2b4a5f",
            digest: `sha256:${"a".repeat(64)}`,
        });
        const rebuilt = promotionTag("prod", {
            repository: "r/app",
            tag: "dev-3f2a9c0d1e2b4a5f",
            digest: `sha256:${"b".repeat(64)}`,
        });
        assert.deepEqual(
            [first, rebuilt],
            ["prod-3f2a9c0d1e2b4a5f-aaaaaaaaaaaa", "prod-3f2a9c0d1e2b4a5f-bbbbbbbbbbbb"],
        );
    });
});
