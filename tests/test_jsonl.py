"""JSONL streaming (cleaner.jsonl): the JSONL rows of shared/RELIABILITY.md (49, 50, 51, 53,
54), fields passed through untouched, the spans field, gzip, 1:1 lines and flat memory."""

from __future__ import annotations

import gzip
import io
import json
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_cleaner, rule_toml
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, Result, Span, restore
from cleaner.errors import UsageError, WriteError
from cleaner.jsonl import (
    StreamReadError,
    _top_level,
    clean_file,
    clean_lines,
    clean_stream,
    iter_lines,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SPONSORED = rule_toml(
    "t.sponsored",
    'phrases = ["Sponsored message"]',
    category="sponsored",
    remove_examples=["Sponsored message"],
)
MEMBERS = rule_toml(
    "t.members",
    'phrases = ["Members only"]\nsites = ["example.com"]',
    category="paywall",
    remove_examples=["Members only"],
)
DIRTY = "Sponsored message\nThe story goes on.\n"
CLEAN = "The story goes on.\n"


@pytest.fixture(scope="module")
def small() -> Cleaner:
    return make_cleaner(SPONSORED, MEMBERS)


def run(data: bytes, cleaner: Cleaner, **options: Any) -> tuple[bytes, list[dict[str, Any]], Any]:
    """Stream ``data`` through; the output bytes, the report records and the summary."""
    out = io.BytesIO()
    records: list[dict[str, Any]] = []
    summary = clean_stream(io.BytesIO(data), out, cleaner, report=records.append, **options)
    return out.getvalue(), records, summary


def jsonl(*objs: Any) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objs)


def out_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\n") or data == b""
    return data.split(b"\n")[:-1] if data else []


# -- the matrix rows --------------------------------------------------------------------------


def test_row49_missing_text_field_passes_through_and_is_reported(small: Cleaner) -> None:
    data = b'{"id":"0","text":"Sponsored message\\nThe story goes on.\\n"}\n{"id":"1"}\n' + jsonl(
        {"id": "2", "text": DIRTY}
    )
    out, records, summary = run(data, small, source="in.jsonl")
    lines = out_lines(out)
    assert lines[1] == b'{"id":"1"}'
    assert [json.loads(line)["text"] for line in (lines[0], lines[2])] == [CLEAN, CLEAN]
    rec = records[1]
    assert rec["status"] == "error" and rec["output"] is None
    assert rec["error"] == "missing_field: line 2 has no 'text' field"
    assert rec["input"] == "in.jsonl:2"
    assert [r["status"] for r in records] == ["ok", "error", "ok"]
    assert (summary.documents, summary.errors) == (3, 1)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("null", "null"),
        ("3", "a number"),
        ('["a"]', "an array"),
        ('{"a":1}', "an object"),
        ("true", "a boolean"),
    ],
)
def test_row50_text_not_a_string_is_bad_type(small: Cleaner, value: str, kind: str) -> None:
    line = f'{{"id": 7, "text": {value}}}'.encode()
    out, records, summary = run(jsonl({"text": DIRTY}) + line + b"\n", small)
    assert out_lines(out)[1] == line
    assert records[1]["error"] == f"bad_type: line 2: 'text' is {kind}, not a string"
    assert records[1]["status"] == "error"
    assert json.loads(out_lines(out)[0])["text"] == CLEAN
    assert summary.errors == 1


def test_row50_a_line_that_is_not_an_object_is_bad_type(small: Cleaner) -> None:
    out, records, _ = run(b'["text", 1]\n"just a string"\n', small)
    assert out == b'["text", 1]\n"just a string"\n'
    assert [r["error"] for r in records] == [
        "bad_type: line 1 is an array, not an object",
        "bad_type: line 2 is a string, not an object",
    ]


