/**
 * `lambda-docker cost`: each ECR repository's images, what its lifecycle policy keeps, and the storage
 * ECR bills. ECR bills the compressed layers DescribeImages' `imageSizeInBytes` reports; a layer that
 * several images share is counted once per image by that API, so the sums are an upper bound.
 */
import {
    DescribeImagesCommand,
    ECRClient,
    GetLifecyclePolicyCommand,
    ImageDetail,
} from "@aws-sdk/client-ecr";

/** ECR's private-repository storage price, USD per GB-month (us-east-1 and most regions): https://aws.amazon.com/ecr/pricing/ */
export const ECR_STORAGE_USD_PER_GB_MONTH = 0.1;
/** A GB as AWS bills storage: 2^30 bytes. */
export const GB = 1024 ** 3;

export interface LifecycleRule {
    readonly rulePriority: number;
    readonly tagStatus: "tagged" | "untagged" | "any";
    readonly tagPrefixList?: string[];
    readonly tagPatternList?: string[];
    readonly countType: "imageCountMoreThan" | "sinceImagePushed";
    readonly countNumber: number;
    readonly countUnit?: string;
}

/** The expire rules of a lifecycle policy document, by priority. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
    const doc = JSON.parse(text) as {
        rules?: {
            rulePriority?: number;
            selection?: Partial<LifecycleRule>;
            action?: { type?: string };
        }[];
    };
    return (doc.rules ?? [])
        .filter((r) => (r.action?.type ?? "expire") === "expire" && r.selection?.countType)
        .map((r) => ({
            rulePriority: r.rulePriority ?? 0,
            tagStatus: r.selection?.tagStatus ?? "any",
            tagPrefixList: r.selection?.tagPrefixList,
            tagPatternList: r.selection?.tagPatternList,
            countType: r.selection!.countType!,
            countNumber: Number(r.selection?.countNumber ?? 0),
            countUnit: r.selection?.countUnit,
        }))
        .sort((a, b) => a.rulePriority - b.rulePriority);
}

/** A rule in words: `keep the newest 10 tagged dev-* images`, `expire untagged images after 1 day`. */
export function describeRule(r: LifecycleRule): string {
    const which = [
        r.tagStatus === "any" ? "" : r.tagStatus,
        ...(r.tagPrefixList ?? []).map((p) => `${p}*`),
        ...(r.tagPatternList ?? []),
    ]
        .filter(Boolean)
        .join(" ");
    const images = which ? `${which} images` : "images";
    if (r.countType === "imageCountMoreThan") return `keep the newest ${r.countNumber} ${images}`;
    const unit = r.countUnit ?? "days";
    return `expire ${images} after ${r.countNumber} ${r.countNumber === 1 ? unit.replace(/s$/, "") : unit}`;
}

const wildcard = (pattern: string): RegExp =>
    new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );

function selects(r: LifecycleRule, tags: readonly string[]): boolean {
    if (r.tagStatus === "untagged") return tags.length === 0;
    if (r.tagStatus === "any") return true;
    if (tags.length === 0) return false;
    if (r.tagPrefixList?.length)
        return tags.some((t) => r.tagPrefixList!.some((p) => t.startsWith(p)));
    if (r.tagPatternList?.length)
        return tags.some((t) => r.tagPatternList!.some((p) => wildcard(p).test(t)));
    return true;
}

export interface CostImage {
    readonly digest: string;
    readonly tags: string[];
    readonly sizeBytes: number;
    /** ISO time. */
    readonly pushedAt?: string;
    /** Whether the lifecycle policy keeps it (as of `now`). */
    readonly kept: boolean;
}

/**
 * Which images the rules keep: each rule, by priority, takes the images it selects that no earlier rule
 * took; imageCountMoreThan expires all but the newest `countNumber`, sinceImagePushed those pushed more
 * than `countNumber` days before `now`. Images no rule selects are kept (ECR's evaluation, simplified).
 */
export function applyLifecycle(
    images: readonly ImageDetail[],
    rules: readonly LifecycleRule[],
    now: number,
): CostImage[] {
    const expired = new Set<ImageDetail>();
    let remaining = [...images];
    for (const r of rules) {
        const taken = remaining.filter((i) => selects(r, i.imageTags ?? []));
        if (r.countType === "imageCountMoreThan") {
            const newest = [...taken].sort(
                (a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0),
            );
            newest.slice(r.countNumber).forEach((i) => expired.add(i));
        } else {
            const days = r.countUnit === undefined || r.countUnit === "days" ? 1 : NaN;
            const cutoff = now - r.countNumber * days * 86_400_000;
            taken
                .filter((i) => (i.imagePushedAt?.getTime() ?? now) < cutoff)
                .forEach((i) => expired.add(i));
        }
        remaining = remaining.filter((i) => !taken.includes(i));
    }
    return images.map((i) => ({
        digest: i.imageDigest ?? "",
        tags: i.imageTags ?? [],
        sizeBytes: i.imageSizeInBytes ?? 0,
        pushedAt: i.imagePushedAt?.toISOString(),
        kept: !expired.has(i),
    }));
}

