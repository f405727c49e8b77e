/** A zip function locally: its code mounted at /var/task, its layers mounted read-only and extracted into /opt (lambda_layers.py). */
import * as path from "path";

/** A host directory mounted read-only in the container. */
export interface Mount {
    readonly source: string;
    readonly target: string;
}

/** Where layers are mounted in the container before they are extracted into /opt. */
export const LAYER_MOUNT = "/lambda-docker-layers";

/** The read-only mounts of `mounts` and `layers` (zips or directories on the host, in order, under LAYER_MOUNT). */
export function mountsOf(mounts: readonly Mount[] = [], layers: readonly string[] = []): Mount[] {
    return [...mounts, ...layers.map((l, i) => ({ source: l, target: `${LAYER_MOUNT}/${i}` }))];
}

/** `docker run` flags for `mounts` and `layers`. */
export function mountFlags(
    mounts: readonly Mount[] = [],
    layers: readonly string[] = [],
): string[] {
    return mountsOf(mounts, layers).flatMap((m) => [
        "--mount",
        `type=bind,source=${path.resolve(m.source)},target=${m.target},readonly`,
    ]);
}

/** Where a zip function's code is mounted, and its handlers import from. */
export const TASK_ROOT = "/var/task";
