"""Read FHIR R4 resources from a Bundle (JSON) or NDJSON, with errors that name the line or entry.

NDJSON is streamed line by line, so bulk exports larger than memory work; a
Bundle is one JSON document and is parsed whole.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from nephrocohort.interop._errors import FileFormatError
from nephrocohort.interop._readers import ProgressCallback

__all__ = ["read_fhir_resources", "SUPPORTED_RESOURCES"]

#: The resource types the importer maps; others are counted and reported.
SUPPORTED_RESOURCES = (
    "Patient",
    "Observation",
    "MedicationStatement",
    "MedicationRequest",
    "Condition",
    "Procedure",
    "DiagnosticReport",
)


# code -> sentence (STYLE.md 2.6): every user-facing sentence of this module, in one place.
MESSAGES: dict[str, str] = {
    "not_a_resource": "{where} is not a FHIR resource (no resourceType).",
    "invalid_resource": "{where}: the {kind} resource is not valid FHIR R4 ({field}: {detail}).",
    "not_found": "{path} does not exist.",
    "bad_json_line": "{name}, line {line}: not valid JSON ({detail} at column {column}).",
    "not_fhir": (
        "{name} is neither a FHIR Bundle (JSON starting with '{{') nor NDJSON "
        "(name it .ndjson, one resource per line)."
    ),
    "bad_json": "{name} is not valid JSON: {detail} at line {line}, column {column}.",
    "not_utf8": "{name} is not UTF-8 text; FHIR JSON must be UTF-8.",
    "not_a_bundle": "{name} holds a {kind}, not a Bundle of patient data.",
    "entry_not_a_list": "{name}: Bundle.entry must be a list.",
    "entry_without_resource": "{where} has no resource.",
}


def _error(code: str, **params) -> FileFormatError:
    return FileFormatError(MESSAGES[code].format(**params))


def _model(resource_type: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _parse(data: dict, where: str):
    if not isinstance(data, dict) or "resourceType" not in data:
        raise _error("not_a_resource", where=where)
    kind = data["resourceType"]
    if kind not in SUPPORTED_RESOURCES:
        return kind, None
    try:
        return kind, _model(kind).model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        raise _error(
            "invalid_resource", where=where, kind=kind, field=field, detail=first.get("msg")
        ) from None


def read_fhir_resources(path: Path | str, *, progress: ProgressCallback | None = None):
    """Parsed resources from a Bundle JSON file or an NDJSON file (one resource per line).

    Returns ``(resources, ignored_types)``: the supported resources, and a
    count of the resource types this importer does not read.
    """
    path = Path(path)
    if not path.exists():
        raise _error("not_found", path=path)
    ignored: Counter = Counter()
    resources = []
    total = path.stat().st_size
    with path.open("rb") as handle:
        first = handle.read(1)
        while first in (b" ", b"\n", b"\r", b"\t", b"\xef", b"\xbb", b"\xbf"):
            first = handle.read(1)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        # Streamed line by line: an NDJSON export can be far larger than memory.
        done = 0
        with path.open("r", encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                done += len(line.encode("utf-8"))
                if progress and number % 1000 == 0:
                    progress(done, total)
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise _error(
                        "bad_json_line",
                        name=path.name,
                        line=number,
                        detail=error.msg,
                        column=error.colno,
                    ) from None
                kind, resource = _parse(data, f"{path.name}, line {number}")
                if resource is None:
                    ignored[kind] += 1
                else:
                    resources.append(resource)
        if progress:
            progress(total, total)
        return resources, ignored
    if first != b"{":
        raise _error("not_fhir", name=path.name)
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise _error(
            "bad_json", name=path.name, detail=error.msg, line=error.lineno, column=error.colno
        ) from None
    except UnicodeDecodeError:
        raise _error("not_utf8", name=path.name) from None
    if progress:
        progress(total, total)
    if data.get("resourceType") != "Bundle":
        kind, resource = _parse(data, path.name)
        if resource is None:
            raise _error("not_a_bundle", name=path.name, kind=kind)
        return [resource], ignored
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise _error("entry_not_a_list", name=path.name)
    for index, entry in enumerate(entries):
        where = f"{path.name}, entry {index + 1}"
        if not isinstance(entry, dict) or "resource" not in entry:
            raise _error("entry_without_resource", where=where)
        kind, resource = _parse(entry["resource"], where)
        if resource is None:
            ignored[kind] += 1
            continue
        full_url = entry.get("fullUrl")
        resources.append((full_url, resource))
    return resources, ignored
