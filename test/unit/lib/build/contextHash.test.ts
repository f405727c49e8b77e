import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import fsModule from "fs";
import * as os from "os";
import * as path from "path";
import {
    BuildInputs,
    HashOptions,
    clearHashMemo,
    hashBuildInputs,
    ignoreFileFor,
    listContextFiles,
    parseIgnoreFile,
    resolveDockerfile,
} from "../../../../lib/build/contextHash";
import { digestCacheFile, statKey, wallClockNs } from "../../../../lib/build/digestCache";

const sha = (data: string | Buffer): string =>
    crypto.createHash("sha256").update(data).digest("hex");

function write(file: string, data: string | Buffer, mode: number): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    fs.chmodSync(file, mode);
}

const DOCKERFILE = "FROM scratch\nCOPY . /app\n";
const IGNORE = "# comment\nnode_modules\n*.log\ndocs\n!docs/keep.md\n";

/**
 * A context as one checkout would have it. `umask` 0o022 gives 0644/0755 files, 0o002 gives
 * 0664/0775 (group-writable, as on many desktops); every file and directory gets `mtime`.
 */
function checkout(root: string, umask: number, mtime: Date): string {
    const file = 0o666 & ~umask;
    const exec = 0o777 & ~umask;
    write(path.join(root, "Dockerfile"), DOCKERFILE, file);
    write(path.join(root, ".dockerignore"), IGNORE, file);
    write(path.join(root, "src", "app.py"), "print('hi')\n", file);
    write(
        path.join(root, "src", "sub", "trace.log"),
        "nested logs are not matched by *.log\n",
        file,
    );
    write(path.join(root, "bin", "run.sh"), "#!/bin/sh\necho run\n", exec);
    write(path.join(root, "debug.log"), "ignored\n", file);
    write(path.join(root, "node_modules", "x", "index.js"), "ignored\n", file);
    write(path.join(root, "docs", "drop.md"), "ignored\n", file);
    write(path.join(root, "docs", "keep.md"), "kept\n", file);
    const touch = (dir: string): void => {
        for (const name of fs.readdirSync(dir)) {
            const abs = path.join(dir, name);
            if (fs.lstatSync(abs).isDirectory()) {
                fs.chmodSync(abs, exec);
                touch(abs);
            }
            fs.utimesSync(abs, mtime, mtime);
        }
    };
    touch(root);
    return root;
}

/** The entries `checkout` produces for umask 022. */
function checkoutEntries(): unknown[] {
    return [
        {
            path: ".dockerignore",
            kind: "file",
            mode: 0o644,
            sha256: sha(IGNORE),
            size: Buffer.byteLength(IGNORE),
        },
        {
            path: "Dockerfile",
            kind: "file",
            mode: 0o644,
            sha256: sha(DOCKERFILE),
            size: Buffer.byteLength(DOCKERFILE),
        },
        {
            path: "bin/run.sh",
            kind: "file",
            mode: 0o755,
            sha256: sha("#!/bin/sh\necho run\n"),
            size: 19,
        },
        { path: "docs/keep.md", kind: "file", mode: 0o644, sha256: sha("kept\n"), size: 5 },
        { path: "src/app.py", kind: "file", mode: 0o644, sha256: sha("print('hi')\n"), size: 12 },
        {
            path: "src/sub/trace.log",
            kind: "file",
            mode: 0o644,
            sha256: sha("nested logs are not matched by *.log\n"),
            size: 37,
        },
    ];
}

/** Records every directory fs.readdirSync is asked for while `fn` runs (contextHash reads the same fs module). */
function recordReaddirs<T>(fn: () => T): { result: T; dirs: string[] } {
    const mod = fsModule as unknown as { readdirSync: (...args: unknown[]) => unknown };
    const original = mod.readdirSync;
    const dirs: string[] = [];
    mod.readdirSync = (...args: unknown[]) => {
        dirs.push(String(args[0]));
        return original.apply(fsModule, args);
    };
    try {
        return { result: fn(), dirs };
    } finally {
        mod.readdirSync = original;
    }
}

describe("content hash: ignore files", () => {
    it("parseIgnoreFile keeps one trimmed pattern per line, skipping # comments and blank lines, with LF or CRLF", () => {
        assert.deepEqual(parseIgnoreFile("# c\n\n  a  \r\n!b\r\n\t\n*.log\n#x\nc/d"), [
            "a",
            "!b",
            "*.log",
            "c/d",
        ]);
        assert.deepEqual(parseIgnoreFile(""), []);
    });

    it("resolveDockerfile defaults to <context>/Dockerfile and keeps an explicit path", () => {
        assert.equal(resolveDockerfile("/ctx"), path.join("/ctx", "Dockerfile"));
        assert.equal(resolveDockerfile("/ctx", "/else/app.Dockerfile"), "/else/app.Dockerfile");
    });
});

