"""Wilcoxon signed-rank, exact conditional and asymptotic, against R live and stored.

Datasets: tests/stats/r/paired_datasets.json (the 12 study-like sets, among them the
seed-like relapses per year, n = 26, with ties and zeros) and the 40 sets of
edge_datasets.json$paired (relapse counts with many ties and zeros, quarter-step rates,
continuous values, differences of 1e-12). References from wilcoxon_reference.R:
wilcox.test(exact = FALSE, correct = FALSE), wilcox.test(exact = TRUE) without ties,
exactRankTests::wilcox.exact and coin::wilcoxsign_test(zero.method = "Wilcoxon",
distribution = "exact"). The stored output is compared always, R live when installed.
"""

import pytest
from r_live import live, stored

from nephrocohort.stats import wilcoxon_signed_rank

SCRIPT = "wilcoxon_reference.R"
NAMES = sorted(name for name in stored(SCRIPT) if name != "versions")


@pytest.fixture(scope="module")
def pair_sets(paired_datasets, edge_datasets):
    return {**paired_datasets, **edge_datasets["paired"]}


@pytest.fixture(scope="module")
def live_reference():
    return live(SCRIPT)


def _compare(result, expected):
    assert (result.n, result.n_ties) == (expected["n"], expected["n_zero"])
    assert result.statistic == pytest.approx(expected["V"], rel=1e-12)
    assert result.p == pytest.approx(expected["p"], rel=1e-10)
    assert result.tied_ranks == expected["ties"]
    assert result.p_exact == pytest.approx(expected["wilcox_exact_p"], rel=1e-9)
    assert result.p_exact == pytest.approx(expected["coin_wilcoxon_p"], rel=1e-9)
    if expected["p_exact_classic"] is not None:
        assert result.p_exact == pytest.approx(expected["p_exact_classic"], rel=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_matches_stored_r(name, pair_sets):
    pair = pair_sets[name]
    _compare(wilcoxon_signed_rank(pair["before"], pair["after"]), stored(SCRIPT)[name])


@pytest.mark.parametrize("name", NAMES)
def test_matches_r_run_live(name, pair_sets, live_reference):
    pair = pair_sets[name]
    _compare(wilcoxon_signed_rank(pair["before"], pair["after"]), live_reference[name])


def test_seed_like_relapses_get_the_exact_tied_p(pair_sets):
    # relapses_26 (ties and 6 zeros): asymptotic p 0.000146, exact conditional p
    # 1.1444e-05 in exactRankTests 0.8-35 and coin 1.4-2 (Wilcoxon zero handling).
    result = wilcoxon_signed_rank(
        pair_sets["relapses_26"]["before"], pair_sets["relapses_26"]["after"]
    )
    assert result.tied_ranks and result.n_ties == 6
    assert result.p_exact == pytest.approx(
        stored(SCRIPT)["relapses_26"]["wilcox_exact_p"], rel=1e-9
    )
    assert "shift algorithm" in result.p_exact_method
    assert "Wilcoxon" in result.p_exact_method


def test_pratt_convention_differs_where_zeros_are_present():
    # Why the convention is named: with zeros, coin's default (Pratt) gives another p.
    reference = stored(SCRIPT)
    differing = [
        name
        for name in NAMES
        if reference[name]["coin_pratt_p"] is not None
        and reference[name]["n_zero"] > 0
        and abs(reference[name]["coin_pratt_p"] - reference[name]["wilcox_exact_p"]) > 1e-6
    ]
    assert differing  # e.g. relapses_26: Pratt 9.54e-06, Wilcoxon 1.14e-05
