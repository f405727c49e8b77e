/** The syntax of Serverless variables: `${source:address, fallback}` in strings, split without resolving. */
import * as path from "path";
import type { Segment } from "./variables";

export function keyPath(segments: readonly Segment[]): string {
    return segments
        .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`))
        .join("");
}

export type Part = { readonly text: string } | { readonly variable: string };

/**
 * Literal text and `${…}` variables (nested variables stay inside their variable). As in Serverless,
 * a variable starts with a lowercase source name: `${AWS::Region}` is CloudFormation's, left as text.
 */
export function scan(text: string): Part[] {
    const parts: Part[] = [];
    let literal = "";
    let i = 0;
    while (i < text.length) {
        if (text.startsWith("${", i) && /[a-z]/.test(text.charAt(i + 2))) {
            let depth = 1;
            let j = i + 2;
            while (j < text.length && depth > 0) {
                if (text.startsWith("${", j)) {
                    depth++;
                    j += 2;
                } else {
                    if (text[j] === "}") depth--;
                    j++;
                }
            }
            if (depth === 0) {
                if (literal) parts.push({ text: literal });
                literal = "";
                parts.push({ variable: text.slice(i, j) });
                i = j;
                continue;
            }
        }
        literal += text[i];
        i++;
    }
    if (literal) parts.push({ text: literal });
    return parts;
}

export function hasVariable(text: string): boolean {
    return scan(text).some((p) => "variable" in p);
}

export function isWholeVariable(text: string): boolean {
    const parts = scan(text);
    return parts.length === 1 && "variable" in parts[0];
}

/** Splits a variable's body at its top-level commas: the reference, then its fallbacks. */
export function splitFallbacks(body: string): string[] {
    const parts: string[] = [];
    let depth = 0;
    let quote = "";
    let current = "";
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (quote) {
            if (c === quote) quote = "";
        } else if (c === "'" || c === '"') {
            quote = c;
        } else if (body.startsWith("${", i)) {
            depth++;
            current += "${";
            i++;
            continue;
        } else if (c === "(") {
            depth++;
        } else if (c === "}" || c === ")") {
            depth--;
        } else if (c === "," && depth === 0) {
            parts.push(current.trim());
            current = "";
            continue;
        }
        current += c;
    }
    parts.push(current.trim());
    return parts;
}

/** Include files whose names say they hold secrets (their values never reach the manifest). */
const SECRET_FILE =
    /(^|[._-])(secrets?|credentials?|tokens?|passwords?|private|keys?|env)([._-]|$)|\.(pem|key|p12|pfx)$/i;

/** Whether an include's file name (not its directories) says it holds secrets: `secrets.json`, `.env`, `serverless.env.yml`, `public_key`. */
export function isSecretFile(rel: string): boolean {
    return SECRET_FILE.test(path.basename(rel));
}
