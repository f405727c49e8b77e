/** The app image: cold build vs a source-only rebuild (target ratio <= 0.1), and its size vs a naive single-stage Dockerfile. */
import * as fs from "fs";
import * as path from "path";
import { runDocker } from "../../lib/docker/cli";
import { BASE_IMAGE, REPO_ROOT, copyTree } from "../../test/support/docker";
import { dockerBuild, imageSize, mb } from "../benchUtil";

export const title = "App image";

export async function bench(dir: string): Promise<string[]> {
    const context = path.join(dir, "app");
    copyTree(path.join(REPO_ROOT, "app"), context);
    const vendor = path.join(context, "vendor", "heavydep");
    fs.mkdirSync(path.join(vendor, "heavydep"), { recursive: true });
    fs.writeFileSync(
        path.join(vendor, "setup.py"),
        "from setuptools import setup\nsetup(name='heavydep', version='1.0', packages=['heavydep'])\n",
    );
    fs.writeFileSync(path.join(vendor, "heavydep", "__init__.py"), `RUN = "${Date.now()}"\n`);
    for (let i = 0; i < 2000; i++)
        fs.writeFileSync(
            path.join(vendor, "heavydep", `m${i}.py`),
            `X = ${i}\n${"# ".padEnd(20000 - 1, "x")}\n`,
        );
    const dockerfile = path.join(context, "Dockerfile");
    fs.writeFileSync(
        dockerfile,
        fs
            .readFileSync(dockerfile, "utf8")
            .replace(
                "COPY requirements.txt /tmp/requirements.txt",
                "COPY requirements.txt /tmp/requirements.txt\nCOPY vendor /tmp/vendor",
            )
            .replace(
                "-r /tmp/requirements.txt",
                "--no-index --no-build-isolation -r /tmp/requirements.txt /tmp/vendor/heavydep",
            ),
    );
    // The naive way: one stage, the whole directory copied, pip's cache and build leftovers kept.
    const naive = path.join(context, "naive.Dockerfile");
    fs.writeFileSync(
        naive,
        [
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11",
            "FROM ${BASE_IMAGE}",
            "COPY . ${LAMBDA_TASK_ROOT}/",
            "RUN python3 -m pip install --no-index --no-build-isolation -r requirements.txt ./vendor/heavydep -t ${LAMBDA_TASK_ROOT}",
            'CMD ["src.functions.api.handler.handler"]',
            "",
        ].join("\n"),
    );
    fs.writeFileSync(`${naive}.dockerignore`, ""); // no .dockerignore either

    const tag = `lambda-docker-bench:${Date.now()}`;
    const coldMs = await dockerBuild(context, dockerfile, `${tag}-cold`, true);
    fs.appendFileSync(
        path.join(context, "src", "functions", "api", "handler.py"),
        "\n# a source-only change\n",
    );
    const rebuildMs = await dockerBuild(context, dockerfile, `${tag}-src`, false);
    await dockerBuild(context, naive, `${tag}-naive`, true);
    const [size, naiveSize] = [imageSize(`${tag}-src`), imageSize(`${tag}-naive`)];
    const base = imageSize(BASE_IMAGE);
    await runDocker(["rmi", `${tag}-cold`, `${tag}-src`, `${tag}-naive`]);
    const ratio = rebuildMs / coldMs;
    return [
        `### App image (${new Date().toISOString().slice(0, 10)})`,
        "",
        "| measure | value |",
        "|---|---|",
        `| cold build (docker --no-cache) | ${coldMs.toFixed(0)} ms |`,
        `| source-only rebuild (dependency layer cached) | ${rebuildMs.toFixed(0)} ms |`,
        `| rebuild / cold | ${ratio.toFixed(3)} (target ≤ 0.1: ${ratio <= 0.1 ? "met" : "NOT met"}) |`,
        `| final image (multi-stage, .dockerignore) | ${mb(size)} (${mb(size - base)} over the base image) |`,
        `| naive single-stage image | ${mb(naiveSize)} (${mb(naiveSize - base)} over the base image) |`,
        `| saved | ${mb(naiveSize - size)} (${(((naiveSize - size) / (naiveSize - base)) * 100).toFixed(0)}% of what the app adds to the base) |`,
    ];
}
