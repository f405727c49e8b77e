/** `--env-file`: dotenv files for local runs. */

/** `KEY=VALUE` lines of a dotenv file: `#` comments, blank lines, optional `export `, optional matching quotes. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
    const out: Record<string, string> = {};
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) return;
        const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
        if (!m)
            throw new Error(
                `--env-file ${file}, line ${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`,
            );
        const value = m[2];
        out[m[1]] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
    });
    return out;
}