def test_row51_malformed_json_line_passes_through_with_its_number(small: Cleaner) -> None:
    bad = b'{"id": "2", "text": "Sponsored mess'
    data = jsonl({"text": DIRTY}) + bad + b"\n" + jsonl({"text": DIRTY})
    out, records, summary = run(data, small)
    lines = out_lines(out)
    assert lines[1] == bad
    assert records[1]["error"].startswith("bad_json: line 2: ")
    assert "column" in records[1]["error"]
    assert [json.loads(lines[i])["text"] for i in (0, 2)] == [CLEAN, CLEAN]
    assert summary.errors == 1


def test_row51_final_line_without_newline_is_a_record(small: Cleaner) -> None:
    data = jsonl({"text": DIRTY}) + json.dumps({"text": DIRTY}).encode()  # no final "\n"
    out, records, summary = run(data, small)
    assert out.endswith(b"\n") and out.count(b"\n") == 2
    assert [json.loads(line)["text"] for line in out_lines(out)] == [CLEAN, CLEAN]
    assert summary.errors == 0 and len(records) == 2


def test_row51_invalid_utf8_line_is_a_decode_error(small: Cleaner) -> None:
    bad = b'{"text": "caf\xc3 x"}'
    out, records, _ = run(bad + b"\n" + jsonl({"text": DIRTY}), small)
    assert out_lines(out)[0] == bad
    assert records[0]["error"] == "decode: line 1: invalid UTF-8 at byte 13"


def test_row53_duplicate_ids_warn_and_are_keyed_by_line(small: Cleaner) -> None:
    data = jsonl(
        {"id": "a", "text": DIRTY}, {"id": "b", "text": DIRTY}, {"id": "a", "text": DIRTY}, {"id": 1}
    )
    out, records, summary = run(data, small, id_field="id", source="s.jsonl")
    assert [r["input"] for r in records] == ["s.jsonl:1", "s.jsonl:2", "s.jsonl:3", "s.jsonl:4"]
    assert [r["id"] for r in records] == ["a", "b", "a", 1]
    assert list(records[0])[:3] == ["schema", "input", "id"]
    assert "warnings" not in records[0] and "warnings" not in records[1]
    assert records[2]["warnings"] == ['duplicate_id: line 3: id "a" was seen on an earlier line']
    assert records[2]["status"] == "ok"  # a warning, not an error
    assert json.loads(out_lines(out)[2])["text"] == CLEAN
    assert summary.errors == 1  # only the record without text


def test_row53_ids_of_other_types_are_told_apart(small: Cleaner) -> None:
    data = jsonl(
        {"id": 1, "text": "x"}, {"id": "1", "text": "x"}, {"id": [1], "text": "x"}, {"id": [1], "text": "x"}
    )
    _, records, _ = run(data, small, id_field="id")
    assert ["warnings" in r for r in records] == [False, False, False, True]


def test_row54_raw_line_separators_inside_strings_do_not_split_records(small: Cleaner) -> None:
    text = "Sponsored message\nLine\u2028with\u0085odd\u2029breaks.\n"
    data = (
        json.dumps({"title": "a\u2028b\x85c", "text": text}, ensure_ascii=False).encode()
        + b"\n"
        + json.dumps({"text": "x\u2028y"}, ensure_ascii=False).encode()
        + b"\n"
    )
    assert len(data.decode().splitlines()) > 2  # the trap splitlines() falls into
    out, records, summary = run(data, small, spans_field="removed")
    assert len(records) == 2 and summary.errors == 0
    for raw in ("\u2028", "\u2029", "\x85"):
        assert raw.encode() not in out  # the writer escapes them
    assert len(out.decode().splitlines()) == 2
    first, second = (json.loads(line) for line in out_lines(out))
    assert first["title"] == "a\u2028b\x85c"
    assert first["text"] == "Line\u2028with\u0085odd\u2029breaks.\n"
    assert (
        restore(first["text"], [Span(**{**s, "rules": tuple(s["rules"])}) for s in first["removed"]]) == text
    )
    assert second == {"text": "x\u2028y", "removed": []}


