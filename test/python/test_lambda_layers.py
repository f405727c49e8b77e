"""lambda_layers.py extracts layers into /opt in order, keeping modes, as Lambda does."""
import os
import sys
import tempfile
import unittest
import zipfile

import support  # noqa: F401  (puts the runtime on sys.path)
import lambda_layers


class SetupLayersTest(unittest.TestCase):
    def test_extracts_zips_and_directories_in_order_and_adds_python_to_the_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            mount, opt = os.path.join(tmp, "layers"), os.path.join(tmp, "opt")
            os.makedirs(os.path.join(mount, "1", "python"))
            with open(os.path.join(mount, "1", "python", "shared.py"), "w") as f:
                f.write("version = 2\n")
            with zipfile.ZipFile(os.path.join(mount, "0"), "w") as z:
                info = zipfile.ZipInfo("python/shared.py")
                info.external_attr = 0o644 << 16
                z.writestr(info, "version = 1\n")
                tool = zipfile.ZipInfo("bin/tool")
                tool.external_attr = 0o755 << 16
                z.writestr(tool, "#!/bin/sh\n")
            try:
                lambda_layers.setup_layers(mount, opt)
                with open(os.path.join(opt, "python", "shared.py")) as f:
                    self.assertEqual(f.read(), "version = 2\n")  # the later layer wins, as on Lambda
                self.assertEqual(os.stat(os.path.join(opt, "bin", "tool")).st_mode & 0o777, 0o755)
                self.assertIn(os.path.join(opt, "python"), sys.path)
            finally:
                if os.path.join(opt, "python") in sys.path:
                    sys.path.remove(os.path.join(opt, "python"))

    def test_does_nothing_without_layers(self):
        with tempfile.TemporaryDirectory() as tmp:
            before = list(sys.path)
            lambda_layers.setup_layers(os.path.join(tmp, "none"), os.path.join(tmp, "opt"))
            self.assertEqual(sys.path, before)


if __name__ == "__main__":
    unittest.main()
