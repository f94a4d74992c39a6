"""Export 30 synthetic cohorts and compare them in GNU PSPP and R with the report (issue 12).

    PYTHONPATH=src python scripts/peer_comparison.py [--out DIR] [--cohorts 60:42,300:44]

For each cohort (sizes 12-300, seeds 42-44): .sav and .dta exports, de-identified and
identifiable (none may raise), then tests/interop/peer_checks.py's comparisons: PSPP on
analysis.sav and patients.sav, R haven/foreign reading the .sav/.dta, and R recomputing
Lilliefors, Wilcoxon, Fisher and Kaplan-Meier from analysis.sav. Prints one line per
cohort, every explained difference with its reason, every unexplained one, and the
totals quoted in docs/statistics.md; exits 1 if any comparison is unexplained.
Needs pspp and Rscript with haven, foreign, jsonlite, nortest, coin, exactRankTests,
survival.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "interop"))

from peer_checks import (  # noqa: E402
    compare_with_pspp,
    compare_with_r,
    compare_with_r_stats,
    export_cohort,
)

from nephrocohort.clinical.rules import load_rule_set  # noqa: E402
from nephrocohort.cohort import derive  # noqa: E402
from nephrocohort.cohort.synthetic import generate_synthetic  # noqa: E402
from nephrocohort.interop import export_tables  # noqa: E402

SIZES = (12, 20, 30, 45, 60, 80, 100, 150, 200, 300)
SEEDS = (42, 43, 44)
COHORTS = [(n, seed) for n in SIZES for seed in SEEDS]


def run(cohorts, out: Path) -> int:
    total = agreeing = 0
    explained, wrong, failures = [], [], []
    for n_patients, seed in cohorts:
        folder = out / f"cohort{n_patients}_seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        cohort = generate_synthetic(n_patients, seed=seed)
        exports = export_cohort(cohort, folder)
        tables = {**cohort.tables, "analysis": derive(cohort, load_rule_set("study"))}
        for to in ("spss", "stata"):
            export_tables(tables, to=to, out=folder / f"{to}_identifiable", identifiable=True)
        line = []
        for peer, compare in (
            ("pspp", compare_with_pspp),
            ("r_read", compare_with_r),
            ("r_stats", compare_with_r_stats),
        ):
            try:
                agree = compare(exports)
            except Exception as error:  # a comparison that cannot run is a failure, shown
                failures.append((n_patients, seed, peer, repr(error)))
                line.append(f"{peer} FAILED")
                continue
            bad = agree.wrong()
            total += len(agree.rows)
            agreeing += len(agree.rows) - len(bad)
            explained += [(n_patients, seed, peer, *row) for row in agree.explained]
            wrong += [(n_patients, seed, peer, *row) for row in bad]
            line.append(f"{peer} {len(agree.rows) - len(bad)}/{len(agree.rows)}")
        print(f"{n_patients:>4} patients seed {seed}: " + ", ".join(line), flush=True)
    print(f"\n{len(cohorts)} cohorts: {agreeing} of {total} comparisons agree")
    print(f"{len(explained)} differ from the report for a stated reason (counted as agreeing):")
    for row in explained:
        print("  {} patients seed {} {}: {} ours {} theirs {}: {}".format(*row))
    print(f"{len(wrong)} unexplained:")
    for row in wrong:
        print("  {} patients seed {} {}: {} ours {} theirs {}".format(*row[:6]))
    print(f"{len(failures)} comparisons that could not run:")
    for row in failures:
        print("  {} patients seed {} {}: {}".format(*row))
    return 1 if wrong or failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the exports here (default: a temp dir)")
    parser.add_argument("--cohorts", help="n:seed,... instead of the 30 cohorts")
    args = parser.parse_args()
    cohorts = COHORTS
    if args.cohorts:
        cohorts = [tuple(int(v) for v in c.split(":")) for c in args.cohorts.split(",")]
    if args.out:
        return run(cohorts, args.out)
    with tempfile.TemporaryDirectory() as tmp:
        return run(cohorts, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
