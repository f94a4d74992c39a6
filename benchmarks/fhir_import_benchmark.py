"""Benchmark: peak memory and time of ``import_fhir`` on 100 MB of FHIR, as NDJSON and as a Bundle.

Reproduce (from the repository root; a few minutes on 2 cores):

    python benchmarks/fhir_import_benchmark.py --megabytes 100

The input is built from the Synthea resources shipped as test data
(``tests/interop/data/fhir/synthea-bulk``): every resource line is copied
with new ids for the patient and the resource until the export reaches the
requested size, so the mix of resource types and codes is Synthea's. It is
written twice: as a bulk-export folder (one NDJSON file per resource type)
and as one collection Bundle JSON file. Each import runs in a fresh Python
process; the figure is that process's peak resident size (ru_maxrss), next
to the peak of a process that only imports the package (the baseline).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parents[1] / "tests" / "interop" / "data" / "fhir" / "synthea-bulk"
)


def _copies(megabytes: float):
    """(resource type, line) tuples, patient by patient, until ``megabytes`` are reached."""
    files = {p.name.split(".", 1)[0]: p.read_text().splitlines() for p in SOURCE.glob("*.ndjson")}
    files.pop("log", None)
    patients = [json.loads(line) for line in files.pop("Patient")]
    others = [json.loads(line) for lines in files.values() for line in lines]
    size, copy = 0, 0
    while size < megabytes * 1e6:
        copy += 1
        for patient in patients:
            pid = f"{patient['id']}-{copy}"
            yield "Patient", json.dumps({**patient, "id": pid})
            for item in others:
                subject = (item.get("subject") or item.get("patient") or {}).get("reference", "")
                if not subject.endswith(patient["id"]):
                    continue
                key = "patient" if "patient" in item else "subject"
                line = json.dumps(
                    {**item, "id": f"{item['id']}-{copy}", key: {"reference": f"Patient/{pid}"}}
                )
                size += len(line) + 1
                yield item["resourceType"], line


def write_inputs(megabytes: float, folder: Path) -> tuple[Path, Path, int]:
    bulk = folder / "bulk"
    bulk.mkdir()
    handles: dict = {}
    bundle = folder / "bundle.json"
    count = 0
    with bundle.open("w", encoding="utf-8") as whole:
        whole.write('{"resourceType": "Bundle", "type": "collection", "entry": [\n')
        for kind, line in _copies(megabytes):
            if kind not in handles:
                handles[kind] = (bulk / f"{kind}.000.ndjson").open("w", encoding="utf-8")
            handles[kind].write(line + "\n")
            whole.write(("," if count else "") + '{"resource": ' + line + "}\n")
            count += 1
        whole.write("]}\n")
    for handle in handles.values():
        handle.close()
    return bulk, bundle, count


def measure(path: str, out: str) -> dict:
    from nephrocohort.interop import import_fhir

    wall, cpu = time.perf_counter(), time.process_time()
    result = import_fhir(path, out)
    return {
        "rows": result.row_counts,
        "import_s": time.perf_counter() - wall,
        "import_cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def baseline() -> dict:
    from fhir.resources.R4B import get_fhir_model_class

    import nephrocohort.interop  # noqa: F401

    for kind in ("Patient", "Observation", "Condition", "MedicationRequest", "Procedure"):
        get_fhir_model_class(kind)
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(baseline() if not args.child else measure(*args.child)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        bulk, bundle, count = write_inputs(args.megabytes, folder)
        ndjson_mb = sum(p.stat().st_size for p in bulk.iterdir()) / 1e6
        print(
            f"resources: {count}; NDJSON folder {ndjson_mb:.1f} MB; "
            f"Bundle {bundle.stat().st_size / 1e6:.1f} MB"
        )
        print(f"baseline (imports only): {_child()['peak_rss_mb']:.0f} MB peak")
        for label, path in (("bulk NDJSON folder", bulk), ("Bundle JSON", bundle)):
            result = _child(str(path), str(folder / f"out-{path.name}"))
            print(
                f"{label}: {result['import_s']:.1f} s (CPU {result['import_cpu_s']:.1f} s), "
                f"peak {result['peak_rss_mb']:.0f} MB, rows {result['rows']}"
            )


if __name__ == "__main__":
    main()
