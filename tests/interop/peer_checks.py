"""Compare NephroCohort's .sav/.dta exports, read by GNU PSPP and R, with results.json.

Shared by tests/interop/test_interop_peers.py (the demo cohort),
tests/interop/test_interop_peers_cohorts.py (generated cohorts, slow) and
scripts/peer_comparison.py (the 30 cohorts whose figures are in docs/statistics.md).
What is compared and where PSPP departs from SPSS: test_interop_peers.py's docstring.
"""

import csv
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy.special import ndtr
from scipy.stats import rankdata

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive
from nephrocohort.interop import export_tables
from nephrocohort.interop._variables import variable_for
from nephrocohort.report import build_results, render_json
from nephrocohort.stats import wilcoxon_signed_rank
from nephrocohort.stats._lilliefors_p import dallal_wilkinson_p

PSPP = shutil.which("pspp")
RSCRIPT = shutil.which("Rscript")
R_SCRIPT = Path(__file__).parent / "r" / "read_exports.R"

needs_pspp = pytest.mark.skipif(
    PSPP is None, reason="GNU PSPP (pspp) is not installed; apt-get install pspp"
)


def r_has_packages() -> bool:
    if RSCRIPT is None:
        return False
    probe = "quit(status = !all(sapply(c('haven', 'foreign'), requireNamespace, quietly = TRUE)))"
    return subprocess.run([RSCRIPT, "-e", probe], capture_output=True).returncode == 0


needs_r = pytest.mark.skipif(
    not r_has_packages(),
    reason="R (Rscript) with the haven and foreign packages is not installed",
)

# The report's summaries (results.json id -> analysis column).
SUMMARIES = {
    "age_at_diagnosis_months": "age_at_diagnosis_months",
    "age_at_assessment_years": "age_at_assessment_years",
    "follow_up_years": "follow_up_years",
    "mmf.years_from_diagnosis": "years_diagnosis_to_mmf",
    "mmf.duration_months": "mmf_duration_months",
    "relapses_per_year.before": "relapses_per_year_before",
    "relapses_per_year.after": "relapses_per_year_after",
    "steroid_dose.before": "steroid_mg_kg_day_before",
    "steroid_dose.after": "steroid_mg_kg_day_after",
    "egfr.mmf_start": "egfr_mmf_start",
    "egfr.month12": "egfr_month12",
}
# The report's Wilcoxon signed-rank tests (id -> before, after).
WILCOXON = {
    "relapses_per_year.test": ("relapses_per_year_before", "relapses_per_year_after"),
    "steroid_dose.test": ("steroid_mg_kg_day_before", "steroid_mg_kg_day_after"),
    "egfr.test": ("egfr_mmf_start", "egfr_month12"),
}
# The report's yes/no counts (id -> analysis column).
YES_COUNTS = {
    "onset.edema": "onset_edema",
    "onset.hypertension": "onset_hypertension",
    "onset.aki": "onset_aki",
    "onset.hematuria": "onset_hematuria",
    "treatment.steroid_pulses": "prior_steroid_pulses",
    "treatment.cyclophosphamide": "prior_cyclophosphamide",
    "treatment.cyclosporine": "prior_cyclosporine",
    "treatment.tacrolimus": "prior_tacrolimus",
    "treatment.mmf": "received_mmf",
    "treatment.rituximab": "received_rituximab_after_mmf",
    "treatment.enalapril": "received_enalapril",
    "treatment.losartan": "received_losartan",
    "prednisolone_stopped": "prednisolone_stopped",
    "outcomes.medical_only": "medical_only",
    "outcomes.transplant": "transplant",
    "outcomes.crf": "crf",
    "outcomes.death": "death",
    "adverse.diarrhea": "ae_diarrhea",
    "adverse.severe_infection": "ae_severe_infection",
    "adverse.leukopenia": "ae_leukopenia",
}


