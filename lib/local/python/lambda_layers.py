"""Lambda's layers in a local container: each mounted layer (a zip or a directory) extracted into /opt, in order."""
import os
import shutil
import sys
import zipfile

LAYER_MOUNT = "/lambda-docker-layers"


def setup_layers(mount=LAYER_MOUNT, opt="/opt"):
    """Extracts every layer under `mount` (named 0, 1, ...) into `opt`, keeping file modes; puts opt/python on sys.path."""
    if os.path.isdir(mount):
        for layer in sorted(os.listdir(mount), key=int):
            source = os.path.join(mount, layer)
            if os.path.isdir(source):
                shutil.copytree(source, opt, dirs_exist_ok=True)
                continue
            with zipfile.ZipFile(source) as archive:
                for info in archive.infolist():
                    target = archive.extract(info, opt)
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:
                        os.chmod(target, mode)
    python = os.path.join(opt, "python")
    if os.path.isdir(python) and python not in sys.path:
        sys.path.append(python)  # layers, as the runtime's PYTHONPATH has them
