/** How the CLI's commands show a docker build: one progress line, or everything with --verbose, and the failure tail once. */
import { DockerError } from "../lib/docker/cli";
import { stderrProgress } from "../lib/docker/progress";

/** Runs a build with a one-line progress on stderr (the whole log with `verbose`). */
export async function withProgress<T>(
    what: string,
    verbose: boolean,
    run: (onOutput: (line: string) => void) => Promise<T>,
): Promise<T> {
    const p = stderrProgress(what, verbose);
    try {
        return await run(p.onOutput);
    } catch (e) {
        // With --verbose the log is on screen already: the error keeps only its summary.
        if (verbose && e instanceof DockerError && e.tail.length > 0)
            throw new DockerError(e.summary);
        throw e;
    } finally {
        p.done();
    }
}
