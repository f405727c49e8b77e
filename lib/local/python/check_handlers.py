"""The preflight: imports each function's handler as the runtime would, one child interpreter per function, and prints what failed."""
import json
import os
import subprocess
import sys

import lambda_layers

# Runs in a child interpreter with one function's environment, so each import sees only its own.
CHILD = r"""
import importlib, json, os, sys, traceback
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
if os.path.isdir("/opt/python") and "/opt/python" not in sys.path:
    sys.path.append("/opt/python")
handler = os.environ["_HANDLER"]
module, _, attr = handler.rpartition(".")
def own_frame(tb):
    frames = [f for f in traceback.extract_tb(tb) if "site-packages" not in f.filename and not f.filename.startswith("<") and "/lib/python" not in f.filename]
    if not frames:
        return ""
    root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    f = frames[-1]
    return " (%s:%d)" % (os.path.relpath(f.filename, root) if f.filename.startswith(root) else f.filename, f.lineno)
try:
    loaded = importlib.import_module(module)
except ModuleNotFoundError as e:
    if e.name and (module == e.name or module.startswith(e.name + ".")):
        result = "not found: there is no module '%s' in the image" % module
    else:
        result = "raised ModuleNotFoundError while importing: %s%s" % (e, own_frame(e.__traceback__))
except BaseException as e:
    result = "raised %s while importing: %s%s" % (type(e).__name__, e, own_frame(e.__traceback__))
else:
    if not hasattr(loaded, attr):
        result = "not found: module '%s' has no attribute '%s'" % (module, attr)
    elif not callable(getattr(loaded, attr)):
        result = "not callable: %s is a %s" % (handler, type(getattr(loaded, attr)).__name__)
    else:
        result = None
print("LAMBDA_DOCKER_RESULT " + json.dumps(result))
"""


def check(functions, environ=os.environ, python=sys.executable):
    """{name: problem or None} for {name: {"environment": {...}}}."""
    results = {}
    for name, spec in functions.items():
        env = {k: v for k, v in environ.items() if not k.startswith("LAMBDA_DOCKER_")}
        env.update(spec["environment"])
        out = subprocess.run([python, "-c", CHILD], env=env, capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith("LAMBDA_DOCKER_RESULT ")]
        if line:
            results[name] = json.loads(line[-1][len("LAMBDA_DOCKER_RESULT "):])
        else:
            results[name] = "exited with code %d while importing: %s" % (out.returncode, (out.stderr.strip().splitlines() or [""])[-1])
    return results


def main():
    lambda_layers.setup_layers()
    results = check(json.loads(os.environ["LAMBDA_DOCKER_FUNCTIONS"]))
    print("LAMBDA_DOCKER_PREFLIGHT " + json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
