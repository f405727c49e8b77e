"""Event validation shared by the handlers: a bad event is a client error, not a crash."""
from typing import Any, Dict, Iterable


class EventError(ValueError):
    """The event is missing a field or has one of the wrong type."""


def require(event: Any, fields: Dict[str, type]) -> Dict[str, Any]:
    if not isinstance(event, dict):
        raise EventError(f"event must be a JSON object; got {type(event).__name__}")
    for name, kind in fields.items():
        if name not in event:
            raise EventError(f"event.{name} is required")
        if not isinstance(event[name], kind) or (kind is int and isinstance(event[name], bool)):
            raise EventError(f"event.{name} must be {kind.__name__}; got {type(event[name]).__name__}")
    return event


def one_of(name: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise EventError(f"event.{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value
