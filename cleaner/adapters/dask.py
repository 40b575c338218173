"""Dask: clean a bag of records or a dataframe column, on any scheduler or cluster.

    import dask.bag as db
    from cleaner.adapters.dask import clean_bag
    cleaned = clean_bag(db.read_text("docs-*.jsonl").map(json.loads), rule_paths=["my_rules/"])

Each partition is cleaned by ``Cleaner.clean``, like every other door. The rules are read
and checked once, on the client (``cleaner_spec``), and travel to the workers as one shared
piece of the graph: a worker receives them once and builds its cleaner once per process,
whatever the number of partitions. Needs ``pip install 'cleaner[dask]'``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

try:
    import dask
    import dask.bag
    import dask.dataframe
    import pandas as pd
except ImportError as e:  # pragma: no cover - the message is the point
    raise ImportError(
        f"cleaner.adapters.dask needs Dask ({e.name} is missing): pip install 'cleaner[dask]'"
    ) from e

from ..records import Fields, clean_fields, dump_value
from ..schema import Rule
from . import CleanerSpec, cleaner_spec

__all__ = ["clean_bag", "clean_dataframe"]


def clean_bag(
    bag: dask.bag.Bag,
    *,
    text_field: str = "text",
    url_field: str | None = None,
    spans_field: str | None = "removed",
    error_field: str | None = "clean_error",
    rules: Sequence[Rule] | None = None,
    rule_paths: Sequence[Path | str] = (),
    default_rules: bool = True,
    spec: CleanerSpec | None = None,
    **options: Any,
) -> dask.bag.Bag:
    """A bag of records (dicts) with ``text_field`` cleaned.

    Each output record is a copy of its input with the clean text in place, then
    ``spans_field`` (the removed spans, ``[{start, end, rule, category, text, rules}, ...]``)
    and ``error_field`` (null, or ``kind: message`` when the text was left unchanged: no
    text field, not a string, or the cleaner's own error) added at the end; None leaves
    either out. A record that is not a mapping is passed through as it is.

    The cleaner is ``Cleaner(rules, rule_paths=..., default_rules=..., **options)``, or
    ``spec`` (from ``cleaner_spec``) when given.
    """
    spec = spec or cleaner_spec(rules, rule_paths=rule_paths, default_rules=default_rules, **options)
    fields = Fields(text=text_field, url=url_field, spans=spans_field)
    return bag.map_partitions(
        _clean_records,
        spec=dask.delayed(spec, pure=True),
        fields=fields,
        error_field=error_field,
    )


def _clean_records(
    part: Sequence[Any], spec: CleanerSpec, fields: Fields, error_field: str | None
) -> list[Any]:
    cleaner = spec.cleaner()
    out: list[Any] = []
    for rec in part:
        if not isinstance(rec, Mapping):
            out.append(rec)
            continue
        cleaned = clean_fields(rec, cleaner, fields, where="record")
        new = dict(rec)
        if cleaned.done is not None:
            new[fields.text] = cleaned.done.text
        if fields.spans is not None:
            new[fields.spans] = cleaned.spans
        if error_field is not None:
            new[error_field] = cleaned.error
        out.append(new)
    return out


def clean_dataframe(
    ddf: dask.dataframe.DataFrame,
    column: str = "text",
    *,
    url_column: str | None = None,
    spans_column: str | None = "removed",
    error_column: str | None = "clean_error",
    rules: Sequence[Rule] | None = None,
    rule_paths: Sequence[Path | str] = (),
    default_rules: bool = True,
    spec: CleanerSpec | None = None,
    **options: Any,
) -> dask.dataframe.DataFrame:
    """A dataframe with ``column`` cleaned, and two columns added (None leaves either out):

    - ``spans_column``: the removed spans as a JSON string (``json.loads`` gives the
      report's ``[{start, end, rule, category, text, rules}, ...]``). A string rather than
      a list of dicts, so the column has one plain type that every format the frame may be
      written to (Parquet, CSV) keeps, however many of its rows removed nothing;
    - ``error_column``: null, or ``kind: message`` when the row's text was left unchanged
      (missing, not a string, or the cleaner's own error).

    Both new columns have the dtype of ``column`` (a string dtype; ``object`` holding
    strings works too), which must hold text. The cleaner is chosen as in ``clean_bag``.
    """
    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the dataframe")
    dtype = ddf[column].dtype
    if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
        raise TypeError(f"column {column!r} holds {dtype}, not text")
    spec = spec or cleaner_spec(rules, rule_paths=rule_paths, default_rules=default_rules, **options)
    added = {name: pd.Series([], dtype=dtype) for name in (spans_column, error_column) if name is not None}
    meta = ddf._meta.assign(**added)
    return ddf.map_partitions(
        _clean_frame,
        spec=dask.delayed(spec, pure=True),
        column=column,
        url_column=url_column,
        spans_column=spans_column,
        error_column=error_column,
        meta=meta,
    )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _clean_frame(
    frame: pd.DataFrame,
    spec: CleanerSpec,
    column: str,
    url_column: str | None,
    spans_column: str | None,
    error_column: str | None,
) -> pd.DataFrame:
    cleaner = spec.cleaner()
    fields = Fields(text=column, url=url_column)
    urls = frame[url_column] if url_column is not None else None
    texts, spans, errors = [], [], []
    for i, (index, value) in enumerate(frame[column].items()):
        row: dict[str, Any] = {column: None if _missing(value) else value}
        if urls is not None and url_column is not None and not _missing(url := urls.iloc[i]):
            row[url_column] = url
        cleaned = clean_fields(row, cleaner, fields, where=f"row {index!r}")
        texts.append(cleaned.done.text if cleaned.done is not None else value)
        spans.append(dump_value(cleaned.spans))
        errors.append(cleaned.error)
    dtype = frame[column].dtype
    out = frame.copy()
    out[column] = pd.Series(texts, index=frame.index, dtype=dtype)
    if spans_column is not None:
        out[spans_column] = pd.Series(spans, index=frame.index, dtype=dtype)
    if error_column is not None:
        out[error_column] = pd.Series(errors, index=frame.index, dtype=dtype)
    return out
