"""serve_loop.py: one warm process serves many requests, imports again after a source edit, retries a failed init."""
import json
import os
import unittest

from support import ModuleDirTest
import serve_loop


class LoopTest(ModuleDirTest):
    def setUp(self):
        super().setUp()
        self.sent, self.logs, self.done = [], [], 0

    def loop(self, handler):
        def logs_done():
            self.done += 1

        loop = serve_loop.Loop(handler, self.dir, lambda kind, **data: self.sent.append(dict(data, kind=kind)), self.logs.append, logs_done)
        loop.init("")
        return loop

    def request(self, loop, n, event=None):
        loop.serve({"requestId": "req-%d" % n, "event": json.dumps(event or {}), "timeoutMs": 3000,
                    "invokedFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f"})
        start, end = self.sent[-2:]
        self.assertEqual((start["kind"], end["kind"]), ("start", "end"))
        return start, end

    def bump(self, path, text):
        """Rewrites a module with a later mtime, as an editor's save does."""
        with open(path, "w") as f:
            f.write(text)
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))

    def test_imports_once_and_reports_init_only_on_the_first_request(self):
        self.write("counter.py", "calls = []\ndef handler(event, context):\n    calls.append(1)\n    return {'n': len(calls), 'id': context.aws_request_id}\n")
        loop = self.loop("counter.handler")
        first_start, first = self.request(loop, 1)
        second_start, second = self.request(loop, 2)
        self.assertEqual((first["payload"], second["payload"]), ('{"n": 1, "id": "req-1"}', '{"n": 2, "id": "req-2"}'))
        self.assertIsInstance(first_start["initMs"], float)
        self.assertEqual((second_start["initMs"], second["initMs"], self.done), (None, None, 2))

    def test_imports_again_after_an_edit_of_a_module_it_imported(self):
        self.write("pkg/__init__.py", "")
        helper = self.write("pkg/helper.py", "WORD = 'old'\n")
        self.write("pkg/api.py", "from pkg import helper\ndef handler(event, context):\n    return helper.WORD\n")
        loop = self.loop("pkg.api.handler")
        self.assertEqual(self.request(loop, 1)[1]["payload"], '"old"')
        self.bump(helper, "WORD = 'new'\n")
        start, end = self.request(loop, 2)
        self.assertEqual(end["payload"], '"new"')
        self.assertIsInstance(start["initMs"], float)  # a re-import is an init, and the REPORT says so
        self.assertEqual(self.request(loop, 3)[0]["initMs"], None)

    def test_reports_a_failed_init_on_the_request_then_initialises_again(self):
        broken = self.write("late.py", "raise RuntimeError('no config')\n")
        loop = self.loop("late.handler")
        _, end = self.request(loop, 1)
        self.assertEqual(end["error"], "RuntimeError")
        self.assertEqual(json.loads(end["payload"])["requestId"], "req-1")
        self.assertEqual(self.logs[0].splitlines()[0], "[ERROR] RuntimeError: no config")
        self.bump(broken, "def handler(event, context):\n    return 'fixed'\n")
        self.assertEqual(self.request(loop, 2)[1]["payload"], '"fixed"')

    def test_a_handler_exception_is_the_runtimes_error_and_the_process_stays_warm(self):
        self.write("boom.py", "def handler(event, context):\n    raise ValueError('bad ' + str(event['id']))\n")
        loop = self.loop("boom.handler")
        _, end = self.request(loop, 1, {"id": 7})
        self.assertEqual((end["error"], json.loads(end["payload"])["errorMessage"]), ("ValueError", "bad 7"))
        self.assertEqual(self.logs[0].splitlines()[0], "[ERROR] ValueError: bad 7")
        self.assertEqual(self.request(loop, 2, {"id": 8})[0]["initMs"], None)


if __name__ == "__main__":
    unittest.main()
