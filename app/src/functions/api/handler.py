"""HTTP-style API handler (API Gateway / function URL payload v2): GET /health and POST /campaigns."""
import json
from typing import Any, Dict

from src.common.log import get_logger

log = get_logger(__name__)


def _response(status: int, body: Dict[str, Any]) -> Dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body, sort_keys=True)}


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    if not isinstance(event, dict):
        return _response(400, {"error": "event must be a JSON object"})
    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = http.get("method", event.get("httpMethod")), event.get("rawPath", event.get("path"))
    log.info("request", extra={"fields": {"method": method, "path": path}})
    if method == "GET" and path == "/health":
        return _response(200, {"status": "ok"})
    if method == "POST" and path == "/campaigns":
        try:
            body = json.loads(event.get("body") or "")
        except json.JSONDecodeError:
            return _response(400, {"error": "body must be JSON"})
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return _response(400, {"error": "body.name must be a non-empty string"})
        return _response(201, {"name": name.strip(), "status": "created"})
    return _response(404, {"error": f"no route for {method} {path}"})
