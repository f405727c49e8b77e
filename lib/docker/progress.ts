/**
 * What a person sees while docker builds: one line naming the current step (a live line on a
 * terminal, a line per step in a log), everything with `--verbose`.
 */

/** The step a build output line starts, or undefined for any other line. Pure. */
export function buildStep(line: string): string | undefined {
    const kit = /^#\d+ \[(?:[^\]]*? )?(\d+\/\d+)\] (.+)$/.exec(line);
    if (kit) return `[${kit[1]}] ${kit[2]}`;
    const classic = /^Step (\d+\/\d+) : (.+)$/.exec(line);
    if (classic) return `[${classic[1]}] ${classic[2]}`;
    return undefined;
}

export interface ProgressOptions {
    /** What is being built, e.g. "image app" or "layer core". */
    readonly what: string;
    /** Every output line, unfiltered. @default false */
    readonly verbose?: boolean;
    /** Rewrite one line in place (a terminal). @default false */
    readonly tty?: boolean;
    /** Terminal width for the live line. @default 100 */
    readonly columns?: number;
    readonly write: (text: string) => void;
}

export interface Progress {
    /** Feed it each build output line. */
    readonly onOutput: (line: string) => void;
    /** Clears the live line (call when the build ends, success or not). */
    readonly done: () => void;
}

export function progress(options: ProgressOptions): Progress {
    const { what, write } = options;
    if (options.verbose) return { onOutput: (line) => write(`${line}\n`), done: () => undefined };
    let last: string | undefined;
    let live = false;
    const width = Math.max(20, (options.columns ?? 100) - 1);
    return {
        onOutput: (line) => {
            const step = buildStep(line);
            if (step === undefined || step === last) return;
            last = step;
            const text = `building ${what}: ${step}`;
            if (options.tty) {
                write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
                live = true;
            } else {
                write(`${text}\n`);
            }
        },
        done: () => {
            if (live) write("\r\x1b[2K");
            live = false;
        },
    };
}

/** A Progress for the current process's stderr. */
export function stderrProgress(what: string, verbose: boolean): Progress {
    return progress({
        what,
        verbose,
        tty: process.stderr.isTTY === true,
        columns: process.stderr.columns,
        write: (t) => void process.stderr.write(t),
    });
}
