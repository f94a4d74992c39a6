"""Benchmark: the computable phenotype + extraction on a large synthetic OMOP CDM database,
against the time the engine takes merely to scan the measurement table (the floor).

Reproduce (from the repository root):

    python benchmarks/omop_benchmark.py --persons 1000000 --json omop-1m.json
    python benchmarks/omop_benchmark.py --persons 100000 --engine postgres   # needs a server

Building the database: ``demo --format omop`` tables for ``--patients`` NS patients and
``--base-background`` background persons (the Python generator), written to DuckDB; then,
inside DuckDB, the background persons are copied until the database holds ``--persons``
persons (new person, visit and row ids; ``person_source_value`` gets the copy number) and
each background measurement is copied ``--measurement-copies`` times, one day apart. The
NS patients are not copied, so the phenotype still selects them once (plus the copies of the
background's near misses). For ``--engine postgres`` the same tables are copied into a
throwaway PostgreSQL database (created and dropped).

Timed, each in a fresh process (peak resident size: its own VmHWM): the floor
(``SELECT count(*), sum(value_as_number) FROM measurement``) and ``extract_omop`` (the
phenotype, then the selected persons' rows into pandas). The load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = r"""
import json, sys, time, resource
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
start = time.perf_counter()
if sys.argv[1].startswith("duckdb://"):
    import duckdb
    con = duckdb.connect(sys.argv[2], read_only=True)
    rows = con.execute("SELECT count(*), sum(value_as_number) FROM measurement").fetchone()
else:
    import psycopg
    with psycopg.connect(sys.argv[1]) as con:
        rows = con.execute("SELECT count(*), sum(value_as_number) FROM cdm.measurement").fetchone()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": round(time.perf_counter() - start, 2), "rows": rows[0],
                  "peak_rss_mb": peak_mb()}))
"""

EXTRACT = r"""
import json, sys, time, resource
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
from nephrocohort.interop import extract_omop
start = time.perf_counter()
extract = extract_omop(sys.argv[1], cdm_schema=sys.argv[3] or None)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": round(time.perf_counter() - start, 2),
                  "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                  "peak_rss_mb": peak_mb(),
                  "selected": len(extract.tables["patients"]),
                  "attrition": [[s.label, s.persons] for s in extract.attrition],
                  "rows": {k: len(v) for k, v in extract.tables.items()}}))
"""


def build_duckdb(path: Path, *, patients: int, base: int, persons: int, copies: int) -> dict:
    import duckdb

    from nephrocohort.cohort.synthetic import generate_synthetic
    from nephrocohort.interop import write_synthetic_omop

    seed_db = path.with_name("base.duckdb")
    write_synthetic_omop(seed_db, generate_synthetic(patients, seed=1), background_persons=base)
    factor = max(1, -(-(persons - patients) // base))  # copies of the background persons
    con = duckdb.connect(str(path))
    con.execute(f"ATTACH '{seed_db}' AS seed (READ_ONLY)")
    offset = 10 ** len(str(persons * 100))
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'seed'"
    ).fetchall():
        columns = [
            c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_catalog = 'seed' AND table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
        ]  # fmt: skip
        if "person_id" not in columns:
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM seed.{name}")
            continue
        shifted = {"person_id", "visit_occurrence_id", f"{name}_id"} & set(columns)
        expr = ", ".join(
            f"CASE WHEN person_id <= {patients} THEN {c} ELSE {c} + k * {offset} END AS {c}"
            if c in shifted
            else (
                f"CASE WHEN k = 0 THEN {c} ELSE {c} || '-' || k END AS {c}"
                if c == "person_source_value"
                else c
            )
            for c in columns
        )
        con.execute(
            f"CREATE TABLE {name} AS SELECT {expr} FROM seed.{name}, range({factor}) r(k) "
            f"WHERE k = 0 OR person_id > {patients}"
        )
        if name == "measurement" and copies > 1:
            moved = ", ".join(
                f"measurement_id + j * {offset * factor} AS measurement_id"
                if c == "measurement_id"
                else (f"{c} + CAST(j AS INTEGER) AS {c}" if c == "measurement_date" else c)
                for c in columns
            )
            con.execute(
                f"INSERT INTO measurement SELECT {moved} FROM measurement, range(1, {copies}) "
                f"r(j) WHERE person_id > {patients}"
            )
    counts = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("person", "measurement", "condition_occurrence", "drug_exposure")
    }
    con.close()
    seed_db.unlink()
    return counts


def copy_to_postgres(path: Path, server: str) -> str:
    import duckdb
    import psycopg

    from nephrocohort.interop._omop_engines import write_postgres

    name = f"nephrocohort_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    con = duckdb.connect(str(path), read_only=True)
    tables = {
        t: con.execute(f"SELECT * FROM {t}").df()
        for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    write_postgres(tables, f"{server}/{name}", schema="cdm")
    return name


def timed(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=1000, help="NS patients (not copied)")
    parser.add_argument("--base-background", type=int, default=10_000)
    parser.add_argument("--measurement-copies", type=int, default=3)
    parser.add_argument("--engine", choices=("duckdb", "postgres"), default="duckdb")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--folder", type=Path, help="keep the database here (default: temp)")
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = arguments.folder or Path(scratch)
        path = folder / f"omop-{arguments.persons}.duckdb"
        began = time.perf_counter()
        counts = build_duckdb(
            path,
            patients=arguments.patients,
            base=arguments.base_background,
            persons=arguments.persons,
            copies=arguments.measurement_copies,
        )
        result = {"engine": arguments.engine, "counts": counts}
        result["build_s"] = round(time.perf_counter() - began, 1)
        print(f"built {counts} in {result['build_s']} s", flush=True)
        if arguments.engine == "duckdb":
            url, schema, floor_args = f"duckdb:///{path}", "", (f"duckdb:///{path}", str(path))
        else:
            name = copy_to_postgres(path, arguments.server)
            url, schema, floor_args = (
                f"{arguments.server}/{name}",
                "cdm",
                (f"{arguments.server}/{name}", ""),
            )
        try:
            result["load_average_at_start"] = os.getloadavg()[0]
            result["floor_scan"] = timed(FLOOR, *floor_args)
            print(f"floor (scan measurement): {result['floor_scan']}", flush=True)
            result["phenotype_and_extraction"] = timed(EXTRACT, url, "", schema)
            print(f"phenotype + extraction: {result['phenotype_and_extraction']}", flush=True)
            result["load_average_at_end"] = os.getloadavg()[0]
        finally:
            if arguments.engine == "postgres":
                import psycopg

                with psycopg.connect(f"{arguments.server}/postgres", autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