def level_counts(results: dict) -> dict[str, tuple[str, str]]:
    """The report's counts of one code (id -> column, value label as exported)."""
    out = {}
    for item_id in results:
        parts = item_id.split(".")
        if parts[0] == "sex" and len(parts) == 2:
            out[item_id] = ("sex", {"male": "M", "female": "F"}[parts[1]])
        elif parts[0] in ("histology", "group") and len(parts) == 2:
            out[item_id] = (parts[0], parts[1])
        elif parts[0] == "proteinuria" and len(parts) == 3:
            out[item_id] = (f"state_{parts[1]}", parts[2])
        elif parts[:2] == ["response", "month1"] and len(parts) == 3 and parts[2] != "group_test":
            out[item_id] = ("response_month1", parts[2])
    return {
        item_id: (column, dict(variable_for("analysis", column).choices)[code])
        for item_id, (column, code) in out.items()
    }


def crosstab_counts(results: dict) -> dict[str, tuple[str, str]]:
    """Group x one-month response (id -> group label, response label)."""
    groups = dict(variable_for("analysis", "group").choices)
    responses = dict(variable_for("analysis", "response_month1").choices)
    out = {}
    for item_id in results:
        parts = item_id.split(".")
        if parts[:2] == ["response", "month1"] and len(parts) == 4:
            out[item_id] = (groups[parts[2].removeprefix("group")], responses[parts[3]])
    return out


