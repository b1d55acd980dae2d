"""Device factories take their config table as a dict; accept the dataclass too."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping


def as_dict(section) -> dict:
    if section is None:
        return {}
    if dataclasses.is_dataclass(section) and not isinstance(section, type):
        return dataclasses.asdict(section)
    if isinstance(section, Mapping):
        return dict(section)
    raise TypeError(f"expected a config table (dict), got {type(section).__name__}")
