"""check_handlers.py imports each handler in a child interpreter with that function's environment."""
import os
import sys
import tempfile
import unittest

import support  # noqa: F401  (puts the runtime on sys.path)
import check_handlers


class CheckTest(unittest.TestCase):
    def test_reports_each_kind_of_problem_and_passes_a_good_handler(self):
        with tempfile.TemporaryDirectory() as root:
            files = {
                "good.py": "import os\nNEEDED = os.environ['TABLE']\ndef handler(e, c):\n    return 1\n",
                "value.py": "handler = 3\n",
                "raises.py": "raise RuntimeError('no config')\n",
            }
            for name, text in files.items():
                with open(os.path.join(root, name), "w") as f:
                    f.write(text)
            environ = {"PATH": os.environ.get("PATH", ""), "LAMBDA_TASK_ROOT": root}
            results = check_handlers.check({
                "ok": {"environment": {"_HANDLER": "good.handler", "TABLE": "t"}},
                "noenv": {"environment": {"_HANDLER": "good.handler"}},
                "missing": {"environment": {"_HANDLER": "nowhere.handler"}},
                "attr": {"environment": {"_HANDLER": "good.other", "TABLE": "t"}},
                "value": {"environment": {"_HANDLER": "value.handler"}},
                "raises": {"environment": {"_HANDLER": "raises.handler"}},
            }, environ, sys.executable)
        self.assertEqual(results, {
            "ok": None,
            "noenv": "raised KeyError while importing: 'TABLE' (good.py:2)",
            "missing": "not found: there is no module 'nowhere' in the image",
            "attr": "not found: module 'good' has no attribute 'other'",
            "value": "not callable: value.handler is a int",
            "raises": "raised RuntimeError while importing: no config (raises.py:1)",
        })


if __name__ == "__main__":
    unittest.main()
