"""Puts lib/local/python on sys.path and gives each test a temporary module directory."""
import os
import sys
import tempfile
import unittest

RUNTIME_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "lib", "local", "python"))
if RUNTIME_DIR not in sys.path:
    sys.path.insert(0, RUNTIME_DIR)


class ModuleDirTest(unittest.TestCase):
    """A test with a temporary directory on sys.path, whose modules are forgotten afterwards."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        sys.path.insert(0, self.dir)
        self.before = set(sys.modules)

    def tearDown(self):
        sys.path.remove(self.dir)
        for name in set(sys.modules) - self.before:
            del sys.modules[name]
        self.tmp.cleanup()

    def write(self, relpath, text):
        path = os.path.join(self.dir, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path
