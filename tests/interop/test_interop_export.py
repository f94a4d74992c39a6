"""Export to SPSS, Stata, CSV and XLSX: labels survive, patients are de-identified."""

import pandas as pd
import pyreadstat
import pytest

from nephrocohort.interop import InteropError, deidentify, export_tables


def _tables(cohort, analysis=None):
    tables = dict(cohort.tables)
    if analysis is not None:
        tables["analysis"] = analysis
    return tables


class TestSpssExport:
    def test_sav_reads_back_with_variable_and_value_labels(self, cohort, analysis, tmp_path):
        summary = export_tables(_tables(cohort, analysis), to="spss", out=tmp_path / "spss", seed=7)
        frame, meta = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        labels = meta.column_names_to_labels
        assert labels["sex"] == "Sex"
        assert labels["birth_date"] == "Date of birth"
        assert meta.variable_value_labels["sex"] == {1.0: "Male", 2.0: "Female"}
        assert meta.variable_measure["sex"] == "nominal"
        assert meta.variable_measure["birth_date"] == "scale"
        assert sorted(frame["sex"].tolist()) == [1.0, 1.0, 2.0]
        assert "analysis.sav" in summary.files

    def test_analysis_sav_has_ordinal_states_and_boolean_labels(self, cohort, analysis, tmp_path):
        export_tables(_tables(cohort, analysis), to="spss", out=tmp_path / "spss", seed=7)
        frame, meta = pyreadstat.read_sav(tmp_path / "spss" / "analysis.sav")
        assert meta.variable_measure["state_month0"] == "ordinal"
        # four states (IPNA 2022 SSNS Table 1: complete remission, partial remission,
        # nephrotic-range proteinuria; a reading between them that fails partial
        # remission is no remission), ordered from best to worst
        assert meta.variable_value_labels["state_month0"] == {
            1.0: "Complete remission",
            2.0: "Partial remission",
            3.0: "No remission",
            4.0: "Nephrotic range",
        }
        assert meta.variable_value_labels["eligible"] == {0.0: "No", 1.0: "Yes"}
        assert meta.variable_value_labels["group"] == {
            1.0: "CYC and/or CNI before MMF",
            2.0: "MMF first",
        }
        assert meta.variable_measure["age_at_diagnosis_months"] == "scale"
        assert sorted(frame["age_at_diagnosis_months"].round(1)) == [18.6, 19.4, 25.5]

    def test_ids_are_pseudonyms_and_the_key_is_kept_outside(self, cohort, tmp_path):
        summary = export_tables(_tables(cohort), to="spss", out=tmp_path / "spss", seed=7)
        frame, _ = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        assert not set(frame["patient_id"]) & {"HOSP-001", "HOSP-002", "HOSP-003"}
        assert summary.key_file == tmp_path / "spss-KEY.csv"
        key = pd.read_csv(summary.key_file)
        assert set(key["patient_id"]) == {"HOSP-001", "HOSP-002", "HOSP-003"}
        assert set(key["pseudonym"]) == set(frame["patient_id"])
        assert not any(p.name.endswith("KEY.csv") for p in (tmp_path / "spss").iterdir())

    def test_dates_move_by_the_key_offset(self, cohort, tmp_path):
        summary = export_tables(_tables(cohort), to="spss", out=tmp_path / "spss", seed=7)
        frame, _ = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        key = pd.read_csv(summary.key_file).set_index("pseudonym")
        for _, row in frame.iterrows():
            original = key.loc[row["patient_id"], "patient_id"]
            shift = key.loc[row["patient_id"], "date_shift_days"]
            true_birth = cohort.patients.set_index("patient_id").loc[original, "birth_date"]
            assert pd.Timestamp(row["birth_date"]) - true_birth == pd.Timedelta(days=int(shift))
            assert shift != 0

    def test_free_text_and_unknown_columns_are_dropped(self, cohort, tmp_path):
        summary = export_tables(_tables(cohort), to="spss", out=tmp_path / "spss", seed=7)
        events, _ = pyreadstat.read_sav(tmp_path / "spss" / "events.sav")
        patients, _ = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        assert "detail" not in events.columns
        assert "nickname" not in patients.columns
        assert {
            "events.detail",
            "medications.stop_reason",
            "genetics.variant",
            "patients.nickname",
        } <= set(summary.dropped_columns)

    def test_identifiable_export_keeps_ids_and_writes_no_key(self, cohort, tmp_path):
        summary = export_tables(
            _tables(cohort), to="spss", out=tmp_path / "spss", identifiable=True
        )
        frame, _ = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        assert set(frame["patient_id"]) == {"HOSP-001", "HOSP-002", "HOSP-003"}
        assert summary.key_file is None
        assert not (tmp_path / "spss-KEY.csv").exists()


