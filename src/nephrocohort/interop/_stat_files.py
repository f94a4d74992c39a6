"""Write SPSS ``.sav`` and Stata ``.dta`` files from explicitly typed tables.

The writer (pyreadstat) is handed only ``float64`` and ``str`` columns with
their display formats, so it never has to guess a type (it sniffs the first
100 values of an untyped column and mistypes a date column whose first 100
values are empty). Dates are written as numbers in each program's own
calendar with a date format: SPSS counts seconds since 14 October 1582,
Stata days since 1 January 1960 (SPSS Statistics Command Syntax Reference,
"Date and time functions"; Stata User's Guide [U] 24 "Working with dates and
times").

Codes the report reads as "not recorded" (``unknown``) are declared missing:
in SPSS as discrete user-missing values (the code keeps its value label and
FREQUENCIES lists it under "Missing"); in Stata as the extended missing value
``.a`` labelled "Unknown", which ``tab`` and every estimation command leave
out ([U] 12.2.1 "Missing values").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._labelled import LabelledFrame, labelled_frame
from nephrocohort.messages import render_text

__all__ = [
    "STATA_VERSIONS",
    "DEFAULT_STATA_VERSION",
    "stata_release",
    "write_spss",
    "write_stata",
]

#: ``--stata-version`` (the Stata release, or the file format number) -> pyreadstat's
#: ``version``. Release 115 is the Stata 12 format, 117 Stata 13, 118 Stata 14 (the
#: first in UTF-8), 119 Stata 15 (more than 32,767 variables).
STATA_VERSIONS: dict[int, int] = {
    12: 12,
    115: 12,
    13: 13,
    117: 13,
    14: 14,
    118: 14,
    15: 15,
    119: 15,
}
#: The format Stata 12 and later, R ``foreign::read.dta`` (formats up to 115) and
#: ``haven::read_dta`` all open (checked with R 4.2.2, foreign 0.8-84, haven 2.5.1).
DEFAULT_STATA_VERSION = 12

_SPSS_DAYS_TO_1970 = 141_428  # days from 1582-10-14 to 1970-01-01
_STATA_DAYS_TO_1970 = 3_653  # days from 1960-01-01 to 1970-01-01
_SECONDS_PER_DAY = 86_400
_STATA_NAME_LIMIT = 32
_STATA_LABEL_LIMIT = 80
# Stata 12 files hold str1-str244, but pyreadstat 1.3 compares its ``version`` (12) with
# the format number (111) and so writes at most 127 bytes per string in them.
_STATA_OLD_STRING_LIMIT = 127
_STATA_TAGS = "abcdefghijklmnopqrstuvwxyz"

_SPSS_FORMATS = {"date": "DATE11", "code": "F8.0", "integer": "F8.0"}
_STATA_FORMATS = {"date": "%td", "code": "%8.0g", "integer": "%8.0g"}


def stata_release(version: int) -> int:
    """pyreadstat's ``version`` for a ``--stata-version``; an unknown one is an error."""
    if version not in STATA_VERSIONS:
        raise InteropError(
            "stat_files.stata_version",
            version=version,
            versions=", ".join(str(v) for v in STATA_VERSIONS),
        )
    return STATA_VERSIONS[version]


def _spss_frame(encoded: LabelledFrame) -> pd.DataFrame:
    frame = encoded.frame.copy()
    for column, kind in encoded.kinds.items():
        if kind == "date":
            frame[column] = (frame[column] + _SPSS_DAYS_TO_1970) * _SECONDS_PER_DAY
    return frame


def write_spss(
    tables: Mapping[str, pd.DataFrame], folder: Path, *, pseudonymous: bool = True
) -> list[str]:
    """One ``.sav`` per table, with labels, levels, formats and user-missing codes."""
    import pyreadstat

    files = []
    for name, frame in tables.items():
        encoded = labelled_frame(name, frame, pseudonymous=pseudonymous)
        path = folder / f"{name}.sav"
        pyreadstat.write_sav(
            _spss_frame(encoded),
            path,
            file_label=f"NephroCohort {name}",
            column_labels=encoded.column_labels,
            variable_value_labels=encoded.value_labels,
            variable_measure=encoded.measures,
            variable_format={
                c: _SPSS_FORMATS[k] for c, k in encoded.kinds.items() if k in _SPSS_FORMATS
            },
            missing_ranges={
                c: [float(v) for v in codes] for c, codes in encoded.missing_codes.items()
            },
        )
        files.append(path.name)
    return files


