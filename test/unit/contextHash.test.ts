import * as assert from "node:assert/strict";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hashBuildInputs, listContextFiles, parseIgnoreFile } from "../../components/core/contextHash";

function write(file: string, text: string, mode = 0o644): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    fs.chmodSync(file, mode);
}

const sha = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** A context as one checkout would have it; `umask` 0o002 gives group-writable modes, as on many desktops. */
function checkout(root: string, umask: number, mtime: Date): string {
    const file = 0o666 & ~umask;
    const exec = 0o777 & ~umask;
    write(path.join(root, "Dockerfile"), "FROM scratch\nCOPY . /app\n", file);
    write(path.join(root, ".dockerignore"), "# comment\nnode_modules\n*.log\ndocs\n!docs/keep.md\n", file);
    write(path.join(root, "src", "app.py"), "print('hi')\n", file);
    write(path.join(root, "bin", "run.sh"), "#!/bin/sh\n", exec);
    write(path.join(root, "debug.log"), "ignored\n", file);
    write(path.join(root, "node_modules", "x", "index.js"), "ignored\n", file);
    write(path.join(root, "docs", "drop.md"), "ignored\n", file);
    write(path.join(root, "docs", "keep.md"), "kept\n", file);
    for (const f of ["Dockerfile", "src/app.py", "bin/run.sh", "docs/keep.md"]) fs.utimesSync(path.join(root, f), mtime, mtime);
    return root;
}

describe("content hash of a Docker build", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-hash-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads ignore files like the Docker CLI: one pattern a line, comments and blanks skipped", () => {
        assert.deepEqual(parseIgnoreFile("# c\n\n  a  \r\n!b\n"), ["a", "!b"]);
    });

    it("lists the files .dockerignore keeps, sorted, with exec bit, size and sha256", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        assert.deepEqual(listContextFiles(ctx), [
            { path: ".dockerignore", kind: "file", mode: 0o644, sha256: sha("# comment\nnode_modules\n*.log\ndocs\n!docs/keep.md\n"), size: 48 },
            { path: "Dockerfile", kind: "file", mode: 0o644, sha256: sha("FROM scratch\nCOPY . /app\n"), size: 25 },
            { path: "bin/run.sh", kind: "file", mode: 0o755, sha256: sha("#!/bin/sh\n"), size: 10 },
            { path: "docs/keep.md", kind: "file", mode: 0o644, sha256: sha("kept\n"), size: 5 },
            { path: "src/app.py", kind: "file", mode: 0o644, sha256: sha("print('hi')\n"), size: 12 },
        ]);
    });

    it("records symlinks as links, hashing the target path without following it", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        fs.symlinkSync("/etc/passwd", path.join(ctx, "src", "link"));
        const link = listContextFiles(ctx).find((e) => e.path === "src/link");
        assert.deepEqual(link, { path: "src/link", kind: "symlink", mode: 0o777, sha256: sha("/etc/passwd"), size: 11 });
    });

    it("is the same for two checkouts in different places with different mtimes and umask 022 vs 002", () => {
        const a = checkout(path.join(dir, "one", "ctx"), 0o022, new Date("2020-01-01T00:00:00Z"));
        const b = checkout(path.join(dir, "two", "deeper", "ctx"), 0o002, new Date("2026-11-24T10:00:00Z"));
        assert.equal(hashBuildInputs({ context: a }), hashBuildInputs({ context: b }));
        assert.match(hashBuildInputs({ context: a }), /^[0-9a-f]{64}$/);
    });

    it("changes with a byte of a kept file or its exec bit, not with an ignored file", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx });
        fs.writeFileSync(path.join(ctx, "debug.log"), "changed\n");
        fs.writeFileSync(path.join(ctx, "docs", "drop.md"), "changed\n");
        fs.writeFileSync(path.join(ctx, "node_modules", "x", "index.js"), "changed\n");
        assert.equal(hashBuildInputs({ context: ctx }), base);
        fs.writeFileSync(path.join(ctx, "docs", "keep.md"), "kept!\n");
        const changed = hashBuildInputs({ context: ctx });
        assert.notEqual(changed, base);
        fs.chmodSync(path.join(ctx, "src", "app.py"), 0o755);
        assert.notEqual(hashBuildInputs({ context: ctx }), changed);
    });

    it("covers build args (order-free), target, platform and extra inputs", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        const base = hashBuildInputs({ context: ctx, buildArgs: { A: "1", B: "2" } });
        assert.equal(hashBuildInputs({ context: ctx, buildArgs: { B: "2", A: "1" } }), base);
        const variants = [
            hashBuildInputs({ context: ctx, buildArgs: { A: "1", B: "3" } }),
            hashBuildInputs({ context: ctx, buildArgs: { A: "1", B: "2" }, target: "final" }),
            hashBuildInputs({ context: ctx, buildArgs: { A: "1", B: "2" }, platform: "linux/arm64" }),
            hashBuildInputs({ context: ctx, buildArgs: { A: "1", B: "2" }, extra: { assetPath: "/asset" } }),
        ];
        assert.equal(new Set([base, ...variants]).size, 5);
    });

    it("uses <Dockerfile>.dockerignore beside a custom Dockerfile instead of <context>/.dockerignore", () => {
        const ctx = checkout(path.join(dir, "a"), 0o022, new Date());
        write(path.join(dir, "build", "app.Dockerfile"), "FROM scratch\n");
        write(path.join(dir, "build", "app.Dockerfile.dockerignore"), "src\n");
        const files = listContextFiles(ctx, path.join(dir, "build", "app.Dockerfile")).map((e) => e.path);
        assert.deepEqual(files, [".dockerignore", "Dockerfile", "bin/run.sh", "debug.log", "docs/drop.md", "docs/keep.md", "node_modules/x/index.js"]);
        const dockerfile = path.join(dir, "build", "app.Dockerfile");
        const before = hashBuildInputs({ context: ctx, dockerfile });
        fs.writeFileSync(path.join(ctx, "src", "app.py"), "changed\n");
        assert.equal(hashBuildInputs({ context: ctx, dockerfile }), before);
        fs.writeFileSync(dockerfile, "FROM scratch\nRUN true\n");
        assert.notEqual(hashBuildInputs({ context: ctx, dockerfile }), before);
    });
});
