"""The rules of AWS's Python runtime (awslambdaric), as `invoke` and `serve` follow them: handler loading, marshalling, context, logging."""
import base64
import decimal
import importlib
import json
import logging
import os
import resource
import sys
import time
import traceback

_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) if not __file__.startswith("<") else None


def own_frame(filename):
    """A frame of the runtime's own code (loaded by lambda-docker as `<lambda-docker>/…`, or from this directory), never the user's."""
    if filename == "<string>" or filename.startswith("<lambda-docker>"):
        return True
    return _OWN_DIR is not None and os.path.dirname(os.path.abspath(filename)) == _OWN_DIR


class Fault(Exception):
    """A failure the runtime reports with its own error type (Runtime.*)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace or []


def get_handler(handler):
    """Resolves `module.function` as awslambdaric's bootstrap does, with its error types and messages."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e), ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)])
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


def user_trace(tb):
    """The traceback without the runtime's own frames, formatted as the runtime's stackTrace."""
    frames = traceback.extract_tb(tb)
    frames = [f for f in frames if not own_frame(f.filename)] or frames
    return traceback.format_list(frames)


def error(request_id, error_type, message, trace):
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id, "stackTrace": trace or []}


def error_log_lines(err):
    """The `[ERROR]` block the runtime logs for a failed invocation."""
    first = "[ERROR] " + err["errorType"] + ": " + err["errorMessage"] if err["errorMessage"] else "[ERROR] " + err["errorType"]
    lines = [first, "Traceback (most recent call last):"]
    for element in err["stackTrace"]:
        lines.extend(element.splitlines())
    return lines


class Encoder(json.JSONEncoder):
    """The runtime's encoder (simplejson, use_decimal=False) writes a Decimal as its raw text, NaN as NaN."""

    def __init__(self):
        super().__init__()
        self.raw = []

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            self.raw.append("NaN" if o.is_nan() else str(o))
            return "\x00lambda-docker-raw-%d\x00" % (len(self.raw) - 1)
        return super().default(o)


def marshal(response):
    """(JSON text, None), or (None, base64) for bytes; anything JSON can't encode is Runtime.MarshalError."""
    if isinstance(response, bytes):
        return None, base64.b64encode(response).decode()
    encoder = Encoder()
    try:
        text = encoder.encode(response)
    except Exception as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e))
    for i, raw in enumerate(encoder.raw):
        text = text.replace(json.dumps("\x00lambda-docker-raw-%d\x00" % i), raw)
    return text, None


def peak_memory_bytes():
    """The container's peak memory (cgroup v2, then v1), else this process tree's peak RSS."""
    for path in ("/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes"):
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


def from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field))
    return obj


class LambdaContext(object):
    """awslambdaric's LambdaContext, every attribute of it."""

    def __init__(self, request_id, invoked_function_arn, deadline_ms, client_context=None, identity=None, environ=os.environ):
        self.aws_request_id = request_id
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = from_dict(Client, self.client_context.client)
        identity = identity or {}
        self.identity = from_dict(CognitoIdentity, {})
        self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta = self._deadline_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


class Request(object):
    """The invocation in progress, which the log records name."""

    id = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = Request.id
        return True


def install_logging(stream):
    """The runtime's root handler: `[LEVEL]\\t<UTC time>\\t<request id>\\t<message>`, at AWS_LAMBDA_LOG_LEVEL if set."""
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)
    return handler


def load(handler_name, request_id):
    """(handler, None), or (None, the init error) as the runtime reports a failed init."""
    try:
        return get_handler(handler_name), None
    except Fault as f:
        return None, error(request_id, f.error_type, f.message, f.trace)
    except Exception as e:
        return None, error(request_id, type(e).__name__, str(e), user_trace(e.__traceback__))


def run(handler, event_text, request, write_log):
    """Invokes `handler` once. Returns (payload text, raw base64 or None, error type or None)."""
    Request.id = request["requestId"]
    started = time.time()
    context = LambdaContext(request["requestId"], request["invokedFunctionArn"], int(started * 1000) + request["timeoutMs"],
                            request.get("clientContext"), request.get("identity"))
    try:
        response = handler(json.loads(event_text), context)
        text, raw = marshal(response)
        return text, raw, None
    except Fault as f:
        err = error(request["requestId"], f.error_type, f.message, f.trace)
    except Exception as e:
        err = error(request["requestId"], type(e).__name__, str(e), user_trace(e.__traceback__))
    write_log("\n".join(error_log_lines(err)) + "\n")
    return json.dumps(err), None, err["errorType"]
