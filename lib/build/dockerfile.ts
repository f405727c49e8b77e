/**
 * Just enough Dockerfile reading to validate a layer build before Docker runs, and to append the
 * stage that exports only the asset directory.
 */
import { ValidationError } from "../validation";

export interface Stage {
    /** 0-based stage index, usable as `COPY --from=<index>`. */
    readonly index: number;
    /** `AS <name>`, lower-cased as BuildKit matches it. */
    readonly name?: string;
}

/** Logical instructions: continuation lines joined, comments and blank lines dropped. */
export function instructions(text: string): string[] {
    const lines = text.split(/\r?\n/);
    let escape = "\\";
    const directive = /^#\s*escape\s*=\s*([`\\])\s*$/i;
    for (const line of lines) {
        if (!line.startsWith("#")) break;
        const m = directive.exec(line);
        if (m) escape = m[1];
    }
    const out: string[] = [];
    let current = "";
    for (const raw of lines) {
        const line = raw.trimEnd();
        if (current === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
        if (line.endsWith(escape)) {
            current += line.slice(0, -1) + " ";
            continue;
        }
        out.push((current + line).trim());
        current = "";
    }
    if (current.trim() !== "") out.push(current.trim());
    return out;
}

export function parseStages(text: string): Stage[] {
    return instructions(text)
        .filter((i) => /^FROM\s/i.test(i))
        .map((i, index) => {
            const m = /\sAS\s+([^\s]+)\s*$/i.exec(i);
            return { index, name: m ? m[1].toLowerCase() : undefined };
        });
}

/** The name of the stage lambda-docker appends; it copies the asset directory into an empty image. */
export const EXPORT_STAGE = "lambda-docker-asset-export";

/**
 * Validates `dockerfileText` for a layer build and returns it with an extra final stage that
 * holds only `assetPath` (from `target`, or the last stage), so BuildKit exports the asset alone.
 */
export function withExportStage(
    dockerfileText: string,
    dockerfilePath: string,
    assetPath: string,
    target?: string,
): string {
    const stages = parseStages(dockerfileText);
    if (stages.length === 0) {
        throw new ValidationError(
            "dockerfile",
            `\`dockerfile\` ${JSON.stringify(dockerfilePath)} must contain a FROM instruction; it has none.`,
        );
    }
    if (stages.some((s) => s.name === EXPORT_STAGE)) {
        throw new ValidationError(
            "dockerfile",
            `\`dockerfile\` ${JSON.stringify(dockerfilePath)} must not name a stage "${EXPORT_STAGE}" (reserved by lambda-docker).`,
        );
    }
    let from = String(stages.length - 1);
    if (target !== undefined) {
        const stage = stages.find((s) => s.name === target.toLowerCase());
        if (!stage) {
            const names = stages.filter((s) => s.name).map((s) => `"${s.name}"`);
            throw new ValidationError(
                "target",
                `\`target\` must be a stage of ${JSON.stringify(dockerfilePath)} (${names.length ? names.join(", ") : "it names no stages"}); got ${JSON.stringify(target)}.`,
            );
        }
        from = String(stage.index);
    }
    const source = assetPath.endsWith("/") ? assetPath : `${assetPath}/`;
    return `${dockerfileText.replace(/\s*$/, "\n")}\nFROM scratch AS ${EXPORT_STAGE}\nCOPY --from=${from} ${source} /\n`;
}
