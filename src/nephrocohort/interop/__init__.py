"""Interoperability: SPSS/Stata/CSV/XLSX/REDCap export, legacy sheets, REDCap and FHIR import.

Every importer validates like a bundle and writes all-or-nothing; every
export is de-identified unless explicitly asked otherwise.
"""

from nephrocohort.cohort.analysis_csv import read_analysis_csv
from nephrocohort.interop._bundle_io import bundle_csv_texts
from nephrocohort.interop._deidentify import DATE_MODES, DeidentifiedData, deidentify
from nephrocohort.interop._errors import FileFormatError, InteropError, MappingError
from nephrocohort.interop._export import (
    EXPORT_FORMATS,
    ExportSummary,
    codebook,
    default_key_path,
    export_tables,
)
from nephrocohort.interop._fhir import import_fhir, tables_from_fhir
from nephrocohort.interop._fhir_export import fhir_bundle, write_fhir_bundle
from nephrocohort.interop._fhir_read import read_fhir_resources
from nephrocohort.interop._legacy import import_table, read_legacy_sheet
from nephrocohort.interop._mapping import Mapping, load_mapping, parse_mapping
from nephrocohort.interop._omop_background import write_synthetic_omop
from nephrocohort.interop._omop_phenotype import load_phenotype
from nephrocohort.interop._omop_read import extract_omop, import_omop, read_omop_cohort
from nephrocohort.interop._redcap import (
    REDCAP_DICTIONARY_HEADERS,
    import_redcap,
    redcap_dictionary,
    redcap_records,
    tables_from_redcap_records,
    write_redcap_dictionary,
    write_suggested_redcap_mapping,
)
from nephrocohort.interop._results import ImportResult
from nephrocohort.interop._suggest import suggest_mapping, write_suggested_mapping
from nephrocohort.interop._variables import (
    ANALYSIS_VARIABLES,
    RAW_TABLES,
    REGISTRY_TABLES,
    Variable,
)

__all__ = [
    "ANALYSIS_VARIABLES",
    "DATE_MODES",
    "EXPORT_FORMATS",
    "RAW_TABLES",
    "REGISTRY_TABLES",
    "REDCAP_DICTIONARY_HEADERS",
    "DeidentifiedData",
    "ExportSummary",
    "FileFormatError",
    "ImportResult",
    "InteropError",
    "Mapping",
    "MappingError",
    "Variable",
    "bundle_csv_texts",
    "codebook",
    "default_key_path",
    "deidentify",
    "export_tables",
    "fhir_bundle",
    "import_fhir",
    "import_redcap",
    "import_table",
    "load_mapping",
    "parse_mapping",
    "read_legacy_sheet",
    "suggest_mapping",
    "write_suggested_mapping",
    "read_analysis_csv",
    "read_fhir_resources",
    "redcap_dictionary",
    "redcap_records",
    "tables_from_fhir",
    "tables_from_redcap_records",
    "write_fhir_bundle",
    "write_redcap_dictionary",
    "write_suggested_redcap_mapping",
    "extract_omop",
    "import_omop",
    "load_phenotype",
    "read_omop_cohort",
    "write_synthetic_omop",
]
