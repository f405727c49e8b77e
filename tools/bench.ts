/**
 * `npm run bench`: speed and size on a real Docker engine as ratios within one run, one module per
 * section in tools/bench/ (`--only layer,promote` runs some); prints Markdown for BENCHMARKS.md.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface Section {
    readonly title: string;
    bench(dir: string): Promise<string[]>;
}

/**
 * The base image the sections build on (LAMBDA_DOCKER_BASE_IMAGE, else AWS's). Dockerfiles written for
 * AWS's images use `${LAMBDA_TASK_ROOT}`; on a base without it (an image imported from a rootfs), the
 * sections build on a derived image that sets it and the working directory as AWS's images do, and say
 * so. Returns the Markdown note, or nothing when the base has it.
 */
function baseWithTaskRoot(): string[] {
    const docker = process.env.DOCKER?.trim() || "docker";
    const base = process.env.LAMBDA_DOCKER_BASE_IMAGE ?? "public.ecr.aws/lambda/python:3.11";
    const inspect = (ref: string) =>
        spawnSync(docker, ["image", "inspect", "--format", "{{.Id}} {{json .Config.Env}}", ref], {
            encoding: "utf8",
        });
    let found = inspect(base);
    if (found.status !== 0) {
        spawnSync(docker, ["pull", base], { stdio: "ignore" });
        found = inspect(base);
    }
    if (found.status !== 0)
        throw new Error(
            `the base image ${base} is not here and can't be pulled; set LAMBDA_DOCKER_BASE_IMAGE to a local Python image ` +
                "(`bash tools/ci/setup.sh` builds lambda-docker/python-base:bookworm).",
        );
    const [id, env] = [
        found.stdout.split(" ")[0],
        found.stdout.slice(found.stdout.indexOf(" ") + 1),
    ];
    if ((JSON.parse(env) as string[] | null)?.some((e) => e.startsWith("LAMBDA_TASK_ROOT=")))
        return [];
    const derived = `lambda-docker-bench/base:${id.replace(/^sha256:/, "").slice(0, 12)}`;
    const built = spawnSync(docker, ["build", "--quiet", "--tag", derived, "-"], {
        input: `FROM ${base}\nENV LAMBDA_TASK_ROOT=/var/task\nWORKDIR /var/task\n`,
        encoding: "utf8",
    });
    if (built.status !== 0)
        throw new Error(`${base} has no LAMBDA_TASK_ROOT, and adding it failed:\n${built.stderr}`);
    process.env.LAMBDA_DOCKER_BASE_IMAGE = derived;
    const note =
        `Base image: ${base} sets no LAMBDA_TASK_ROOT (AWS's images set it to /var/task, and the Dockerfiles here copy ` +
        `into it), so the sections build on ${derived}, which adds \`ENV LAMBDA_TASK_ROOT=/var/task\` and \`WORKDIR /var/task\`.`;
    process.stderr.write(`bench: ${note}\n`);
    return [note, ""];
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
    const note = baseWithTaskRoot();
    if (note.length > 0) process.stdout.write(`${note.join("\n")}\n`);
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
