"""The zip function and the layer package, tested with the layer source on sys.path as Lambda mounts /opt/python."""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "layers", "core", "campaign-core"))
sys.path.insert(0, os.path.join(HERE, "..", "zip"))

from campaign_core import summarize  # noqa: E402
import report_api  # noqa: E402


class LayerPackageTest(unittest.TestCase):
    def test_summarize_computes_ctr_and_cpc(self):
        self.assertEqual(summarize(1000, 25, 12.5), {"ctr": 0.025, "cpc": 0.5})

    def test_summarize_handles_zero_denominators(self):
        self.assertEqual(summarize(0, 0, 0), {"ctr": 0.0, "cpc": 0.0})

    def test_summarize_rejects_negative_and_non_numbers(self):
        with self.assertRaisesRegex(ValueError, r"^clicks must be a non-negative number; got -1$"):
            summarize(1, -1, 0)
        with self.assertRaisesRegex(ValueError, r"^cost must be a non-negative number; got True$"):
            summarize(1, 1, True)


class ReportApiTest(unittest.TestCase):
    def test_returns_metrics_for_valid_query(self):
        out = report_api.handler({"queryStringParameters": {"impressions": "200", "clicks": "10", "cost": "5"}})
        self.assertEqual((out["statusCode"], json.loads(out["body"])), (200, {"ctr": 0.05, "cpc": 0.5}))

    def test_missing_parameter_is_a_400(self):
        out = report_api.handler({"queryStringParameters": {"impressions": "200"}})
        self.assertEqual((out["statusCode"], json.loads(out["body"])), (400, {"error": "query parameter clicks is required"}))


if __name__ == "__main__":
    unittest.main()