# -- fields -----------------------------------------------------------------------------------


def test_other_fields_keep_their_bytes_and_order(small: Cleaner) -> None:
    head = '{"z": 1E5, "big": 1180591620717411303424, "prec": 0.1000000000000000055511151231257827, '
    tail = ', "nested": {"b": [1, 2, {"c": "\\u00e9"}], "a": null}, "nan": NaN}'
    text = json.dumps(DIRTY)
    line = f'{head}"text" :  {text}{tail}'.encode()
    out, records, _ = run(line + b"\n", small)
    assert out == f'{head}"text" :  {json.dumps(CLEAN)}{tail}\n'.encode()
    assert list(json.loads(out)) == ["z", "big", "prec", "text", "nested", "nan"]
    assert records[0]["chars_in"] == len(DIRTY) and records[0]["chars_out"] == len(CLEAN)


def test_a_record_with_nothing_removed_is_written_back_byte_for_byte(small: Cleaner) -> None:
    data = b'{ "text" : "Nothing to remove.\\u000a" ,"x":[1.50, 2e3] }\r\n{"text":""}\n'
    out, records, summary = run(data, small)
    assert out == data  # I8, "\r\n" included
    assert summary.spans == 0 and [r["status"] for r in records] == ["ok", "ok"]


def test_the_spans_field_replays_and_is_added_or_replaced(small: Cleaner) -> None:
    data = jsonl({"text": DIRTY, "k": 1}, {"removed": "old", "text": DIRTY}, {"text": "clean"}, {"id": 3})
    out, records, _ = run(data, small, spans_field="removed")
    a, b, c, d = (json.loads(line) for line in out_lines(out))
    assert list(a) == ["text", "k", "removed"]
    assert a["removed"] == records[0]["removed"]
    assert a["removed"] == [
        {
            "start": 0,
            "end": 18,
            "rule": "t.sponsored",
            "category": "sponsored",
            "text": "Sponsored message\n",
            "rules": ["t.sponsored"],
        }
    ]
    assert list(b) == ["removed", "text"] and b["removed"] == a["removed"]
    assert c == {"text": "clean", "removed": []}
    assert d == {"id": 3}  # failed records are written back unchanged, without the field


def test_the_spans_field_must_not_be_the_text_field(small: Cleaner) -> None:
    with pytest.raises(ValueError):
        list(clean_lines([b'{"text":"x"}'], small, spans_field="text"))


def test_text_field_and_url_field(small: Cleaner) -> None:
    body = "Members only\nStory.\n"
    data = jsonl(
        {"body": body, "link": "https://www.example.com/a"},
        {"body": body, "link": "https://other.org/a"},
        {"body": body, "link": 5},
    )
    out, records, _ = run(data, small, text_field="body", url_field="link")
    texts = [json.loads(line)["body"] for line in out_lines(out)]
    assert texts == ["Story.\n", body, body]
    assert records[2]["warnings"] == ["bad_type: line 3: 'link' is a number, not a string; ignored"]


def test_result_error_leaves_the_record_unchanged() -> None:
    class Refuses:
        def clean(
            self, text: str, *, url: str | None = None, format: str = "text", kind: str | None = None
        ) -> Result:
            return Result(text, error="rule_timeout: t.slow ran past 5s")

    line = b'{"text": "Sponsored message\\nbody"}'
    out, records, summary = run(line + b"\n", Refuses(), spans_field="removed")  # type: ignore[arg-type]
    assert out == line + b"\n"
    assert records[0]["error"] == "rule_timeout: t.slow ran past 5s"
    assert records[0]["output"] is None and records[0]["removed"] == []
    assert summary.errors == 1


