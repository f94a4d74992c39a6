"""The tables and columns of the cohort data contract (DESIGN.md), as data.

Each column says its kind (text, code, date, number), whether a bundle must
have it, its allowed codes or unit, a description and an example. The model,
the schemas, the data dictionary and the XLSX template are generated from
this one declaration.
"""

from dataclasses import dataclass

from nephrocohort.cohort import vocabulary as v

__all__ = [
    "Column",
    "TableSpec",
    "TABLES",
    "TABLE_NAMES",
    "REQUIRED_TABLES",
    "SOURCE_ROW",
    "LAB_DERIVED_COLUMNS",
]

# The row number a user sees in the file: the header is row 1.
SOURCE_ROW = "source_row"
# Added to ``labs`` on load: the value as measured, next to the canonical one, and the
# unit a dipstick result's notation names when its unit cell was empty (else missing).
LAB_DERIVED_COLUMNS = ("measured_value", "measured_unit", "unit_from_notation")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` is ``text``, ``code`` (one of ``codes``), ``date`` (YYYY-MM-DD),
    ``number`` or ``lab_value`` (a number, or a dipstick grade, converted to
    a number in the canonical unit on load). ``required`` columns must exist
    and may not be empty.
    """

    name: str
    kind: str
    description: str
    example: str
    required: bool = False
    codes: tuple[str, ...] | None = None
    unit: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """One table of the bundle: its columns and what it is for."""

    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column of the table, in contract order."""
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns a bundle must have (and may not leave empty)."""
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if the table has none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _patient_id() -> Column:
    return Column(
        "patient_id",
        "text",
        "Pseudonymous patient identifier (never a name or hospital number)",
        "P001",
        required=True,
    )


def _code(name, codes, description, example, *, required=False) -> Column:
    return Column(name, "code", description, example, required=required, codes=tuple(codes))


def _date(name, description, example, *, required=False) -> Column:
    return Column(name, "date", description, example, required=required)


def _number(name, unit, description, example, *, required=False) -> Column:
    return Column(name, "number", description, example, required=required, unit=unit)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "patients",
            "One row per patient: demographics, onset, consent, serology, onset features, outcome dates.",
            (
                _patient_id(),
                Column("center", "text", "Treating center (for multi-center cohorts)", "ZAG"),
                _code("sex", v.SEX, "Sex (M or F)", "F", required=True),
                _date("birth_date", "Date of birth", "2012-03-14", required=True),
                _date("onset_date", "Date of the first nephrotic episode", "2015-06-02"),
                _code(
                    "family_history_ns",
                    v.YES_NO_UNKNOWN,
                    "Nephrotic syndrome in the family",
                    "no",
                ),
                _code("consanguinity", v.YES_NO_UNKNOWN, "Consanguineous parents", "no"),
                _date("consent_date", "Date the parents or guardians consented", "2016-01-10"),
                _date("assent_date", "Date the child assented (where applicable)", "2016-01-10"),
                _date("consent_withdrawn_date", "Date consent was withdrawn (empty if not)", ""),
                _code("hbv", v.SEROLOGY, "Hepatitis B serology", "negative"),
                _code("hcv", v.SEROLOGY, "Hepatitis C serology", "negative"),
                _code("syphilis", v.SEROLOGY, "Syphilis serology", "negative"),
                _code("hiv", v.SEROLOGY, "HIV serology", "negative"),
                _code("edema_at_onset", v.YES_NO_UNKNOWN, "Edema at onset", "yes"),
                _code("hypertension_at_onset", v.YES_NO_UNKNOWN, "Hypertension at onset", "no"),
                _code("aki_at_onset", v.YES_NO_UNKNOWN, "Acute kidney injury at onset", "no"),
                _code("hematuria_at_onset", v.YES_NO_UNKNOWN, "Hematuria at onset", "yes"),
                _date("last_followup_date", "Date of the last follow-up visit", "2024-09-30"),
                _date("death_date", "Date of death (empty if alive)", ""),
            ),
        ),
        TableSpec(
            "biopsies",
            "Kidney biopsies; the first one is the diagnostic biopsy.",
            (
                _patient_id(),
                _date("biopsy_date", "Date of the biopsy", "2015-09-21", required=True),
                _code("histology", v.HISTOLOGY, "Histological diagnosis", "FSGS", required=True),
            ),
        ),
        TableSpec(
            "genetics",
            "Genetic test results, one row per gene tested.",
            (
                _patient_id(),
                _date("test_date", "Date of the genetic test report", "2016-02-01"),
                Column(
                    "gene",
                    "text",
                    "Gene symbol (HGNC), e.g. NPHS1, NPHS2, WT1",
                    "NPHS2",
                    required=True,
                ),
                Column("variant", "text", "Variant in HGVS notation (empty if none)", "c.413G>A"),
                _code(
                    "classification",
                    v.GENETIC_CLASSIFICATION,
                    "ACMG classification of the variant, or negative",
                    "negative",
                    required=True,
                ),
            ),
        ),
        TableSpec(
            "visits",
            "Clinic visits with growth, blood pressure and edema.",
            (
                _patient_id(),
                _date("date", "Date of the visit", "2016-03-01", required=True),
                _number("weight_kg", "kg", "Body weight", "24.5"),
                _number("height_cm", "cm", "Height (standing) or length", "121.0"),
                _number("sbp_mmhg", "mmHg", "Systolic blood pressure", "104"),
                _number("dbp_mmhg", "mmHg", "Diastolic blood pressure", "66"),
                _code("edema", v.YES_NO, "Edema present at the visit", "no"),
            ),
        ),
        TableSpec(
            "labs",
            "Laboratory results in long format: one row per test per date.",
            (
                _patient_id(),
                _date("date", "Date the sample was taken", "2016-03-01", required=True),
                _code("test", tuple(v.LAB_TESTS), "Which test", "upcr", required=True),
                Column(
                    "value",
                    "lab_value",
                    "The result as measured (a dipstick result is a grade)",
                    "3.1",
                    required=True,
                ),
                Column(
                    "unit",
                    "text",
                    "Unit of the value; one of the units accepted for the test (see Lab tests)",
                    "mg/mg",
                    required=True,
                ),
            ),
        ),
        TableSpec(
            "medications",
            "Drug courses: one row per drug per period with a constant dose.",
            (
                _patient_id(),
                _code("drug", v.DRUGS, "Drug", "mmf", required=True),
                _date("start_date", "First day of the course", "2016-03-01", required=True),
                _date("end_date", "Last day of the course (empty = ongoing)", "2017-09-01"),
                _number("dose", "dose_unit", "Dose, in the unit of dose_unit", "600"),
                _code("dose_unit", v.DOSE_UNITS, "Unit of the dose", "mg/m2/dose"),
                _code("schedule", v.SCHEDULES, "How often the dose is given", "bid"),
                Column("stop_reason", "text", "Why the course ended (free text)", ""),
            ),
        ),
        TableSpec(
            "events",
            "Clinical events: relapses, remissions, adverse events, kidney outcomes, death.",
            (
                _patient_id(),
                _date("date", "Date of the event", "2016-05-14", required=True),
                _code("event", v.EVENTS, "What happened", "relapse", required=True),
                Column("detail", "text", "Free-text detail (no names)", ""),
            ),
        ),
    )
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
REQUIRED_TABLES: tuple[str, ...] = ("patients",)
