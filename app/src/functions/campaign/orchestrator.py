"""Campaign orchestrator: splits a campaign run into per-account work items."""
from typing import Any, Dict

from src.common.events import EventError, one_of, require
from src.common.log import get_logger

log = get_logger(__name__)

ACTIONS = ("start", "pause", "resume")


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    try:
        require(event, {"campaignId": str, "action": str, "accounts": list})
        action = one_of("action", event["action"], ACTIONS)
        accounts = [a for a in event["accounts"] if isinstance(a, str) and a]
        if len(accounts) != len(event["accounts"]):
            raise EventError("event.accounts must be a list of non-empty strings")
    except EventError as e:
        log.warning("rejected event", extra={"fields": {"error": str(e)}})
        return {"ok": False, "error": str(e)}
    items = [{"campaignId": event["campaignId"], "account": a, "action": action} for a in sorted(set(accounts))]
    log.info("orchestrated campaign", extra={"fields": {"campaignId": event["campaignId"], "items": len(items)}})
    return {"ok": True, "campaignId": event["campaignId"], "action": action, "workItems": items}
