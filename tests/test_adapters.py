"""The distributed doors (cleaner.adapters): a Dask bag and dataframe on a two-process
cluster, and Hugging Face ``datasets.map``, each compared record for record with cleaning
the same texts one by one. Skipped when Dask, distributed or datasets is not installed
(``pip install '.[dask,hf]'``); the test extras do not install them."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner import Cleaner

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [*seeds, "Sponsored message\nA short story.\n", "", "Nothing to remove here."]


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


def expected(cleaner: Cleaner, text: Any) -> tuple[Any, list[dict[str, Any]], str | None]:
    """What cleaning one value serially gives: (text, spans, error kind)."""
    if not isinstance(text, str):
        return text, [], "bad_type"
    result = cleaner.clean(text)
    if result.error:
        return text, [], result.error.split(":")[0]
    return result.text, [s.to_dict() for s in result.spans], None


def kind(error: str | None) -> str | None:
    return error.split(":")[0] if error else None


@pytest.mark.parametrize(("module", "extra"), [("dask", "dask"), ("hf", "hf")])
def test_a_missing_engine_says_what_to_install(
    module: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = {"dask": "dask", "hf": "datasets"}[module]
    monkeypatch.delitem(sys.modules, f"cleaner.adapters.{module}", raising=False)
    monkeypatch.setitem(sys.modules, engine, None)  # as if it were not installed
    with pytest.raises(ImportError, match=rf"pip install 'cleaner\[{extra}\]'"):
        importlib.import_module(f"cleaner.adapters.{module}")


# -- Dask ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    pytest.importorskip("dask.bag")
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_clean_bag_on_two_workers_matches_a_serial_run(
    client: Any, cleaner: Cleaner, texts: list[str]
) -> None:
    import dask.bag as db

    from cleaner.adapters.dask import clean_bag

    records: list[Any] = [{"id": i, "text": t, "z": [i]} for i, t in enumerate(texts * 3)]
    records += [{"id": "no text"}, {"id": "number", "text": 3}, "not a record"]
    out = clean_bag(db.from_sequence(records, npartitions=6)).compute()
    assert len(out) == len(records)
    for rec, got in zip(records, out, strict=True):
        if not isinstance(rec, dict):
            assert got == rec
            continue
        assert list(got) == [*rec, "removed", "clean_error"]  # the input's fields, in their order
        text, spans, error = expected(cleaner, rec.get("text"))
        if "text" in rec:
            assert got["text"] == text
        assert got["removed"] == spans
        assert kind(got["clean_error"]) == (error if "text" in rec else "missing_field")
        assert {k: v for k, v in got.items() if k not in ("text", "removed", "clean_error")} == {
            k: v for k, v in rec.items() if k != "text"
        }
    assert sum(bool(r["removed"]) for r in out if isinstance(r, dict)) > 3


def test_each_worker_builds_its_cleaner_once(client: Any, texts: list[str]) -> None:
    import dask.bag as db

    from cleaner.adapters import cleaner_spec
    from cleaner.adapters.dask import clean_bag

    spec = cleaner_spec()
    records = [{"text": t} for t in texts * 4]

    def built() -> dict[str, int]:
        def ids() -> int:
            from cleaner.adapters import _cache

            return id(_cache.get(spec))

        return client.run(ids)  # type: ignore[no-any-return]

    clean_bag(db.from_sequence(records, npartitions=8), spec=spec).compute()
    first = built()
    assert len(first) == 2 and all(first.values())
    clean_bag(db.from_sequence(records, npartitions=8), spec=spec).compute()
    assert built() == first  # the same cleaner object: not rebuilt per task or per run


def test_clean_dataframe_on_two_workers_matches_a_serial_run(
    client: Any, cleaner: Cleaner, texts: list[str]
) -> None:
    import dask.dataframe as dd
    import pandas as pd

    from cleaner.adapters.dask import clean_dataframe

    values: list[Any] = [*texts, None, *texts]
    frame = pd.DataFrame({"id": range(len(values)), "text": values, "url": "https://laist.com/x"})
    ddf = dd.from_pandas(frame, npartitions=4)
    result = clean_dataframe(ddf, url_column="url")
    assert list(result.columns) == ["id", "text", "url", "removed", "clean_error"]
    assert result.dtypes["removed"] == result.dtypes["text"] == result.dtypes["clean_error"]
    got = result.compute()
    assert list(got.dtypes) == list(result.dtypes)  # the meta told the truth
    assert list(got["id"]) == list(frame["id"])
    for value, (_, row) in zip(values, got.iterrows(), strict=True):
        if value is None:
            assert pd.isna(row["text"]) and kind(row["clean_error"]) == "bad_type"
            assert json.loads(row["removed"]) == []
            continue
        result_one = cleaner.clean(value, url="https://laist.com/x")
        assert row["text"] == result_one.text
        assert json.loads(row["removed"]) == [s.to_dict() for s in result_one.spans]
        assert pd.isna(row["clean_error"])


def test_clean_dataframe_needs_a_text_column(client: Any) -> None:
    import dask.dataframe as dd
    import pandas as pd

    from cleaner.adapters.dask import clean_dataframe

    ddf = dd.from_pandas(pd.DataFrame({"n": [1, 2]}), npartitions=1)
    with pytest.raises(KeyError):
        clean_dataframe(ddf, "text")
    with pytest.raises(TypeError):
        clean_dataframe(ddf, "n")


# -- Hugging Face datasets -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf() -> Any:
    pytest.importorskip("datasets")
    return importlib.import_module("cleaner.adapters.hf")


def test_hf_map_matches_a_serial_run_with_nothing_removed_in_the_first_batch(
    hf: Any, cleaner: Cleaner, texts: list[str]
) -> None:
    import datasets

    # The first batch (two rows) removes nothing: without explicit features its spans column
    # would be typed as a list of nulls, and the later batches would not fit.
    values: list[Any] = ["Plain text.", "", *texts, None]
    ds = datasets.Dataset.from_dict({"id": list(range(len(values))), "text": values})
    out = hf.clean_dataset(ds, batch_size=2)
    assert out.features == hf.clean_features(ds.features)
    assert out.column_names == ["id", "text", "removed", "clean_error"]
    for value, row in zip(values, out, strict=True):
        text, spans, error = expected(cleaner, value)
        assert (row["text"], row["removed"], kind(row["clean_error"])) == (text, spans, error)
    assert out["removed"][:2] == [[], []] and any(out["removed"])
    last = len(values) - 1
    assert out[last]["clean_error"] == f"bad_type: row {last}: 'text' is null, not a string"
    # The spelled-out form gives the same.
    plain = ds.map(
        hf.clean_batch,
        batched=True,
        batch_size=2,
        fn_kwargs={"spec": hf.cleaner_spec()},
        features=hf.clean_features(ds.features),
    )
    assert plain["removed"] == out["removed"] and plain["text"] == out["text"]


def test_hf_map_on_two_processes_and_on_an_empty_dataset(hf: Any, texts: list[str]) -> None:
    import datasets

    ds = datasets.Dataset.from_dict({"text": texts * 2})
    one = hf.clean_dataset(ds, batch_size=3)
    two = hf.clean_dataset(ds, batch_size=3, num_proc=2)
    assert two["text"] == one["text"] and two["removed"] == one["removed"]
    empty = hf.clean_dataset(ds.select([]))
    assert len(empty) == 0 and empty.features == hf.clean_features(ds.features)