def close_to_printed(ours: float, printed: str) -> bool:
    """``ours`` equals ``printed`` (as PSPP shows it) to the decimals printed."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(float(printed) - ours) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-12


class Agreement:
    """Every comparison made, so a test can say how many agree and show the rest.

    ``explained`` holds the comparisons that differ from the report for a stated
    reason and agree once the reason is accounted for (each is also a row).
    """

    def __init__(self):
        self.rows: list[tuple[str, object, object, bool]] = []
        self.explained: list[tuple[str, object, object, str]] = []

    def shown(self, what: str, ours: float | None, printed: str) -> None:
        """``printed`` (as PSPP shows it) equals ``ours`` to the decimals printed."""
        if ours is None or printed in ("", "."):
            self.rows.append((what, ours, printed, ours is None and printed in ("", ".")))
            return
        self.rows.append((what, ours, printed, close_to_printed(ours, printed)))

    def equal(self, what: str, ours, theirs) -> None:
        self.rows.append((what, ours, theirs, ours == theirs))

    def near(self, what: str, ours, theirs, *, rel: float = 0.0, abs_: float = 0.0) -> None:
        """Numbers within ``rel``/``abs_`` (None only with None)."""
        if ours is None or theirs is None:
            self.rows.append((what, ours, theirs, ours is None and theirs is None))
            return
        ok = abs(ours - theirs) <= max(rel * max(abs(ours), abs(theirs)), abs_)
        self.rows.append((what, ours, theirs, ok))

    def explain(self, what: str, ours, theirs, ok: bool, why: str) -> None:
        self.rows.append((what, ours, theirs, ok))
        self.explained.append((what, ours, theirs, why))

    def wrong(self) -> list:
        return [row for row in self.rows if not row[3]]

    def check(self, minimum: int) -> None:
        wrong = self.wrong()
        assert not wrong, f"{len(wrong)} of {len(self.rows)} disagree: {wrong[:20]}"
        assert len(self.rows) >= minimum


def unrounded_wilcoxon(frame: pd.DataFrame, before: str, after: str) -> dict:
    """Z, W+ and tie structure of the signed-rank test on the float64 differences as stored.

    What PSPP computes: it ranks ``after - before`` as binary numbers, so differences
    equal at the data's precision but not in binary (0.7 - 0.2, 0.9 - 0.4) get separate
    ranks, where the report (docs/statistics.md) rounds them to the data's decimals first
    and gives them one average rank. Textbook formula with SPSS's tie correction.
    """
    both = frame[[before, after]].dropna()
    d = (both[after] - both[before]).to_numpy()
    places = wilcoxon_signed_rank(both[before].tolist(), both[after].tolist()).decimals
    d = d[d != 0]
    ranks = rankdata(np.abs(d))
    _, ties = np.unique(np.abs(d), return_counts=True)
    n = d.size
    variance = n * (n + 1) * (2 * n + 1) / 24 - (ties**3 - ties).sum() / 48
    w_plus = float(ranks[d > 0].sum())
    rounded = np.round(d, places)
    return {
        "z": (w_plus - n * (n + 1) / 4) / math.sqrt(variance),
        "w_plus": w_plus,
        "w_minus": float(ranks[d < 0].sum()),
        "distinct": int(ties.size),
        "distinct_rounded": int(np.unique(np.abs(rounded[rounded != 0])).size),
    }


def export_cohort(cohort, folder: Path) -> dict:
    """The cohort's .sav and .dta exports and the report's results.json items by id."""
    analysis = derive(cohort, load_rule_set("study"))
    tables = {**cohort.tables, "analysis": analysis}
    export_tables(tables, to="spss", out=folder / "sav", seed=11)
    export_tables(tables, to="stata", out=folder / "dta", seed=11)
    path = folder / "results.json"
    path.write_bytes(render_json(build_results(analysis, rule_set="study")))
    results = {item["id"]: item for item in json.loads(path.read_text())}
    return {"folder": folder, "results": results, "all_eligible": bool(analysis["eligible"].all())}


# ---------------------------------------------------------------- PSPP


def pspp(syntax: str, folder: Path) -> list[tuple[str, list[list[str]]]]:
    """Run ``syntax`` in PSPP; its output tables as (title, rows), in order."""
    script = folder / "peers.sps"
    script.write_text(syntax)
    out = folder / "peers.csv"
    done = subprocess.run(
        [PSPP, "-O", "format=csv", "-o", str(out), str(script)],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tables = []
    for block in out.read_text().split("\n\n"):
        lines = block.strip("\n").splitlines()
        if lines and lines[0].startswith("Table: "):
            tables.append((lines[0].removeprefix("Table: "), list(csv.reader(lines[1:]))))
    return tables


def syntax(folder: Path, labels: dict[str, str]) -> str:
    summaries = " ".join(SUMMARIES.values())
    labelled = " ".join([*YES_COUNTS.values(), *{c for c, _ in level_counts(labels).values()}])
    wilcoxon = "\n".join(
        f"NPAR TESTS /WILCOXON={before} WITH {after} (PAIRED)."
        for before, after in WILCOXON.values()
    )
    return f"""SET FORMAT=F20.10.
GET FILE='{folder / "sav" / "analysis.sav"}'.
SELECT IF (eligible = 1).
FORMATS {summaries} (F20.10).
EXAMINE VARIABLES={summaries}
  /PERCENTILES(25,50,75) HAVERAGE /STATISTICS=DESCRIPTIVES /MISSING=PAIRWISE.
