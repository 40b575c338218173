"""Hugging Face ``datasets``: clean a text column with ``Dataset.map``.

    from cleaner.adapters.hf import clean_dataset
    ds = clean_dataset(ds, text_column="text", num_proc=8)

or, spelled out (the features must be given: a first batch with nothing removed would
otherwise fix the spans column's type as a list of nulls):

    ds.map(clean_batch, batched=True, fn_kwargs={"spec": cleaner_spec()},
           features=clean_features(ds.features))

Each row is cleaned by ``Cleaner.clean``; the cleaner is built once per process. Needs
``pip install 'cleaner[hf]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

try:
    import datasets
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        f"cleaner.adapters.hf needs Hugging Face datasets ({e.name} is missing): pip install 'cleaner[hf]'"
    ) from e

from ..records import Fields, clean_fields
from . import CleanerSpec, cleaner_spec

__all__ = ["SPANS_FEATURE", "clean_batch", "clean_dataset", "clean_features", "cleaner_spec"]

# The report's span, as an Arrow type. (Lists are written as Python lists: understood by every
# ``datasets`` from 2.x on.)
SPANS_FEATURE = [
    {
        "start": datasets.Value("int64"),
        "end": datasets.Value("int64"),
        "rule": datasets.Value("string"),
        "category": datasets.Value("string"),
        "text": datasets.Value("string"),
        "rules": [datasets.Value("string")],
    }
]


@cache
def _default_spec() -> CleanerSpec:
    return cleaner_spec()


def clean_batch(
    batch: dict[str, Sequence[Any]],
    indices: Sequence[int] | None = None,
    *,
    text_column: str = "text",
    url_column: str | None = None,
    spans_column: str | None = "removed",
    error_column: str | None = "clean_error",
    spec: CleanerSpec | None = None,
) -> dict[str, list[Any]]:
    """For ``Dataset.map(..., batched=True)``: the clean ``text_column``, the removed spans
    in ``spans_column`` and, in ``error_column``, null or ``kind: message`` when a row's
    text was left unchanged (null, or the cleaner's own error). None leaves a column out.
    ``spec`` (from ``cleaner_spec``) says which cleaner; by default the shipped rules.
    ``indices`` (``with_indices=True``) number the rows in error messages."""
    cleaner = (spec or _default_spec()).cleaner()
    fields = Fields(text=text_column, url=url_column)
    texts = batch[text_column]
    urls = batch[url_column] if url_column is not None else None
    out: dict[str, list[Any]] = {text_column: []}
    spans: list[Any] = out.setdefault(spans_column, []) if spans_column is not None else []
    errors: list[Any] = out.setdefault(error_column, []) if error_column is not None else []
    for i, text in enumerate(texts):
        row = {text_column: text}
        if urls is not None and url_column is not None:
            row[url_column] = urls[i]
        where = f"row {indices[i]}" if indices is not None else f"row {i} of the batch"
        cleaned = clean_fields(row, cleaner, fields, where=where)
        out[text_column].append(cleaned.done.text if cleaned.done is not None else text)
        spans.append(cleaned.spans)
        errors.append(cleaned.error)
    return out


def clean_features(
    features: datasets.Features,
    *,
    text_column: str = "text",
    spans_column: str | None = "removed",
    error_column: str | None = "clean_error",
) -> datasets.Features:
    """The features of the cleaned dataset: ``features`` with the spans and error columns."""
    if text_column not in features:
        raise KeyError(f"no column {text_column!r} in the dataset")
    added: dict[str, Any] = {}
    if spans_column is not None:
        added[spans_column] = SPANS_FEATURE
    if error_column is not None:
        added[error_column] = datasets.Value("string")
    return datasets.Features({**features, **added})


def clean_dataset(
    ds: datasets.Dataset,
    *,
    text_column: str = "text",
    url_column: str | None = None,
    spans_column: str | None = "removed",
    error_column: str | None = "clean_error",
    spec: CleanerSpec | None = None,
    **map_options: Any,
) -> datasets.Dataset:
    """``ds`` cleaned by ``Dataset.map`` with ``clean_batch`` and explicit features;
    ``map_options`` go to ``map`` (``num_proc``, ``batch_size``, ...)."""
    features = clean_features(
        ds.features, text_column=text_column, spans_column=spans_column, error_column=error_column
    )
    if ds.num_rows == 0:  # map (and cast) return an empty dataset as it is, without new columns
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features, split=ds.split)
    return ds.map(
        clean_batch,
        batched=True,
        with_indices=True,
        fn_kwargs={
            "text_column": text_column,
            "url_column": url_column,
            "spans_column": spans_column,
            "error_column": error_column,
            "spec": spec or _default_spec(),
        },
        features=features,
        **map_options,
    )
