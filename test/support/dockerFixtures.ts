/** Layer build contexts written by the tests: a first-party Python package installed offline with pip. */
import * as fs from "fs";
import * as path from "path";

export const PACKAGE = "ldcore";

function write(file: string, text: string, mode = 0o644): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
}

/**
 * A layer context: `pip install --no-index <local package> -t /asset/python`, plus an executable
 * helper in /asset/bin and a `.dockerignore`d notes directory.
 */
export function writeLayerContext(dir: string, extraRun = ""): string {
    write(
        path.join(dir, "Dockerfile"),
        [
            "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.11",
            "FROM ${BASE_IMAGE} AS build",
            `COPY ${PACKAGE}-src /tmp/${PACKAGE}-src`,
            `RUN python3 -m pip install --no-index --no-build-isolation --no-compile /tmp/${PACKAGE}-src -t /asset/python`,
            "RUN mkdir -p /asset/bin && printf '#!/bin/sh\\necho tool\\n' > /asset/bin/ldtool && chmod 0755 /asset/bin/ldtool",
            extraRun,
            "",
        ].join("\n"),
    );
    write(path.join(dir, ".dockerignore"), "notes/\n");
    write(path.join(dir, "notes", "README.txt"), "not part of the build\n");
    write(
        path.join(dir, `${PACKAGE}-src`, "setup.py"),
        `from setuptools import setup\nsetup(name="${PACKAGE}", version="1.0.0", packages=["${PACKAGE}"])\n`,
    );
    write(
        path.join(dir, `${PACKAGE}-src`, PACKAGE, "__init__.py"),
        "def greet():\n    return 'hello from the layer'\n",
    );
    return dir;
}
