/**
 * The command lines `command:local:Command` resources run: the package's own CLI by a path relative to
 * the program's directory (the same on every machine, so a preview never shows a change for it).
 */
import * as fs from "fs";
import * as path from "path";

/** The directory of the lambda-docker package this module belongs to (source tree or install). */
export function packageRoot(from: string = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (
            fs.existsSync(manifest) &&
            (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name ===
                "lambda-docker"
        )
            return dir;
        if (path.dirname(dir) === dir)
            throw new Error(`lambda-docker: no package.json of lambda-docker above ${from}.`);
    }
}

/** `node <the CLI, relative to cwd>`: what the engine's commands start with. */
export function cliInvocation(cwd: string = process.cwd(), root: string = packageRoot()): string {
    const bin = (
        JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
            bin: Record<string, string>;
        }
    ).bin["lambda-docker"];
    const entry = path.join(root, bin);
    if (!fs.existsSync(entry)) {
        throw new Error(
            `lambda-docker's CLI is not built (${path.relative(cwd, entry)} is missing): run \`npm run build\` in ${root}.`,
        );
    }
    return `node ${shellQuote(path.relative(cwd, entry).split(path.sep).join("/"))}`;
}

/** Quotes a word for /bin/sh when it holds anything but safe characters. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** `<cli> <words…>`, each word quoted as needed. */
export function cliCommand(cli: string, words: readonly string[]): string {
    return [cli, ...words.map(shellQuote)].join(" ");
}
