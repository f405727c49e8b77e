import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    DIR_MODE,
    EXEC_MODE,
    FILE_MODE,
    SYMLINK_MODE,
    listTree,
    writeZip,
} from "../../../../lib/build/zip";
import { readZip } from "../../../support/zipReader";
import { REPO_ROOT } from "../../../support/paths";
import { builtCli } from "../../../support/cli";

/** DOS date of 1980-01-01: (year-1980)<<9 | month<<5 | day. */
const DOS_1980_01_01 = (0 << 9) | (1 << 5) | 1;

function makeTree(root: string, fileMode: number, execMode: number, mtime: Date): void {
    fs.mkdirSync(path.join(root, "python", "pkg", "__pycache__"), { recursive: true });
    fs.mkdirSync(path.join(root, "python", "empty"), { recursive: true });
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    fs.writeFileSync(path.join(root, "python", "pkg", "__init__.py"), "VALUE = 42\n");
    fs.writeFileSync(
        path.join(root, "python", "pkg", "__pycache__", "__init__.cpython-311.pyc"),
        crypto.randomBytes(16),
    );
    fs.writeFileSync(path.join(root, "python", "stray.pyc"), crypto.randomBytes(16));
    fs.writeFileSync(path.join(root, "python", "pkg", "data.txt"), "x".repeat(5000));
    fs.writeFileSync(path.join(root, "bin", "tool"), "#!/bin/sh\necho hi\n");
    fs.symlinkSync("../python/pkg/data.txt", path.join(root, "bin", "data-link"));
    fs.chmodSync(path.join(root, "python", "pkg", "__init__.py"), fileMode);
    fs.chmodSync(path.join(root, "python", "pkg", "data.txt"), fileMode);
    fs.chmodSync(path.join(root, "bin", "tool"), execMode);
    for (const f of ["python/pkg/__init__.py", "python/pkg/data.txt", "bin/tool"])
        fs.utimesSync(path.join(root, f), mtime, mtime);
}

