// npm start's image size line: the last size per image name in the local cache, and the change since.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IMAGE_SIZES_FILE, formatImageSize, recordImageSize } from "../../lib/local/imageSize";

describe("image size since the last build", function () {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-sizes-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps the last size per image name and returns the one before", function () {
        const cache = path.join(dir, "cache");
        assert.equal(recordImageSize("app", 500_000_000, cache), undefined);
        assert.equal(recordImageSize("worker", 100, cache), undefined);
        assert.equal(recordImageSize("app", 501_200_000, cache), 500_000_000);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(cache, IMAGE_SIZES_FILE), "utf8")), {
            app: 501_200_000,
            worker: 100,
        });
        assert.deepEqual(fs.readdirSync(cache), [IMAGE_SIZES_FILE]);
    });

    it("starts over from a damaged cache file", function () {
        fs.writeFileSync(path.join(dir, IMAGE_SIZES_FILE), "{not json");
        assert.equal(recordImageSize("app", 1, dir), undefined);
        assert.equal(recordImageSize("app", 2, dir), 1);
    });

    it("prints the size and its change", function () {
        const table: [number, number | undefined, string][] = [
            [512_300_000, undefined, "512.3 MB (first build here)"],
            [512_300_000, 512_300_000, "512.3 MB (unchanged since the last build)"],
            [513_500_000, 512_300_000, "513.5 MB (+1.2 MB since the last build)"],
            [500_000_000, 512_300_000, "500.0 MB (-12.3 MB since the last build)"],
        ];
        for (const [bytes, previous, text] of table)
            assert.equal(formatImageSize(bytes, previous), text);
    });
});
