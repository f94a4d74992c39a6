"""Build the REDCap export files of this folder: what REDCap writes for a NephroCohort project.

The records are hand-made (synthetic patients). The layout follows REDCap's own
exports: the raw export is record_id, redcap_repeat_instrument,
redcap_repeat_instance, redcap_data_access_group, redcap_survey_identifier,
then per instrument its survey timestamp (surveys only), its fields and
``<form>_complete`` (as in REDCapR's test projects, e.g. inst/test-data/
project-survey/survey-data.csv and projects/dag-write/data.csv). The "CSV
(labels)" export names each column by its field label, REDCap's own columns
"Record ID", "Repeat Instrument", "Repeat Instance", "Data Access Group",
"Survey Identifier", "Survey Timestamp", and each form's status "Complete?"
(REDCap's export test B.5.21.0200.100), and writes choice labels instead of
codes. Labels come from the dictionary uploaded to REDCap
(`nephrocohort redcap dictionary`), as REDCap takes them from it.

Run `python make_exports.py` to rebuild the files next to it.
"""

import csv
from pathlib import Path

from nephrocohort.interop import redcap_dictionary

HERE = Path(__file__).parent

# (record_id, instrument, instance, dag, {field: raw value}); survey on the patients form.
RECORDS = [
    (
        "NC-01",
        "",
        "",
        "hospital_norte",
        {
            "center": "Hospital Norte",
            "sex": "M",
            "birth_date": "2008-03-14",
            "onset_date": "2011-06-02",
            "edema_at_onset": "yes",
            "hypertension_at_onset": "no",
            "last_followup_date": "2014-05-20",
            "patients_complete": "2",
        },
    ),
    (
        "NC-01",
        "biopsies",
        "1",
        "hospital_norte",
        {"biopsy_date": "2012-01-17", "histology": "FSGS", "biopsies_complete": "2"},
    ),
    (
        "NC-01",
        "visits",
        "1",
        "hospital_norte",
        {
            "visit_date": "2012-02-06",
            "weight_kg": "18.5",
            "height_cm": "104.2",
            "sbp_mmhg": "104",
            "dbp_mmhg": "66",
            "visit_edema": "yes",
            "visits_complete": "2",
        },
    ),
    (
        "NC-01",
        "labs",
        "1",
        "hospital_norte",
        {
            "lab_date": "2012-02-06",
            "lab_test": "serum_albumin",
            "lab_value": "1.9",
            "lab_unit": "g/dL",
            "labs_complete": "2",
        },
    ),
    (
        "NC-01",
        "labs",
        "2",
        "hospital_norte",
        {
            "lab_date": "2012-02-06",
            "lab_test": "upcr",
            "lab_value": "4.2",
            "lab_unit": "mg/mg",
            "labs_complete": "1",
        },
    ),
    (
        "NC-01",
        "medications",
        "1",
        "hospital_norte",
        {
            "med_drug": "prednisolone",
            "med_start_date": "2012-02-06",
            "med_end_date": "2012-03-05",
            "med_dose": "60",
            "med_dose_unit": "mg_m2_day",
            "med_schedule": "daily",
            "medications_complete": "2",
        },
    ),
    (
        "NC-02",
        "",
        "",
        "clinica_sur",
        {
            "center": "Clínica Sur",
            "sex": "F",
            "birth_date": "2010-11-30",
            "onset_date": "2013-09-25",
            "edema_at_onset": "yes",
            "last_followup_date": "2015-01-12",
            "patients_complete": "2",
        },
    ),
    (
        "NC-02",
        "visits",
        "1",
        "clinica_sur",
        {
            "visit_date": "2013-10-01",
            "weight_kg": "14.25",
            "height_cm": "95.5",
            "visits_complete": "0",
        },
    ),
    (
        "NC-02",
        "labs",
        "1",
        "clinica_sur",
        {
            "lab_date": "2013-10-01",
            "lab_test": "serum_creatinine",
            "lab_value": "0.31",
            "lab_unit": "mg/dL",
            "labs_complete": "2",
        },
    ),
]
DAG_LABELS = {"hospital_norte": "Hospital Norte", "clinica_sur": "Clínica Sur"}
TIMESTAMPS = {"NC-01": "2014-05-20 10:31:07", "NC-02": "[not completed]"}
COMPLETE = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}


def _layout():
    """(column, label) in REDCap's export order, with DAG and survey fields."""
    dd = redcap_dictionary()
    columns = [
        ("record_id", "Record ID"),
        ("redcap_repeat_instrument", "Repeat Instrument"),
        ("redcap_repeat_instance", "Repeat Instance"),
        ("redcap_data_access_group", "Data Access Group"),
        ("redcap_survey_identifier", "Survey Identifier"),
    ]
    for form, fields in dd.groupby("Form Name", sort=False):
        if form == "patients":
            columns.append(("patients_timestamp", "Survey Timestamp"))
        for _, field in fields.iterrows():
            if field["Variable / Field Name"] != "record_id":
                columns.append((field["Variable / Field Name"], field["Field Label"]))
        columns.append((f"{form}_complete", "Complete?"))
    return columns, dd


def _choice_labels(dd):
    labels = {}
    for _, field in dd.iterrows():
        pairs = [
            p.split(", ", 1)
            for p in str(field["Choices, Calculations, OR Slider Labels"]).split(" | ")
            if ", " in p
        ]
        labels[field["Variable / Field Name"]] = dict(pairs)
    return labels


def _rows(labelled: bool):
    columns, dd = _layout()
    choice = _choice_labels(dd)
    for record_id, instrument, instance, dag, values in RECORDS:
        row = {
            "record_id": record_id,
            "redcap_repeat_instrument": instrument,
            "redcap_repeat_instance": instance,
            "redcap_data_access_group": dag,
            "redcap_survey_identifier": "",
            **values,
        }
        if not instrument:
            row["patients_timestamp"] = TIMESTAMPS[record_id]
        if labelled:
            row["redcap_data_access_group"] = DAG_LABELS[dag]
            row["redcap_repeat_instrument"] = instrument.capitalize()
            for field, value in list(row.items()):
                if field.endswith("_complete"):
                    row[field] = COMPLETE[value]
                elif value and value in choice.get(field, {}):
                    row[field] = choice[field][value]
        yield [row.get(column, "") for column, _ in columns]


def _write(name, header, rows, *, delimiter=",", encoding="utf-8"):
    with (HERE / name).open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(
            handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\n"
        )
        writer.writerow(header)
        writer.writerows(rows)


def _spanish_excel(row):
    """What Excel in a Spanish locale saves: dd/mm/yyyy dates, decimal commas."""
    out = []
    for value in row:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = f"{value[8:]}/{value[5:7]}/{value[:4]}"
        elif value.replace(".", "", 1).isdigit() and "." in value:
            value = value.replace(".", ",")
        elif len(value) == 19 and value[4] == "-":
            value = f"{value[8:10]}/{value[5:7]}/{value[:4]} {value[11:16]}"
        out.append(value)
    return out


if __name__ == "__main__":
    columns, _ = _layout()
    names = [c for c, _ in columns]
    labels = [label for _, label in columns]
    _write("nephro_raw.csv", names, _rows(labelled=False))
    _write("nephro_labels.csv", labels, _rows(labelled=True))
    _write("nephro_api_labels.csv", names, _rows(labelled=True))
    _write(
        "nephro_excel_es.csv",
        names,
        (_spanish_excel(r) for r in _rows(labelled=False)),
        delimiter=";",
        encoding="cp1252",
    )
