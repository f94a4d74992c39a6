"""Connecting to an OMOP CDM database through Ibis, from a URL.

``duckdb:///path/cdm.duckdb`` (the embedded default), a folder of Parquet or
CSV files (one per OMOP table, read by DuckDB), ``postgresql://user@host/db``
(``postgres://`` too), or an existing Ibis backend (a PySpark session's
``ibis.pyspark.connect(spark)``). BigQuery, Databricks, Snowflake and Trino
are Ibis backends too and should work through their own URLs; they are
untested here (docs/omop.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from nephrocohort.interop._errors import InteropError

__all__ = ["OMOP_URL_SCHEMES", "connect", "import_backend", "is_omop_url", "split_cdm_schema"]

OMOP_URL_SCHEMES = ("duckdb://", "postgresql://", "postgres://")
_PACKAGES = {"ibis": "ibis-framework", "duckdb": "duckdb", "pyspark": "pyspark"}


def import_backend(module: str):
    """Import an optional dependency of the OMOP source, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InteropError("omop.missing_package", package=_PACKAGES.get(module, module)) from None


def is_omop_url(data) -> bool:
    """Whether ``--data`` names an OMOP database (a URL with a scheme Ibis reads)."""
    return isinstance(data, str) and data.lower().startswith(OMOP_URL_SCHEMES)


def split_cdm_schema(database):
    """``(url, schema)``: a URL may name its CDM schema, ``...?cdm_schema=cdm`` (for ``--data``,
    which has no ``--cdm-schema``); other query parameters stay in the URL."""
    if not is_omop_url(database) or "?" not in database:
        return database, None
    base, query = database.split("?", 1)
    kept, schema = [], None
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "cdm_schema" and value:
            schema = value
        elif part:
            kept.append(part)
    return (base + ("?" + "&".join(kept) if kept else "")), schema


def connect(database):
    """An Ibis backend for ``database`` (a URL, a folder of table files, or a backend)."""
    if hasattr(database, "table") and hasattr(database, "list_tables"):
        return database
    ibis = import_backend("ibis")
    text = str(database)
    if text.lower().startswith("duckdb://"):
        path = duckdb_path(text)
        if not path.is_file():
            raise InteropError("omop.database_not_found", path=str(path))
        import_backend("duckdb")
        return ibis.duckdb.connect(str(path), read_only=True)
    if text.lower().startswith(("postgresql://", "postgres://")):
        try:
            return ibis.connect(text.replace("postgresql://", "postgres://", 1))
        except Exception as error:  # the driver's own reason, e.g. no server or no database
            raise InteropError(
                "omop.cannot_connect", url=_without_password(text), reason=str(error)
            ) from None
    folder = Path(text)
    if folder.is_dir():
        con = ibis.duckdb.connect()
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() == ".parquet":
                con.read_parquet(file, table_name=file.stem.lower())
            elif file.suffix.lower() == ".csv":
                con.read_csv(file, table_name=file.stem.lower())
        return con
    raise InteropError("omop.database_not_found", path=text)


def duckdb_path(url: str) -> Path:
    """The file of a ``duckdb://`` URL: ``duckdb:///abs/cdm.duckdb`` is absolute when that
    file exists, else relative (``duckdb:///cdm.duckdb`` is ``./cdm.duckdb``)."""
    rest = url.split("://", 1)[1]
    if rest.startswith("//"):  # duckdb:////abs/cdm.duckdb (SQLAlchemy's spelling): one root
        rest = "/" + rest.lstrip("/")
    absolute = Path(rest)
    if rest.startswith("/") and (absolute.is_file() or absolute.parent != Path("/")):
        return absolute if absolute.is_file() or not Path(rest[1:]).is_file() else Path(rest[1:])
    return Path(rest.lstrip("/"))


def _without_password(url: str) -> str:
    """The URL as shown in messages: a password is never printed."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"


#: The vocabulary tables the concept sets are resolved through (docs/omop.md, Concept sets).
_VOCABULARY = ("concept", "concept_ancestor")


class CdmTables:
    """The OMOP tables of one schema of a backend: ``tables.table("person")``."""

    def __init__(self, backend, schema: str | None = None):
        self.backend = backend
        self.schema = schema or None

    def names(self) -> list[str]:
        if self.schema is None:
            return list(self.backend.list_tables())
        return list(self.backend.list_tables(database=self.schema))

    def has(self, name: str) -> bool:
        return name in self.names()

    def table(self, name: str):
        if not self.has(name):
            if name in _VOCABULARY and self.has("person"):
                raise InteropError(
                    "omop.missing_vocabulary", table=name, schema=self.schema or "(default)"
                )
            raise InteropError(
                "omop.missing_table",
                table=name,
                schema=self.schema or "(default)",
                available=", ".join(sorted(self.names())[:12]) or "no tables",
            )
        if self.schema is None:
            return self.backend.table(name)
        return self.backend.table(name, database=self.schema)
