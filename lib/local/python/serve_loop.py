"""Runs a handler the way Lambda's Python runtime does, many times (`serve`): one JSON request per stdin line.

Protocol messages go to a private copy of fd 1, as in bootstrap.py. Before each request the modules imported
from the task root are checked; when one changed on disk (a bind-mounted source edit), they are forgotten and
the handler is imported again, so the next request runs the new code in the same warm container.
"""
import importlib
import json
import os
import sys
import time

import lambda_layers
import lambda_runtime as rt

PROTOCOL = "\x1eLAMBDA_DOCKER "
# Written to stderr after a request's last log line: stderr and the protocol fd are separate pipes, so the
# reader waits for this before it prints END, keeping every log line inside its START..END.
LOGS_DONE = "\x1eLAMBDA_DOCKER_LOGS_DONE"


def stamp(path):
    """What marks a source file as changed: its mtime (ns) and size, or None once it is gone."""
    try:
        st = os.stat(path)
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return None


class Sources(object):
    """The modules imported from `root`, and the stamps of their files when they were imported."""

    def __init__(self, root):
        self.root = os.path.abspath(root) + os.sep
        self.stamps = {}

    def own(self):
        """{module name: file} of the loaded modules whose file is under the root."""
        found = {}
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str) and os.path.abspath(path).startswith(self.root):
                found[name] = path
        return found

    def remember(self):
        self.stamps = {path: stamp(path) for path in self.own().values()}

    def changed(self):
        return any(stamp(path) != seen for path, seen in self.stamps.items())

    def forget(self):
        """Drops the root's modules, so the next import reads their files again."""
        for name in self.own():
            del sys.modules[name]
        importlib.invalidate_caches()


class Loop(object):
    def __init__(self, handler_name, root, send, log, logs_done):
        self.handler_name, self.send, self.log, self.logs_done = handler_name, send, log, logs_done
        self.sources = Sources(root)
        self.handler, self.fault, self.init_ms = None, None, None

    def init(self, request_id):
        """Imports the handler (again); remembers how long that took, for the next REPORT's Init Duration."""
        started = time.time()
        self.handler, self.fault = rt.load(self.handler_name, request_id)
        self.sources.remember()
        self.init_ms = (time.time() - started) * 1000

    def serve(self, request):
        """One invocation: (re)init when needed, run, send start and end."""
        rt.Request.id = request["requestId"]
        # init_ms is set only by an init not yet reported (the one at start-up).
        if self.init_ms is None and (self.handler is None or self.sources.changed()):
            self.sources.forget()
            self.init(request["requestId"])
        init_ms, self.init_ms = self.init_ms, None
        self.send("start", initMs=init_ms)
        started = time.time()
        if self.fault is not None:
            # Lambda reports an init failure on the invocation and initialises again on the next one.
            fault = dict(self.fault, requestId=request["requestId"])
            self.log("\n".join(rt.error_log_lines(fault)) + "\n")
            payload, raw, error_type = json.dumps(fault), None, fault["errorType"]
            self.handler, self.fault = None, None
        else:
            payload, raw, error_type = rt.run(self.handler, request["event"], request, self.log)
        duration = (time.time() - started) * 1000
        self.logs_done()
        self.send("end", payload=payload, raw=raw, error=error_type, durationMs=duration, initMs=init_ms, maxMemoryBytes=rt.peak_memory_bytes())


def main():
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    # The handler's stdout joins its stderr, so logs stay in order; stdout is only the protocol's.
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.dont_write_bytecode = True  # the task root is a read-only mount; edits must be read from source

    def send(kind, **data):
        data["kind"] = kind
        proto.write(PROTOCOL + json.dumps(data) + "\n")
        proto.flush()

    root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, root)
    lambda_layers.setup_layers()
    rt.install_logging(sys.stdout)

    def logs_done():
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(2, (LOGS_DONE + "\n").encode())

    loop = Loop(os.environ["_HANDLER"], root, send, sys.stdout.write, logs_done)
    loop.init("")  # Lambda initialises before the first invocation arrives
    for line in sys.stdin:
        if line.strip():
            loop.serve(json.loads(line))


if __name__ == "__main__":
    main()
