"""Score the cleaner against a benchmark dataset with the article-extraction-benchmark metric.

The metric (ScrapingHub's article-extraction-benchmark, ``evaluate.py``):

- tokens are runs of ``\\w+`` (Python's ``re``, case-sensitive);
- a document is a multiset of 4-token shingles; a document of 1 to 3 tokens is one
  shingle (the tuple of all its tokens), an empty one none;
- per document, the shingles found in both, only in the prediction and only in the gold
  are counted and divided by their sum, giving tp, fp and fn that sum to 1;
- precision is averaged over the documents with a non-empty prediction (an empty output
  costs recall only), recall over the documents with a non-empty gold, and F1 is the
  harmonic mean of the two averages.

Besides the scores, an evaluation counts what each rule and each category removed
(spans, documents, characters) and how many of those spans look like lost article text:
spans of 4 or more tokens whose token run occurs word for word in the gold ("in gold").

A dataset is a directory of ``<id>.gold.txt`` files with, per id, the input as
``<id>.page.txt`` (text mode) and/or ``<id>.html.gz`` (HTML mode), and optionally a
``manifest.jsonl`` whose rows give each id's ``url``.

Nothing here imports the command-line layer.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .document import Cleans, Document, ReadOptions, clean, read
from .errors import DocumentError, UsageError
from .model import Result
from .read import decode
from .repair import repair_mojibake

Mode = Literal["text", "html"]
MODES: tuple[Mode, ...] = ("text", "html")
SHINGLE_N = 4
GOLD_SUFFIX = ".gold.txt"
TEXT_SUFFIX = ".page.txt"
HTML_SUFFIXES = (".html.gz", ".html")
# The benchmark's scorer tokenises with the standard library's ``re``. The ``regex``
# module's ``\w`` is wider (it takes combining marks, for one), which would change the
# tokens of some pages, so the metric deliberately uses ``re``.
_TOKEN = re.compile(r"\w+")
# An extraction that finds nothing is an empty output, not a failure.
EMPTY_EXTRACTION = "empty_extraction"


# -- the metric ----------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """The ``\\w+`` runs of ``text``, in order."""
    return _TOKEN.findall(text)


def shingles(text: str, n: int = SHINGLE_N) -> Counter[tuple[str, ...]]:
    """Multiset of the ``n``-token windows of ``text``.

    A text with fewer than ``n`` tokens is one window holding all its tokens; a text
    with no token has none.
    """
    words = tokens(text)
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(zip(*(words[k:] for k in range(n)), strict=False))


@dataclass(frozen=True, slots=True)
class DocScore:
    """One document's shingle match. ``tp + fp + fn`` is 1, or all three are 0.

    ``precision`` is ``None`` when the prediction has no token (the document then counts
    for recall only); ``recall`` is ``None`` when the gold has no token.
    """

    tp: float
    fp: float
    fn: float
    precision: float | None
    recall: float | None

    @property
    def empty(self) -> bool:
        """The prediction has no token."""
        return self.precision is None

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "empty": self.empty,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def score_document(pred: str, gold: str) -> DocScore:
    """Compare one prediction with its gold as multisets of shingles."""
    g, p = shingles(gold), shingles(pred)
    both = sum((g & p).values())
    extra = sum((p - g).values())
    missing = sum((g - p).values())
    total = both + extra + missing
    tp, fp, fn = (both / total, extra / total, missing / total) if total else (0.0, 0.0, 0.0)
    return DocScore(
        tp,
        fp,
        fn,
        _precision(tp, fp, fn) if tp + fp > 0 else None,
        _recall(tp, fp, fn) if tp + fn > 0 else None,
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """The averages over a set of documents. ``empty`` counts predictions with no token."""

    precision: float
    recall: float
    f1: float
    n: int
    empty: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n": self.n,
            "empty": self.empty,
        }


def _mean(xs: list[float]) -> float:
    # statistics.mean, like the reference scorer, so the two agree to the last bit
    return statistics.mean(xs) if xs else 0.0


def aggregate(scores: Iterable[DocScore]) -> Scores:
    """Precision averaged over non-empty predictions, recall over non-empty golds; F1 of the two."""
    scores = list(scores)
    precision = _mean([s.precision for s in scores if s.precision is not None])
    recall = _mean([s.recall for s in scores if s.recall is not None])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(scores), sum(1 for s in scores if s.empty))


# -- datasets ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dataset:
    """The documents of a benchmark directory: ids (sorted), their URLs and gold texts."""

    path: Path
    ids: tuple[str, ...]
    urls: dict[str, str | None]

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)

    def gold_path(self, doc_id: str) -> Path:
        return self.path / f"{doc_id}{GOLD_SUFFIX}"

    def text_path(self, doc_id: str) -> Path:
        return self.path / f"{doc_id}{TEXT_SUFFIX}"

    def html_path(self, doc_id: str) -> Path | None:
        for suffix in HTML_SUFFIXES:
            p = self.path / f"{doc_id}{suffix}"
            if p.is_file():
                return p
        return None

    @property
    def has_text(self) -> bool:
        return any(self.text_path(i).is_file() for i in self.ids)

    @property
    def has_html(self) -> bool:
        return any(self.html_path(i) is not None for i in self.ids)

    def modes(self) -> list[Mode]:
        """The modes this dataset has inputs for."""
        found: list[Mode] = []
        if self.has_text:
            found.append("text")
        if self.has_html:
            found.append("html")
        return found

    def gold(self, doc_id: str) -> str:
        path = self.gold_path(doc_id)
        try:
            return decode(path.read_bytes()).text
        except OSError as e:
            raise UsageError(f"{path}: cannot read the gold: {e.strerror or e}") from None
        except DocumentError as e:
            raise UsageError(f"{path}: cannot read the gold: {e.kind}: {e}") from None


def load_dataset(path: Path | str) -> Dataset:
    """The dataset in ``path``: every ``<id>.gold.txt``, with URLs from ``manifest.jsonl``.

    Raises ``UsageError`` naming the path when it is not a directory, holds no gold
    file, or has an unreadable manifest.
    """
    path = Path(path)
    if not path.is_dir():
        raise UsageError(f"{path}: no such dataset directory")
    ids = sorted(p.name[: -len(GOLD_SUFFIX)] for p in path.glob(f"*{GOLD_SUFFIX}") if p.is_file())
    if not ids:
        raise UsageError(f"{path}: not a dataset (no *{GOLD_SUFFIX} files)")
    urls: dict[str, str | None] = dict.fromkeys(ids)
    manifest = path / "manifest.jsonl"
    if manifest.is_file():
        try:
            for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"line {n} is not an object")
                doc_id, url = row.get("id"), row.get("url")
                if isinstance(doc_id, str) and doc_id in urls and isinstance(url, str) and url:
                    urls[doc_id] = url
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise UsageError(f"{manifest}: unreadable manifest: {e}") from None
    return Dataset(path, tuple(ids), urls)


# -- evaluation ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocResult:
    """One document of an evaluation: the cleaner's score and the input's as is.

    ``error`` is ``kind: message`` when the document could not be read, extracted or
    cleaned (its prediction then is empty, or the input unchanged when the cleaner
    gave it back); ``empty_extraction`` is not an error but an empty output.
    """

    id: str
    url: str | None
    score: DocScore
    baseline: DocScore
    chars_in: int
    chars_out: int
    spans: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            **self.score.to_dict(),
            "input": self.baseline.to_dict(),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "spans": self.spans,
            "error": self.error,
        }


@dataclass(slots=True)
class Hits:
    """What one rule, or one category, removed over a dataset."""

    name: str
    category: str | None = None  # for a rule: its category
    spans: int = 0
    chars: int = 0
    docs: int = 0
    in_gold: int = 0  # spans of SHINGLE_N or more tokens whose token run occurs in the gold

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.category is not None:
            out["category"] = self.category
        out.update(spans=self.spans, chars=self.chars, docs=self.docs, in_gold=self.in_gold)
        return out


def _sorted_hits(hits: Iterable[Hits]) -> list[Hits]:
    return sorted(hits, key=lambda h: (-h.spans, -h.chars, h.name))


@dataclass(frozen=True, slots=True)
class EvalReport:
    """An evaluation of one mode on one dataset."""

    dataset: str
    mode: Mode
    documents: tuple[DocResult, ...]
    scores: Scores  # the cleaner's output
    baseline: Scores  # the input as is
    categories: tuple[Hits, ...]  # credited spans per category, most spans first
    rules: tuple[Hits, ...]  # credited spans per rule, most spans first
    chars_in: int
    chars_removed: int
    repaired: int = 0  # inputs whose mojibake the cleaner repaired
    damaged: int = 0  # inputs that hold mojibake the cleaner was not asked to repair

    @property
    def errors(self) -> list[DocResult]:
        return [d for d in self.documents if d.error and not d.error.startswith(EMPTY_EXTRACTION)]

    def worst(self, n: int) -> list[DocResult]:
        """The ``n`` documents with the lowest F1 (ties by id)."""
        return sorted(self.documents, key=lambda d: (d.score.f1, d.id))[: max(n, 0)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "mode": self.mode,
            "metric": "aeb",
            "scores": self.scores.to_dict(),
            "input": self.baseline.to_dict(),
            "chars_in": self.chars_in,
            "chars_removed": self.chars_removed,
            "repaired": self.repaired,
            "damaged": self.damaged,
            "errors": len(self.errors),
            "categories": [h.to_dict() for h in self.categories],
            "rules": [h.to_dict() for h in self.rules],
            "documents": [d.to_dict() for d in self.documents],
        }


def _read_input(dataset: Dataset, doc_id: str, mode: Mode) -> Document:
    """The input of one document, through the document layer as ``cleaner clean`` reads it.

    The manifest's URL scopes the site rules; in HTML mode a page the manifest gives no URL
    for gets the one it names itself (canonical link, og:url). Raises ``DocumentError``
    (``missing`` when the dataset has no input of that mode for the id).
    """
    path = dataset.text_path(doc_id) if mode == "text" else dataset.html_path(doc_id)
    if path is None or not path.is_file():
        name = f"{doc_id}{TEXT_SUFFIX if mode == 'text' else HTML_SUFFIXES[0]}"
        raise DocumentError("missing", f"no {name}")
    return read(path, ReadOptions(format=mode, url=dataset.urls.get(doc_id)), follow_symlinks=True)


def evaluate(
    dataset: Path | str | Dataset,
    cleaner: Cleans,
    mode: Mode = "text",
    *,
    predictions: Path | None = None,
    on_document: Callable[[str], None] | None = None,
    on_case: Callable[[str, str, Result | None, str, str | None], None] | None = None,
) -> EvalReport:
    """Clean every document of ``dataset`` and score the outputs against the gold.

    ``mode`` "text" reads ``<id>.page.txt``; "html" extracts the article text of
    ``<id>.html.gz`` (with the manifest's URL) and cleans that. The cleaner gets the URL
    too. The input as is is scored as well (``baseline``). With ``predictions``, each output
    is written there as ``<id>.txt`` (UTF-8), for cross-checking with another scorer.
    ``on_document`` is called with each id once it is done; ``on_case`` with each id, its
    input text, the cleaner's result (None when the input could not be read), the gold
    and the error, for a review of the run.
    """
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset)
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r} (text or html)")
    if mode == "html":
        if not ds.has_html:
            raise UsageError(f"{ds.path}: no <id>.html.gz files for HTML mode")
    elif not ds.has_text:
        raise UsageError(f"{ds.path}: no <id>{TEXT_SUFFIX} files for text mode")
    if predictions is not None:
        predictions.mkdir(parents=True, exist_ok=True)

    docs: list[DocResult] = []
    per_rule: dict[str, Hits] = {}
    per_cat: dict[str, Hits] = {}
    chars_in = chars_removed = repaired = damaged = 0
    for doc_id in ds.ids:
        gold = ds.gold(doc_id)
        url = ds.urls.get(doc_id)
        error: str | None = None
        text = pred = ""
        result: Result | None = None
        try:
            doc = _read_input(ds, doc_id, mode)
        except DocumentError as e:
            error = e.kind if e.kind == EMPTY_EXTRACTION else f"{e.kind}: {e}"
        else:
            text, url = doc.text, doc.url
            result, _ = clean(doc, cleaner, input=doc_id, output=None)
            pred = result.text
            error = result.error
            if result.repair:
                repaired += 1
            elif repair_mojibake(text).plan:
                damaged += 1
        if predictions is not None:
            (predictions / f"{doc_id}.txt").write_bytes(pred.encode("utf-8", errors="replace"))
        spans = result.spans if result is not None else ()
        rules_seen: set[str] = set()
        cats_seen: set[str] = set()
        gold_run = f" {' '.join(tokens(gold))} "
        for s in spans:
            size = s.end - s.start
            cat = s.category.value
            words = tokens(s.text)
            lost = len(words) >= SHINGLE_N and f" {' '.join(words)} " in gold_run
            rh = per_rule.setdefault(s.rule, Hits(s.rule, cat))
            ch = per_cat.setdefault(cat, Hits(cat))
            for h in (rh, ch):
                h.spans += 1
                h.chars += size
                h.in_gold += lost
            if s.rule not in rules_seen:
                rules_seen.add(s.rule)
                rh.docs += 1
            if cat not in cats_seen:
                cats_seen.add(cat)
                ch.docs += 1
        removed = sum(s.end - s.start for s in spans)
        size = len(result.source or text) if result is not None else len(text)
        chars_in += size
        chars_removed += removed
        docs.append(
            DocResult(
                id=doc_id,
                url=url,
                score=score_document(pred, gold),
                baseline=score_document(text, gold),
                chars_in=size,
                chars_out=len(pred),
                spans=len(spans),
                error=error,
            )
        )
        if on_case is not None:
            on_case(doc_id, text, result, gold, error)
        if on_document is not None:
            on_document(doc_id)

    return EvalReport(
        dataset=ds.name,
        mode=mode,
        documents=tuple(docs),
        scores=aggregate(d.score for d in docs),
        baseline=aggregate(d.baseline for d in docs),
        categories=tuple(_sorted_hits(per_cat.values())),
        rules=tuple(_sorted_hits(per_rule.values())),
        chars_in=chars_in,
        chars_removed=chars_removed,
        repaired=repaired,
        damaged=damaged,
    )


def reports_json(dataset: Dataset, reports: Sequence[EvalReport]) -> dict[str, Any]:
    """The JSON document ``cleaner eval --json`` writes."""
    return {
        "schema": 1,
        "dataset": str(dataset.path),
        "modes": {r.mode: r.to_dict() for r in reports},
    }


__all__ = [
    "MODES",
    "DocResult",
    "DocScore",
    "Dataset",
    "EvalReport",
    "Hits",
    "Mode",
    "Scores",
    "aggregate",
    "evaluate",
    "load_dataset",
    "reports_json",
    "score_document",
    "shingles",
    "tokens",
]