def test_blank_lines_and_a_bom(small: Cleaner) -> None:
    data = b"\xef\xbb\xbf" + jsonl({"text": DIRTY}) + b"\n  \r\n"
    out, records, summary = run(data, small)
    assert out_lines(out)[1:] == [b"", b"  \r"]
    assert json.loads(out_lines(out)[0])["text"] == CLEAN  # the BOM is dropped
    assert [r["status"] for r in records] == ["ok", "skipped", "skipped"]
    assert summary.errors == 0 and summary.not_ok == 2


# -- lines, files, streams --------------------------------------------------------------------


def test_one_output_line_per_input_line(small: Cleaner) -> None:
    inputs = [
        json.dumps({"text": DIRTY}).encode(),
        b"",
        b"not json",
        b'{"no_text": 1}',
        b'{"text": 1}',
        b"\xff\xfe",
        json.dumps({"text": "kept"}).encode(),
        b"[]",
    ]
    out, records, summary = run(b"\n".join(inputs), small)  # and no final "\n"
    lines = out_lines(out)
    assert len(lines) == len(inputs) == len(records) == summary.documents
    for i, (before, after) in enumerate(zip(inputs, lines, strict=True)):
        if i != 0:
            assert after == before
    assert [r["input"] for r in records] == [f"-:{n}" for n in range(1, len(inputs) + 1)]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), st.lists(st.integers(0, 60), max_size=8))
def test_lines_split_on_newline_only_however_the_bytes_arrive(data: bytes, cuts: list[int]) -> None:
    bounds = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    chunks = [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()
    assert list(iter_lines(chunks)) == expected
    assert list(iter_lines(io.BytesIO(data))) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5), st.sampled_from([None, 1, 2]))
def test_the_line_scanner_agrees_with_json_loads(obj: dict[str, Any], indent: int | None) -> None:
    line = json.dumps(obj, ensure_ascii=indent == 2, indent=indent).replace("\n", " ")
    parsed = _top_level(line)
    assert parsed is not None
    fields, _ = parsed
    assert {k: v for k, (v, _, _) in fields.items()} == json.loads(line)
    for key, (value, start, end) in fields.items():
        assert json.loads(line[start:end]) == value, key


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",: \t0123456789.eE-+truefalsnul\\x', max_size=30))
def test_the_line_scanner_rejects_what_json_loads_rejects(line: str) -> None:
    try:
        expected = json.loads(line)
    except ValueError:
        with pytest.raises(ValueError):
            _top_level(line)
        return
    parsed = _top_level(line)
    if isinstance(expected, dict):
        assert parsed is not None
        assert {k: v for k, (v, _, _) in parsed[0].items()} == expected
    else:
        assert parsed is None


def test_jsonl_gz_in_and_out(small: Cleaner, tmp_path: Path) -> None:
    data = jsonl(*({"id": i, "text": DIRTY if i % 2 else "plain"} for i in range(50)))
    (tmp_path / "in.jsonl").write_bytes(data)
    with gzip.open(tmp_path / "in.jsonl.gz", "wb") as f:
        f.write(data)
    plain = clean_file(tmp_path / "in.jsonl", tmp_path / "out.jsonl", small, report=tmp_path / "r.jsonl")
    zipped = clean_file(
        tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl.gz", small, report=tmp_path / "rz.jsonl"
    )
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == (tmp_path / "out.jsonl").read_bytes()
    assert plain.spans == zipped.spans == 25 and plain.documents == 50
    report = (tmp_path / "rz.jsonl").read_text(encoding="utf-8").split("\n")
    assert report[-1] == "" and json.loads(report[0])["input"] == f"{tmp_path / 'in.jsonl.gz'}:1"
    # The gzip header holds no name and no time: equal inputs give equal bytes (I6).
    first = (tmp_path / "out.jsonl.gz").read_bytes()
    clean_file(tmp_path / "in.jsonl.gz", tmp_path / "out.jsonl.gz", small)
    assert (tmp_path / "out.jsonl.gz").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.jsonl", "in.jsonl.gz", "out.jsonl", "out.jsonl.gz", "r.jsonl", "rz.jsonl"]
    )  # no temporary files left


