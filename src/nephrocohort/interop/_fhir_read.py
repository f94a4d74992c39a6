"""Read FHIR R4 resources from a Bundle, NDJSON or a bulk-export folder, streamed.

Memory stays bounded by what is kept, not by the file: NDJSON is read line
by line and a Bundle entry by entry (with ijson, an iterative JSON parser),
and each resource is dropped once mapped. The files are read twice: first
the Patients (every other resource refers to them), then everything else.
A folder is a FHIR bulk export (one ``<Type>.ndjson`` file per resource
type, https://hl7.org/fhir/uv/bulkdata/) or a folder of Bundle files such as
Synthea writes. Errors name the file and the line or entry.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from nephrocohort.interop._errors import FileFormatError
from nephrocohort.interop._readers import ProgressCallback
from nephrocohort.messages import library_detail

__all__ = ["FhirSource", "read_fhir_resources", "SUPPORTED_RESOURCES"]

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
_NDJSON = (".ndjson", ".jsonl")
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"

#: Deepest nesting accepted (FHIR resources are a few tens of levels deep at most).
MAX_DEPTH = 100


def _error(code: str, **params) -> FileFormatError:
    """The error of code ``fhir.read.<code>``."""
    return FileFormatError(f"fhir.read.{code}", **params)


def _model(resource_type: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _depth(data, limit: int) -> bool:
    """True when ``data`` nests deeper than ``limit`` (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if level > limit:
            return True
        if isinstance(value, dict):
            stack.extend((item, level + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, level + 1) for item in value)
    return False


def _parse(data, where: str):
    """(resource type, parsed model or None for a type the importer does not read)."""
    if not isinstance(data, dict) or "resourceType" not in data:
        raise _error("not_a_resource", where=where)
    kind = data["resourceType"]
    if kind not in SUPPORTED_RESOURCES:
        return kind, None
    if _depth(data, MAX_DEPTH):
        raise _error("too_deep", where=where, limit=MAX_DEPTH)
    try:
        return kind, _model(kind).model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        raise _error(
            "invalid_resource", where=where, kind=kind, field=field, detail=first.get("msg")
        ) from None


def _loads(text, where_line: dict):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _error("bad_json_line", detail=error.msg, column=error.colno, **where_line) from None
    except RecursionError:
        raise _error(
            "too_deep", where=f"{where_line['name']}, line {where_line['line']}", limit=MAX_DEPTH
        ) from None


def _first_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b" \t\r\n")
    return head.removeprefix(_BYTE_ORDER_MARK).lstrip(b" \t\r\n")[:1]


