"""An evaluation: clean every document of a dataset and score it against its gold.

Besides the scores, an evaluation counts

- **harm**: the pages whose recall (the AEB metric's) fell more than ``HARM_SOME`` and
  more than ``HARM_MUCH`` below the recall of the input as is: what cleaning took of the
  story, which a mean hides;
- per page type, when the manifest gives one: both metrics, harm and snippets;
- what each rule and each category removed (spans, documents, characters) and how many of
  those spans look like lost article text: spans of 4 or more tokens whose token run occurs
  word for word in the gold ("in gold").

Nothing here imports the command-line layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import Cleans, Document, ReadOptions, clean, read
from ..errors import DocumentError, UsageError
from ..model import Result
from ..repair import repair_mojibake
from .dataset import HTML_SUFFIXES, MODES, TEXT_SUFFIX, Dataset, Mode, load_dataset
from .metrics import (
    SHINGLE_N,
    DocScore,
    Scores,
    Snippets,
    WordScore,
    WordScores,
    aggregate,
    score_document,
    snippets_of,
    tokens,
    word_average,
    word_score,
)

# An extraction that finds nothing is an empty output, not a failure.
EMPTY_EXTRACTION = "empty_extraction"
HARM_SOME = 0.05  # a page harmed: its recall fell more than this below the input's own
HARM_MUCH = 0.20  # a page badly harmed


@dataclass(frozen=True, slots=True)
class DocResult:
    """One document of an evaluation: the cleaner's scores and the input's as is.

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
    page_type: str | None = None
    site: str | None = None
    words: WordScore | None = None
    words_baseline: WordScore | None = None
    snippets: Snippets | None = None

    @property
    def harm(self) -> float:
        """How much recall cleaning lost against the input's own (0 when it lost none)."""
        if self.score.recall is None or self.baseline.recall is None:
            return 0.0
        return max(0.0, self.baseline.recall - self.score.recall)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "url": self.url,
            **self.score.to_dict(),
            "input": self.baseline.to_dict(),
            "harm": self.harm,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "spans": self.spans,
            "error": self.error,
        }
        if self.page_type is not None:
            out["page_type"] = self.page_type
        if self.site is not None:
            out["site"] = self.site
        if self.words is not None and self.words_baseline is not None:
            out["words"] = self.words.to_dict()
            out["words_input"] = self.words_baseline.to_dict()
        if self.snippets is not None:
            out["snippets"] = self.snippets.to_dict()
        return out


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
class Group:
    """The scores of a set of documents (all, or one page type)."""

    name: str
    scores: Scores
    baseline: Scores
    words: WordScores
    words_baseline: WordScores
    snippets: Snippets
    harmed: tuple[str, ...]  # ids of pages harmed by more than HARM_SOME
    badly_harmed: tuple[str, ...]  # ids of pages harmed by more than HARM_MUCH

    @classmethod
    def of(cls, name: str, docs: Sequence[DocResult]) -> Group:
        return cls(
            name,
            aggregate(d.score for d in docs),
            aggregate(d.baseline for d in docs),
            word_average(d.words for d in docs if d.words is not None),
            word_average(d.words_baseline for d in docs if d.words_baseline is not None),
            sum((d.snippets for d in docs if d.snippets is not None), Snippets()),
            tuple(d.id for d in docs if d.harm > HARM_SOME),
            tuple(d.id for d in docs if d.harm > HARM_MUCH),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scores": self.scores.to_dict(),
            "input": self.baseline.to_dict(),
            "words": self.words.to_dict(),
            "words_input": self.words_baseline.to_dict(),
            "snippets": self.snippets.to_dict(),
            "harmed": {"over": HARM_SOME, "count": len(self.harmed), "ids": list(self.harmed)},
            "badly_harmed": {
                "over": HARM_MUCH,
                "count": len(self.badly_harmed),
                "ids": list(self.badly_harmed),
            },
        }


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

    @property
    def overall(self) -> Group:
        return Group.of("all", self.documents)

    @property
    def page_types(self) -> list[Group]:
        """One group per page type the manifest names, most pages first; none without types."""
        by_type: dict[str, list[DocResult]] = {}
        for d in self.documents:
            if d.page_type:
                by_type.setdefault(d.page_type, []).append(d)
        return [Group.of(t, docs) for t, docs in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0]))]

    def worst(self, n: int) -> list[DocResult]:
        """The ``n`` documents with the lowest F1 (ties by id)."""
        return sorted(self.documents, key=lambda d: (d.score.f1, d.id))[: max(n, 0)]

    def to_dict(self) -> dict[str, Any]:
        overall = self.overall
        return {
            "dataset": self.dataset,
            "mode": self.mode,
            "metric": "aeb",
            "scores": self.scores.to_dict(),
            "input": self.baseline.to_dict(),
            "words": overall.words.to_dict(),
            "words_input": overall.words_baseline.to_dict(),
            "snippets": overall.snippets.to_dict(),
            "harmed": {"over": HARM_SOME, "count": len(overall.harmed), "ids": list(overall.harmed)},
            "badly_harmed": {
                "over": HARM_MUCH,
                "count": len(overall.badly_harmed),
                "ids": list(overall.badly_harmed),
            },
            "page_types": [g.to_dict() for g in self.page_types],
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
            out = predictions / f"{doc_id}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(pred.encode("utf-8", errors="replace"))
        spans = result.spans if result is not None else ()
        _count_hits(spans, gold, per_rule, per_cat)
        removed = sum(s.end - s.start for s in spans)
        size = len(result.source or text) if result is not None else len(text)
        chars_in += size
        chars_removed += removed
        snippets = ds.snippets(doc_id)
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
                page_type=ds.types.get(doc_id),
                site=ds.sites.get(doc_id),
                words=word_score(pred, gold),
                words_baseline=word_score(text, gold),
                snippets=snippets_of(pred, *snippets) if snippets is not None else None,
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


def _count_hits(spans: Sequence[Any], gold: str, per_rule: dict[str, Hits], per_cat: dict[str, Hits]) -> None:
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


def reports_json(dataset: Dataset, reports: Sequence[EvalReport]) -> dict[str, Any]:
    """The JSON document ``cleaner eval --json`` writes."""
    return {
        "schema": 2,
        "dataset": str(dataset.path),
        "modes": {r.mode: r.to_dict() for r in reports},
    }
