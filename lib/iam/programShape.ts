/** What a manifest program (index.ts) creates for a stack, as the plain names the IAM policy scopes to. */
import type { Manifest } from "../manifest";
import type { ProgramShape } from "./deployPolicy";

export function programShape(
    manifest: Manifest,
    config: { stage: string; promoteFrom?: string },
): ProgramShape {
    const functions = Object.entries(manifest.functions).map(([name, f]) => ({
        name,
        kind: f.kind,
        events: [
            ...new Set(
                f.events.map(
                    (e) =>
                        ("schedule" in e ? "schedule" : "http" in e ? "http" : "sqs") as
                            | "schedule"
                            | "http"
                            | "sqs",
                ),
            ),
        ],
    }));
    const used = new Set(
        Object.values(manifest.functions).flatMap((f) => (f.kind === "image" ? [f.image] : [])),
    );
    return {
        stage: config.stage,
        images: Object.keys(manifest.images).filter((i) => used.has(i)),
        layers: Object.keys(manifest.layers),
        queues: Object.keys(manifest.queues),
        functions,
        promotes: config.promoteFrom !== undefined,
    };
}
