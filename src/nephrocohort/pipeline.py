"""The one place that runs load -> validate -> derive -> results -> render.

The command line (``report``, ``derive``, ``export``), notebooks and the
registry call these functions instead of chaining the layers themselves, so
every caller loads, validates and derives a cohort the same way. Layers
below know nothing of this module: the data model and derivation live in
``nephrocohort.cohort``, the results and renderers (bytes in memory) in
``nephrocohort.report``, exports and de-identification in
``nephrocohort.interop``; files are written here, atomically.

``data`` is, everywhere: a :class:`~nephrocohort.cohort.Cohort`, a bundle path
(a folder of CSV files or an .xlsx workbook; loading validates it), an
analysis-dataset CSV (reported as recorded), an OMOP CDM database URL
(``duckdb:///cdm.duckdb``, ``postgresql://...``; the phenotype's patients,
extracted and validated as a bundle) or None for the embedded demo cohort.

Consent drives use, here and only here: the report, ``derive`` and every
export leave out patients whose consent was withdrawn or who lack the assent
their age requires (``consent=`` a
:class:`~nephrocohort.cohort.consent.ConsentPolicy`), and the report counts
them in its flow. ``include_withdrawn_consent=True`` is the explicit
override; it is logged (logger ``nephrocohort.pipeline``, counts only).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nephrocohort.exceptions import NephroCohortError, ReportError
from nephrocohort.i18n import gettext as _
from nephrocohort.messages import Message

__all__ = [
    "DataNotFoundError",
    "OutputPathError",
    "AnalysisData",
    "ReportRun",
    "load_cohort",
    "consented",
    "load_analysis",
    "derive_dataset",
    "compute_results",
    "render",
    "run_report",
    "derive_to_csv",
    "export_tables_of",
    "export_data",
]


Progress = Callable[[str], None] | None

_log = logging.getLogger("nephrocohort.pipeline")


class DataNotFoundError(NephroCohortError, FileNotFoundError):
    """``--data`` names nothing on disk."""


class OutputPathError(NephroCohortError):
    """The output file cannot be written where the user asked."""


@dataclass(frozen=True, eq=False)
class AnalysisData:
    """An analysis dataset, the rule set it was derived under, and where it came from.

    ``cohort`` is None for an analysis-dataset file; ``source`` is
    ``"records"`` (derived from a cohort) or ``"analysis_file"``; ``notes``
    are sentences for the report (e.g. columns a file lacks).
    """

    dataset: pd.DataFrame
    rule_set: object
    cohort: object | None = None
    source: str = "records"
    notes: tuple[str, ...] = field(default=())
    #: The OMOP phenotype's inclusion-attrition steps (empty for other sources).
    attrition: tuple = field(default=())
    consent: object | None = None  # the ConsentSelection the cohort went through


def _say(progress: Progress) -> Callable[[str], None]:
    return progress or (lambda message: None)


def _rule_set(rule_set):
    from nephrocohort.clinical.rules import load_rule_set

    return load_rule_set(rule_set) if isinstance(rule_set, str | Path) else rule_set


def _is_omop(data) -> bool:
    """An OMOP CDM database URL (``duckdb:///...``, ``postgresql://...``), not a path."""
    from nephrocohort.interop._omop_connect import is_omop_url

    return is_omop_url(data)


def _is_analysis_file(data) -> bool:
    """An analysis-dataset CSV (e.g. from ``nephrocohort import-table``), not a bundle."""
    if data is None or hasattr(data, "patients") or _is_omop(data):
        return False
    path = Path(data)
    return path.is_file() and path.suffix.lower() == ".csv"


def _existing(data, *, demo: bool):
    if _is_omop(data):  # connecting says whether it exists
        return data
    path = Path(data)
    if not path.exists():
        # Written when shown (in the reader's language), as the sentence it completes.
        hint = Message("pipeline.demo_hint") if demo else ""
        raise DataNotFoundError("pipeline.data_not_found", path=str(path), demo=hint)
    return path


def load_cohort(data=None, *, as_of=None):
    """A validated :class:`~nephrocohort.cohort.Cohort` from ``data`` (not an analysis CSV).

    Loading a bundle validates it: a bundle with problems (a missing path
    among them) raises :class:`~nephrocohort.exceptions.CohortValidationError`
    listing them all.
    """
    from nephrocohort.cohort import demo_cohort, load_bundle

    if data is None:
        return demo_cohort()
    if hasattr(data, "patients"):  # already a Cohort
        return data
    if _is_omop(data):
        from nephrocohort.interop import read_omop_cohort

        return read_omop_cohort(data, as_of=as_of)[0]
    return load_bundle(data, as_of=as_of)


def consented(cohort, *, consent=None, include_withdrawn_consent: bool = False):
    """The :class:`~nephrocohort.cohort.consent.ConsentSelection` of ``cohort``.

    Patients with withdrawn consent or missing assent are left out unless
    ``include_withdrawn_consent``; that override is logged with the counts.
    """
    from nephrocohort.cohort.consent import select_consented

    selection = select_consented(cohort, consent, include_withdrawn=include_withdrawn_consent)
    if selection.n_kept_by_override:
        _log.warning(
            "Consent override: %d patient(s) with withdrawn consent or missing assent included "
            "(%s).",
            selection.n_kept_by_override,
            ", ".join(f"{code}: {n}" for code, n in selection.kept_by_override),
        )
    return selection


def load_analysis(
    data=None,
    *,
    rule_set="study",
    progress: Progress = None,
    consent=None,
    include_withdrawn_consent: bool = False,
) -> AnalysisData:
    """The analysis dataset of ``data``: derived from a cohort, or read from an analysis CSV.

    A CSV lacking columns the report needs gets them as all-missing (a
    partial legacy sheet still reports), with a note saying so. A cohort goes
    through :func:`consented` first (an analysis CSV has no consent columns).
    """
    say = _say(progress)
    rules = _rule_set(rule_set)
    if data is not None and not hasattr(data, "patients"):
        _existing(data, demo=True)
    if _is_analysis_file(data):
        from nephrocohort.cohort import read_analysis_csv
        from nephrocohort.report import fill_absent_columns

        say(_("Reading the analysis dataset {path}").format(path=data))
        dataset, _absent, notes = fill_absent_columns(read_analysis_csv(data))
        return AnalysisData(dataset, rules, source="analysis_file", notes=tuple(notes))
    from nephrocohort.cohort import derive

    notes, attrition = (), ()
    if _is_omop(data):
        from nephrocohort.interop import read_omop_cohort

        # The progress line once the database has opened: a missing file errors first.
        cohort, extract = read_omop_cohort(
            data, opened=lambda: say(_("Selecting the phenotype's patients in the OMOP database"))
        )
        notes, attrition = extract.notes(), extract.attrition
    else:
        say(_("Loading the cohort") if data is not None else _("Loading the embedded demo cohort"))
        cohort = load_cohort(data)
    selection = consented(
        cohort, consent=consent, include_withdrawn_consent=include_withdrawn_consent
    )
    cohort = selection.cohort
    say(_("Deriving the analysis dataset (rule set '{name}')").format(name=rules.name))
    return AnalysisData(
        derive(cohort, rules),
        rules,
        cohort=cohort,
        notes=notes,
        attrition=attrition,
        consent=selection,
    )


def derive_dataset(
    data=None, *, rule_set="study", consent=None, include_withdrawn_consent: bool = False
) -> pd.DataFrame:
    """The analysis dataset of ``data`` (one row per patient) under ``rule_set`` (name or path).

    The notebook entry point for the dataset: ``derive_dataset("my_bundle", rule_set="ipna2020")``.
    """
    return load_analysis(
        data,
        rule_set=rule_set,
        consent=consent,
        include_withdrawn_consent=include_withdrawn_consent,
    ).dataset


def compute_results(
    data=None,
    *,
    rule_set="study",
    options=None,
    progress: Progress = None,
    compare_rule_sets=(),
    consent=None,
    include_withdrawn_consent: bool = False,
):
    """The study report's :class:`~nephrocohort.report.Results` for ``data``.

    The notebook entry point: ``compute_results("my_bundle").tables()["table1"]``.
    ``compare_rule_sets`` (names or paths, or ``"study,ipna2020"``) adds the key
    results under each of them (``compare.<rule set>.*``, table "comparison").
    """
    from nephrocohort.report import ReportOptions, build_results
    from nephrocohort.report._compare import compare_rule_sets as compare
    from nephrocohort.report._compare import parse_rule_set_names

    names = parse_rule_set_names(compare_rule_sets) if compare_rule_sets else ()
    compared = [_rule_set(name) for name in names]  # an unknown name fails before any work
    options = options or ReportOptions()
    analysis = load_analysis(
        data,
        rule_set=rule_set,
        progress=progress,
        consent=consent,
        include_withdrawn_consent=include_withdrawn_consent,
    )
    _say(progress)(_("Computing the results"))
    results = build_results(
        analysis.dataset,
        rule_set=analysis.rule_set,
        cohort=analysis.cohort,
        options=options,
        source=analysis.source,
        notes=analysis.notes,
        attrition=analysis.attrition,
        consent=analysis.consent,
    )
    if names:
        results = compare(
            results, analysis.cohort, compared, options=options, progress=_say(progress)
        )
    return results


def render(results, formats, *, progress: Progress = None) -> dict[str, bytes]:
    """Each asked report format (``"html,docx"`` or a list) rendered in memory, by format."""
    from nephrocohort.report import render_report

    return render_report(results, formats, progress=progress)


@dataclass(frozen=True, eq=False)
class ReportRun:
    """What a report run produced: the results and the files written, by format."""

    results: object
    files: dict

    def __repr__(self) -> str:
        names = ", ".join(path.name for path in self.files.values())
        return f"ReportRun({self.results!r}, files=[{names}])"


def run_report(
    *,
    data=None,
    rule_set="study",
    out_dir="report",
    formats=None,
    options=None,
    progress: Progress = None,
    compare_rule_sets=(),
    consent=None,
    include_withdrawn_consent: bool = False,
) -> ReportRun:
    """Load, validate, derive, compute and write the report files (``nephrocohort report``).

    ``formats``: any of ``json``, ``html``, ``docx``, ``xlsx`` (default all).
    ``compare_rule_sets``: see :func:`compute_results`.
    The files are rendered in memory and moved into ``out_dir`` only when all
    of them were written; report files of an earlier run that this run does
    not produce are removed, so the folder never mixes two runs.
    """
    from nephrocohort.report import FILE_NAMES, FORMATS
    from nephrocohort.report._options import parse_formats

    say = _say(progress)
    formats = parse_formats(FORMATS if formats is None else formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportError("pipeline.out_is_file", path=str(out))
    results = compute_results(
        data,
        rule_set=rule_set,
        options=options,
        progress=progress,
        compare_rule_sets=compare_rule_sets,
        consent=consent,
        include_withdrawn_consent=include_withdrawn_consent,
    )
    contents = render(results, formats, progress=progress)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        files = _replace_report_files(
            out, {FILE_NAMES[fmt]: content for fmt, content in contents.items()}, FILE_NAMES, say
        )
    except BaseException:
        if created:  # a folder made for this run leaves no trace of a failure
            shutil.rmtree(out, ignore_errors=True)
        raise
    by_name = {name: fmt for fmt, name in FILE_NAMES.items()}
    return ReportRun(results=results, files={by_name[path.name]: path for path in files})


def _replace_report_files(out: Path, contents: dict, file_names: dict, say) -> list[Path]:
    """Write every file into a staging folder inside ``out``, then move them into place.

    Nothing in ``out`` changes unless every file was written; earlier report
    files this run does not write are removed; other files are left alone.
    """
    staging = Path(tempfile.mkdtemp(prefix=".nephrocohort-report-", dir=out))
    try:
        staged = []
        for name, content in contents.items():
            say(_("Writing {file}").format(file=name))
            (staging / name).write_bytes(content)
            staged.append(staging / name)
        for name in file_names.values():
            if name not in contents and (out / name).is_file():
                say(_("Removing {file} of an earlier run").format(file=name))
                (out / name).unlink()
        placed = []
        for path in staged:
            os.replace(path, out / path.name)  # atomic on one file system (staging is inside out)
            placed.append(out / path.name)
        return placed
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def derive_to_csv(
    data, out, *, rule_set="study", consent=None, include_withdrawn_consent: bool = False
):
    """Derive the analysis dataset of a bundle and write it as CSV (``nephrocohort derive``).

    The CSV is written beside ``out`` and moved into place when complete, so
    a failure never leaves half a file. Returns ``(dataset, rule_set)``.
    """
    from nephrocohort.cohort import derive, write_analysis_csv

    out = Path(out)
    if out.is_dir():
        example = out / "derived.csv"
        raise OutputPathError("pipeline.out_is_folder", path=out, example=example)
    if not out.parent.exists():
        raise OutputPathError("pipeline.out_parent_missing", path=out, parent=out.parent)
    rules = _rule_set(rule_set)
    cohort = consented(
        load_cohort(data), consent=consent, include_withdrawn_consent=include_withdrawn_consent
    ).cohort
    dataset = derive(cohort, rules)
    from nephrocohort.cohort.derive import data_quality_warnings

    # The data-quality findings the command prints (the recorded hypertension flag
    # against the onset visits' blood pressure; one test read twice on one day with
    # different values, the rows to check); the dataset is not changed by them.
    dataset.attrs["warnings"] = data_quality_warnings(cohort)
    try:
        handle, staging = tempfile.mkstemp(prefix=f".{out.name}.partial-", dir=out.parent)
        os.close(handle)
        try:
            write_analysis_csv(dataset, staging)
            os.replace(staging, out)
        finally:
            if os.path.exists(staging):
                os.unlink(staging)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputPathError("pipeline.out_unwritable", path=out, reason=reason) from None
    return dataset, rules


def export_tables_of(
    data,
    *,
    rule_set="study",
    include_analysis: bool = True,
    consent=None,
    include_withdrawn_consent: bool = False,
) -> dict:
    """The tables to export from ``data``: the raw tables plus the analysis dataset.

    An analysis-dataset CSV is exported on its own. For a cohort the analysis
    dataset is derived with ``rule_set`` unless ``include_analysis`` is false;
    the cohort goes through :func:`consented` first.
    """
    if data is not None and not hasattr(data, "patients"):
        _existing(data, demo=False)
    if _is_analysis_file(data):
        from nephrocohort.cohort import read_analysis_csv

        return {"analysis": read_analysis_csv(data)}
    cohort = consented(
        load_cohort(data), consent=consent, include_withdrawn_consent=include_withdrawn_consent
    ).cohort
    tables = dict(cohort.tables)
    if include_analysis:
        from nephrocohort.cohort import derive

        tables["analysis"] = derive(cohort, _rule_set(rule_set))
    return tables


def export_data(
    data,
    *,
    to: str,
    out,
    rule_set="study",
    include_analysis: bool = True,
    identifiable: bool = False,
    key_file=None,
    seed: int | None = None,
    date_mode: str = "shift",
    stata_version: int | None = None,
    consent=None,
    include_withdrawn_consent: bool = False,
):
    """Export ``data`` in format ``to`` (``nephrocohort export``), de-identified by default.

    De-identification is :func:`nephrocohort.interop.deidentify` (pseudonyms,
    shifted dates, no free text; the key written apart). Returns the
    :class:`~nephrocohort.interop.ExportSummary`.
    """
    from nephrocohort.interop import export_tables

    tables = export_tables_of(
        data,
        rule_set=rule_set,
        include_analysis=include_analysis,
        consent=consent,
        include_withdrawn_consent=include_withdrawn_consent,
    )
    return export_tables(
        tables,
        to=to,
        out=out,
        identifiable=identifiable,
        key_file=key_file,
        seed=seed,
        date_mode=date_mode,
        **({} if stata_version is None else {"stata_version": stata_version}),
    )
