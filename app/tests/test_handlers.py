"""Unit tests for the example handlers: run with `python3 -m unittest discover -s tests -t .` from app/."""
import io
import json
import os
import unittest
from unittest import mock

from src.functions.api.handler import handler as api
from src.functions.campaign.orchestrator import handler as orchestrator
from src.functions.reports.sync import handler as sync


class OrchestratorTest(unittest.TestCase):
    def test_splits_a_campaign_into_sorted_unique_work_items(self):
        out = orchestrator({"campaignId": "c1", "action": "start", "accounts": ["b", "a", "b"]})
        self.assertEqual(out, {
            "ok": True, "campaignId": "c1", "action": "start",
            "workItems": [
                {"campaignId": "c1", "account": "a", "action": "start"},
                {"campaignId": "c1", "account": "b", "action": "start"},
            ],
        })

    def test_rejects_an_unknown_action_with_the_allowed_ones(self):
        out = orchestrator({"campaignId": "c1", "action": "stop", "accounts": []})
        self.assertEqual(out, {"ok": False, "error": "event.action must be one of start, pause, resume; got 'stop'"})

    def test_rejects_a_missing_field(self):
        self.assertEqual(orchestrator({"action": "start"}), {"ok": False, "error": "event.campaignId is required"})


class SyncTest(unittest.TestCase):
    def test_syncs_each_message_of_an_sqs_batch_and_drops_a_malformed_one(self):
        report = {"reportDate": "2026-11-01", "rows": [{"metric": "clicks", "value": 2}]}
        out = sync({"Records": [{"messageId": "1", "body": json.dumps(report)}, {"messageId": "2", "body": "not json"}]})
        self.assertEqual(out, {"ok": False, "reports": [
            {"ok": True, "reportDate": "2026-11-01", "rows": 1, "totals": {"clicks": 2}},
            {"ok": False, "error": "body is not JSON"},
        ]})

    def test_totals_rows_per_metric(self):
        out = sync({"reportDate": "2026-11-01", "rows": [
            {"metric": "clicks", "value": 2}, {"metric": "cost", "value": 1.5}, {"metric": "clicks", "value": 3}]})
        self.assertEqual(out, {"ok": True, "reportDate": "2026-11-01", "rows": 3, "totals": {"clicks": 5, "cost": 1.5}})

    def test_rejects_a_non_numeric_value(self):
        out = sync({"reportDate": "2026-11-01", "rows": [{"metric": "clicks", "value": "2"}]})
        self.assertEqual(out, {"ok": False, "error": "event.rows[0].value must be a number"})


class ApiTest(unittest.TestCase):
    def test_health(self):
        out = api({"rawPath": "/health", "requestContext": {"http": {"method": "GET"}}})
        self.assertEqual(out["statusCode"], 200)
        self.assertEqual(json.loads(out["body"]), {"status": "ok"})

    def test_create_campaign_validates_the_body(self):
        bad = api({"rawPath": "/campaigns", "body": "{}", "requestContext": {"http": {"method": "POST"}}})
        self.assertEqual((bad["statusCode"], json.loads(bad["body"])), (400, {"error": "body.name must be a non-empty string"}))
        good = api({"rawPath": "/campaigns", "body": "{\"name\": \" q4 \"}", "requestContext": {"http": {"method": "POST"}}})
        self.assertEqual((good["statusCode"], json.loads(good["body"])), (201, {"name": "q4", "status": "created"}))

    def test_unknown_route_is_404(self):
        out = api({"rawPath": "/nope", "requestContext": {"http": {"method": "GET"}}})
        self.assertEqual((out["statusCode"], json.loads(out["body"])), (404, {"error": "no route for GET /nope"}))


class LoggingTest(unittest.TestCase):
    def test_logs_one_json_object_per_line_at_log_level(self):
        import importlib
        import src.common.log as log_module
        with mock.patch.dict(os.environ, {"LOG_LEVEL": "WARNING"}):
            logger = log_module.get_logger("test.warning")
            buf = io.StringIO()
            logger.handlers[0].stream = buf
            logger.info("hidden")
            logger.warning("shown", extra={"fields": {"k": 1}})
        self.assertEqual([json.loads(l) for l in buf.getvalue().splitlines()],
                         [{"k": 1, "level": "WARNING", "logger": "test.warning", "message": "shown"}])
        importlib.reload(log_module)


if __name__ == "__main__":
    unittest.main()
