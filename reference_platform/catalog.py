"""The service catalog (catalog.json) and the per-service checks of a submitted form."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reference_platform.models import CatalogOut

DEFAULT_CATALOG_PATH = Path(__file__).with_name("catalog.json")

# 18-character resident ID / permit number: 17 digits and a digit or X check character.
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")


class Catalog:
    def __init__(self, data: dict):
        CatalogOut.model_validate(data)  # a broken catalog.json fails at start-up, not in a kiosk
        self.data = data
        self.version: str = data["version"]
        self._services = {service["id"]: service for service in data["services"]}

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Catalog":
        return cls(json.loads(Path(path or DEFAULT_CATALOG_PATH).read_text(encoding="utf-8")))

    def service(self, service_id: str) -> dict | None:
        return self._services.get(service_id)


def form_problems(service: dict, values: dict) -> list[str]:
    """Problems with the submitted values, as "field: reason" -- field ids only, never values.

    `values` merges the applicant block and the form: prefilled fields (card.*) may arrive in either.
    """
    problems = []
    for spec in service["fields"]:
        value = values.get(spec["id"])
        text = value.strip() if isinstance(value, str) else value
        if text in (None, ""):
            if spec.get("required", True):
                problems.append(f"{spec['id']}: required")
            continue
        if not isinstance(text, str):
            problems.append(f"{spec['id']}: expected text")
        elif spec.get("pattern") and not re.fullmatch(spec["pattern"], text):
            problems.append(f"{spec['id']}: does not match the required format")
        elif spec["type"] == "id_number" and not ID_NUMBER_RE.match(text):
            problems.append(f"{spec['id']}: not a valid ID number")
    return problems
