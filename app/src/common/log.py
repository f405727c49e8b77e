"""JSON logging at the level given by LOG_LEVEL, one object per line, as CloudWatch Logs Insights likes it."""
import json
import logging
import os
import sys

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        return json.dumps(entry, sort_keys=True, default=str)


def get_logger(name: str) -> logging.Logger:
    """A logger that writes JSON lines to stdout at LOG_LEVEL (default INFO)."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(_LEVELS.get(os.environ.get("LOG_LEVEL", "INFO").upper(), logging.INFO))
    return logger
