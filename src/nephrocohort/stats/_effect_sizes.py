"""Effect sizes that accompany rank tests."""

import math

from nephrocohort.stats._errors import StatisticsInputError

__all__ = ["effect_size_r"]


def effect_size_r(z: float, *, n: int) -> float:
    """Rosenthal's r = |Z| / sqrt(n) for a rank test's normal approximation.

    ``n`` is the number of observations the Z was computed from: non-zero pairs for the
    Wilcoxon signed-rank test, all patients for Mann-Whitney. Cohen's rough guide: 0.1
    small, 0.3 medium, 0.5 large.

    References
    ----------
    Rosenthal R. Meta-analytic procedures for social research. Rev ed. Sage; 1991. p. 19.
    Fritz CO, Morris PE, Richler JJ. Effect size estimates. J Exp Psychol Gen.
    2012;141(1):2-18. doi:10.1037/a0024338
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise StatisticsInputError("stats.effect_size_n", value=n)
    return abs(float(z)) / math.sqrt(n)
