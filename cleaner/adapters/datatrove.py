"""datatrove: a pipeline step that cleans every document's text, as a formatter does.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.adapters.datatrove import CleanerStep

    LocalPipelineExecutor(
        pipeline=[JsonlReader("crawl/"), CleanerStep(rule_paths=["my_rules/"]), JsonlWriter("clean/")],
        tasks=8,
    ).run()

Each document is cleaned by ``Cleaner.clean``, through the same record-field door as JSON
Lines and the other adapters. The clean text replaces ``doc.text``; ``doc.metadata`` gets the
removed spans (``metadata["removed"]``, the report's ``[{start, end, rule, category, text,
rules}, ...]``; a JSON string, as datatrove's writers keep metadata as plain values) and,
when the text was left unchanged on purpose, why (``metadata["clean_error"]``). The step's
stats count documents, removed spans per category (``removed_<category>``) and characters
removed. The rules are read and checked when the step is made, before any task starts;
each task builds its cleaner once. Needs ``pip install 'cleaner[datatrove]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        f"cleaner.adapters.datatrove needs datatrove ({e.name} is missing): pip install 'cleaner[datatrove]'"
    ) from e

from ..records import Fields, clean_fields, dump_value
from ..schema import Rule
from . import CleanerSpec, cleaner_spec

__all__ = ["CleanerStep"]


class CleanerStep(PipelineStep):
    """Clean ``doc.text`` of every document; the spans and any error go into ``doc.metadata``.

    The cleaner is ``Cleaner(rules, rule_paths=..., default_rules=..., **options)`` (options
    such as ``doc_timeout``), or ``spec`` (from ``cleaner.adapters.cleaner_spec``) when given.
    ``spans_key`` and ``error_key`` name the metadata entries (None leaves one out);
    ``url_key`` names a metadata entry holding the page URL, for site rules.
    """

    name = "🧹 cleaner"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        rules: Sequence[Rule] | None = None,
        *,
        rule_paths: Sequence[Path | str] = (),
        default_rules: bool = True,
        spec: CleanerSpec | None = None,
        spans_key: str | None = "removed",
        error_key: str | None = "clean_error",
        url_key: str | None = "url",
        **options: Any,
    ) -> None:
        super().__init__()
        self.spec = spec or cleaner_spec(rules, rule_paths=rule_paths, default_rules=default_rules, **options)
        self.spans_key = spans_key
        self.error_key = error_key
        self.url_key = url_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        cleaner = self.spec.cleaner()
        fields = Fields(text="text", url="url" if self.url_key else None)
        for doc in data:
            self.stat_update("documents")
            with self.track_time():
                record = {"text": doc.text}
                if self.url_key and isinstance(url := doc.metadata.get(self.url_key), str):
                    record["url"] = url
                cleaned = clean_fields(record, cleaner, fields, where=f"document {doc.id}", input=str(doc.id))
                done = cleaned.done
                if done is not None:
                    doc.text = done.text
                    for span in done.spans:
                        self.stat_update(f"removed_{span.category.value}")
                    self.stat_update("chars_removed", value=done.removed_chars)
                if self.spans_key is not None:
                    doc.metadata[self.spans_key] = dump_value(cleaned.spans)
                if self.error_key is not None:
                    doc.metadata[self.error_key] = cleaned.error
                if cleaned.error is not None:
                    self.stat_update("left_unchanged")
            yield doc
