/**
 * `npm run bench`: speed and size on a real Docker engine, measured as ratios
 * within one run (these machines are noisy). Prints a Markdown block for BENCHMARKS.md.
 *
 * Each section is a module in tools/bench/ exporting `title` and `bench(dir)`, which returns its
 * Markdown lines (starting with `sectionHeader(title)`). `npm run bench -- --only layer,promote` runs some.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface Section {
    readonly title: string;
    bench(dir: string): Promise<string[]>;
}

async function main(): Promise<void> {
    const folder = path.join(__dirname, "bench");
    const names = fs
        .readdirSync(folder)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.slice(0, -3))
        .sort();
    const only = process.argv.indexOf("--only");
    const wanted = only >= 0 ? (process.argv[only + 1] ?? "").split(",") : names;
    const unknown = wanted.filter((w) => !names.includes(w));
    if (unknown.length > 0)
        throw new Error(
            `unknown section(s) ${unknown.join(", ")}; the sections are ${names.join(", ")}`,
        );
    for (const name of wanted) {
        const section = (await import(path.join(folder, name))) as Section;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ld-bench-${name}-`));
        try {
            process.stderr.write(`bench: ${section.title}…\n`);
            process.stdout.write(`${(await section.bench(dir)).join("\n")}\n\n`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
}

main().catch((err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 1;
});