class FhirSource:
    """The FHIR files at ``path`` (a file or a folder), read as (full_url, where, resource).

    ``patients()`` yields the Patients, ``others()`` every other supported
    resource; ``ignored`` counts the resource types not read (filled by
    ``others()``).
    """

    def __init__(self, path: Path | str, *, progress: ProgressCallback | None = None):
        self.path = Path(path)
        if not self.path.exists():
            raise _error("not_found", path=self.path)
        #: Files of a folder not read (not named after a FHIR resource type).
        self.unread: list[str] = []
        if self.path.is_dir():
            candidates = sorted(
                p
                for p in self.path.iterdir()
                if p.is_file() and p.suffix.lower() in (*_NDJSON, ".json")
            )
            # A bulk export names each file after its resource type ("Observation.000.ndjson");
            # other NDJSON files beside them (a log) are not resources.
            self.files = [p for p in candidates if p.suffix.lower() == ".json" or _typed(p)]
            self.unread = [p.name for p in candidates if p not in self.files]
            if not self.files:
                raise _error("empty_folder", path=self.path)
        elif self.path.is_file():
            self.files = [self.path]
        else:
            raise _error("not_a_file", path=self.path)
        for file in self.files:
            if file.suffix.lower() not in _NDJSON and _first_byte(file) != b"{":
                raise _error("not_fhir", name=file.name)
        self.progress = progress
        self.ignored: Counter = Counter()
        #: Bundle entries without a resource (a DELETE request, a response status).
        self.empty_entries = 0
        self._total = 2 * sum(p.stat().st_size for p in self.files)
        self._done = 0

    def patients(self) -> Iterator[tuple]:
        yield from self._read(patients=True)

    def others(self) -> Iterator[tuple]:
        self.ignored.clear()
        yield from self._read(patients=False)
        if self.progress:
            self.progress(self._total, self._total)

    def _advance(self, size: int) -> None:
        self._done += size
        if self.progress:
            self.progress(min(self._done, self._total), self._total)

    def _read(self, *, patients: bool) -> Iterator[tuple]:
        for file in self.files:
            if file.suffix.lower() in _NDJSON:
                yield from self._ndjson(file, patients)
            else:
                yield from self._bundle(file, patients)
                self._advance(file.stat().st_size)

    def _keep(self, data, where: str, patients: bool):
        kind = data.get("resourceType") if isinstance(data, dict) else None
        if (kind == "Patient") != patients:
            return None
        kind, resource = _parse(data, where)
        if resource is None:
            self.ignored[kind] += 1
        return resource

    def _ndjson(self, file: Path, patients: bool) -> Iterator[tuple]:
        with file.open("r", encoding="utf-8-sig") as handle:
            number = 0
            while True:
                try:
                    line = handle.readline()
                except UnicodeDecodeError:
                    raise _error("not_utf8", name=file.name) from None
                if not line:
                    break
                number += 1
                if number % 1000 == 0:
                    self._advance(0)
                self._done += len(line)
                # The first pass only parses lines that can be a Patient.
                if not line.strip() or (patients and '"Patient"' not in line):
                    continue
                data = _loads(line, {"name": file.name, "line": number})
                where = f"{file.name}, line {number}"
                resource = self._keep(data, where, patients)
                if resource is not None:
                    yield None, where, resource

    def _bundle(self, file: Path, patients: bool) -> Iterator[tuple]:
        import ijson

        kind = _top_level_type(file)
        if kind != "Bundle":
            data = _load_whole(file)
            if (kind == "Patient") != patients:
                return
            parsed_kind, resource = _parse(data, file.name)
            if resource is None:
                raise _error("not_a_bundle", name=file.name, kind=parsed_kind)
            yield None, file.name, resource
            return
        with file.open("rb") as handle:
            entries = ijson.items(_skip_bom(handle), "entry.item", use_float=True)
            index = 0
            try:
                for index, entry in enumerate(entries, start=1):
                    where = f"{file.name}, entry {index}"
                    if not isinstance(entry, dict):
                        raise _error("entry_without_resource", where=where)
                    if "resource" not in entry:
                        # A transaction's DELETE or a batch-response entry: nothing to read.
                        if not patients:
                            self.empty_entries += 1
                        continue
                    resource = self._keep(entry["resource"], where, patients)
                    if resource is not None:
                        yield entry.get("fullUrl"), where, resource
            except ijson.JSONError as error:
                raise _bad_json(file, error) from None
            except UnicodeDecodeError:
                raise _error("not_utf8", name=file.name) from None
            except RecursionError:
                raise _error(
                    "too_deep", where=f"{file.name}, entry {index + 1}", limit=MAX_DEPTH
                ) from None


def _typed(path: Path) -> bool:
    """True when the file name starts with a FHIR R4 resource type, as bulk exports name them."""
    kind = path.name.split(".", 1)[0]
    if not kind[:1].isupper():
        return False
    try:
        _model(kind)
    except (KeyError, ValueError, AttributeError, ImportError):
        return False
    return True


def _skip_bom(handle):
    if handle.read(3) != _BYTE_ORDER_MARK:
        handle.seek(0)
    return handle


def _bad_json(file: Path, error) -> FileFormatError:
    return _error("bad_json", name=file.name, detail=library_detail(error))


def _top_level_type(file: Path) -> str | None:
    """The top-level resourceType, read without loading the document.

    Raises when ``entry`` is there but not a list.
    """
    import ijson

    kind = None
    entry_seen = False
    with file.open("rb") as handle:
        try:
            for prefix, event, value in ijson.parse(_skip_bom(handle)):
                if prefix == "resourceType" and event == "string":
                    kind = value
                elif prefix == "entry" and not entry_seen:
                    entry_seen = True
                    if event != "start_array":
                        raise _error("entry_not_a_list", name=file.name)
                if kind is not None and (entry_seen or kind != "Bundle"):
                    break
        except ijson.JSONError as error:
            raise _bad_json(file, error) from None
        except UnicodeDecodeError:
            raise _error("not_utf8", name=file.name) from None
    return kind


def _load_whole(file: Path):
    """A single resource (not a Bundle): small, parsed whole."""
    try:
        with file.open("r", encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno}, column {error.colno}"
        raise _error("bad_json", name=file.name, detail=detail) from None
    except UnicodeDecodeError:
        raise _error("not_utf8", name=file.name) from None
    except RecursionError:
        raise _error("too_deep", where=file.name, limit=MAX_DEPTH) from None


def read_fhir_resources(path: Path | str, *, progress: ProgressCallback | None = None):
    """Every supported resource at ``path`` as a list, and the count of types not read.

    For small inputs and tests; the importer streams through :class:`FhirSource`.
    """
    source = FhirSource(path, progress=progress)
    resources = [(url, resource) for url, _, resource in source.patients()]
    resources += [(url, resource) for url, _, resource in source.others()]
    return resources, source.ignored
