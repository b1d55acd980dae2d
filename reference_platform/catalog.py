"""The service catalog (catalog.json) and the per-service checks of a submitted form."""
from __future__ import annotations

import json
import re
from pathlib import Path

from reference_platform.models import CatalogOut

DEFAULT_CATALOG_PATH = Path(__file__).with_name("catalog.json")

# 18-character resident ID / permit number: 17 digits and a digit or X check character.
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")
# The applicant's number has the format of the document it came from (Applicant.document_type,
# kiosk.core.identity.CardType values): GB 11643 for resident IDs and the cards that reuse it, but a
# 2017 foreigner card has 3 letters + 12 digits and a passport its own 5-9 characters (ICAO 9303).
ID_NUMBER_FORMATS = {
    "resident_id": ID_NUMBER_RE,
    "hmt_residence_permit": ID_NUMBER_RE,
    "foreigner_permanent_2023": ID_NUMBER_RE,
    "social_security": ID_NUMBER_RE,
    "foreigner_permanent_2017": re.compile(r"^[A-Z]{3}[0-9]{12}$"),
    "emrtd": re.compile(r"^[A-Z0-9]{5,9}$"),
}


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


def form_problems(service: dict, values: dict, fields: list[dict] | None = None,
                  document_type: str = "resident_id") -> list[str]:
    """Problems with the submitted values, as "field: reason" -- field ids only, never values.

    `values` merges the applicant block and the form: prefilled fields (card.*) may arrive in either.
    `fields` defaults to the service's own fields (pass Catalog.fields_of(service) for bundles).
    `document_type` is the document the applicant's number comes from (its format differs).
    """
    id_number_format = ID_NUMBER_FORMATS.get(document_type)
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
        elif spec["type"] == "id_number" and (id_number_format is None or not id_number_format.match(text)):
            problems.append(f"{spec['id']}: not a valid {document_type} number")
        elif spec["type"] == "choice" and text not in {c["value"] for c in spec.get("choices") or []}:
            problems.append(f"{spec['id']}: not one of the offered choices")
        elif spec.get("max_length") and len(text) > spec["max_length"]:
            problems.append(f"{spec['id']}: too long")
    return problems
