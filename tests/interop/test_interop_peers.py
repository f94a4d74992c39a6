"""The exported .sav and .dta files in the programs people use: GNU PSPP and R.

A real SPSS-compatible client (GNU PSPP) runs a syntax file on the exported
analysis.sav (EXAMINE percentiles with HAVERAGE, NPAR TESTS /WILCOXON,
FREQUENCIES, CROSSTABS) and R reads the .sav and .dta with haven and foreign.
Their figures must be the report's (results.json) on the same cohort
(issue 12, item 8).

Where PSPP departs from SPSS, only what is comparable is compared:

- PSPP's FREQUENCIES /PERCENTILES are R's type 7 (linear interpolation), not
  SPSS's weighted average; they are compared with numpy's ``linear`` method
  (type 7), and the report's SPSS percentiles with EXAMINE's HAVERAGE.
- PSPP's exact Wilcoxon p ignores ties, so only the asymptotic Z and p are
  compared (the report's Z is SPSS's, with the tie correction).
- PSPP's CROSSTABS gives Fisher's exact test for 2 x 2 tables only; the
  report's group x response table is 2 x 3, so its counts are compared.

PSPP prints a number with the decimals of its format (``SET FORMAT=F20.10``
gives ten; p-values always have three), so each figure is compared to the
precision printed: within half a unit of its last digit.
"""

import pytest
from peer_checks import compare_with_pspp, compare_with_r, export_cohort, needs_pspp, needs_r

from nephrocohort.cohort import demo_cohort


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory):
    return export_cohort(demo_cohort(), tmp_path_factory.mktemp("demo"))


@needs_pspp
def test_pspp_on_the_demo_exports_gives_the_report_figures(demo_exports):
    agree = compare_with_pspp(demo_exports)
    agree.check(minimum=250)


@needs_r
def test_r_haven_and_foreign_read_the_report_counts(demo_exports):
    agree = compare_with_r(demo_exports)
    agree.check(minimum=200)
