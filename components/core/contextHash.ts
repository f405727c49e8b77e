/**
 * Content hash of a Docker build: what decides the image, and nothing that differs between
 * two checkouts of the same commit (mtimes, umask, owners, absolute paths, file order on disk).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import dockerignore from "@balena/dockerignore";

export interface ContextEntry {
    /** Path relative to the context root, with `/` separators. */
    readonly path: string;
    /** "file" or "symlink"; directories are not entries (see `listContextFiles`). */
    readonly kind: "file" | "symlink";
    /** 0o755 when any execute bit is set, else 0o644; symlinks 0o777. */
    readonly mode: number;
    /** sha256 of the file bytes, or of the link target for a symlink. */
    readonly sha256: string;
    readonly size: number;
}

export interface BuildInputs {
    /** Directory sent to Docker as the build context. */
    readonly context: string;
    /** Dockerfile path. Defaults to `<context>/Dockerfile`. */
    readonly dockerfile?: string;
    readonly buildArgs?: Readonly<Record<string, string>>;
    readonly target?: string;
    readonly platform?: string;
    /** Further values that change the output (for layers: the asset path). */
    readonly extra?: Readonly<Record<string, string>>;
}

export function resolveDockerfile(context: string, dockerfile?: string): string {
    return dockerfile ?? path.join(context, "Dockerfile");
}

/**
 * The ignore file BuildKit applies: `<Dockerfile>.dockerignore` beside the Dockerfile wins over
 * `<context>/.dockerignore`.
 */
export function ignoreFileFor(context: string, dockerfile: string): string | undefined {
    const specific = `${dockerfile}.dockerignore`;
    if (fs.existsSync(specific)) return specific;
    const generic = path.join(context, ".dockerignore");
    return fs.existsSync(generic) ? generic : undefined;
}

/**
 * Reads ignore patterns the way the Docker CLI does: one per line; a line whose first character is
 * `#` is a comment (checked before trimming, so "  #x" is the pattern "#x"); blank lines skipped.
 */
export function parseIgnoreFile(text: string): string[] {
    return text
        .replace(/^\uFEFF/, "")
        .split(/\r?\n/)
        .filter((line) => !line.startsWith("#"))
        .map((line) => line.trim())
        .filter((line) => line !== "");
}

function sha256File(file: string): { sha256: string; size: number } {
    const hash = crypto.createHash("sha256");
    const fd = fs.openSync(file, "r");
    const buf = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    try {
        for (;;) {
            const n = fs.readSync(fd, buf, 0, buf.length, null);
            if (n === 0) break;
            hash.update(buf.subarray(0, n));
            size += n;
        }
    } finally {
        fs.closeSync(fd);
    }
    return { sha256: hash.digest("hex"), size };
}

/**
 * Lists the files Docker would send for `context`, honouring `.dockerignore`, sorted by path.
 * Empty directories are not listed: git does not keep them, so two checkouts would disagree.
 */
export function listContextFiles(context: string, dockerfile?: string): ContextEntry[] {
    const root = path.resolve(context);
    const ignoreFile = ignoreFileFor(root, path.resolve(resolveDockerfile(context, dockerfile)));
    const patterns = ignoreFile ? parseIgnoreFile(fs.readFileSync(ignoreFile, "utf8")) : [];
    // Docker matches ignore patterns case-sensitively (on Linux); the library defaults to ignoring case.
    const ig = dockerignore({ ignorecase: false }).add(patterns);
    // Without `!` exceptions an ignored directory can be skipped whole (node_modules, .git, …).
    const canPrune = !patterns.some((p) => p.startsWith("!"));
    const entries: ContextEntry[] = [];

    const walk = (dir: string, rel: string): void => {
        const names = fs.readdirSync(dir).sort();
        for (const name of names) {
            const relPath = rel ? `${rel}/${name}` : name;
            const abs = path.join(dir, name);
            const st = fs.lstatSync(abs);
            if (st.isDirectory()) {
                if (canPrune && ig.ignores(relPath)) continue;
                walk(abs, relPath);
            } else if (ig.ignores(relPath)) {
                continue;
            } else if (st.isSymbolicLink()) {
                const target = fs.readlinkSync(abs);
                entries.push({
                    path: relPath, kind: "symlink", mode: 0o777,
                    sha256: crypto.createHash("sha256").update(target).digest("hex"), size: target.length,
                });
            } else if (st.isFile()) {
                const { sha256, size } = sha256File(abs);
                entries.push({ path: relPath, kind: "file", mode: st.mode & 0o111 ? 0o755 : 0o644, sha256, size });
            }
        }
    };
    walk(root, "");
    // readdir order is sorted per directory; a global sort keeps "a/b" vs "a-b" stable everywhere.
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sortedPairs(record: Readonly<Record<string, string>> | undefined): [string, string][] {
    return Object.keys(record ?? {}).sort().map((k) => [k, record![k]]);
}

/** The sha256 (hex) of everything that decides a build's output. */
export function hashBuildInputs(inputs: BuildInputs): string {
    const dockerfile = resolveDockerfile(inputs.context, inputs.dockerfile);
    const document = {
        v: 1,
        dockerfile: sha256File(dockerfile).sha256,
        files: listContextFiles(inputs.context, inputs.dockerfile).map((e) => [e.path, e.kind, e.mode.toString(8), e.sha256]),
        buildArgs: sortedPairs(inputs.buildArgs),
        target: inputs.target ?? "",
        platform: inputs.platform ?? "",
        extra: sortedPairs(inputs.extra),
    };
    return crypto.createHash("sha256").update(JSON.stringify(document)).digest("hex");
}