def _tagged(values: pd.Series, tags: dict[int, str]) -> pd.Series:
    """A coded column with its missing codes replaced by Stata tags (``.a``, ...).

    A categorical whose categories are the float codes and the tags: the writer
    reads a categorical's type from its categories, so the column is numeric
    however many of its first values are tags.
    """
    numbers = sorted(float(v) for v in pd.unique(values.dropna()) if int(v) not in tags)
    cells = [
        None if pd.isna(v) else tags.get(int(v), float(v)) for v in values.to_numpy(dtype=float)
    ]
    categories = [*numbers, *tags.values()] or [*tags.values()]
    return pd.Series(pd.Categorical(cells, categories=categories), index=values.index)


def _check_names(name: str, encoded: LabelledFrame) -> None:
    too_long = [c for c in encoded.frame.columns if len(c) > _STATA_NAME_LIMIT]
    if too_long:
        raise InteropError(
            "stat_files.stata_names",
            limit=_STATA_NAME_LIMIT,
            table=name,
            columns=", ".join(too_long),
        )


def _cut(text: str) -> str:
    """``text`` cut to the old-format limit in bytes, never inside a character."""
    return text.encode("utf-8")[:_STATA_OLD_STRING_LIMIT].decode("utf-8", errors="ignore")


def _fit_old_strings(name: str, frame: pd.DataFrame, kinds, version: int, notes: list) -> None:
    """Before Stata 13 strings are short (no strL): cut longer texts, as SPSS does, and say so."""
    for column, kind in kinds.items():
        if kind != "text":
            continue
        if not frame[column].map(str.isascii).all():
            notes.append(render_text("stat_files.stata_old_encoding", table=name, column=column))
        lengths = frame[column].map(lambda s: len(s.encode("utf-8")))
        long = lengths > _STATA_OLD_STRING_LIMIT
        if long.any():
            frame[column] = frame[column].map(_cut)
            notes.append(
                render_text(
                    "stat_files.stata_long_text",
                    table=name,
                    column=column,
                    count=int(long.sum()),
                    longest=int(lengths.max()),
                    version=version,
                    limit=_STATA_OLD_STRING_LIMIT,
                )
            )


def write_stata(
    tables: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    pseudonymous: bool = True,
    version: int = DEFAULT_STATA_VERSION,
    notes: list[str] | None = None,
) -> list[str]:
    """One ``.dta`` per table in Stata ``version`` (see ``STATA_VERSIONS``).

    What the format could not hold as given (long texts before Stata 13) is
    described in sentences appended to ``notes``.
    """
    import pyreadstat

    release = stata_release(version)
    files = []
    for name, frame in tables.items():
        encoded = labelled_frame(name, frame, pseudonymous=pseudonymous)
        _check_names(name, encoded)
        out = encoded.frame.copy()
        if release < 13:
            _fit_old_strings(name, out, encoded.kinds, release, notes if notes is not None else [])
        value_labels = {c: dict(v) for c, v in encoded.value_labels.items()}
        user_missing: dict[str, list[str]] = {}
        for column, kind in encoded.kinds.items():
            if kind == "date":
                out[column] = out[column] + _STATA_DAYS_TO_1970
        for column, codes in encoded.missing_codes.items():
            tags = dict(zip(codes, _STATA_TAGS, strict=False))
            out[column] = _tagged(out[column], tags)
            for code, tag in tags.items():
                value_labels[column][tag] = value_labels[column].pop(code)
            user_missing[column] = list(tags.values())
        path = folder / f"{name}.dta"
        pyreadstat.write_dta(
            out,
            path,
            file_label=f"NephroCohort {name}"[:_STATA_LABEL_LIMIT],
            column_labels={k: v[:_STATA_LABEL_LIMIT] for k, v in encoded.column_labels.items()},
            variable_value_labels=value_labels,
            variable_format={
                c: _STATA_FORMATS[k] for c, k in encoded.kinds.items() if k in _STATA_FORMATS
            },
            missing_user_values=user_missing or None,
            version=release,
        )
        files.append(path.name)
    return files
