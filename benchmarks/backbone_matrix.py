"""Run the backbone matrix (tests/backbones) and write its family × task result table.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/backbone_matrix.py

Writes benchmarks/results/backbone_matrix.json and prints the Markdown table
(pass / FAIL / n/a per cell, seconds per cell, the wall time the suite adds to CI).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from nlpkit.backends.families import BACKBONES, MATRIX_TASKS

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"test_family_fine_tunes_predicts_and_reloads_the_same\[(?P<family>.+)-(?P<task>[a-z]+)\]")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/backbones", f"--junitxml={report}"], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        cases = ET.parse(report).getroot().iter("testcase")
        cells: dict[tuple[str, str], dict[str, object]] = {}
        others = {"passed": 0, "failed": 0}
        for case in cases:
            failed = any(child.tag in {"failure", "error"} for child in case)
            match = CELL.fullmatch(case.get("name", ""))
            if match:
                cells[(match["family"], match["task"])] = {"status": "FAIL" if failed else "pass", "seconds": float(case.get("time", 0))}
            else:
                others["failed" if failed else "passed"] += 1
    rows = []
    for family, backbone in BACKBONES.items():
        row = {"family": family, "title": backbone.title}
        for task in MATRIX_TASKS:
            row[task] = cells.get((family, task), {"status": "n/a" if not backbone.tested(task) else "MISSING"})
        rows.append(row)
    result = {
        "command": "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/backbone_matrix.py",
        "pytest_exit_code": done.returncode,
        "wall_seconds": round(wall, 1),
        "cells_tested": len(cells),
        "cells_passed": sum(1 for c in cells.values() if c["status"] == "pass"),
        "cell_seconds": round(sum(float(c["seconds"]) for c in cells.values()), 1),
        "other_tests": others,
        "rows": rows,
        "note": "shared CPU (other agents running), 2 cores, OMP_NUM_THREADS=1",
    }
    out = ROOT / "benchmarks" / "results" / "backbone_matrix.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    header = "| family | " + " | ".join(MATRIX_TASKS) + " |"
    print(header)
    print("|" + "---|" * (len(MATRIX_TASKS) + 1))
    for row in rows:
        print(f"| {row['title']} | " + " | ".join(_cell(row[t]) for t in MATRIX_TASKS) + " |")
    print(f"\n{result['cells_passed']}/{result['cells_tested']} cells pass; {others['passed']} other tests pass, {others['failed']} fail; "
          f"wall {result['wall_seconds']} s (pytest start-up and tiny-model builds included)")


def _cell(cell: dict[str, object]) -> str:
    return f"{cell['status']} ({cell['seconds']:.1f} s)" if "seconds" in cell else str(cell["status"])


if __name__ == "__main__":
    main()
