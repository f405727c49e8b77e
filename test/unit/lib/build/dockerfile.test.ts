import * as assert from "node:assert/strict";
import {
    EXPORT_STAGE,
    instructions,
    parseStages,
    withExportStage,
} from "../../../../lib/build/dockerfile";
import { classicBuildImages } from "../../../../lib/build/layerBuild";

describe("Dockerfile reading for layer builds", () => {
    it("joins continuation lines and drops comments and blank lines", () => {
        assert.deepEqual(
            instructions(
                "# syntax=docker/dockerfile:1\nFROM a AS b\n\n# note\nRUN echo 1 \\\n  && echo 2\n",
            ),
            ["FROM a AS b", "RUN echo 1    && echo 2"],
        );
    });

    it("honours the escape directive", () => {
        assert.deepEqual(instructions("# escape=`\nFROM a\nRUN dir `\n  c:\\\n"), [
            "FROM a",
            "RUN dir    c:\\",
        ]);
    });

    it("lists stages with their index and lower-cased name", () => {
        assert.deepEqual(
            parseStages("ARG X=1\nFROM ${X} AS Deps\nFROM scratch\nfrom deps as final\n"),
            [
                { index: 0, name: "deps" },
                { index: 1, name: undefined },
                { index: 2, name: "final" },
            ],
        );
    });

    it("appends an export stage copying the asset from the last stage", () => {
        assert.equal(
            withExportStage("FROM a\nRUN x\n\n", "Dockerfile", "/asset"),
            `FROM a\nRUN x\n\nFROM scratch AS ${EXPORT_STAGE}\nCOPY --from=0 /asset/ /\n`,
        );
    });

    it("copies from the target stage when one is given, matching names case-insensitively", () => {
        assert.equal(
            withExportStage(
                "FROM a AS build\nFROM b AS runtime\nFROM c",
                "Dockerfile",
                "/opt/layer",
                "Build",
            ),
            `FROM a AS build\nFROM b AS runtime\nFROM c\n\nFROM scratch AS ${EXPORT_STAGE}\nCOPY --from=0 /opt/layer/ /\n`,
        );
    });

    it("rejects a Dockerfile without FROM, an unknown target and the reserved stage name", () => {
        assert.throws(() => withExportStage("RUN x\n", "layers/core/Dockerfile", "/asset"), {
            message:
                '`dockerfile` "layers/core/Dockerfile" must contain a FROM instruction; it has none.',
        });
        assert.throws(
            () =>
                withExportStage(
                    "FROM a AS deps\nFROM b AS final\n",
                    "Dockerfile",
                    "/asset",
                    "runtime",
                ),
            {
                message:
                    '`target` must be a stage of "Dockerfile" ("deps", "final"); got "runtime".',
            },
        );
        assert.throws(
            () => withExportStage(`FROM a AS ${EXPORT_STAGE}\n`, "Dockerfile", "/asset"),
            {
                message: `\`dockerfile\` "Dockerfile" must not name a stage "${EXPORT_STAGE}" (reserved by lambda-docker).`,
            },
        );
    });
});

describe("classic builder output", () => {
    it("lists only the images a build created: not the FROM image, not cached steps", () => {
        const output = [
            "Step 1/5 : ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11",
            "Step 2/5 : FROM ${BASE_IMAGE}",
            " ---> 0123456789ab",
            "Step 3/5 : COPY a /a",
            " ---> Using cache",
            " ---> 111111111111",
            "Step 4/5 : RUN echo x > /x",
            " ---> Running in 2222222222aa",
            "Removing intermediate container 2222222222aa",
            " ---> 333333333333",
            "Step 5/5 : RUN exit 3",
            " ---> Running in 4444444444bb",
            "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
        ];
        assert.deepEqual(classicBuildImages(output), ["333333333333"]);
        assert.deepEqual(classicBuildImages([]), []);
    });
});
