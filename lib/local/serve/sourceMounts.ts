/**
 * Which parts of an image's build context `serve` bind-mounts over the built image (edits are live, no
 * rebuild), and the fingerprint of the rest (a change rebuilds). The rule, also in docs/design/serve.md:
 * a final-stage `COPY`/`ADD` of context paths (no `--from`, no wildcard, no URL) into LAMBDA_TASK_ROOT is
 * source, mounted read-only where it was copied to, unless the mount would hide something else the
 * image put there. Everything else is a dependency input.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { listContextFiles, resolveDockerfile } from "../../build/contextHash";
import { Mount, TASK_ROOT } from "../mounts";

/** A context path the image copies into the task root, mounted at the same place. */
export interface SourceMount extends Mount {
    /** The copied path relative to the context, `/`-separated ("" for the whole context). */
    readonly contextPath: string;
    readonly directory: boolean;
}

interface Instruction {
    readonly keyword: string;
    readonly args: string;
    /** The final stage's instructions (after its FROM). */
    readonly final: boolean;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
    const joined = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
    const parsed = joined
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => {
            const m = /^(\S+)\s*(.*)$/.exec(l)!;
            return { keyword: m[1].toUpperCase(), args: m[2] };
        });
    const lastFrom = parsed.map((i) => i.keyword).lastIndexOf("FROM");
    return parsed.map((i, n) => ({ ...i, final: n > lastFrom }));
}

const expand = (s: string): string =>
    s.replace(/\$\{LAMBDA_TASK_ROOT\}|\$LAMBDA_TASK_ROOT(?![A-Za-z0-9_])/g, TASK_ROOT);

const under = (p: string, dir: string): boolean =>
    dir === "" || dir === "." || p === dir || p.startsWith(`${dir.replace(/\/$/, "")}/`);

interface Copy {
    readonly sources: string[];
    readonly dest: string;
    readonly fromStage: boolean;
    readonly final: boolean;
    /** Shell form with plain paths: what the rule can reason about. */
    readonly plain: boolean;
}

function copies(list: readonly Instruction[]): Copy[] {
    let workdir = TASK_ROOT; // AWS's base images set WORKDIR to the task root
    const out: Copy[] = [];
    for (const i of list) {
        if (i.keyword === "FROM") workdir = TASK_ROOT;
        if (i.keyword === "WORKDIR") workdir = path.posix.resolve(workdir, expand(i.args.trim()));
        if (i.keyword !== "COPY" && i.keyword !== "ADD") continue;
        const words = i.args.split(/\s+/).filter((w) => w !== "");
        const flags = words.filter((w) => w.startsWith("--"));
        const rest = words.filter((w) => !w.startsWith("--"));
        const plain =
            !i.args.trimStart().startsWith("[") &&
            rest.length >= 2 &&
            rest.every((w) => !/[*?[\]]|^[a-z]+:\/\//i.test(w));
        const last = expand(rest[rest.length - 1] ?? "");
        // "." and ".." name directories, as a trailing "/" does.
        const rawDest = /(^|\/)\.\.?$/.test(last) ? `${last}/` : last;
        out.push({
            sources: rest.slice(0, -1).map((s) => path.posix.normalize(s).replace(/\/$/, "")),
            dest: rawDest.endsWith("/")
                ? `${path.posix.resolve(workdir, rawDest)}/`
                : path.posix.resolve(workdir, rawDest),
            fromStage: flags.some((f) => f.startsWith("--from")),
            final: i.final,
            plain,
        });
    }
    return out;
}

/** The source mounts of the image built from `context` with the Dockerfile `dockerfileText` (see the module doc). */
export function sourceMounts(context: string, dockerfileText: string): SourceMount[] {
    return plan(context, dockerfileText).mounts;
}

/** The source mounts, and the context paths that other (unmounted) instructions copy. */
function plan(
    context: string,
    dockerfileText: string,
): { mounts: SourceMount[]; others: string[] } {
    const list = instructions(dockerfileText);
    const all = copies(list);
    const runs = list.filter((i) => i.final && i.keyword === "RUN").map((i) => expand(i.args));
    const mounts: SourceMount[] = [];
    const others: string[] = [];
    for (const c of all) {
        const dest = c.dest.replace(/\/$/, "");
        const candidate = c.final && !c.fromStage && c.plain && under(dest, TASK_ROOT);
        if (!candidate) {
            if (!c.fromStage) others.push(...c.sources);
            continue;
        }
        for (const src of c.sources) {
            const before = mounts.length;
            mountOf(context, c, src);
            if (mounts.length === before) others.push(src);
        }
    }
    return { mounts, others };

    function mountOf(context: string, c: Copy, src: string): void {
        const dest = c.dest.replace(/\/$/, "");
        if (src.startsWith("..")) return;
        const host = path.resolve(context, src);
        let stat: fs.Stats;
        try {
            stat = fs.statSync(host);
        } catch {
            return;
        }
        const directory = stat.isDirectory();
        const intoDir = c.dest.endsWith("/") || c.sources.length > 1 || dest === TASK_ROOT;
        const target = directory || !intoDir ? dest : path.posix.join(dest, path.basename(src));
        // A directory mount hides what the image has there: only when nothing else puts anything there.
        const hides =
            directory &&
            (all.some((o) => o !== c && under(o.dest.replace(/\/$/, ""), target)) ||
                runs.some((r) => r.includes(target)));
        if (hides) return;
        mounts.push({ source: host, target, contextPath: src === "." ? "" : src, directory });
    }
}

/** Files that decide dependencies by their name, wherever they are: a change always rebuilds. */
const DEPENDENCY_FILES =
    /(^|\/)(requirements[^/]*\.txt|constraints[^/]*\.txt|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|poetry\.lock|uv\.lock)$/;

/**
 * The fingerprint of an image's dependency inputs: its Dockerfile and build settings, every context file
 * not under a source mount, files another (unmounted) instruction also copies, and dependency manifests by
 * name. Equal fingerprints mean the built image is still right for everything but the mounted sources.
 */
export function dependencyFingerprint(options: {
    readonly context: string;
    readonly dockerfile?: string;
    readonly settings: unknown;
    /** The digest cache (see `HashOptions`). @default ".lambda-docker/cache" */
    readonly cacheDir?: string | false;
}): { fingerprint: string; mounts: SourceMount[] } {
    const dockerfile = resolveDockerfile(options.context, options.dockerfile);
    const text = fs.readFileSync(dockerfile, "utf8");
    const { mounts, others } = plan(options.context, text);
    const files = listContextFiles(options.context, options.dockerfile, {
        cacheDir: options.cacheDir,
    })
        .filter(
            (f) =>
                !mounts.some((m) => under(f.path, m.contextPath)) ||
                others.some((o) => under(f.path, o)) ||
                DEPENDENCY_FILES.test(f.path),
        )
        .map((f) => [f.path, f.kind, f.mode, f.sha256]);
    const fingerprint = crypto
        .createHash("sha256")
        .update(JSON.stringify({ dockerfile: text, settings: options.settings, files }))
        .digest("hex");
    return { fingerprint, mounts };
}
