/**
 * Deterministic zip archives of a directory (yazl), byte-identical on any machine, umask, TZ and cwd:
 * the rules are in docs/design/build.md.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as yazl from "yazl";

/**
 * The time every entry gets: yazl encodes an entry's DOS date and time from a Date's local-time getters,
 * after clamping it to a minimum it computed in the zone it was loaded in. After `TZ` changes within a
 * process, 1980-01-01 00:00 in the new zone can fall below that minimum and be clamped to another hour.
 * This Date reads as 1980-01-01 00:00:00 through every getter yazl calls, in every zone, and compares
 * as 2000-01-01 UTC, inside yazl's range, so it is never clamped.
 */
class DosEpoch extends Date {
    constructor() {
        super(Date.UTC(2000, 0, 1));
    }
    override getFullYear(): number {
        return 1980;
    }
    override getMonth(): number {
        return 0;
    }
    override getDate(): number {
        return 1;
    }
    override getHours(): number {
        return 0;
    }
    override getMinutes(): number {
        return 0;
    }
    override getSeconds(): number {
        return 0;
    }
}

export const FILE_MODE = 0o100644;
export const EXEC_MODE = 0o100755;
export const DIR_MODE = 0o040755;
export const SYMLINK_MODE = 0o120777;

export interface TreeEntry {
    /** `/`-separated path relative to the tree root; directories end without a slash. */
    readonly path: string;
    readonly kind: "file" | "symlink" | "emptyDir";
    /** Full zip mode (type and permission bits), already normalized. */
    readonly mode: number;
    /** Bytes once extracted: file size, or link-target length for symlinks. */
    readonly size: number;
    /** Absolute path on disk. */
    readonly source: string;
}

export function isBytecode(relPath: string): boolean {
    return relPath.split("/").includes("__pycache__") || relPath.endsWith(".pyc");
}

/** Lists a tree the way it will be zipped: normalized, filtered and sorted. Reads no file contents. */
export function listTree(root: string, options: { keepBytecode?: boolean } = {}): TreeEntry[] {
    const entries: TreeEntry[] = [];
    const walk = (dir: string, rel: string): void => {
        const names = fs.readdirSync(dir);
        let kept = 0;
        for (const name of names) {
            const relPath = rel ? `${rel}/${name}` : name;
            if (!options.keepBytecode && isBytecode(relPath)) continue;
            const abs = path.join(dir, name);
            const st = fs.lstatSync(abs);
            kept++;
            if (st.isSymbolicLink()) {
                entries.push({
                    path: relPath,
                    kind: "symlink",
                    mode: SYMLINK_MODE,
                    size: Buffer.byteLength(fs.readlinkSync(abs)),
                    source: abs,
                });
            } else if (st.isDirectory()) {
                walk(abs, relPath);
            } else if (st.isFile()) {
                entries.push({
                    path: relPath,
                    kind: "file",
                    mode: st.mode & 0o111 ? EXEC_MODE : FILE_MODE,
                    size: st.size,
                    source: abs,
                });
            } else {
                kept--; // sockets, fifos, devices have no place in a layer
            }
        }
        if (kept === 0 && rel !== "")
            entries.push({ path: rel, kind: "emptyDir", mode: DIR_MODE, size: 0, source: dir });
    };
    walk(root, "");
    return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export function unzippedSize(entries: readonly TreeEntry[]): number {
    return entries.reduce((sum, e) => sum + e.size, 0);
}

export interface ZipResult {
    readonly sha256: string;
    readonly zippedBytes: number;
    readonly unzippedBytes: number;
    readonly entries: number;
}

/** Writes `entries` (from `listTree`) to `outFile` and returns the archive's sha256 and sizes. */
export function writeZip(entries: readonly TreeEntry[], outFile: string): Promise<ZipResult> {
    const zip = new yazl.ZipFile();
    const mtime = new DosEpoch();
    for (const e of entries) {
        const common = { mtime, mode: e.mode, forceDosTimestamp: true };
        if (e.kind === "file") {
            zip.addFile(e.source, e.path, { ...common, compress: true, compressionLevel: 6 });
        } else if (e.kind === "symlink") {
            zip.addBuffer(Buffer.from(fs.readlinkSync(e.source)), e.path, {
                ...common,
                compress: false,
            });
        } else {
            zip.addEmptyDirectory(e.path, common);
        }
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const hash = crypto.createHash("sha256");
        let zippedBytes = 0;
        const out = fs.createWriteStream(outFile, { mode: 0o644 });
        zip.outputStream.on("data", (chunk: Buffer) => {
            hash.update(chunk);
            zippedBytes += chunk.length;
        });
        zip.outputStream.on("error", reject);
        out.on("error", reject);
        out.on("close", () =>
            resolve({
                sha256: hash.digest("hex"),
                zippedBytes,
                unzippedBytes: unzippedSize(entries),
                entries: entries.length,
            }),
        );
        zip.outputStream.pipe(out);
    });
}
