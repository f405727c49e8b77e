import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { EcrRepository, ImageFunction, LambdaImage } from "../../../../components";
import { hashBuildInputs } from "../../../../lib/build/contextHash";
import { existingDigest } from "../../../../components/image/lambdaImage";
import { ACCOUNT, REGISTRY, ResourceRecorder, valueOf } from "../../../../plan/engine";

const recorder = new ResourceRecorder();
const DIGEST_A = `sha256:${"a".repeat(64)}`;

function makeContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-img-"));
    fs.writeFileSync(
        path.join(dir, "Dockerfile"),
        "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11\nFROM ${BASE_IMAGE}\nCOPY app.py ${LAMBDA_TASK_ROOT}/\n",
    );
    fs.writeFileSync(path.join(dir, "app.py"), "def handler(event, context):\n    return event\n");
    return dir;
}

describe("LambdaImage on a real repository's history (mocks)", () => {
    let context: string;
    beforeEach(async () => {
        await recorder.install("prod");
        context = makeContext();
    });
    afterEach(() => fs.rmSync(context, { recursive: true, force: true }));

    const tagOf = (buildArgs: Record<string, string> = {}) =>
        `prod-${hashBuildInputs({ context, buildArgs, platform: "linux/amd64" }).slice(0, 16)}`;

    it("pins the digest already pushed under its tag and creates no build (a rollback or a retry on an IMMUTABLE repository)", async () => {
        recorder.existingImages = {
            "app-repository-abc1234": {
                [tagOf()]: DIGEST_A,
                "prod-0000000000000000": `sha256:${"b".repeat(64)}`,
            },
        };
        const repo = new EcrRepository("app", { stage: "prod", tagMutability: "IMMUTABLE" });
        const image = new LambdaImage("app", { repository: repo, stage: "prod", context });
        const fn = new ImageFunction("api", { image, command: ["app.handler"] });
        assert.equal(await valueOf(image.digest), DIGEST_A);
        assert.equal(
            await valueOf(image.imageUri),
            `${REGISTRY}/app-repository-abc1234@${DIGEST_A}`,
        );
        assert.equal(await valueOf(image.building), false);
        assert.deepEqual(await valueOf(image.tags), [
            `${REGISTRY}/app-repository-abc1234:${tagOf()}`,
        ]);
        assert.equal(image.tag, tagOf());
        await valueOf(fn.arn);
        await recorder.settle();
        assert.deepEqual(recorder.ofType("docker-build:index:Image"), []);
        assert.equal(
            recorder.one("aws:lambda/function:Function", "api-function").inputs.imageUri,
            `${REGISTRY}/app-repository-abc1234@${DIGEST_A}`,
        );
        assert.equal(
            recorder.calls.some(
                (c) => c.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
            ),
            false,
        );
    });

    it("builds when only another tag is in the repository", async () => {
        recorder.existingImages = {
            "app-repository-abc1234": { "prod-0000000000000000": DIGEST_A },
        };
        const repo = new EcrRepository("app", { stage: "prod", tagMutability: "IMMUTABLE" });
        const image = new LambdaImage("app", { repository: repo, stage: "prod", context });
        assert.notEqual(await valueOf(image.digest), DIGEST_A);
        assert.equal(await valueOf(image.building), true);
        await recorder.settle();
        assert.equal(recorder.ofType("docker-build:index:Image").length, 1);
    });

    it("builds without looking when reuseExisting is false", async () => {
        recorder.existingImages = { "app-repository-abc1234": { [tagOf()]: DIGEST_A } };
        const repo = new EcrRepository("app", { stage: "prod" });
        const image = new LambdaImage("app", {
            repository: repo,
            stage: "prod",
            context,
            reuseExisting: false,
        });
        assert.equal(await valueOf(image.building), true);
        await recorder.settle();
        assert.equal(recorder.ofType("docker-build:index:Image").length, 1);
        assert.equal(
            recorder.calls.some((c) => c.token === "aws:ecr/getImages:getImages"),
            false,
        );
    });

    it("pushes into a plain ECR repository URL, looking up its name and account from the URL", async () => {
        const url = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team/app`;
        recorder.existingImages = { "team/app": { [tagOf()]: DIGEST_A } };
        const image = new LambdaImage("app", {
            repository: url,
            stage: "prod",
            tagMutability: "IMMUTABLE",
            context,
        });
        assert.equal(await valueOf(image.imageUri), `${url}@${DIGEST_A}`);
        await recorder.settle();
        assert.deepEqual(
            recorder.calls
                .filter((c) => c.token === "aws:ecr/getImages:getImages")
                .map((c) => c.inputs),
            [{ repositoryName: "team/app", registryId: ACCOUNT, region: "eu-west-1" }],
        );
    });

    it("pushes into an awsx.ecr.Repository (matched by shape)", async () => {
        const awsxLike = {
            url: pulumi.output(`${REGISTRY}/awsx-repo`),
            repository: { name: pulumi.output("awsx-repo"), registryId: pulumi.output(ACCOUNT) },
        };
        const image = new LambdaImage("app", { repository: awsxLike, stage: "prod", context });
        const tags = await valueOf(image.tags);
        assert.deepEqual(tags, [`${REGISTRY}/awsx-repo:${tagOf()}`]);
        await recorder.settle();
        const img = recorder.one("docker-build:index:Image", "app-image");
        assert.deepEqual(img.inputs.tags, tags);
        assert.deepEqual(img.inputs.cacheFrom, [
            { registry: { ref: `${REGISTRY}/awsx-repo:buildcache_prod` } },
        ]);
    });

    it("passes build secrets as secret values, hashes only their ids, and registers none in the component", async () => {
        const repo = new EcrRepository("app", { stage: "prod" });
        const a = new LambdaImage("a", {
            repository: repo,
            stage: "prod",
            context,
            secrets: { pip_token: pulumi.secret("s3cr3t-value") },
        });
        const b = new LambdaImage("b", {
            repository: repo,
            stage: "prod",
            context,
            secrets: { pip_token: "rotated-value" },
        });
        const plain = new LambdaImage("c", { repository: repo, stage: "prod", context });
        assert.equal(a.tag, b.tag);
        assert.notEqual(a.tag, plain.tag);
        await valueOf(a.digest);
        await valueOf(b.digest);
        await recorder.settle();
        const img = recorder.one("docker-build:index:Image", "a-image");
        assert.deepEqual(img.inputs.secrets, { pip_token: "s3cr3t-value" });
        assert.ok(img.secretInputs.includes("secrets"));
        assert.deepEqual(img.inputs.ignoreSecretsInDiffCalculation, ["pip_token"]);
        assert.equal(
            recorder.one("docker-build:index:Image", "b-image").secretInputs.includes("secrets"),
            true,
        );
        for (const r of recorder.resources.filter((x) => x.type.startsWith("lambda-docker:"))) {
            assert.equal(
                JSON.stringify(r.inputs).includes("s3cr3t-value"),
                false,
                `${r.type} ${r.name} registered a secret value`,
            );
        }
    });

    it("refuses bad repository, mutability and secret args before creating anything", async () => {
        const repo = new EcrRepository("app", { stage: "prod" });
        await recorder.settle();
        recorder.resources.length = 0;
        assert.throws(
            () =>
                new LambdaImage("x", {
                    repository: "docker.io/library/app",
                    stage: "prod",
                    context,
                }),
            {
                message:
                    'LambdaImage "x": `repository` must be an EcrRepository, an awsx.ecr.Repository or an ECR repository URL ' +
                    '`<account>.dkr.ecr.<region>.amazonaws.com/<name>`; got "docker.io/library/app".',
            },
        );
        assert.throws(
            () =>
                new LambdaImage("x", {
                    repository: repo,
                    stage: "prod",
                    tagMutability: "IMMUTABLE",
                    context,
                }),
            {
                message:
                    'LambdaImage "x": `tagMutability` must be left unset when `repository` is an EcrRepository (its own `tagMutability` applies); got "IMMUTABLE".',
            },
        );
        assert.throws(
            () =>
                new LambdaImage("x", {
                    repository: `${REGISTRY}/app`,
                    stage: "prod",
                    tagMutability: "IMMUTABLE",
                    extraTags: ["prod-latest"],
                    context,
                }),
            {
                message:
                    /^LambdaImage "x": `extraTags` must be empty when the repository's `tagMutability` is IMMUTABLE/,
            },
        );
        assert.throws(
            () =>
                new LambdaImage("x", {
                    repository: repo,
                    stage: "prod",
                    context,
                    secrets: { "bad id!": "v" },
                }),
            {
                message:
                    'LambdaImage "x": `secrets.bad id!` must be keyed by a BuildKit secret id of 1-64 [A-Za-z0-9_.-]; got "bad id!".',
            },
        );
        await recorder.settle();
        assert.deepEqual(recorder.resources, []);
    });
});

describe("existingDigest", () => {
    it("finds the digest of an exact tag only", () => {
        const ids = [
            { imageTag: "prod-1", imageDigest: DIGEST_A },
            { imageDigest: `sha256:${"c".repeat(64)}` },
        ];
        assert.equal(existingDigest(ids, "prod-1"), DIGEST_A);
        assert.equal(existingDigest(ids, "prod-"), undefined);
        assert.equal(existingDigest([], "prod-1"), undefined);
    });
});

describe("EcrRepository adopting an existing repository (mocks)", () => {
    it("imports the named repository into its child, and refuses adoption without a plain, valid name", async () => {
        await recorder.install("prod");
        const seen: { name: string; id?: string }[] = [];
        const original = recorder.mocks.newResource;
        recorder.mocks.newResource = (args) => {
            seen.push({ name: args.name, id: args.id });
            return original(args);
        };
        try {
            const repo = new EcrRepository("app", {
                stage: "prod",
                repositoryName: "seed-images",
                adoptExisting: true,
                tagMutability: "IMMUTABLE",
            });
            assert.equal(await valueOf(repo.repositoryName), "seed-images");
            await recorder.settle();
            assert.deepEqual(
                seen.filter((s) => s.name === "app-repository"),
                [{ name: "app-repository", id: "seed-images" }],
            );
            assert.equal(
                recorder.one("aws:ecr/repository:Repository", "app-repository").inputs.name,
                "seed-images",
            );
            assert.throws(() => new EcrRepository("x", { stage: "prod", adoptExisting: true }), {
                message:
                    'EcrRepository "x": `repositoryName` must be the existing repository\'s name as a plain string when `adoptExisting` is true; got undefined.',
            });
            assert.throws(
                () =>
                    new EcrRepository("x", {
                        stage: "prod",
                        adoptExisting: true,
                        repositoryName: "Seed_Images",
                    }),
                {
                    message:
                        'EcrRepository "x": `repositoryName` must be an ECR repository name ([a-z0-9._/-], 2-256 characters); got "Seed_Images".',
                },
            );
        } finally {
            recorder.mocks.newResource = original;
        }
    });
});

describe("LambdaImage under a consumer's hand-written mocks", () => {
    it("fails naming the output the mocks left out, instead of hanging or producing undefined URIs", async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), // the usual `state: inputs`
                call: (c) => c.inputs,
            },
            "consumer",
            "dev",
            false,
        );
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-consumer-"));
        try {
            fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
            const repo = new EcrRepository("app", { stage: "dev" });
            const image = new LambdaImage("app", { repository: repo, stage: "dev", context: dir });
            await assert.rejects(valueOf(image.imageUri), {
                message:
                    'LambdaImage "app": the repository has no `repositoryUrl` (got undefined); mocks must return it from newResource, as lambda-docker/testing\'s do.',
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