describe("content hash: listContextFiles and hashBuildInputs", () => {
    let dir: string;
    let cwd: string;
    // The default digest cache is <cwd>/.lambda-docker/cache: run in the temp dir so it goes away with it.
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-hash-"));
        cwd = process.cwd();
        process.chdir(dir);
    });
    afterEach(() => {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("(h) lists exactly the kept files, sorted by path, with kind, normalized mode, size and sha256 of the content", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        assert.deepEqual(listContextFiles(ctx), checkoutEntries());
    });

    it("(h) sorts globally by path, so `a-b` comes before `a/b` regardless of per-directory order", () => {
        write(path.join(dir, "a", "b"), "1", 0o644);
        write(path.join(dir, "a-b"), "2", 0o644);
        write(path.join(dir, "a0"), "3", 0o644);
        assert.deepEqual(
            listContextFiles(dir).map((e) => e.path),
            ["a-b", "a/b", "a0"],
        );
    });

    it("(h) records symlinks as symlinks (mode 0777, sha256 and size of the link target), without following them", () => {
        const ctx = path.join(dir, "ctx");
        const outside = path.join(dir, "outside");
        write(path.join(outside, "secret.txt"), "outside content\n", 0o644);
        write(path.join(outside, "sub", "deep.txt"), "deep\n", 0o644);
        write(path.join(ctx, "real.txt"), "real\n", 0o644);
        fs.symlinkSync("real.txt", path.join(ctx, "rel-link"));
        fs.symlinkSync(path.join(outside, "secret.txt"), path.join(ctx, "abs-link"));
        fs.symlinkSync(path.join(outside, "sub"), path.join(ctx, "dir-link"));
        fs.symlinkSync("missing-target", path.join(ctx, "dangling"));
        const target = (t: string) => ({ sha256: sha(t), size: Buffer.byteLength(t) });
        assert.deepEqual(listContextFiles(ctx), [
            {
                path: "abs-link",
                kind: "symlink",
                mode: 0o777,
                ...target(path.join(outside, "secret.txt")),
            },
            { path: "dangling", kind: "symlink", mode: 0o777, ...target("missing-target") },
            {
                path: "dir-link",
                kind: "symlink",
                mode: 0o777,
                ...target(path.join(outside, "sub")),
            },
            { path: "real.txt", kind: "file", mode: 0o644, sha256: sha("real\n"), size: 5 },
            { path: "rel-link", kind: "symlink", mode: 0o777, ...target("real.txt") },
        ]);
        // Not followed: the content behind a link does not enter the hash, the link target does.
        write(path.join(dir, "Dockerfile"), "FROM scratch\n", 0o644);
        const inputs: BuildInputs = { context: ctx, dockerfile: path.join(dir, "Dockerfile") };
        const before = hashBuildInputs(inputs);
        fs.writeFileSync(path.join(outside, "secret.txt"), "changed outside\n");
        fs.writeFileSync(path.join(outside, "sub", "deep.txt"), "changed\n");
        assert.equal(hashBuildInputs(inputs), before);
        fs.unlinkSync(path.join(ctx, "rel-link"));
        fs.symlinkSync("./real.txt", path.join(ctx, "rel-link"));
        assert.notEqual(hashBuildInputs(inputs), before);
    });

    it("(h) leaves out empty directories, so adding one changes neither the listing nor the hash", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const before = hashBuildInputs({ context: ctx });
        fs.mkdirSync(path.join(ctx, "empty", "deeper"), { recursive: true });
        assert.deepEqual(listContextFiles(ctx), checkoutEntries());
        assert.equal(hashBuildInputs({ context: ctx }), before);
    });

    it("(a) is identical for two checkouts in different directories with different mtimes and umask 022 vs 002 modes", () => {
        const a = checkout(path.join(dir, "one", "ctx"), 0o022, new Date("2020-01-01T00:00:00Z"));
        const b = checkout(
            path.join(dir, "two", "deeper", "ctx"),
            0o002,
            new Date("2026-11-24T10:00:00Z"),
        );
        assert.equal(fs.statSync(path.join(a, "src", "app.py")).mode & 0o777, 0o644);
        assert.equal(fs.statSync(path.join(b, "src", "app.py")).mode & 0o777, 0o664);
        assert.equal(fs.statSync(path.join(a, "bin", "run.sh")).mode & 0o777, 0o755);
        assert.equal(fs.statSync(path.join(b, "bin", "run.sh")).mode & 0o777, 0o775);
        assert.notEqual(
            fs.statSync(path.join(a, "src", "app.py")).mtimeMs,
            fs.statSync(path.join(b, "src", "app.py")).mtimeMs,
        );
        assert.deepEqual(listContextFiles(b), listContextFiles(a));
        const hash = hashBuildInputs({ context: a });
        assert.match(hash, /^[0-9a-f]{64}$/);
        assert.equal(hashBuildInputs({ context: b }), hash);
    });

    it("(a) ignores non-executable mode bits: 0600, 0444 and 0664 hash like 0644; 0700 and 0775 like 0755", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        for (const mode of [0o600, 0o444, 0o664, 0o640]) {
            fs.chmodSync(path.join(ctx, "src", "app.py"), mode);
            assert.equal(hashBuildInputs({ context: ctx }), base, mode.toString(8));
        }
        fs.chmodSync(path.join(ctx, "src", "app.py"), 0o644);
        for (const mode of [0o700, 0o775, 0o711, 0o751]) {
            fs.chmodSync(path.join(ctx, "bin", "run.sh"), mode);
            assert.equal(hashBuildInputs({ context: ctx }), base, mode.toString(8));
        }
    });

    it("(b) changes when one byte of a kept file changes, even at the same size", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        fs.writeFileSync(path.join(ctx, "src", "app.py"), "print('hI')\n");
        const changed = hashBuildInputs({ context: ctx });
        assert.notEqual(changed, base);
        fs.writeFileSync(path.join(ctx, "src", "app.py"), "print('hi')\n");
        assert.equal(hashBuildInputs({ context: ctx }), base);
        fs.writeFileSync(
            path.join(ctx, "src", "sub", "trace.log"),
            "nested logs are not matched by *.LOG\n",
        );
        assert.notEqual(hashBuildInputs({ context: ctx }), base);
    });

    it("(b) changes when the Dockerfile changes, and when a kept file is added, removed or renamed", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        const seen = new Set([base]);
        fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY . /app/\n");
        seen.add(hashBuildInputs({ context: ctx }));
        fs.writeFileSync(path.join(ctx, "Dockerfile"), DOCKERFILE);
        write(path.join(ctx, "src", "new.py"), "", 0o644);
        seen.add(hashBuildInputs({ context: ctx }));
        fs.renameSync(path.join(ctx, "src", "new.py"), path.join(ctx, "src", "renamed.py"));
        seen.add(hashBuildInputs({ context: ctx }));
        fs.unlinkSync(path.join(ctx, "src", "renamed.py"));
        fs.unlinkSync(path.join(ctx, "src", "app.py"));
        seen.add(hashBuildInputs({ context: ctx }));
        assert.equal(seen.size, 5);
    });

    it("(b) still hashes the Dockerfile's content when .dockerignore excludes the Dockerfile itself", () => {
        const ctx = path.join(dir, "ctx");
        write(path.join(ctx, "Dockerfile"), "FROM a\n", 0o644);
        write(path.join(ctx, ".dockerignore"), "Dockerfile\n", 0o644);
        assert.deepEqual(
            listContextFiles(ctx).map((e) => e.path),
            [".dockerignore"],
        );
        const before = hashBuildInputs({ context: ctx });
        fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM b\n");
        assert.notEqual(hashBuildInputs({ context: ctx }), before);
    });

    it("(c) does not change when files excluded by .dockerignore change, appear or disappear", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        fs.writeFileSync(path.join(ctx, "debug.log"), "changed\n");
        fs.writeFileSync(path.join(ctx, "docs", "drop.md"), "changed\n");
        fs.writeFileSync(path.join(ctx, "node_modules", "x", "index.js"), "changed\n");
        write(path.join(ctx, "node_modules", "y", "new.js"), "new\n", 0o755);
        write(path.join(ctx, "other.log"), "new\n", 0o644);
        write(path.join(ctx, "docs", "more", "new.md"), "new\n", 0o644);
        fs.chmodSync(path.join(ctx, "debug.log"), 0o755);
        assert.equal(hashBuildInputs({ context: ctx }), base);
        fs.unlinkSync(path.join(ctx, "debug.log"));
        fs.rmSync(path.join(ctx, "node_modules"), { recursive: true });
        assert.equal(hashBuildInputs({ context: ctx }), base);
    });

    it("(d) changes when any executable bit of a kept file is toggled, and comes back when it is reset", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        fs.chmodSync(path.join(ctx, "src", "app.py"), 0o744);
        const onlyOwnerExec = hashBuildInputs({ context: ctx });
        assert.notEqual(onlyOwnerExec, base);
        assert.equal(listContextFiles(ctx).find((e) => e.path === "src/app.py")!.mode, 0o755);
        fs.chmodSync(path.join(ctx, "src", "app.py"), 0o644);
        assert.equal(hashBuildInputs({ context: ctx }), base);
        // Any one execute bit counts (owner, group or other), all as 0755.
        for (const mode of [0o654, 0o645]) {
            fs.chmodSync(path.join(ctx, "src", "app.py"), mode);
            assert.equal(hashBuildInputs({ context: ctx }), onlyOwnerExec, mode.toString(8));
        }
        fs.chmodSync(path.join(ctx, "src", "app.py"), 0o644);
        fs.chmodSync(path.join(ctx, "bin", "run.sh"), 0o644);
        assert.notEqual(hashBuildInputs({ context: ctx }), base);
    });

    it("(e) a `!` exception re-includes one file inside an ignored directory, and changes to it count", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const docs = listContextFiles(ctx)
            .filter((e) => e.path.startsWith("docs/"))
            .map((e) => e.path);
        assert.deepEqual(docs, ["docs/keep.md"]);
        const base = hashBuildInputs({ context: ctx });
        fs.writeFileSync(path.join(ctx, "docs", "keep.md"), "kept!\n");
        assert.notEqual(hashBuildInputs({ context: ctx }), base);
    });

    it("(e) follows Docker's rules: later patterns win, `*` stays within one directory, `**` crosses directories", () => {
        const ctx = path.join(dir, "ctx");
        for (const f of [
            "a.txt",
            "b.txt",
            "x/a.txt",
            "x/y/a.txt",
            "keep/a.md",
            "keep/b.md",
            "tmp/t",
        ])
            write(path.join(ctx, f), f, 0o644);
        const list = (patterns: string): string[] => {
            write(path.join(ctx, ".dockerignore"), patterns, 0o644);
            return listContextFiles(ctx)
                .map((e) => e.path)
                .filter((p) => p !== ".dockerignore");
        };
        assert.deepEqual(list("*.txt\n"), [
            "keep/a.md",
            "keep/b.md",
            "tmp/t",
            "x/a.txt",
            "x/y/a.txt",
        ]);
        assert.deepEqual(list("**/*.txt\n"), ["keep/a.md", "keep/b.md", "tmp/t"]);
        assert.deepEqual(list("*/a.txt\n"), [
            "a.txt",
            "b.txt",
            "keep/a.md",
            "keep/b.md",
            "tmp/t",
            "x/y/a.txt",
        ]);
        assert.deepEqual(list("keep\n!keep/a.md\n"), [
            "a.txt",
            "b.txt",
            "keep/a.md",
            "tmp/t",
            "x/a.txt",
            "x/y/a.txt",
        ]);
        assert.deepEqual(list("!keep/a.md\nkeep\n"), [
            "a.txt",
            "b.txt",
            "tmp/t",
            "x/a.txt",
            "x/y/a.txt",
        ]);
        assert.deepEqual(list("/tmp/\n./x\n"), ["a.txt", "b.txt", "keep/a.md", "keep/b.md"]);
    });

    // BUG (not fixed here, reported): listContextFiles builds `dockerignore()` with the library's default
    // `ignorecase: true`, while Docker on Linux matches .dockerignore patterns case-sensitively (the
    // @balena/dockerignore README says to pass `{ ignorecase: false }` to match Docker). A file Docker sends
    // is then left out of the hash, so editing it does not change the image tag. Unskip once fixed.
    it("(e) matches .dockerignore patterns case-sensitively, as Docker does on Linux", () => {
        const ctx = path.join(dir, "ctx");
        write(path.join(ctx, ".dockerignore"), "README.md\n*.LOG\n", 0o644);
        write(path.join(ctx, "readme.md"), "sent by docker\n", 0o644);
        write(path.join(ctx, "a.log"), "sent by docker\n", 0o644);
        write(path.join(ctx, "README.md"), "ignored\n", 0o644);
        assert.deepEqual(
            listContextFiles(ctx).map((e) => e.path),
            [".dockerignore", "a.log", "readme.md"],
        );
    });

    it("(f) <Dockerfile>.dockerignore beside a custom Dockerfile takes precedence over <context>/.dockerignore", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const dockerfile = path.join(dir, "build", "app.Dockerfile");
        write(dockerfile, "FROM scratch\n", 0o644);
        assert.equal(ignoreFileFor(ctx, dockerfile), path.join(ctx, ".dockerignore"));
        // Without the specific file, the context's .dockerignore applies to the custom Dockerfile too.
        assert.deepEqual(
            listContextFiles(ctx, dockerfile).map((e) => e.path),
            checkoutEntries().map((e) => (e as { path: string }).path),
        );
        write(`${dockerfile}.dockerignore`, "src\n", 0o644);
        assert.equal(ignoreFileFor(ctx, dockerfile), `${dockerfile}.dockerignore`);
        assert.deepEqual(
            listContextFiles(ctx, dockerfile).map((e) => e.path),
            [
                ".dockerignore",
                "Dockerfile",
                "bin/run.sh",
                "debug.log",
                "docs/drop.md",
                "docs/keep.md",
                "node_modules/x/index.js",
            ],
        );
        const before = hashBuildInputs({ context: ctx, dockerfile });
        fs.writeFileSync(path.join(ctx, "src", "app.py"), "changed\n");
        assert.equal(hashBuildInputs({ context: ctx, dockerfile }), before);
        fs.writeFileSync(path.join(ctx, "debug.log"), "now counted\n");
        assert.notEqual(hashBuildInputs({ context: ctx, dockerfile }), before);
    });

    it("(f) uses no ignore file when neither exists, listing every file", () => {
        const ctx = path.join(dir, "ctx");
        write(path.join(ctx, "Dockerfile"), "FROM a\n", 0o644);
        write(path.join(ctx, "node_modules", "m.js"), "m\n", 0o644);
        assert.equal(ignoreFileFor(ctx, path.join(ctx, "Dockerfile")), undefined);
        assert.deepEqual(
            listContextFiles(ctx).map((e) => e.path),
            ["Dockerfile", "node_modules/m.js"],
        );
    });

    it("(g) build args and extra inputs are order-free, but their values, target and platform change the hash", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({
            context: ctx,
            buildArgs: { A: "1", B: "2" },
            extra: { x: "1", y: "2" },
        });
        assert.equal(
            hashBuildInputs({
                context: ctx,
                buildArgs: { B: "2", A: "1" },
                extra: { y: "2", x: "1" },
            }),
            base,
        );
        const variants: BuildInputs[] = [
            { context: ctx, buildArgs: { A: "1", B: "3" }, extra: { x: "1", y: "2" } },
            { context: ctx, buildArgs: { A: "1" }, extra: { x: "1", y: "2" } },
            { context: ctx, buildArgs: { A: "2", B: "1" }, extra: { x: "1", y: "2" } },
            { context: ctx, buildArgs: { A: "1", B: "2" }, extra: { x: "1", y: "3" } },
            {
                context: ctx,
                buildArgs: { A: "1", B: "2" },
                extra: { x: "1", y: "2" },
                target: "final",
            },
            {
                context: ctx,
                buildArgs: { A: "1", B: "2" },
                extra: { x: "1", y: "2" },
                target: "build",
            },
            {
                context: ctx,
                buildArgs: { A: "1", B: "2" },
                extra: { x: "1", y: "2" },
                platform: "linux/arm64",
            },
            {
                context: ctx,
                buildArgs: { A: "1", B: "2" },
                extra: { x: "1", y: "2" },
                platform: "linux/amd64",
            },
        ];
        const hashes = variants.map((v) => hashBuildInputs(v));
        assert.equal(new Set([base, ...hashes]).size, variants.length + 1);
        // Absent and empty are the same input.
        assert.equal(
            hashBuildInputs({ context: ctx }),
            hashBuildInputs({ context: ctx, buildArgs: {}, extra: {}, target: "", platform: "" }),
        );
    });

    it("(i) does not descend into an ignored directory when there are no `!` exceptions", () => {
        const ctx = path.join(dir, "ctx");
        write(path.join(ctx, "Dockerfile"), "FROM a\n", 0o644);
        write(path.join(ctx, ".dockerignore"), "node_modules\n.git\n", 0o644);
        write(path.join(ctx, "node_modules", "pkg", "deep", "index.js"), "x\n", 0o644);
        write(path.join(ctx, ".git", "HEAD"), "ref\n", 0o644);
        write(path.join(ctx, "src", "a.py"), "a\n", 0o644);
        const { result, dirs } = recordReaddirs(() =>
            listContextFiles(ctx, undefined, { cacheDir: false }),
        );
        assert.deepEqual(
            result.map((e) => e.path),
            [".dockerignore", "Dockerfile", "src/a.py"],
        );
        assert.deepEqual(dirs.map((d) => path.relative(ctx, d)).sort(), ["", "src"]);
    });

    it("(i) with a `!` exception it walks ignored directories (an exception may re-include inside), still listing the right files", () => {
        const ctx = path.join(dir, "ctx");
        write(path.join(ctx, ".dockerignore"), "node_modules\n!src/keep.py\n", 0o644);
        write(path.join(ctx, "node_modules", "pkg", "index.js"), "x\n", 0o644);
        write(path.join(ctx, "src", "keep.py"), "a\n", 0o644);
        const { result, dirs } = recordReaddirs(() =>
            listContextFiles(ctx, undefined, { cacheDir: false }),
        );
        assert.deepEqual(
            result.map((e) => e.path),
            [".dockerignore", "src/keep.py"],
        );
        assert.deepEqual(dirs.map((d) => path.relative(ctx, d)).sort(), [
            "",
            "node_modules",
            "node_modules/pkg",
            "src",
        ]);
    });
});

