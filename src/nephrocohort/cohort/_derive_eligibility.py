"""Eligibility and steroid response per patient, through the clinical core's rules.

The verdicts themselves are decided by ``nephrocohort.clinical`` (one rule,
one place); this module only gathers each patient's inputs from the derived
columns and calls the rule once per distinct set of inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEROLOGY_COLUMNS = ("hbv", "hcv", "syphilis", "hiv")


def _text_or_none(column: pd.Series) -> np.ndarray:
    return column.astype("string").str.strip().str.lower().to_numpy(dtype=object, na_value=None)


def _none_if_nan(values: np.ndarray) -> list:
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in values]


def eligibility_verdicts(
    patients: pd.DataFrame,
    *,
    rule_set,
    age_at_mmf_start_years: np.ndarray,
    steroid_response: np.ndarray,
    egfr_before_mmf: np.ndarray,
    rituximab_before_mmf: np.ndarray,
) -> tuple[dict, pd.DataFrame]:
    """``eligible`` and ``exclusion_reasons`` columns, and the inputs each verdict used.

    ``assess_eligibility`` is called once per distinct combination of inputs
    (many patients share them), never inside the vectorised steps.
    """
    from nephrocohort.clinical.eligibility import assess_eligibility

    n = len(patients)
    rituximab = np.asarray(rituximab_before_mmf, dtype=np.float64)
    inputs = pd.DataFrame(
        {
            "age_at_mmf_start_years": _none_if_nan(
                np.asarray(age_at_mmf_start_years, dtype=object)
            ),
            "steroid_response": list(steroid_response),
            "egfr_before_mmf": _none_if_nan(np.asarray(egfr_before_mmf, dtype=object)),
            **{
                name: list(_text_or_none(patients[name])) if name in patients else [None] * n
                for name in (*SEROLOGY_COLUMNS, "family_history_ns")
            },
            "rituximab_before_mmf": [None if np.isnan(r) else bool(r) for r in rituximab],
        },
        dtype=object,
    )
    keys = [tuple(row) for row in inputs.itertuples(index=False, name=None)]
    verdict_of: dict[tuple, object] = {}
    names = list(inputs.columns)
    for key in set(keys):
        verdict_of[key] = assess_eligibility(
            rule_set=rule_set, **dict(zip(names, key, strict=True))
        )
    verdicts = [verdict_of[key] for key in keys]
    eligible = np.array([bool(v.eligible) for v in verdicts], dtype=bool)
    reasons = ["; ".join(v.reasons) for v in verdicts]
    return (
        {
            "eligible": pd.arrays.BooleanArray(eligible, np.zeros(n, dtype=bool)),
            "exclusion_reasons": pd.array(reasons, dtype="string"),
        },
        inputs,
    )


def steroid_responses(cohort, tables, daily, *, rule_set) -> tuple[np.ndarray, pd.DataFrame]:
    """Steroid response per patient (PENDING clinical.syndrome)."""
    n = tables.n_patients
    return np.full(n, None, dtype=object), pd.DataFrame({"med_row": np.full(n, -1)})
