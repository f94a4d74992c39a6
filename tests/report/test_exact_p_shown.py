"""The Wilcoxon exact conditional p is shown beside the asymptotic Z (issue 12 item 7)."""

from nephrocohort.report._format import fmt_test
from nephrocohort.report._items import HypothesisTestItem


def _item(p_exact):
    return HypothesisTestItem(
        id="x.test",
        label="x",
        test="Wilcoxon signed-rank",
        statistic=0.0,
        z=-2.02,
        p=0.0412,
        n=5,
        p_exact=p_exact,
    )


def test_exact_p_beside_z():
    assert fmt_test(_item(0.0625)) == (
        "Wilcoxon signed-rank, Z = -2.02, p = 0.041, exact p = 0.062 (n = 5)"
    )


def test_no_exact_p_when_not_computed():
    assert fmt_test(_item(None)) == "Wilcoxon signed-rank, Z = -2.02, p = 0.041 (n = 5)"