describe("ignore-file parsing", () => {
    it("treats only a leading # as a comment, as Docker does, and strips a BOM", () => {
        assert.deepEqual(parseIgnoreFile("\uFEFF# comment\n  #x\nnode_modules  \n\n"), [
            "#x",
            "node_modules",
        ]);
    });
});

/** Records the directories listed and the files opened for reading (by path) while `fn` runs. */
function recordReads<T>(fn: () => T): { result: T; readdirs: string[]; opened: string[] } {
    const mod = fsModule as unknown as Record<string, (...args: unknown[]) => unknown>;
    const originals = {
        readdirSync: mod.readdirSync,
        openSync: mod.openSync,
        readFileSync: mod.readFileSync,
    };
    const readdirs = new Set<string>();
    const opened = new Set<string>();
    mod.readdirSync = (...args: unknown[]) => (
        readdirs.add(String(args[0])),
        originals.readdirSync.apply(fsModule, args)
    );
    mod.openSync = (...args: unknown[]) => (
        opened.add(String(args[0])),
        originals.openSync.apply(fsModule, args)
    );
    mod.readFileSync = (...args: unknown[]) => (
        opened.add(String(args[0])),
        originals.readFileSync.apply(fsModule, args)
    );
    try {
        return { result: fn(), readdirs: [...readdirs].sort(), opened: [...opened].sort() };
    } finally {
        Object.assign(mod, originals);
    }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("content hash: hashed at most once per process, and a digest cache across processes", () => {
    let dir: string;
    let ctx: string;
    let cacheDir: string;
    let cacheFile: string;
    /**
     * A clock an hour ahead stands in for waiting out the 2 s racy-timestamp margin after writing the
     * fixture. Tests that change a file after hashing first sleep 20 ms, so the change lands in a later
     * timestamp tick even on kernels with jiffy-coarse timestamps (the margin's job in real use).
     */
    const later = () => wallClockNs() + 3_600_000_000_000n;
    const settled = (): HashOptions => ({ cacheDir, now: later });
    /** The hash from scratch: no memo, no cache. */
    const uncached = (inputs: BuildInputs): string => {
        clearHashMemo();
        const hash = hashBuildInputs(inputs, { cacheDir: false });
        clearHashMemo();
        return hash;
    };
    const readCache = () => JSON.parse(fs.readFileSync(cacheFile, "utf8"));

    beforeEach(() => {
        clearHashMemo();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-hashcache-"));
        ctx = checkout(path.join(dir, "ctx"), 0o022, new Date());
        cacheDir = path.join(dir, "cache");
        cacheFile = digestCacheFile(cacheDir, ctx);
    });
    afterEach(() => {
        clearHashMemo();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a second hash of an unchanged context in one process lists no directory and opens no file, whatever the args", () => {
        const first = hashBuildInputs({ context: ctx }, settled());
        const again = recordReads(() => [
            hashBuildInputs({ context: ctx }, settled()),
            // The preflight and LambdaImage pass the resolved Dockerfile; DockerLayer adds `extra`.
            hashBuildInputs({ context: ctx, dockerfile: path.join(ctx, "Dockerfile") }, settled()),
            hashBuildInputs(
                {
                    context: path.join(ctx, "src", ".."),
                    buildArgs: { A: "1" },
                    platform: "linux/arm64",
                },
                settled(),
            ),
            hashBuildInputs({ context: ctx, extra: { assetPath: "/asset" } }, settled()),
            listContextFiles(ctx, undefined, settled()).length,
        ]);
        assert.deepEqual(again.readdirs, []);
        assert.deepEqual(again.opened, []);
        assert.deepEqual(again.result, [
            first,
            first,
            uncached({ context: ctx, buildArgs: { A: "1" }, platform: "linux/arm64" }),
            uncached({ context: ctx, extra: { assetPath: "/asset" } }),
            6,
        ]);
        assert.equal(first, uncached({ context: ctx }));
    });

    it("the in-process memo sees every change to what the hash covers, and nothing else", async () => {
        // In order: each starts from the state the one before left.
        const mutations: [string, () => void, boolean][] = [
            [
                "an ignored file edited",
                () =>
                    fs.writeFileSync(path.join(ctx, "node_modules", "x", "index.js"), "changed\n"),
                false,
            ],
            [
                "a same-size edit",
                () => fs.writeFileSync(path.join(ctx, "src", "app.py"), "print('HI')\n"),
                true,
            ],
            ["chmod +x", () => fs.chmodSync(path.join(ctx, "src", "app.py"), 0o755), true],
            [
                "a file added in a subdirectory",
                () => write(path.join(ctx, "src", "sub", "new.py"), "x\n", 0o644),
                true,
            ],
            ["a file removed", () => fs.unlinkSync(path.join(ctx, "src", "sub", "new.py")), true],
            [
                "a file renamed",
                () =>
                    fs.renameSync(
                        path.join(ctx, "bin", "run.sh"),
                        path.join(ctx, "bin", "run2.sh"),
                    ),
                true,
            ],
            [
                "a file replaced by a symlink",
                () => (
                    fs.unlinkSync(path.join(ctx, "docs", "keep.md")),
                    fs.symlinkSync("x", path.join(ctx, "docs", "keep.md"))
                ),
                true,
            ],
            [
                "the Dockerfile edited",
                () =>
                    fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY . /app/\n"),
                true,
            ],
            [
                ".dockerignore edited",
                () => fs.appendFileSync(path.join(ctx, ".dockerignore"), "bin\n"),
                true,
            ],
            [
                "<Dockerfile>.dockerignore created",
                () => write(path.join(ctx, "Dockerfile.dockerignore"), "src\n", 0o644),
                true,
            ],
        ];
        for (const [what, mutate, changes] of mutations) {
            const before = hashBuildInputs({ context: ctx }, settled());
            await sleep(20);
            mutate();
            const after = hashBuildInputs({ context: ctx }, settled());
            assert.equal(after, uncached({ context: ctx }), what);
            assert.equal(after !== before, changes, what);
        }
    });

    it("does not remember a walk that saw timestamps younger than the margin: the next hash reads those files again", () => {
        // The real clock: the fixture was written a moment ago.
        const first = hashBuildInputs({ context: ctx }, { cacheDir });
        const again = recordReads(() => hashBuildInputs({ context: ctx }, { cacheDir }));
        assert.equal(again.result, first);
        assert.deepEqual(
            again.opened,
            [
                ".dockerignore",
                "Dockerfile",
                "bin/run.sh",
                "docs/keep.md",
                "src/app.py",
                "src/sub/trace.log",
            ].map((f) => path.join(ctx, f)),
        );
        // The fixture's `!docs/keep.md` exception makes the walk enter ignored directories too.
        assert.deepEqual(
            again.readdirs.map((d) => path.relative(ctx, d)),
            ["", "bin", "docs", "node_modules", "node_modules/x", "src", "src/sub"],
        );
        const stored = readCache().listings.Dockerfile;
        assert.equal(stored.complete, false);
        assert.deepEqual(
            stored.entries.map((e: unknown[]) => e.slice(2)),
            Array(6).fill([null, null]),
        );
    });

    it("sees a same-size rewrite within the same tick whose mtime is forced back (racy timestamps)", () => {
        const file = path.join(ctx, "src", "app.py");
        const mtime = new Date("2026-01-01T00:00:00Z"); // whole seconds, so utimes can set it back exactly
        fs.utimesSync(file, mtime, mtime);
        const before = fs.statSync(file, { bigint: true });
        const first = hashBuildInputs({ context: ctx }, { cacheDir });
        fs.writeFileSync(file, "print('hI')\n");
        fs.utimesSync(file, mtime, mtime);
        const after = fs.statSync(file, { bigint: true });
        assert.deepEqual(
            [after.size, after.mtimeNs, after.ino],
            [before.size, before.mtimeNs, before.ino],
        );
        const second = hashBuildInputs({ context: ctx }, { cacheDir });
        assert.notEqual(second, first);
        assert.equal(second, uncached({ context: ctx }));
    });

    it("with the margin passed, a same-size rewrite with the mtime forced back still misses the cache: ctime is in the key", async () => {
        const file = path.join(ctx, "src", "app.py");
        const mtime = new Date("2026-01-01T00:00:00Z");
        fs.utimesSync(file, mtime, mtime);
        const first = hashBuildInputs({ context: ctx }, settled());
        clearHashMemo();
        await sleep(20);
        fs.writeFileSync(file, "print('hI')\n");
        fs.utimesSync(file, mtime, mtime);
        const second = recordReads(() => hashBuildInputs({ context: ctx }, settled()));
        assert.notEqual(second.result, first);
        assert.equal(second.result, uncached({ context: ctx }));
        assert.deepEqual(second.opened, [cacheFile, path.join(ctx, ".dockerignore"), file]);
    });

    it("a new process with the warm cache lists no directory and opens only the cache file", () => {
        const first = hashBuildInputs({ context: ctx }, settled());
        clearHashMemo(); // as a new process
        const again = recordReads(() => hashBuildInputs({ context: ctx }, settled()));
        assert.equal(again.result, first);
        assert.deepEqual(again.readdirs, []);
        assert.deepEqual(again.opened, [cacheFile]);
    });

    it("after one file changes, a new process re-reads only that file (with the ignore file and the cache)", async () => {
        hashBuildInputs({ context: ctx }, settled());
        await sleep(20);
        write(path.join(ctx, "src", "sub", "trace.log"), "changed and longer\n", 0o644);
        clearHashMemo();
        const again = recordReads(() => hashBuildInputs({ context: ctx }, settled()));
        assert.equal(again.result, uncached({ context: ctx }));
        assert.deepEqual(again.opened, [
            cacheFile,
            path.join(ctx, ".dockerignore"),
            path.join(ctx, "src", "sub", "trace.log"),
        ]);
    });

    it("ignores and rewrites a corrupt cache file, and one of another version even when its stats match", () => {
        const right = hashBuildInputs({ context: ctx }, settled());
        const valid = readCache();
        // A poisoned entry: the real stat key of src/app.py with a wrong digest.
        const poisoned = structuredClone(valid);
        const entry = poisoned.listings.Dockerfile.entries.find(
            (e: unknown[]) => e[0] === "src/app.py",
        );
        entry[3] = "0".repeat(64);
        const allFiles = [
            ".dockerignore",
            "Dockerfile",
            "bin/run.sh",
            "docs/keep.md",
            "src/app.py",
            "src/sub/trace.log",
        ].map((f) => path.join(ctx, f));
        for (const [what, text] of [
            [
                "corrupt",
                '{"format":"lambda-docker file digests","version":1,"listings":{"Dockerfile":{"comp',
            ],
            ["version 2", JSON.stringify({ ...poisoned, version: 2 })],
        ]) {
            fs.writeFileSync(cacheFile, text);
            clearHashMemo();
            const again = recordReads(() => hashBuildInputs({ context: ctx }, settled()));
            assert.equal(again.result, right, what);
            assert.deepEqual(again.opened, [cacheFile, ...allFiles], what);
            assert.deepEqual(readCache(), valid, what);
        }
        // What the version check protects: a file of this version is trusted when the stats match.
        fs.writeFileSync(cacheFile, JSON.stringify(poisoned));
        clearHashMemo();
        assert.notEqual(hashBuildInputs({ context: ctx }, settled()), right);
    });

    it("stores only paths relative to the context, stat keys and digests: exactly this, with no contents or absolute paths", () => {
        hashBuildInputs({ context: ctx }, settled());
        const key = (rel: string, follow = false) =>
            statKey((follow ? fs.statSync : fs.lstatSync)(path.join(ctx, rel), { bigint: true }));
        const entry = (rel: string, mode: number, content: string) => [
            rel,
            mode,
            key(rel),
            sha(content),
        ];
        assert.deepEqual(readCache(), {
            format: "lambda-docker file digests",
            version: 1,
            listings: {
                Dockerfile: {
                    complete: true,
                    checks: [
                        ["Dockerfile.dockerignore", null, 1],
                        [".dockerignore", key(".dockerignore", true), 1],
                        ["", key("", true), 1],
                        ["bin", key("bin"), 0],
                        ["docs", key("docs"), 0],
                        ["node_modules", key("node_modules"), 0],
                        ["node_modules/x", key("node_modules/x"), 0],
                        ["src", key("src"), 0],
                        ["src/sub", key("src/sub"), 0],
                        ["Dockerfile", key("Dockerfile", true), 1],
                    ],
                    entries: [
                        entry(".dockerignore", 0o644, IGNORE),
                        entry("Dockerfile", 0o644, DOCKERFILE),
                        entry("bin/run.sh", 0o755, "#!/bin/sh\necho run\n"),
                        entry("docs/keep.md", 0o644, "kept\n"),
                        entry("src/app.py", 0o644, "print('hi')\n"),
                        entry("src/sub/trace.log", 0o644, "nested logs are not matched by *.log\n"),
                    ],
                    dockerfile: sha(DOCKERFILE),
                },
            },
        });
        const text = fs.readFileSync(cacheFile, "utf8");
        assert.equal(text.includes(dir), false);
        assert.equal(text.includes("print("), false);
    });

    it("keeps the cache out of the hash: `.lambda-docker/` at the root is never listed, a cache dir elsewhere in the context is not used", () => {
        const base = uncached({ context: ctx });
        write(path.join(ctx, ".lambda-docker", "cache", "old.zip"), "zip\n", 0o644);
        assert.equal(uncached({ context: ctx }), base);
        assert.equal(
            listContextFiles(ctx, undefined, { cacheDir: false }).some((e) =>
                e.path.startsWith(".lambda-docker"),
            ),
            false,
        );
        const own = path.join(ctx, ".lambda-docker", "cache");
        clearHashMemo();
        assert.equal(hashBuildInputs({ context: ctx }, { cacheDir: own, now: later }), base);
        assert.equal(fs.existsSync(digestCacheFile(own, ctx)), true);
        clearHashMemo();
        const elsewhere = path.join(ctx, "cache");
        assert.equal(hashBuildInputs({ context: ctx }, { cacheDir: elsewhere, now: later }), base);
        assert.equal(fs.existsSync(elsewhere), false);
        clearHashMemo();
        assert.equal(hashBuildInputs({ context: ctx }, { cacheDir: own, now: later }), base);
    });

    it("hashes correctly with no error when the cache directory cannot be created", () => {
        fs.writeFileSync(path.join(dir, "a-file"), "");
        assert.equal(
            hashBuildInputs(
                { context: ctx },
                { cacheDir: path.join(dir, "a-file", "cache"), now: later },
            ),
            uncached({ context: ctx }),
        );
    });

    it("a Dockerfile outside the context: its edits change the hash through the memo and the stored listing", async () => {
        const dockerfile = path.join(dir, "build", "app.Dockerfile");
        write(dockerfile, "FROM a\n", 0o644);
        const before = hashBuildInputs({ context: ctx, dockerfile }, settled());
        assert.deepEqual(
            readCache().listings["../build/app.Dockerfile"].dockerfile,
            sha("FROM a\n"),
        );
        await sleep(20);
        fs.writeFileSync(dockerfile, "FROM b\n");
        const after = hashBuildInputs({ context: ctx, dockerfile }, settled());
        assert.notEqual(after, before);
        assert.equal(after, uncached({ context: ctx, dockerfile }));
        clearHashMemo();
        assert.equal(
            recordReads(() => hashBuildInputs({ context: ctx, dockerfile }, settled())).opened
                .length,
            1,
        );
    });

    it("a context without its Dockerfile lists fine but fails to hash, naming the missing path, until the Dockerfile exists", () => {
        fs.unlinkSync(path.join(ctx, "Dockerfile"));
        assert.equal(listContextFiles(ctx, undefined, settled()).length, 5);
        assert.throws(() => hashBuildInputs({ context: ctx }, settled()), {
            code: "ENOENT",
            message: new RegExp(`'${path.join(ctx, "Dockerfile")}'`),
        });
        write(path.join(ctx, "Dockerfile"), DOCKERFILE, 0o644);
        assert.equal(hashBuildInputs({ context: ctx }, settled()), uncached({ context: ctx }));
    });
});
