/**
 * Which files of a zip function's code directory are packaged: Serverless's `package.patterns`
 * semantics in their include/exclude form. A file goes in unless an `exclude` glob matches it, and an
 * `include` glob puts back what an exclude left out. Globs are picomatch's (Serverless's own matcher),
 * relative to the code directory, with dotfiles matched like any other file.
 */
import picomatch from "picomatch";
import * as v from "../validation";

export interface CodePatterns {
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
}

function matcher(key: string, patterns: readonly string[]): (p: string) => boolean {
    patterns.forEach((p, i) => {
        if (typeof p !== "string" || p.trim() === "" || p.startsWith("/") || p.startsWith("!"))
            v.fail(
                `${key}[${i}]`,
                "a glob relative to the code directory (no leading `/` or `!`: `exclude` lists what leaves, `include` what comes back)",
                p,
            );
    });
    if (patterns.length === 0) return () => false;
    return picomatch(patterns as string[], { dot: true });
}

/** A predicate on `/`-separated relative paths; validates the patterns first (keys `include[i]`, `exclude[i]`). */
export function codeFilter(p: CodePatterns): (relPath: string) => boolean {
    const excluded = matcher("exclude", p.exclude ?? []);
    const included = matcher("include", p.include ?? []);
    return (rel) => !excluded(rel) || included(rel);
}
