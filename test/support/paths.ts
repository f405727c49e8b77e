/** Paths every test shares, from the repository root, whether the tests run from source (ts-node) or compiled into dist/test. */
import * as path from "path";
import { packageRoot } from "../../lib/commandLine";

export const REPO_ROOT = packageRoot(__dirname);
export const FIXTURES = path.join(REPO_ROOT, "test", "fixtures");
