"""Report sync job: totals the metric rows of one report day, invoked directly or by SQS (one report per message)."""
import json
from typing import Any, Dict

from src.common.events import EventError, require
from src.common.log import get_logger

log = get_logger(__name__)


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        # An SQS batch: each message body is one report. A malformed body is logged and dropped, not retried.
        results = []
        for record in event["Records"]:
            try:
                body = json.loads(record.get("body", ""))
            except (AttributeError, ValueError) as e:
                log.warning("rejected message", extra={"fields": {"error": f"body is not JSON: {e}"}})
                results.append({"ok": False, "error": "body is not JSON"})
                continue
            results.append(sync_one(body))
        return {"ok": all(r["ok"] for r in results), "reports": results}
    return sync_one(event)


def sync_one(event: Any) -> Dict[str, Any]:
    try:
        require(event, {"reportDate": str, "rows": list})
        totals: Dict[str, float] = {}
        for i, row in enumerate(event["rows"]):
            if not isinstance(row, dict) or not isinstance(row.get("metric"), str):
                raise EventError(f"event.rows[{i}].metric must be a string")
            value = row.get("value")
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise EventError(f"event.rows[{i}].value must be a number")
            totals[row["metric"]] = totals.get(row["metric"], 0) + value
    except EventError as e:
        log.warning("rejected event", extra={"fields": {"error": str(e)}})
        return {"ok": False, "error": str(e)}
    log.debug("row totals", extra={"fields": {"totals": totals}})
    log.info("synced report", extra={"fields": {"reportDate": event["reportDate"], "rows": len(event["rows"])}})
    return {"ok": True, "reportDate": event["reportDate"], "rows": len(event["rows"]), "totals": dict(sorted(totals.items()))}