export interface RepositoryCost {
    readonly repository: string;
    /** The manifest images stored in it. */
    readonly images: string[];
    readonly lifecycle: string[] | null;
    readonly stored: CostImage[];
    readonly storedBytes: number;
    readonly keptBytes: number;
    /** USD a month for what is stored now, and for what the lifecycle policy keeps. */
    readonly monthlyUsd: number;
    readonly keptMonthlyUsd: number;
}

export interface CostReport {
    readonly pricePerGbMonth: number;
    readonly repositories: RepositoryCost[];
    readonly storedBytes: number;
    readonly keptBytes: number;
    readonly monthlyUsd: number;
    readonly keptMonthlyUsd: number;
}

/** Every image of the repository: DescribeImages followed through each nextToken. */
export async function describeAllImages(
    ecr: ECRClient,
    repositoryName: string,
): Promise<ImageDetail[]> {
    const all: ImageDetail[] = [];
    let nextToken: string | undefined;
    do {
        const out = await ecr.send(new DescribeImagesCommand({ repositoryName, nextToken }));
        all.push(...(out.imageDetails ?? []));
        nextToken = out.nextToken;
    } while (nextToken);
    return all;
}

async function lifecycleRules(
    ecr: ECRClient,
    repositoryName: string,
): Promise<LifecycleRule[] | null> {
    try {
        const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
        return out.lifecyclePolicyText ? parseLifecyclePolicy(out.lifecyclePolicyText) : null;
    } catch (e) {
        if ((e as Error).name === "LifecyclePolicyNotFoundException") return null;
        throw e;
    }
}

/** USD a month for `bytes`, to a millionth of a dollar (no binary-float tails in --json). */
const usd = (bytes: number, price: number): number => Math.round((bytes / GB) * price * 1e6) / 1e6;

/** The report for `repositories` (repository name → the manifest images stored in it). */
export async function costReport(
    ecr: ECRClient,
    repositories: Record<string, string[]>,
    price: number = ECR_STORAGE_USD_PER_GB_MONTH,
    now: number = Date.now(),
): Promise<CostReport> {
    const repos = await Promise.all(
        Object.entries(repositories).map(async ([repository, images]): Promise<RepositoryCost> => {
            const [details, rules] = await Promise.all([
                describeAllImages(ecr, repository),
                lifecycleRules(ecr, repository),
            ]);
            const stored = applyLifecycle(details, rules ?? [], now).sort((a, b) =>
                (b.pushedAt ?? "").localeCompare(a.pushedAt ?? ""),
            );
            const storedBytes = stored.reduce((t, i) => t + i.sizeBytes, 0);
            const keptBytes = stored.filter((i) => i.kept).reduce((t, i) => t + i.sizeBytes, 0);
            return {
                repository,
                images,
                lifecycle: rules ? rules.map(describeRule) : null,
                stored,
                storedBytes,
                keptBytes,
                monthlyUsd: usd(storedBytes, price),
                keptMonthlyUsd: usd(keptBytes, price),
            };
        }),
    );
    const storedBytes = repos.reduce((t, r) => t + r.storedBytes, 0);
    const keptBytes = repos.reduce((t, r) => t + r.keptBytes, 0);
    return {
        pricePerGbMonth: price,
        repositories: repos,
        storedBytes,
        keptBytes,
        monthlyUsd: usd(storedBytes, price),
        keptMonthlyUsd: usd(keptBytes, price),
    };
}

/** Bytes for people: `512 B`, `1.5 KB`, `286.1 MB`, `1.25 GB` (powers of 1024). */
export function formatBytes(n: number): string {
    if (n < 1024) return `${n} B`;
    const units = ["KB", "MB", "GB", "TB"];
    let v = n;
    let u = -1;
    while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
    }
    return `${v.toFixed(u >= 2 ? 2 : 1)} ${units[u]}`;
}

const money = (n: number): string => `$${n.toFixed(n > 0 && n < 0.01 ? 4 : 2)}`;

/** The report as printed. */
export function formatCost(r: CostReport): string[] {
    const lines: string[] = [];
    for (const repo of r.repositories) {
        lines.push(
            `${repo.repository} (image${repo.images.length === 1 ? "" : "s"} ${repo.images.join(", ")})`,
        );
        for (const i of repo.stored)
            lines.push(
                `  ${i.kept ? "keep  " : "expire"}  ${(i.pushedAt ?? "").slice(0, 10).padEnd(10)}  ${formatBytes(i.sizeBytes).padStart(10)}  ${i.digest.slice(0, 19)}  ${i.tags.join(", ") || "(untagged)"}`,
            );
        lines.push(
            `  lifecycle policy: ${repo.lifecycle ? repo.lifecycle.join("; ") || "no expire rules" : "none (every image is kept)"}`,
        );
        const kept = repo.stored.filter((i) => i.kept).length;
        lines.push(
            `  ${repo.stored.length} images, ${formatBytes(repo.storedBytes)}: ${money(repo.monthlyUsd)}/month; the policy keeps ${kept}, ${formatBytes(repo.keptBytes)}: ${money(repo.keptMonthlyUsd)}/month`,
        );
    }
    lines.push(
        `total ${formatBytes(r.storedBytes)} stored: ${money(r.monthlyUsd)}/month; ${formatBytes(r.keptBytes)} once the lifecycle policies run: ${money(r.keptMonthlyUsd)}/month (at $${r.pricePerGbMonth} per GB-month; shared layers count once per image, so an upper bound)`,
    );
    return lines;
}
