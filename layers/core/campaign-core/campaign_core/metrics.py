"""Campaign metrics: click-through rate and cost per click from raw totals."""
from typing import Dict, Union

Number = Union[int, float]


def summarize(impressions: Number, clicks: Number, cost: Number) -> Dict[str, float]:
    """CTR and CPC, rounded to 4 places; 0 where the denominator is 0."""
    for name, value in (("impressions", impressions), ("clicks", clicks), ("cost", cost)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a non-negative number; got {value!r}")
    ctr = clicks / impressions if impressions else 0.0
    cpc = cost / clicks if clicks else 0.0
    return {"ctr": round(ctr, 4), "cpc": round(cpc, 4)}
