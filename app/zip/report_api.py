"""A zip function: campaign metrics over HTTP, using campaign_core from the Docker-built layer (/opt/python)."""
import json
import logging
import os
from typing import Any, Dict

from campaign_core import summarize

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    params = (event or {}).get("queryStringParameters") or {}
    try:
        totals = {k: float(params[k]) for k in ("impressions", "clicks", "cost")}
        body, status = summarize(**totals), 200
    except KeyError as e:
        body, status = {"error": f"query parameter {e.args[0]} is required"}, 400
    except ValueError as e:
        body, status = {"error": str(e)}, 400
    logger.info(json.dumps({"message": "metrics", "status": status}))
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body, sort_keys=True)}
