"""Durations people type: '90d', '12h', '2w' (token lifetimes, log retention)."""
import re
from datetime import timedelta

UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
PATTERN = re.compile(r"^\s*(\d{1,6})\s*([hdw])\s*$", re.IGNORECASE)
LONGEST = timedelta(days=3660)  # ten years: any longer is a typo, and datetime arithmetic stays in range


def parse_duration(text):
    """Return the timedelta of '90d', '12h' or '2w'; raise ValueError with a readable message otherwise."""
    match = PATTERN.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is not a duration like 90d, 12h or 2w.")
    value = int(match.group(1)) * UNITS[match.group(2).lower()]
    if not timedelta(0) < value <= LONGEST:
        raise ValueError(f"'{text}' must be more than nothing and at most {LONGEST.days} days.")
    return value
