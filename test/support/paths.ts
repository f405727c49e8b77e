/** Paths every test shares, from the repository root, whether the tests run from source (ts-node) or compiled into dist/test. */
import * as fs from "fs";
import * as path from "path";

function repositoryRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (
            fs.existsSync(manifest) &&
            (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name ===
                "lambda-docker"
        )
            return dir;
        if (path.dirname(dir) === dir)
            throw new Error(`no lambda-docker package.json above ${from}`);
    }
}

export const REPO_ROOT = repositoryRoot(__dirname);
export const FIXTURES = path.join(REPO_ROOT, "test", "fixtures");