class TestStataExport:
    def test_dta_reads_back_with_labels(self, cohort, analysis, tmp_path):
        export_tables(_tables(cohort, analysis), to="stata", out=tmp_path / "dta", seed=3)
        frame, meta = pyreadstat.read_dta(tmp_path / "dta" / "biopsies.dta")
        assert meta.column_names_to_labels["histology"] == "Histology"
        labels = meta.variable_value_labels["histology"]
        assert labels[2] == "Focal segmental glomerulosclerosis"
        assert sorted(labels[v] for v in frame["histology"]) == [
            "Focal segmental glomerulosclerosis",
            "Membranous nephropathy",
            "Minimal change disease",
        ]


class TestDaysSinceOnset:
    def test_dates_become_days_since_onset(self, cohort, tmp_path):
        export_tables(
            _tables(cohort), to="csv", out=tmp_path / "csv", seed=1, date_mode="days_since_onset"
        )
        visits = pd.read_csv(tmp_path / "csv" / "visits.csv")
        assert "date" not in visits.columns
        # HOSP-001: onset 2012-03-01, visits 2013-01-01 and 2014-01-01.
        assert sorted(visits["date_days"].tolist()) == [306, 386, 671]
        patients = pd.read_csv(tmp_path / "csv" / "patients.csv")
        assert set(patients["onset_date_days"]) == {0}

    def test_sav_labels_the_day_columns(self, cohort, tmp_path):
        export_tables(
            _tables(cohort), to="spss", out=tmp_path / "spss", seed=1, date_mode="days_since_onset"
        )
        _, meta = pyreadstat.read_sav(tmp_path / "spss" / "patients.sav")
        assert meta.column_names_to_labels["birth_date_days"] == "Date of birth, days since onset"


class TestCsvAndXlsx:
    def test_csv_folder_has_every_table_and_a_codebook(self, cohort, analysis, tmp_path):
        summary = export_tables(_tables(cohort, analysis), to="csv", out=tmp_path / "csv", seed=2)
        assert set(summary.files) == {
            "patients.csv",
            "biopsies.csv",
            "genetics.csv",
            "visits.csv",
            "labs.csv",
            "medications.csv",
            "events.csv",
            "analysis.csv",
            "codebook.csv",
        }
        codebook = pd.read_csv(tmp_path / "csv" / "codebook.csv")
        sex = codebook[(codebook.table == "patients") & (codebook.column == "sex")].iloc[0]
        assert sex["codes"] == "M = Male | F = Female"

    def test_xlsx_workbook_has_one_sheet_per_table(self, cohort, tmp_path):
        export_tables(_tables(cohort), to="xlsx", out=tmp_path / "cohort.xlsx", seed=2)
        sheets = pd.read_excel(tmp_path / "cohort.xlsx", sheet_name=None)
        assert {"patients", "labs", "codebook"} <= set(sheets)
        assert len(sheets["labs"]) == 4


class TestSafety:
    def test_existing_output_is_never_overwritten(self, cohort, tmp_path):
        (tmp_path / "spss").mkdir()
        (tmp_path / "spss" / "mine.txt").write_text("keep me")
        with pytest.raises(InteropError) as caught:
            export_tables(_tables(cohort), to="spss", out=tmp_path / "spss", seed=1)
        assert caught.value.code == "output.exists"
        assert caught.value.params["path"] == tmp_path / "spss"
        assert (tmp_path / "spss" / "mine.txt").read_text() == "keep me"
        assert not (tmp_path / "spss-KEY.csv").exists()

    def test_a_failing_export_leaves_nothing_behind(self, cohort, analysis, tmp_path):
        analysis = analysis.assign(histology=["FSGS", "MCD", "Lupus"])
        with pytest.raises(InteropError) as caught:
            export_tables(_tables(cohort, analysis), to="spss", out=tmp_path / "spss", seed=1)
        assert caught.value.code == "labelled.unknown_code"
        params = caught.value.params
        # The third patient: rows counted from 1, as the module says (no header in a table).
        assert (params["column"], params["row"], params["value"]) == ("histology", 3, "Lupus")
        assert list(tmp_path.iterdir()) == []

    def test_key_inside_the_export_is_refused(self, cohort, tmp_path):
        with pytest.raises(InteropError) as caught:
            export_tables(
                _tables(cohort),
                to="csv",
                out=tmp_path / "csv",
                key_file=tmp_path / "csv" / "key.csv",
            )
        assert caught.value.code == "export.key_inside"
        assert caught.value.params["key"] == tmp_path / "csv" / "key.csv"
        assert caught.value.params["out"] == tmp_path / "csv"

    def test_registry_times_and_free_text_are_dropped_ids_pseudonymised(self, cohort):
        """A registry table (REGISTRY_TABLES: signatures) follows the same policy: its
        ``timestamp`` columns are left out (shifted, a signing time known from an audit trail
        would give the patient's shift away), free text too, text and ids as for any table."""
        tables = _tables(cohort)
        some_id = str(tables["patients"]["patient_id"].iloc[0])
        tables["signatures"] = pd.DataFrame(
            {
                "patient_id": [some_id],
                "signed_at": pd.to_datetime(["2026-03-02T10:00:00Z"], utc=True),
                "signer_name": ["Ana Lima (pi_a)"],
                "meaning": ["reviewed"],
                "voided_at": pd.to_datetime(["2026-03-03T09:00:00Z"], utc=True),
                "void_reason": ["typed in g/L"],
            }
        )
        result = deidentify(tables, seed=3)
        signatures = result.tables["signatures"]
        assert list(signatures.columns) == ["patient_id", "signer_name", "meaning"]
        key = dict(zip(result.key["patient_id"], result.key["pseudonym"], strict=True))
        assert signatures["patient_id"].tolist() == [key[some_id]]
        assert {"signatures.signed_at", "signatures.voided_at", "signatures.void_reason"} <= set(
            result.dropped_columns
        )

    def test_same_seed_gives_the_same_pseudonyms(self, cohort):
        first = deidentify(_tables(cohort), seed=11)
        second = deidentify(_tables(cohort), seed=11)
        other = deidentify(_tables(cohort), seed=12)
        pd.testing.assert_frame_equal(first.key, second.key)
        assert not first.key.equals(other.key)


