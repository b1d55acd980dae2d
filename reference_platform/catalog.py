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
        for service in data["services"]:
            for item in service.get("items", []):
                if item not in self._services:
                    raise ValueError(f"catalog: bundle {service['id']!r} references missing service {item!r}")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Catalog":
        return cls(json.loads(Path(path or DEFAULT_CATALOG_PATH).read_text(encoding="utf-8")))

    def service(self, service_id: str) -> dict | None:
        return self._services.get(service_id)

    def fields_of(self, service: dict) -> list[dict]:
        """A bundle (一件事) is checked against its items' fields, each field id once: one form."""
        if not service.get("items"):
            return service["fields"]
        fields, seen = [], set()
        for item in service["items"]:
            for spec in self._services[item]["fields"]:
                if spec["id"] not in seen:
                    seen.add(spec["id"])
                    fields.append(spec)
        return fields + [f for f in service.get("fields", []) if f["id"] not in seen]


def form_problems(service: dict, values: dict, fields: list[dict] | None = None) -> list[str]:
    """Problems with the submitted values, as "field: reason" -- field ids only, never values.

    `values` merges the applicant block and the form: prefilled fields (card.*) may arrive in either.
    `fields` defaults to the service's own fields (pass Catalog.fields_of(service) for bundles).
    """
    problems = []
    for spec in service["fields"] if fields is None else fields:
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
        elif spec["type"] == "choice" and text not in {c["value"] for c in spec.get("choices") or []}:
            problems.append(f"{spec['id']}: not one of the offered choices")
        elif spec.get("max_length") and len(text) > spec["max_length"]:
            problems.append(f"{spec['id']}: too long")
    return problems
