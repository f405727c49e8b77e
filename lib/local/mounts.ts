/**
 * How a zip function runs locally: its code mounted at /var/task in the base image, and its layers
 * mounted read-only, then extracted into /opt in order before the handler imports, as Lambda does.
 * Shared by `invokeLocal` and the preflight.
 */
import * as path from "path";

/** A host directory mounted read-only in the container. */
export interface Mount {
    readonly source: string;
    readonly target: string;
}

/** Where layers are mounted in the container before they are extracted into /opt. */
export const LAYER_MOUNT = "/lambda-docker-layers";

/** `docker run` flags for `mounts` and `layers` (zips or directories on the host, in order). */
export function mountFlags(mounts: readonly Mount[] = [], layers: readonly string[] = []): string[] {
    return [...mounts, ...layers.map((l, i) => ({ source: l, target: `${LAYER_MOUNT}/${i}` }))]
        .flatMap((m) => ["--mount", `type=bind,source=${path.resolve(m.source)},target=${m.target},readonly`]);
}

/** Python run first in the container: extracts the mounted layers into /opt (keeping file modes) and puts /opt/python on sys.path. */
export const LAYER_SETUP = String.raw`
if os.path.isdir("${LAYER_MOUNT}"):
    import shutil, zipfile
    for layer in sorted(os.listdir("${LAYER_MOUNT}"), key=int):
        source = os.path.join("${LAYER_MOUNT}", layer)
        if os.path.isdir(source):
            shutil.copytree(source, "/opt", dirs_exist_ok=True)
        else:
            with zipfile.ZipFile(source) as z:
                for info in z.infolist():
                    target = z.extract(info, "/opt")
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:
                        os.chmod(target, mode)
if os.path.isdir("/opt/python") and "/opt/python" not in sys.path:
    sys.path.append("/opt/python")  # layers, as the runtime's PYTHONPATH has them
`;
