/** Paths every test shares, so a test's depth in the tree never changes what it reads. */
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(REPO_ROOT, "test", "fixtures");