class TestDemoCohort:
    """The embedded demo cohort exports to a ready SPSS file (what a co-author would open)."""

    def test_demo_analysis_dataset_exports_with_labels(self, tmp_path):
        from nephrocohort.clinical.rules import load_rule_set
        from nephrocohort.cohort import demo_cohort, derive

        cohort = demo_cohort()
        tables = dict(cohort.tables)
        tables["analysis"] = derive(cohort, load_rule_set("study"))
        export_tables(tables, to="spss", out=tmp_path / "spss", seed=4)
        frame, meta = pyreadstat.read_sav(tmp_path / "spss" / "analysis.sav")
        assert len(frame) == 26
        histology = meta.variable_value_labels["histology"]
        counts = frame["histology"].map(histology).value_counts().to_dict()
        # The seed study's Table 2 (seed-results.md): FSGS 15, MCD 9, MN 1, DMS 1.
        assert counts == {
            "Focal segmental glomerulosclerosis": 15,
            "Minimal change disease": 9,
            "Membranous nephropathy": 1,
            "Diffuse mesangial sclerosis": 1,
        }
        labs, labs_meta = pyreadstat.read_sav(tmp_path / "spss" / "labs.sav")
        assert len(labs) == len(cohort.labs)
        assert labs_meta.variable_measure["value"] == "scale"


class TestShiftsNeverReachTheFuture:
    """A recent cohort exported de-identified must still validate (no date after the export)."""

    def test_follow_up_reaching_today_stays_on_or_before_today(self, tmp_path):
        import datetime as dt

        from nephrocohort.cohort import Cohort, load_bundle, validate_bundle
        from nephrocohort.pipeline import export_tables_of

        today = pd.Timestamp(dt.date.today())
        patients = pd.DataFrame(
            {
                "patient_id": [f"H{i:03d}" for i in range(40)],
                "center": "C1",
                "sex": ["M", "F"] * 20,
                "birth_date": [today - pd.Timedelta(days=3000 + i) for i in range(40)],
                "onset_date": [today - pd.Timedelta(days=1500 + i) for i in range(40)],
                "last_followup_date": [today - pd.Timedelta(days=i % 3) for i in range(40)],
            }
        )
        events = pd.DataFrame(
            # Seen today by patients whose last follow-up is today (H000, H003).
            {"patient_id": ["H000", "H003"], "date": [today, today], "event": "relapse"}
        )
        source = tmp_path / "recent"
        from nephrocohort.cohort import save_bundle

        save_bundle(Cohort(patients=patients, events=events), source)
        tables = export_tables_of(source, include_analysis=False)
        summary = export_tables(tables, to="bundle", out=tmp_path / "shared", seed=11)
        assert validate_bundle(tmp_path / "shared") == []
        shared = load_bundle(tmp_path / "shared")
        assert shared.patients["last_followup_date"].max() <= today
        key = pd.read_csv(summary.key_file)
        assert (key["date_shift_days"] != 0).all()
        assert (key["date_shift_days"] >= -365).all()
        assert key["date_shift_days"].nunique() > 10  # still random per patient

    def test_old_cohorts_are_still_shifted_both_ways(self, cohort):
        signs = set()
        for seed in range(12):
            key = deidentify(dict(cohort.tables), seed=seed, export_date="2026-01-01").key
            signs.update((key["date_shift_days"] > 0).tolist())
        assert signs == {True, False}

    def test_a_shift_later_stops_at_the_export_date(self, cohort):
        for seed in range(12):
            result = deidentify(dict(cohort.tables), seed=seed, export_date="2021-05-06")
            latest = max(
                pd.to_datetime(frame[column]).max()
                for frame in result.tables.values()
                for column in frame.columns
                if "date" in column
            )
            assert latest <= pd.Timestamp("2021-05-06")
