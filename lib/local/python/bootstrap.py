"""Runs a handler the way Lambda's Python runtime does: once (`invoke`). Protocol messages go to a private copy of fd 1."""
import json
import os
import sys
import time

import lambda_layers
import lambda_runtime as rt

PROTOCOL = "\x1eLAMBDA_DOCKER "


def main():
    init_start = time.time()
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    # The handler's stdout joins its stderr, so logs stay in order; stdout is only the protocol's.
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1)

    def send(kind, **data):
        data["kind"] = kind
        proto.write(PROTOCOL + json.dumps(data) + "\n")
        proto.flush()

    request = json.loads(os.environ.pop("LAMBDA_DOCKER_INVOKE"))
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    lambda_layers.setup_layers()
    rt.Request.id = request["requestId"]
    rt.install_logging(sys.stdout)
    handler, init_fault = rt.load(os.environ["_HANDLER"], request["requestId"])
    init_ms = (time.time() - init_start) * 1000
    started = time.time()
    send("start", initMs=init_ms)
    if init_fault is not None:
        sys.stdout.write("\n".join(rt.error_log_lines(init_fault)) + "\n")
        payload, raw, error_type = json.dumps(init_fault), None, init_fault["errorType"]
    else:
        payload, raw, error_type = rt.run(handler, request["event"], request, sys.stdout.write)
    sys.stdout.flush()
    send("end", payload=payload, raw=raw, error=error_type, durationMs=(time.time() - started) * 1000, initMs=init_ms, maxMemoryBytes=rt.peak_memory_bytes())


if __name__ == "__main__":
    main()
