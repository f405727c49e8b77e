"""lambda_runtime.py follows awslambdaric: handler errors, marshalling, context, logging."""
import decimal
import io
import json
import logging
import time
import unittest

from support import ModuleDirTest
import lambda_runtime as rt


class GetHandlerTest(ModuleDirTest):
    def fault(self, handler):
        with self.assertRaises(rt.Fault) as caught:
            rt.get_handler(handler)
        return caught.exception.error_type, caught.exception.message

    def test_resolves_a_module_function(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/api.py", "def handler(event, context):\n    return 1\n")
        self.assertEqual(rt.get_handler("pkg.api.handler")(None, None), 1)

    def test_names_each_failure_as_the_runtime_does(self):
        self.write("broken.py", "def handler(:\n")
        self.write("plain.py", "x = 1\n")
        self.assertEqual(self.fault("nodot"), ("Runtime.MalformedHandlerName", "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"))
        self.assertEqual(self.fault("sys.handler"), ("Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"))
        self.assertEqual(self.fault("missing.handler"), ("Runtime.ImportModuleError", "Unable to import module 'missing': No module named 'missing'"))
        self.assertEqual(self.fault("plain.handler"), ("Runtime.HandlerNotFound", "Handler 'handler' missing on module 'plain'"))
        error_type, message = self.fault("broken.handler")
        self.assertEqual(error_type, "Runtime.UserCodeSyntaxError")
        self.assertTrue(message.startswith("Syntax error in module 'broken': "), message)


class MarshalTest(unittest.TestCase):
    def test_writes_decimals_as_numbers_and_bytes_as_base64(self):
        self.assertEqual(rt.marshal({"price": decimal.Decimal("9.99"), "n": decimal.Decimal("10"), "x": [1, "a"]}), ('{"price": 9.99, "n": 10, "x": [1, "a"]}', None))
        self.assertEqual(rt.marshal(b"\x00\xff"), (None, "AP8="))
        self.assertEqual(rt.marshal(decimal.Decimal("NaN")), ("NaN", None))

    def test_refuses_what_json_cannot_encode(self):
        with self.assertRaises(rt.Fault) as caught:
            rt.marshal({"s": {1}})
        self.assertEqual((caught.exception.error_type, caught.exception.message),
                         ("Runtime.MarshalError", "Unable to marshal response: Object of type set is not JSON serializable"))


class ContextTest(unittest.TestCase):
    def test_has_every_attribute_of_the_runtimes_context(self):
        env = {"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/f", "AWS_LAMBDA_LOG_STREAM_NAME": "s", "AWS_LAMBDA_FUNCTION_NAME": "f",
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST"}
        deadline = int(time.time() * 1000) + 60_000
        ctx = rt.LambdaContext("req-1", "arn:aws:lambda:eu-west-1:000000000000:function:f", deadline,
                               {"custom": {"a": 1}, "env": None, "client": {"app_title": "t"}}, {"cognitoIdentityId": "id-1"}, env)
        self.assertEqual((ctx.aws_request_id, ctx.function_name, ctx.memory_limit_in_mb, ctx.function_version, ctx.log_group_name, ctx.log_stream_name),
                         ("req-1", "f", "256", "$LATEST", "/aws/lambda/f", "s"))
        self.assertEqual((ctx.client_context.custom, ctx.client_context.client.app_title, ctx.client_context.client.app_version_name), ({"a": 1}, "t", None))
        self.assertEqual((ctx.identity.cognito_identity_id, ctx.identity.cognito_identity_pool_id), ("id-1", None))
        self.assertTrue(59_000 < ctx.get_remaining_time_in_millis() <= 60_000)
        self.assertEqual(rt.LambdaContext("r", "a", 0, environ={}).get_remaining_time_in_millis(), 0)


class RunTest(ModuleDirTest):
    REQUEST = {"requestId": "req-9", "invokedFunctionArn": "arn", "timeoutMs": 3000}

    def test_returns_the_marshalled_response(self):
        self.assertEqual(rt.run(lambda event, context: {"got": event, "id": context.aws_request_id}, '{"a": 1}', self.REQUEST, lambda s: None),
                         ('{"got": {"a": 1}, "id": "req-9"}', None, None))

    def test_reports_an_exception_with_the_users_frames_only_and_logs_it(self):
        path = self.write("failing.py", "def handler(event, context):\n    raise ValueError('bad input')\n")
        import failing
        logged = []
        payload, raw, error_type = rt.run(failing.handler, "{}", self.REQUEST, logged.append)
        err = json.loads(payload)
        self.assertEqual((raw, error_type, err["errorType"], err["errorMessage"], err["requestId"]), (None, "ValueError", "ValueError", "bad input", "req-9"))
        self.assertEqual(err["stackTrace"], ['  File "%s", line 2, in handler\n    raise ValueError(\'bad input\')\n' % path])
        self.assertEqual(logged[0].splitlines()[:2], ["[ERROR] ValueError: bad input", "Traceback (most recent call last):"])


class LoggingTest(unittest.TestCase):
    def test_formats_records_with_level_utc_time_and_request_id(self):
        stream = io.StringIO()
        handler = rt.install_logging(stream)
        try:
            rt.Request.id = "req-5"
            logging.getLogger("x").warning("careful")
        finally:
            logging.getLogger().removeHandler(handler)
        self.assertRegex(stream.getvalue(), r"^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-5\tcareful\n$")


if __name__ == "__main__":
    unittest.main()