function sha256(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("deterministic zips", () => {
    let dir: string;
    const originalTz = process.env.TZ;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-zip-"))));
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        if (originalTz === undefined) delete process.env.TZ;
        else process.env.TZ = originalTz;
    });

    it("lists a tree sorted, with normalized modes, empty directories and symlinks, and no bytecode", () => {
        const root = path.join(dir, "a");
        makeTree(root, 0o664, 0o775, new Date());
        assert.deepEqual(
            listTree(root).map((e) => [e.path, e.kind, e.mode, e.size]),
            [
                ["bin/data-link", "symlink", SYMLINK_MODE, "../python/pkg/data.txt".length],
                ["bin/tool", "file", EXEC_MODE, 18],
                ["python/empty", "emptyDir", DIR_MODE, 0],
                ["python/pkg/__init__.py", "file", FILE_MODE, 11],
                ["python/pkg/data.txt", "file", FILE_MODE, 5000],
            ],
        );
        assert.deepEqual(
            listTree(root, { keepBytecode: true }).map((e) => e.path),
            [
                "bin/data-link",
                "bin/tool",
                "python/empty",
                "python/pkg/__init__.py",
                "python/pkg/__pycache__/__init__.cpython-311.pyc",
                "python/pkg/data.txt",
                "python/stray.pyc",
            ],
        );
    });

    it("writes entries in order with the 1980 epoch, normalized modes and no extra fields", async () => {
        const root = path.join(dir, "a");
        makeTree(root, 0o600, 0o700, new Date("2026-11-24T12:34:56Z"));
        const result = await writeZip(listTree(root), path.join(dir, "a.zip"));
        const entries = await readZip(path.join(dir, "a.zip"));
        assert.deepEqual(
            entries.map((e) => [
                e.name,
                e.mode,
                e.lastModFileDate,
                e.lastModFileTime,
                e.extraFields,
            ]),
            [
                ["bin/data-link", SYMLINK_MODE, DOS_1980_01_01, 0, 0],
                ["bin/tool", EXEC_MODE, DOS_1980_01_01, 0, 0],
                ["python/empty/", DIR_MODE, DOS_1980_01_01, 0, 0],
                ["python/pkg/__init__.py", FILE_MODE, DOS_1980_01_01, 0, 0],
                ["python/pkg/data.txt", FILE_MODE, DOS_1980_01_01, 0, 0],
            ],
        );
        assert.equal(entries[0].data.toString(), "../python/pkg/data.txt");
        assert.equal(entries[3].data.toString(), "VALUE = 42\n");
        assert.equal(result.entries, 5);
        assert.equal(result.unzippedBytes, 22 + 18 + 11 + 5000);
        assert.equal(result.zippedBytes, fs.statSync(path.join(dir, "a.zip")).size);
        assert.equal(result.sha256, sha256(path.join(dir, "a.zip")));
    });

    it("gives byte-identical zips across directories, mtimes, umask-style modes and time zones", async () => {
        const a = path.join(dir, "checkout-one", "asset");
        const b = path.join(dir, "elsewhere", "deeper", "asset");
        makeTree(a, 0o644, 0o755, new Date("2020-01-01T00:00:00Z"));
        makeTree(b, 0o664, 0o775, new Date("2026-06-30T23:59:59Z"));
        process.env.TZ = "UTC";
        const za = await writeZip(listTree(a), path.join(dir, "a.zip"));
        process.env.TZ = "Pacific/Kiritimati"; // UTC+14: a local-time bug would shift the date
        const zb = await writeZip(listTree(b), path.join(dir, "b.zip"));
        assert.equal(za.sha256, zb.sha256);
        assert.deepEqual(
            fs.readFileSync(path.join(dir, "a.zip")),
            fs.readFileSync(path.join(dir, "b.zip")),
        );
    });

    it("gives the same bytes after TZ changes within a process, whatever zone yazl was loaded in", async function () {
        this.timeout(60000);
        const root = path.join(dir, "a");
        makeTree(root, 0o644, 0o755, new Date("2020-01-01T00:00:00Z"));
        // yazl computes its minimum DOS date when it loads; load it west of UTC, then zip east of it,
        // where 1980-01-01 00:00 local falls before that minimum and would be clamped.
        const script = `
            const { listTree, writeZip } = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "lib", "build", "zip.js"))});
            (async () => {
                const first = await writeZip(listTree(process.argv[1]), process.argv[2] + "/west.zip");
                process.env.TZ = "Asia/Tokyo";
                const second = await writeZip(listTree(process.argv[1]), process.argv[2] + "/east.zip");
                console.log(JSON.stringify([first.sha256, second.sha256]));
            })();`;
        builtCli(); // dist/ is current
        const out = execFileSync(process.execPath, ["-e", script, root, dir], {
            encoding: "utf8",
            env: { ...process.env, TZ: "America/Los_Angeles" },
        });
        const [west, east] = JSON.parse(out) as string[];
        assert.equal(east, west);
        const entries = await readZip(path.join(dir, "east.zip"));
        assert.deepEqual(
            [...new Set(entries.map((e) => `${e.lastModFileDate}/${e.lastModFileTime}`))],
            [`${DOS_1980_01_01}/0`],
        );
    });

    it("changes when a byte or an executable bit changes", async () => {
        const root = path.join(dir, "a");
        makeTree(root, 0o644, 0o755, new Date());
        const base = (await writeZip(listTree(root), path.join(dir, "1.zip"))).sha256;
        fs.chmodSync(path.join(root, "python", "pkg", "data.txt"), 0o755);
        const execChanged = (await writeZip(listTree(root), path.join(dir, "2.zip"))).sha256;
        fs.chmodSync(path.join(root, "python", "pkg", "data.txt"), 0o644);
        fs.appendFileSync(path.join(root, "python", "pkg", "__init__.py"), "#");
        const byteChanged = (await writeZip(listTree(root), path.join(dir, "3.zip"))).sha256;
        assert.equal(new Set([base, execChanged, byteChanged]).size, 3);
    });
});
