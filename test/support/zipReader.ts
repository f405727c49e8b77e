/** Reads a zip back for assertions (yauzl, the reading twin of the yazl writer). */
import * as yauzl from "yauzl";

export interface ZipEntryInfo {
    name: string;
    /** Unix mode from the external attributes (type and permission bits). */
    mode: number;
    lastModFileDate: number;
    lastModFileTime: number;
    extraFields: number;
    compressionMethod: number;
    uncompressedSize: number;
    data: Buffer;
}

export function readZip(file: string): Promise<ZipEntryInfo[]> {
    return new Promise((resolve, reject) => {
        yauzl.open(file, { lazyEntries: true }, (err, zip) => {
            if (err || !zip) return reject(err);
            const entries: ZipEntryInfo[] = [];
            zip.on("entry", (entry: yauzl.Entry) => {
                zip.openReadStream(entry, (e, stream) => {
                    if (e || !stream) return reject(e);
                    const chunks: Buffer[] = [];
                    stream.on("data", (c: Buffer) => chunks.push(c));
                    stream.on("end", () => {
                        entries.push({
                            name: entry.fileName,
                            mode: entry.externalFileAttributes >>> 16,
                            lastModFileDate: entry.lastModFileDate,
                            lastModFileTime: entry.lastModFileTime,
                            extraFields: entry.extraFields.length,
                            compressionMethod: entry.compressionMethod,
                            uncompressedSize: entry.uncompressedSize,
                            data: Buffer.concat(chunks),
                        });
                        zip.readEntry();
                    });
                });
            });
            zip.on("end", () => resolve(entries));
            zip.on("error", reject);
            zip.readEntry();
        });
    });
}
