"""The design of the embedded demo cohort: one row of targets per synthetic patient.

This is the calibration table behind ``nephrocohort/data/demo/``. It is not a
table of results: it says what each synthetic child's chart should contain
(when the disease started, when MMF started and stopped, how many relapses
happened in the year before and the first year on MMF, the prednisolone dose
on two days, the eGFR on two days, ...). ``_demo_records`` turns each row into
the raw records a clinic would have entered (visits, lab results, drug courses,
events), and only the derivation of those records produces the analysis
dataset. The study's published figures (seed-results.md) are what the rows
were chosen to reproduce; docs/demo-cohort.md gives the arithmetic and every
figure that cannot be reached exactly.

Columns of ``_TABLE`` (units of the seed paper; a month is 365.25/12 days, as
in the analysis dataset; the generator rounds to whole days):

- ``onset_mo`` age at the first nephrotic episode (months); ``fu_y`` onset to
  the last visit (years); ``to_mmf_mo`` onset to the first MMF dose (months);
  ``mmf_mo`` MMF start to stop (months, ``-`` = still on MMF at the last visit);
- ``csa``/``cyc``/``pls``: cyclosporine, cyclophosphamide, methylprednisolone
  pulses before MMF; ``rtx`` rituximab after the MMF start; ``ena``/``los``
  enalapril, losartan (y/n);
- ``edema``/``htn``/``hem``/``aki``: features at onset (yes/no/unknown);
- ``m0``/``m1``: proteinuria category on the MMF start day and 30 days later;
- ``rb``/``ra``: relapses in the 12 months before MMF and in the first 12
  months on MMF (a shorter course counts its own months);
- ``st_b``/``st_a``: oral prednisolone (mg/kg/day) on the MMF start day and
  at the follow-up point (12 months, or the MMF stop if sooner);
- ``egfr0``/``egfr12``: Schwartz (1976) eGFR (mL/min/1.73 m2) on the MMF start
  day and 365 days later (``-``: follow-up ends before);
- ``kidney``: chronic renal failure after MMF, recorded as ``ckd``, with
  ``dialysis`` or ``transplant``; ``adverse``: diarrhea or severe infection on MMF.

The time columns were solved together (a constrained least-squares fit, see
docs/demo-cohort.md) so that the histology means and SDs, the cohort quartiles
and the Lilliefors decisions come out as the seed printed them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PatientDesign", "DEMO_DESIGN"]


@dataclass(frozen=True)
class PatientDesign:
    """What one synthetic chart must contain (the targets its records realise)."""

    patient_id: str
    sex: str
    histology: str
    onset_age_months: float
    followup_years: float
    months_to_mmf: float
    mmf_months: float | None
    cyclosporine: bool
    cyclophosphamide: bool
    steroid_pulses: bool
    rituximab_after_mmf: bool
    enalapril: bool
    losartan: bool
    edema: str
    hypertension: str
    hematuria: str
    aki: str
    state_month0: str
    state_month1: str
    relapses_before: int
    relapses_after: int
    steroid_before: float
    steroid_after: float
    egfr_start: float
    egfr_month12: float | None
    kidney_outcome: str | None
    adverse_event: str | None
    mmf_stop_reason: str


_TABLE = """
id      sex hist onset_mo fu_y   to_mmf_mo mmf_mo  csa cyc pls rtx ena los edema htn  hem  aki     m0        m1        rb ra st_b st_a egfr0 egfr12 kidney     adverse
DEMO-01 M   FSGS 12       1      6.5       -       y   n   y   n   y   n   yes   no   no   no      nephrotic partial   0  0  2    0    120   -      -          -
DEMO-02 F   FSGS 25       2.5    17.55     5       y   n   n   n   y   y   yes   no   no   no      nephrotic complete  5  0  2    0    210   200    -          -
DEMO-03 M   FSGS 25       2.5    17.3      12.03   y   n   n   n   y   n   yes   no   yes  no      partial   complete  3  1  0.3  0.03 175   180    -          -
DEMO-04 M   FSGS 20       2.54   15.96     14      y   n   y   n   y   y   yes   yes  yes  no      nephrotic complete  4  2  2    0.1  150.3 126    -          -
DEMO-05 F   FSGS 21.75    2.54   13.81     16      n   n   n   n   y   n   yes   no   no   no      nephrotic partial   3  1  2    0.05 190   185    -          -
DEMO-06 M   FSGS 21.75    5.939  40        3       y   n   y   n   y   y   yes   yes  yes  yes     nephrotic complete  6  0  1.62 0    140   150    -          -
DEMO-07 F   FSGS 24       5.95   47.16     22.5    y   n   n   n   y   n   yes   no   no   no      nephrotic complete  4  1  1.62 0.07 165   160    -          infection
DEMO-08 M   FSGS 25       6      24.99     46.5    y   n   n   n   y   y   yes   no   yes  no      partial   complete  3  2  0.5  0.15 280   235    -          -
DEMO-09 M   FSGS 28       10.397 64.03     60      y   n   y   y   y   y   yes   yes  yes  unknown nephrotic complete  2  5  1.5  2    130   140    -          diarrhea
DEMO-10 F   FSGS 33       10.95  79.79     -       y   n   n   y   y   n   yes   no   no   unknown nephrotic partial   1  4  1.5  1.5  145   150    -          -
DEMO-11 M   FSGS 42       11     103.08    25      y   y   n   n   y   y   yes   yes  yes  unknown partial   partial   3  3  0.5  0.3  120   125    -          infection
DEMO-12 F   FSGS 39       14.16  145.05    24      y   n   y   y   y   y   yes   yes  yes  yes     nephrotic nephrotic 2  6  1    1    95    72     ckd        -
DEMO-13 M   FSGS 24       12.298 100.57    46.5    y   y   n   y   y   y   yes   yes  yes  unknown nephrotic partial   2  5  1    1.2  88    66     transplant -
DEMO-14 F   FSGS 23       16     153.57    23      y   y   y   y   y   y   yes   yes  yes  unknown nephrotic nephrotic 3  6  1    0.7  82    63     dialysis   -
DEMO-15 M   FSGS 77.09    9.511  63.15     -       n   y   n   y   y   n   yes   no   no   unknown nephrotic partial   5  4  1    0.8  150   145    -          infection
DEMO-16 M   MCD  192      2      6         4       y   n   n   n   y   y   yes   yes  no   yes     nephrotic complete  0  0  0.5  0    105   110    -          -
DEMO-17 M   MCD  24       2.5    16.16     6.0123  n   n   n   n   n   n   yes   no   yes  no      nephrotic partial   4  1  1.8  0.5  290   240    -          -
DEMO-18 M   MCD  15       5.95   57.9      13      n   n   n   n   y   n   yes   yes  no   no      nephrotic complete  6  1  1    0    200   190    -          -
DEMO-19 F   MCD  18       5.806  36.29     18      y   n   n   n   y   y   yes   no   no   no      complete  complete  3  1  0.25 0.04 110   135    -          -
DEMO-20 M   MCD  40.6     5.631  55.37     4.5     n   n   n   n   n   n   no    no   no   no      nephrotic complete  8  0  0.6  0    235   220    -          -
DEMO-21 M   MCD  25       6      40.16     22      n   n   n   n   n   y   yes   no   no   no      nephrotic complete  4  2  0.8  0.2  180   175    -          diarrhea
DEMO-22 M   MCD  26       6.263  51.66     23      y   n   y   n   y   y   yes   yes  no   no      partial   complete  3  1  0.5  0    325.5 260    -          infection
DEMO-23 M   MCD  39       11     109.5     22      n   y   n   n   y   n   yes   yes  no   unknown partial   complete  4  1  0.5  0.07 125   130    -          -
DEMO-24 M   MCD  30       15.396 164.26    20      y   y   y   n   y   y   yes   no   yes  unknown nephrotic complete  4  2  0.5  0.4  100   105    -          -
DEMO-25 F   MN   48       9      60        -       n   n   n   n   y   n   yes   yes  yes  no      partial   complete  3  1  0.5  0    115   120    -          -
DEMO-26 M   DMS  7        11.417 72        -       y   n   y   n   y   y   yes   yes  yes  unknown nephrotic partial   3  1  0.5  0.06 90    95     -          diarrhea
"""

#: Why MMF stopped, as a clinic writes it (empty: still on MMF at the last visit).
_STOP_REASONS = {
    "DEMO-02": "sustained remission; family chose to stop",
    "DEMO-03": "planned stop after one year",
    "DEMO-04": "planned stop; remission",
    "DEMO-05": "planned stop; remission",
    "DEMO-06": "poor adherence; stopped by family",
    "DEMO-07": "planned stop; remission",
    "DEMO-08": "planned stop; remission",
    "DEMO-09": "switched to rituximab maintenance",
    "DEMO-11": "planned stop",
    "DEMO-12": "chronic renal failure; MMF withdrawn",
    "DEMO-13": "chronic renal failure; MMF withdrawn before transplantation",
    "DEMO-14": "chronic renal failure; MMF withdrawn",
    "DEMO-16": "remission; MMF stopped by family",
    "DEMO-17": "relapse on MMF; family declined to continue",
    "DEMO-18": "planned stop; remission",
    "DEMO-19": "planned stop; remission",
    "DEMO-20": "remission; family chose to stop",
    "DEMO-21": "planned stop; remission",
    "DEMO-22": "planned stop; remission",
    "DEMO-23": "planned stop; remission",
    "DEMO-24": "planned stop; remission",
}

_ADVERSE = {"diarrhea": "diarrhea", "infection": "severe_infection"}


def _optional(text: str):
    return None if text == "-" else text


def _parse(table: str) -> tuple[PatientDesign, ...]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    designs = []
    for cells in rows:
        row = dict(zip(header, cells, strict=True))
        yes = {name: row[name] == "y" for name in ("csa", "cyc", "pls", "rtx", "ena", "los")}
        mmf = _optional(row["mmf_mo"])
        egfr12 = _optional(row["egfr12"])
        adverse = _optional(row["adverse"])
        designs.append(
            PatientDesign(
                patient_id=row["id"],
                sex=row["sex"],
                histology=row["hist"],
                onset_age_months=float(row["onset_mo"]),
                followup_years=float(row["fu_y"]),
                months_to_mmf=float(row["to_mmf_mo"]),
                mmf_months=None if mmf is None else float(mmf),
                cyclosporine=yes["csa"],
                cyclophosphamide=yes["cyc"],
                steroid_pulses=yes["pls"],
                rituximab_after_mmf=yes["rtx"],
                enalapril=yes["ena"],
                losartan=yes["los"],
                edema=row["edema"],
                hypertension=row["htn"],
                hematuria=row["hem"],
                aki=row["aki"],
                state_month0=row["m0"],
                state_month1=row["m1"],
                relapses_before=int(row["rb"]),
                relapses_after=int(row["ra"]),
                steroid_before=float(row["st_b"]),
                steroid_after=float(row["st_a"]),
                egfr_start=float(row["egfr0"]),
                egfr_month12=None if egfr12 is None else float(egfr12),
                kidney_outcome=_optional(row["kidney"]),
                adverse_event=None if adverse is None else _ADVERSE[adverse],
                mmf_stop_reason=_STOP_REASONS.get(row["id"], ""),
            )
        )
    return tuple(designs)


#: The 26 designed charts (group 1: cyclosporine and/or cyclophosphamide before MMF = 20).
DEMO_DESIGN: tuple[PatientDesign, ...] = _parse(_TABLE)
