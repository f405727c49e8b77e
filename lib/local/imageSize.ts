/**
 * The size of a locally built image and its change since the last build, for `npm start`: the last size
 * of each manifest image is kept in `.lambda-docker/cache/image-sizes.json` (the local, gitignored cache).
 */
import * as fs from "fs";
import * as path from "path";
import { DockerError, runDocker } from "../docker/cli";

export const IMAGE_SIZES_FILE = "image-sizes.json";

/** Bytes of a local image as docker reports it (uncompressed; ECR stores and bills it compressed). */
export async function localImageSize(image: string, env?: NodeJS.ProcessEnv): Promise<number> {
    const result = await runDocker(["image", "inspect", "--format", "{{.Size}}", image], { env });
    const bytes = Number(result.stdout.trim());
    if (result.code !== 0 || !Number.isSafeInteger(bytes))
        throw new DockerError(
            `Image ${JSON.stringify(image)} not found locally: ${result.tail.join(" | ")}`,
        );
    return bytes;
}

/** Stores `bytes` as image `name`'s last size; returns the size stored before, if any. */
export function recordImageSize(
    name: string,
    bytes: number,
    cacheDir: string = path.join(".lambda-docker", "cache"),
): number | undefined {
    const file = path.join(cacheDir, IMAGE_SIZES_FILE);
    let sizes: Record<string, number> = {};
    try {
        const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
            sizes = parsed as Record<string, number>;
    } catch {
        // no cache yet, or a damaged one: start over
    }
    const previous = typeof sizes[name] === "number" ? sizes[name] : undefined;
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written whole then renamed, so an interrupted run never leaves half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ ...sizes, [name]: bytes }, null, 2)}\n`);
    fs.renameSync(tmp, file);
    return previous;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** `512.3 MB (+1.2 MB since the last build)`, `(unchanged …)`, `(first build here)`. */
export function formatImageSize(bytes: number, previous: number | undefined): string {
    if (previous === undefined) return `${mb(bytes)} (first build here)`;
    const delta = bytes - previous;
    if (delta === 0) return `${mb(bytes)} (unchanged since the last build)`;
    return `${mb(bytes)} (${delta > 0 ? "+" : "-"}${mb(Math.abs(delta))} since the last build)`;
}
