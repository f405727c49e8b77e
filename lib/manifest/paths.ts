/** Manifest paths stay inside the manifest's directory, symlinks resolved: no absolute paths, no `..` out, no special files. */
import * as fs from "fs";
import * as path from "path";
import * as v from "../validation";

/** Checks `p` (the value at `key`) and returns it joined to the manifest's directory, with `/` separators. */
export type ProjectPath = (key: string, p: string) => string;

function inside(root: string, p: string): boolean {
    const rel = path.relative(root, p);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** The real path of `p`'s deepest existing ancestor (or itself), and what is left below it. */
function realAncestor(p: string): string {
    let dir = p;
    for (;;) {
        try {
            return path.join(fs.realpathSync(dir), path.relative(dir, p));
        } catch {
            const up = path.dirname(dir);
            if (up === dir) return p;
            dir = up;
        }
    }
}

export function projectPaths(baseDir: string): ProjectPath {
    const root = path.resolve(baseDir);
    let realRoot: string | undefined;
    return (key, p) => {
        if (path.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p))
            v.fail(
                key,
                "a path relative to the manifest's directory (absolute paths are refused)",
                p,
            );
        const abs = path.resolve(root, p);
        if (!inside(root, abs))
            v.fail(key, "a path inside the manifest's directory (`..` may not leave it)", p);
        realRoot ??= realAncestor(root);
        const real = realAncestor(abs);
        if (!inside(realRoot, real))
            v.fail(
                key,
                `a path that stays inside the manifest's directory once symlinks are resolved (it leads to ${JSON.stringify(real)})`,
                p,
            );
        let st: fs.Stats | undefined;
        try {
            st = fs.statSync(real);
        } catch {
            st = undefined; // a missing path is reported by whatever reads it
        }
        if (st !== undefined && !st.isFile() && !st.isDirectory())
            v.fail(key, "a regular file or a directory (not a device, socket or pipe)", p);
        return path.join(baseDir, p).split(path.sep).join("/");
    };
}
