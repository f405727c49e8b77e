import * as assert from "node:assert/strict";
import { CACHE_TAG_FILTER, cacheTag, digestUri, platformFor, registryHost, stageTag, tagRef, validateExtraTags } from "../../components/core/tags";
import { STAGE_PATTERN } from "../../components/core/validation";

describe("image tags and references", () => {
    it("maps Lambda architectures to exactly one BuildKit platform", () => {
        assert.equal(platformFor("x86_64"), "linux/amd64");
        assert.equal(platformFor("arm64"), "linux/arm64");
    });

    it("tags a stage image with 16 hex characters of the content hash", () => {
        assert.equal(stageTag("dev", "0123456789abcdef0123456789abcdef"), "dev-0123456789abcdef");
        assert.equal(tagRef("r.example/app", "dev-1"), "r.example/app:dev-1");
    });

    it("names cache tags so no stage prefix can ever match them", () => {
        assert.equal(cacheTag("prod"), "buildcache_prod");
        assert.equal(CACHE_TAG_FILTER, "buildcache_*");
        for (const stage of ["dev", "prod", "buildcache", "a-b"]) {
            assert.ok(STAGE_PATTERN.test(stage));
            for (const other of ["dev", "prod", "buildcache", "a-b"]) assert.equal(cacheTag(other).startsWith(`${stage}-`), false);
        }
    });

    it("accepts extra tags on mutable repositories and refuses bad, reserved, repeated or moving ones", () => {
        assert.deepEqual(validateExtraTags("extraTags", ["dev-latest", "v1.2"], "dev", false), ["dev-latest", "v1.2"]);
        assert.throws(() => validateExtraTags("extraTags", ["-x"], "dev", false), {
            message: "`extraTags[0]` must be a Docker tag: up to 128 of [A-Za-z0-9_.-], not starting with . or -; got \"-x\".",
        });
        assert.throws(() => validateExtraTags("extraTags", ["ok", "buildcache_dev"], "dev", false), {
            message: "`extraTags[1]` must be a tag outside the reserved build-cache names (buildcache_*); got \"buildcache_dev\".",
        });
        assert.throws(() => validateExtraTags("extraTags", ["a", "a"], "dev", false), { message: "`extraTags[1]` must be a tag not already listed; got \"a\"." });
        assert.throws(() => validateExtraTags("extraTags", ["prod-latest"], "prod", true), {
            message: "`extraTags` must be empty when the repository's `tagMutability` is IMMUTABLE: an extra tag such as \"prod-latest\" moves to a new image on every build, which ECR refuses for immutable tags (use a MUTABLE repository, or rely on the content-addressed tag); got [\"prod-latest\"].",
        });
        assert.deepEqual(validateExtraTags("extraTags", [], "prod", true), []);
    });

    it("pins images by digest and refuses anything that isn't a sha256 digest", () => {
        const digest = `sha256:${"f".repeat(64)}`;
        assert.equal(digestUri("1.dkr.ecr.us-east-1.amazonaws.com/app", digest), `1.dkr.ecr.us-east-1.amazonaws.com/app@${digest}`);
        assert.throws(() => digestUri("r/app", "latest"), { message: "Image digest must look like sha256:<64 hex>; got \"latest\"." });
        assert.equal(registryHost("1.dkr.ecr.us-east-1.amazonaws.com/team/app"), "1.dkr.ecr.us-east-1.amazonaws.com");
    });
});