FREQUENCIES /VARIABLES={summaries} /FORMAT=NOTABLE /PERCENTILES=25 50 75.
FREQUENCIES /VARIABLES={labelled}.
{wilcoxon}
CROSSTABS /TABLES=group BY response_month1.
GET FILE='{folder / "sav" / "patients.sav"}'.
FREQUENCIES /VARIABLES=aki_at_onset.
"""


def frequencies(rows: list[list[str]]) -> dict[str, dict[str, int]]:
    """A FREQUENCIES table: {"Valid": {label: n}, "Missing": {label: n}}."""
    blocks: dict[str, dict[str, int]] = {"Valid": {}, "Missing": {}}
    block = None
    for row in rows[1:]:
        block = row[0] or block
        if block in blocks:
            blocks[block][row[1]] = int(row[2])
    return blocks


def compare_with_pspp(exports: dict) -> Agreement:
    folder, results = exports["folder"], exports["results"]
    _, meta = pyreadstat.read_sav(folder / "sav" / "analysis.sav", metadataonly=True)
    label_of = meta.column_names_to_labels
    by_label = {label: column for column, label in label_of.items()}
    assert len(by_label) == len(label_of), "variable labels must be unique to read PSPP tables"
    tables = pspp(syntax(folder, results), folder)
    agree = Agreement()

    # EXAMINE: the report's n, mean, SD, extremes and HAVERAGE (SPSS) percentiles.
    examine = dict(tables[:3])
    valid = {r[0]: r[1] for r in examine["Case Processing Summary"][3:]}
    percentiles = {r[0]: r[2:] for r in examine["Percentiles"][2:] if r[1] == "Weighted Average"}
    descriptives, current = {}, None
    for row in examine["Descriptives"][1:]:
        current = row[0] or current
        descriptives.setdefault(current, {})[row[1]] = row[3]
    for item_id, column in SUMMARIES.items():
        item, label = results[item_id], label_of[column]
        agree.equal(f"{item_id} n", item["n"], int(valid[label]))
        if item["n"] == 0:
            continue
        for key, printed in zip(("p25", "median", "p75"), percentiles[label], strict=True):
            agree.shown(f"{item_id} {key} (HAVERAGE)", item[key], printed)
        stats = descriptives[label]
        for key, name in (("mean", "Mean"), ("min", "Minimum"), ("max", "Maximum")):
            agree.shown(f"{item_id} {key}", item[key], stats[name])
        if item["n"] > 1:
            agree.shown(f"{item_id} sd", item["sd"], stats["Std. Deviation"])

    # FREQUENCIES percentiles: PSPP's are type 7; compared with numpy's linear method.
    frame, _ = pyreadstat.read_sav(folder / "sav" / "analysis.sav")
    frame = frame[frame["eligible"] == 1]
    statistics = tables[3][1]
    header = statistics[0]
    rows, current = {}, None
    for row in statistics[1:]:
        current = row[0] or current
        rows[(current, row[1])] = row
    for column in SUMMARIES.values():
        values = frame[column].dropna()
        if len(values) == 0:
            continue
        index = header.index(label_of[column])
        linear = np.percentile(values, [25, 50, 75], method="linear")
        for p, expected in zip(("25", "50", "75"), linear, strict=True):
            agree.shown(
                f"{column} FREQUENCIES p{p} (type 7)", expected, rows[("Percentiles", p)][index]
            )

    # FREQUENCIES of every labelled variable: the report's counts and denominators.
    position = 4
    counted: dict[str, dict[str, dict[str, int]]] = {}
    while tables[position][0] in ("Statistics", *by_label):
        title, rows = tables[position]
        if title != "Statistics":
            counted[by_label[title]] = frequencies(rows)
        position += 1
    for item_id, column in YES_COUNTS.items():
        item, valid_counts = results[item_id], counted[column]["Valid"]
        agree.equal(f"{item_id} yes", item["n"], valid_counts.get("Yes", 0))
        agree.equal(f"{item_id} valid", item["denominator"], sum(valid_counts.values()))
        agree.equal(f"{item_id} missing", item["missing"], sum(counted[column]["Missing"].values()))
    for item_id, (column, label) in level_counts(results).items():
        item, valid_counts = results[item_id], counted[column]["Valid"]
        agree.equal(f"{item_id} n", item["n"], valid_counts.get(label, 0))
        agree.equal(f"{item_id} valid", item["denominator"], sum(valid_counts.values()))

    # NPAR TESTS /WILCOXON: the asymptotic Z and p (PSPP's exact p ignores ties).
    for item_id in WILCOXON:
        (_, ranks), (_, test) = tables[position], tables[position + 1]
        position += 2
        item = results[item_id]
        by_kind = {r[1]: r for r in ranks[1:]}
        nonzero = int(by_kind["Negative Ranks"][2]) + int(by_kind["Positive Ranks"][2])
        agree.equal(f"{item_id} n without ties", item["n"], nonzero)
        if item["z"] is None:
            continue
        sums = {float(by_kind[k][4]) for k in ("Negative Ranks", "Positive Ranks")}
        values = {r[0]: r[1] for r in test[1:]}
        z_text = values["Z"].lstrip("-")
        if close_to_printed(abs(item["z"]), z_text):
            agree.equal(f"{item_id} rank sum", item["statistic"] in sums, True)
            agree.shown(f"{item_id} |Z|", abs(item["z"]), z_text)
        else:
            # PSPP ranks the unrounded binary differences: explained only if PSPP then
            # gives exactly their Z and rank sums and the rounding merged some of them.
            raw = unrounded_wilcoxon(frame, *WILCOXON[item_id])
            why = (
                f"PSPP ranks unrounded float differences ({raw['distinct']} distinct |d|; "
                f"{raw['distinct_rounded']} at the data's precision, as the report)"
            )
            ok = (
                close_to_printed(abs(raw["z"]), z_text)
                and {raw["w_plus"], raw["w_minus"]} == sums
                and raw["distinct"] > raw["distinct_rounded"]
            )
            agree.explain(f"{item_id} |Z|", abs(item["z"]), z_text, ok, why)
        agree.shown(f"{item_id} p", item["p"], values["Asymp. Sig. (2-tailed)"])

    # CROSSTABS group x response: the report's counts per group.
    crosstab = next(rows for title, rows in tables[position:] if " × " in title)
    header = crosstab[1]
    cells, group = {}, None
    for row in crosstab[2:]:
        if row[0] == "Total":
            break
        group = row[1] or group
        for column, text in zip(header[3:-1], row[3:-1], strict=True):
            cells[(group, column)] = int(text)
    for item_id, key in crosstab_counts(results).items():
        agree.equal(f"{item_id} crosstab", results[item_id]["n"], cells.get(key, 0))

    # patients.sav: "Unknown" is user-missing, so the valid percent is the report's.
    if exports["all_eligible"]:
        patients = frequencies(tables[-1][1])
        agree.equal(
            "patients.sav aki yes", results["onset.aki"]["n"], patients["Valid"].get("Yes", 0)
        )
        agree.equal(
            "patients.sav aki valid",
            results["onset.aki"]["denominator"],
            sum(patients["Valid"].values()),
        )
    return agree


# ---------------------------------------------------------------- R


def read_in_r(folder: Path) -> list[tuple[str, str, str, str, str, str]]:
    done = subprocess.run(
        [RSCRIPT, str(R_SCRIPT), str(folder / "sav"), str(folder / "dta")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = []
    for line in done.stdout.splitlines():
        reader, table, column, what, rest = line.split(",", 4)
        key, value = rest.rsplit(",", 1)
        rows.append((reader, table, column, what, key, value))
    return rows


def compare_with_r(exports: dict) -> Agreement:
    folder, results = exports["folder"], exports["results"]
    rows = read_in_r(folder)
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    labels: dict[tuple[str, str, str], set[str]] = {}
    facts: dict[tuple[str, str, str], str] = {}
    for reader, table, column, what, key, value in rows:
        if what == "count":
            counts.setdefault((reader, table, column), {})[key] = int(value)
        elif what == "label":
            labels.setdefault((reader, table, column), set()).add(key)
        else:
            facts[(reader, table, what)] = value
    agree = Agreement()
    readers = ("haven_sav", "haven_dta", "foreign_dta")
    for reader in readers:
        for item_id, column in YES_COUNTS.items():
            seen = counts[(reader, "analysis", column)]
            item = results[item_id]
            agree.equal(f"{reader} {item_id} yes", item["n"], seen.get("Yes", 0))
            agree.equal(f"{reader} {item_id} missing", item["missing"], seen.get("<NA>", 0))
        for item_id, (column, label) in level_counts(results).items():
            seen = counts[(reader, "analysis", column)]
            agree.equal(f"{reader} {item_id}", results[item_id]["n"], seen.get(label, 0))
        if exports["all_eligible"]:
            seen = counts[(reader, "patients", "aki_at_onset")]
            aki = results["onset.aki"]
            agree.equal(f"{reader} patients aki yes", aki["n"], seen.get("Yes", 0))
            agree.equal(f"{reader} patients aki missing", aki["missing"], seen.get("<NA>", 0))
        for table in ("analysis", "patients"):
            agree.equal(
                f"{reader} {table} onset_date class", facts[(reader, table, "class")], "Date"
            )
    # The value labels haven reads are the declared ones, "Unknown" included.
    for reader in ("haven_sav", "haven_dta"):
        for column in ("response_month1", "histology", "group", "onset_aki"):
            variable = variable_for("analysis", column)
            declared = {t for _, t in variable.choices} if variable.choices else {"No", "Yes"}
            agree.equal(f"{reader} {column} labels", labels[(reader, "analysis", column)], declared)
        agree.equal(
            f"{reader} aki_at_onset labels",
            labels[(reader, "patients", "aki_at_onset")],
            {"Yes", "No", "Unknown"},
        )
    # Dates: R reads the same (shifted) dates from all three files as pyreadstat.
    frame, _ = pyreadstat.read_sav(folder / "sav" / "analysis.sav")
    frame = frame[frame["eligible"] == 1]
    onset = pd.to_datetime(frame["onset_date"])
    for reader in readers:
        agree.equal(
            f"{reader} onset min", facts[(reader, "analysis", "min")], f"{onset.min():%Y-%m-%d}"
        )
        agree.equal(
            f"{reader} onset max", facts[(reader, "analysis", "max")], f"{onset.max():%Y-%m-%d}"
        )
    return agree


# ---------------------------------------------------------------- R statistics

R_STATS_SCRIPT = Path(__file__).parent / "r" / "stats_from_exports.R"
R_STATS_PACKAGES = ("haven", "jsonlite", "nortest", "coin", "exactRankTests", "survival")


def r_has_stats_packages() -> bool:
    if RSCRIPT is None:
        return False
    names = ", ".join(f"'{name}'" for name in R_STATS_PACKAGES)
    probe = f"quit(status = !all(sapply(c({names}), requireNamespace, quietly = TRUE)))"
    return subprocess.run([RSCRIPT, "-e", probe], capture_output=True).returncode == 0


needs_r_stats = pytest.mark.skipif(
    not r_has_stats_packages(),
    reason="R with " + ", ".join(R_STATS_PACKAGES) + " is not installed",
)

# Lilliefors: up to 0.1 both use Dallal-Wilkinson; above it the report uses its simulated
# null table and nortest an approximation; docs/statistics.md states 0.01 of a Monte Carlo.
LILLIEFORS_P_ABOVE_0_1 = 0.01
NUMERIC = 1e-9


def monte_carlo_lilliefors_p(d: float, n: int, samples: int = 200_000, seed: int = 4242) -> float:
    """Share of ``samples`` normal samples of size ``n`` whose Lilliefors D is >= ``d``."""
    rng = np.random.default_rng(seed)
    exceed, chunk = 0, max(1, 4_000_000 // n)
    upper = np.arange(1, n + 1) / n
    lower = np.arange(0, n) / n
    for start in range(0, samples, chunk):
        x = np.sort(rng.standard_normal((min(chunk, samples - start), n)), axis=1)
        z = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, ddof=1, keepdims=True)
        cdf = ndtr(z)
        stat = np.maximum((upper - cdf).max(axis=1), (cdf - lower).max(axis=1))
        exceed += int((stat >= d).sum())
    return exceed / samples


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def compare_with_r_stats(exports: dict) -> Agreement:
    """nortest, wilcox.test/wilcox.exact/coin, fisher.test and survfit on analysis.sav."""
    folder, results = exports["folder"], exports["results"]
    done = subprocess.run(
        [RSCRIPT, str(R_STATS_SCRIPT), str(folder / "sav" / "analysis.sav")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    agree = Agreement()
    column_ids = {column: item_id for item_id, column in SUMMARIES.items()}
    for column, test in (r.get("lillie") or {}).items():
        item = results[column_ids[column]]
        agree.equal(f"{column} lillie n", item["n"], test["n"])
        agree.near(f"{column} lillie D", item["normality_statistic"], test["D"], abs_=NUMERIC)
        ours, what = item["normality_p"], f"{column} lillie p"
        if dallal_wilkinson_p(test["D"], test["n"]) <= 0.1:  # both Dallal-Wilkinson
            agree.near(what, ours, test["p"], abs_=NUMERIC)
        elif abs(ours - test["p"]) <= LILLIEFORS_P_ABOVE_0_1:
            agree.near(what, ours, test["p"], abs_=LILLIEFORS_P_ABOVE_0_1)
        else:
            # nortest uses Stephens' formula above 0.1, itself off by up to 0.028: a
            # 200,000-sample Monte Carlo at this n and D decides (docs/statistics.md).
            p_mc = monte_carlo_lilliefors_p(test["D"], test["n"])
            why = f"nortest's Stephens formula above 0.1; 200,000-sample Monte Carlo p = {p_mc:.4f}"
            agree.explain(what, ours, test["p"], abs(ours - p_mc) <= LILLIEFORS_P_ABOVE_0_1, why)
    names = {
        "relapses": "relapses_per_year.test",
        "steroid": "steroid_dose.test",
        "egfr": "egfr.test",
    }
    for name, test in (r.get("wilcoxon") or {}).items():
        item = results[names[name]]
        agree.equal(f"{name} wilcoxon n", item["n"], test["n"])
        agree.near(f"{name} wilcoxon W+", item["statistic"], test["V"], abs_=NUMERIC)
        agree.near(f"{name} wilcoxon p", item["p"], test["p"], rel=1e-7, abs_=NUMERIC)
        agree.near(
            f"{name} p exact (wilcox.exact)",
            item["p_exact"],
            test["wilcox_exact_p"],
            rel=1e-7,
            abs_=NUMERIC,
        )
        agree.near(
            f"{name} p exact (coin)", item["p_exact"], test["coin_p"], rel=1e-6, abs_=NUMERIC
        )
    fisher = results.get("response.month1.group_test") or {}
    if r.get("fisher") or fisher.get("p") is not None:
        theirs = (r.get("fisher") or {}).get("p")
        agree.near("fisher p", fisher.get("p"), theirs, rel=1e-7, abs_=NUMERIC)
    for name, fit in (r.get("km") or {}).items():
        item = results[f"km.{name}"]
        agree.equal(f"km {name} n", item["n"], fit["n"])
        agree.equal(f"km {name} events", item["events"], fit["events"])
        for key, theirs in (
            ("median_days", "median"),
            ("median_ci_low_days", "median_lower"),
            ("median_ci_high_days", "median_upper"),
        ):
            agree.near(f"km {name} {key}", _none(item[key]), _none(fit[theirs]), abs_=NUMERIC)
        at = {t: i for i, t in enumerate(item["timeline_days"])}
        times = fit["time"] if isinstance(fit["time"], list) else [fit["time"]]
        for j, t in enumerate(times):
            i = at.get(float(t))
            agree.equal(f"km {name} time {t} in timeline", i is not None, True)
            if i is None:
                continue
            for ours, theirs in (
                ("survival", "survival"),
                ("ci_lower", "lower"),
                ("ci_upper", "upper"),
            ):
                values = fit[theirs] if isinstance(fit[theirs], list) else [fit[theirs]]
                agree.near(
                    f"km {name} {ours} at {t}", _none(item[ours][i]), _none(values[j]), abs_=1e-9
                )
    return agree
