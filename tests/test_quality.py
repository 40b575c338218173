"""Quality gate: the cleaner's scores on the development pages must not fall below the
floors pinned in fixtures/quality/floors.json.

The floors sit next to a digest of the data they were measured on. When the data changes
the digest no longer matches and the test says so: re-measure with `cleaner eval` and pin
new floors in the same commit. Lowering a floor is a visible decision in that file.

``CLEANER_PIN_FLOORS=1 pytest tests/test_quality.py`` writes the measured scores less
0.002 (and the data's digest) into the file; read the diff before committing it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = ROOT / "fixtures" / "quality" / "floors.json"
FLOORS = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
BENCH = ROOT.parent / "shared" / "bench"
PIN = os.environ.get("CLEANER_PIN_FLOORS") == "1"
MARGIN = 0.002


def digest(dataset: Path) -> str:
    """SHA-256 over the names and bytes of a dataset's inputs and gold files, in name order."""
    h = hashlib.sha256()
    for path in sorted(dataset.iterdir()):
        if path.name.endswith((".gold.txt", ".page.txt", ".html.gz")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def cleaners() -> dict[bool, Cleaner]:
    return {False: Cleaner(), True: Cleaner(repair_mojibake=True)}


REPAIR = "+repair"  # a mode pinned with --repair-mojibake ("text+repair")


CASES = [(name, mode) for name, pinned in FLOORS["datasets"].items() for mode in pinned["floors"]]


@pytest.mark.parametrize(("name", "mode"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_scores_stay_above_the_floors(name: str, mode: str, cleaners: dict[bool, Cleaner]) -> None:
    dataset = BENCH / name
    if not dataset.is_dir():
        pytest.skip(f"{dataset} is not here")
    pinned = FLOORS["datasets"][name]
    repair = mode.endswith(REPAIR)
    report = evaluate(dataset, cleaners[repair], mode.removesuffix(REPAIR))  # type: ignore[arg-type]
    got = {"f1": report.scores.f1, "precision": report.scores.precision, "recall": report.scores.recall}
    if PIN:
        pinned["digest"] = digest(dataset)
        pinned["floors"][mode] = {k: round(v - MARGIN, 3) for k, v in got.items()}
        FLOORS_FILE.write_text(json.dumps(FLOORS, indent=2) + "\n", encoding="utf-8")
    assert digest(dataset) == pinned["digest"], (
        f"{dataset} changed since the floors were pinned: re-measure and pin them again"
    )
    low = {k: (round(got[k], 4), floor) for k, floor in pinned["floors"][mode].items() if got[k] < floor}
    assert not low, f"{name} {mode}: below the floor (score, floor): {low}"
