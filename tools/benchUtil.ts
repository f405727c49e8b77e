/** What every benchmark section shares: timing, medians, the machine line. */
import { execFileSync } from "child_process";
import * as os from "os";
import { runDocker } from "../lib/docker/cli";
import { BASE_IMAGE, DOCKER } from "../test/support/docker";

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
    const start = process.hrtime.bigint();
    const value = await fn();
    return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

export function machine(): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const docker = execFileSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], {
        encoding: "utf8",
    }).trim();
    return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, Docker ${docker}`;
}

export async function dockerBuild(
    context: string,
    dockerfile: string,
    tag: string,
    noCache: boolean,
): Promise<number> {
    const [result, ms] = await timed(() =>
        runDocker(
            [
                "build",
                ...(noCache ? ["--no-cache"] : []),
                "--build-arg",
                `BASE_IMAGE=${BASE_IMAGE}`,
                "--file",
                dockerfile,
                "--tag",
                tag,
                context,
            ],
            {
                env: { ...process.env, DOCKER_BUILDKIT: "1" },
            },
        ),
    );
    if (result.code !== 0)
        throw new Error(`docker build of ${dockerfile} failed:\n${result.tail.join("\n")}`);
    return ms;
}

export function imageSize(tag: string): number {
    return Number(
        execFileSync(DOCKER, ["image", "inspect", "--format", "{{.Size}}", tag], {
            encoding: "utf8",
        }).trim(),
    );
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `### <title> (<date>)` and the machine line that open every section. */
export function sectionHeader(title: string): string[] {
    return [
        `### ${title} (${new Date().toISOString().slice(0, 10)})`,
        "",
        `Machine: ${machine()}`,
        "",
    ];
}