def test_a_truncated_gzip_input_fails_after_the_lines_it_held(small: Cleaner, tmp_path: Path) -> None:
    whole = gzip.compress(jsonl(*({"text": DIRTY} for _ in range(2000))), mtime=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(StreamReadError) as info:
        clean_file(tmp_path / "cut.jsonl.gz", tmp_path / "out.jsonl", small)
    assert info.value.line > 1 and "cut.jsonl.gz" in str(info.value)
    assert not (tmp_path / "out.jsonl").exists()  # never a partial output file (I7)
    assert [p.name for p in tmp_path.iterdir()] == ["cut.jsonl.gz"]


def test_the_input_is_never_the_output(small: Cleaner, tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_bytes(jsonl({"text": DIRTY}))
    for dst, report in ((src, None), (tmp_path / "out.jsonl", src)):
        with pytest.raises(UsageError):
            clean_file(src, dst, small, report=report)
    assert src.read_bytes() == jsonl({"text": DIRTY})


def test_stdin_to_stdout(small: Cleaner, monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl({"text": DIRTY}))))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stdout))
    summary = clean_file("-", "-", small)
    assert json.loads(stdout.getvalue()) == {"text": CLEAN} and summary.documents == 1


def test_row55_empty_stdin_gives_empty_output(small: Cleaner, monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.BytesIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stdout))
    summary = clean_file("-", "-", small)
    assert stdout.getvalue() == b"" and (summary.documents, summary.errors) == (0, 0)


def test_an_output_that_cannot_be_written_is_a_write_error(small: Cleaner) -> None:
    def full(line: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(WriteError, match="No space left on device"):
        clean_stream([jsonl({"text": DIRTY})], full, small, dest="out.jsonl")


def test_stop_ends_the_stream_between_records(small: Cleaner) -> None:
    written: list[bytes] = []
    summary = clean_stream(
        [jsonl(*({"text": DIRTY} for _ in range(5)))], written.append, small, stop=lambda: len(written) >= 2
    )
    assert len(written) == summary.documents == 2


def test_the_seeds_as_jsonl_match_cleaning_each_text() -> None:
    cleaner = Cleaner()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    out, records, _ = run(jsonl(*({"text": t} for t in texts)), cleaner, spans_field="removed")
    for text, line, rec in zip(texts, out_lines(out), records, strict=True):
        result = cleaner.clean(text)
        obj = json.loads(line)
        assert obj["text"] == result.text
        assert obj["removed"] == rec["removed"] == [s.to_dict() for s in result.spans]


# -- memory -----------------------------------------------------------------------------------

BODY = "Sponsored message\n" + "A line of the story that goes on for a while. " * 80 + "\n"


def test_the_stream_holds_one_record_at_a_time(small: Cleaner) -> None:
    """20k records through, from a generator: each output line is written before the next
    input line is read."""
    pulled = written = lag = 0

    def source() -> Iterator[bytes]:
        nonlocal pulled
        for i in range(20_000):
            pulled += 1
            yield json.dumps({"id": i, "text": BODY}).encode() + b"\n"

    def sink(line: bytes) -> None:
        nonlocal written, lag
        written += 1
        lag = max(lag, pulled - written)

    summary = clean_stream(source(), sink, small)
    assert written == pulled == summary.documents == summary.spans == 20_000
    assert lag == 0  # never more than the record in hand


def test_memory_in_use_does_not_grow_with_the_stream(small: Cleaner) -> None:
    """The most memory in use while 8 MB stream through stays below what a few records take.
    (Traced allocations, not time; a smaller count than above, as tracing is slow.)"""
    count = 2_000
    lines = (json.dumps({"id": i, "text": BODY}).encode() + b"\n" for i in range(count))
    tracemalloc.start()
    try:
        summary = clean_stream(lines, lambda line: None, small)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.documents == count
    assert peak < 32 * len(BODY) < count * len(BODY) / 50, peak
