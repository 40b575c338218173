"""Quality gate: the cleaner's scores on the development pages must not fall below the
floors pinned in fixtures/quality/floors.json, and no more pages may be harmed than pinned.

For every dataset and mode the file pins:

- ``floors``: the AEB metric's F1, precision and recall (the scores less 0.002);
- ``words``: WCXB's word F1 over all pages and per page type, where the manifest gives
  types (less 0.002);
- ``harmed``: how many pages lost more than 0.05 and more than 0.20 of recall against the
  input's own (as measured: a change that harms one more page fails).

The floors sit next to a digest of the data they were measured on. When the data changes
the digest no longer matches and the test says so: re-measure with `cleaner eval` and pin
new floors in the same commit. Lowering a floor is a visible decision in that file.

``CLEANER_PIN_FLOORS=1 pytest tests/test_quality.py`` writes what it measures (and the
data's digest) into the file; read the diff before committing it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from cleaner import Cleaner
from cleaner.evaluate import HARM_MUCH, HARM_SOME, EvalReport, evaluate

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = ROOT / "fixtures" / "quality" / "floors.json"
FLOORS = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
BENCH = ROOT.parent / "shared" / "bench"
PIN = os.environ.get("CLEANER_PIN_FLOORS") == "1"
MARGIN = 0.002


def digest(dataset: Path) -> str:
    """SHA-256 over the names and bytes of a dataset's inputs, gold files and snippets (also
    in per-site folders), in name order."""
    h = hashlib.sha256()
    for path in sorted(dataset.rglob("*")):
        if path.name.endswith((".gold.txt", ".page.txt", ".html.gz", ".snippets.json")):
            h.update(str(path.relative_to(dataset)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def cleaners() -> dict[bool, Cleaner]:
    return {False: Cleaner(), True: Cleaner(repair_mojibake=True)}


REPAIR = "+repair"  # a mode pinned with --repair-mojibake ("text+repair")


CASES = [(name, mode) for name, pinned in FLOORS["datasets"].items() for mode in pinned["modes"]]


def measured(report: EvalReport) -> dict[str, Any]:
    scores = report.scores
    overall = report.overall
    words = {"all": overall.words.f1, **{g.name: g.words.f1 for g in report.page_types}}
    return {
        "floors": {"f1": scores.f1, "precision": scores.precision, "recall": scores.recall},
        "words": words,
        "harmed": {str(HARM_SOME): len(overall.harmed), str(HARM_MUCH): len(overall.badly_harmed)},
    }


@pytest.mark.parametrize(("name", "mode"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_scores_stay_above_the_floors(name: str, mode: str, cleaners: dict[bool, Cleaner]) -> None:
    dataset = BENCH / name
    if not dataset.is_dir():
        pytest.skip(f"{dataset} is not here")
    pinned = FLOORS["datasets"][name]
    repair = mode.endswith(REPAIR)
    report = evaluate(dataset, cleaners[repair], mode.removesuffix(REPAIR))  # type: ignore[arg-type]
    got = measured(report)
    if PIN:
        pinned["digest"] = digest(dataset)
        pinned["modes"][mode] = {
            "floors": {k: round(v - MARGIN, 3) for k, v in got["floors"].items()},
            "words": {k: round(v - MARGIN, 3) for k, v in got["words"].items()},
            "harmed": got["harmed"],
        }
        FLOORS_FILE.write_text(json.dumps(FLOORS, indent=2) + "\n", encoding="utf-8")
    assert digest(dataset) == pinned["digest"], (
        f"{dataset} changed since the floors were pinned: re-measure and pin them again"
    )
    want = pinned["modes"][mode]
    low = {
        f"{group}.{k}": (round(got[group][k], 4), floor)
        for group in ("floors", "words")
        for k, floor in want[group].items()
        if got[group].get(k, 0.0) < floor
    }
    assert not low, f"{name} {mode}: below the floor (score, floor): {low}"
    more = {k: (got["harmed"][k], most) for k, most in want["harmed"].items() if got["harmed"][k] > most}
    assert not more, f"{name} {mode}: more pages harmed than pinned (pages, pinned): {more}"
