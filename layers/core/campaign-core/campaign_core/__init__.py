"""Shared campaign logic, shipped to zip functions as a Docker-built layer."""
from campaign_core.metrics import summarize

__all__ = ["summarize"]
__version__ = "1.0.0"
