"""HTML input: format detection, extraction through trafilatura, and HTML records in a batch."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import cleaner.read
from cleaner import Cleaner, DocumentError, Span, restore
from cleaner.batch import run
from cleaner.discover import discover
from cleaner.document import clean as clean_document
from cleaner.document import read as read_document
from cleaner.model import Category
from cleaner.read import INCLUDE, Extracted, detect_format, extract_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "html"
ARTICLE = (FIXTURES / "article.html").read_bytes()
OG_ONLY = (FIXTURES / "og_only.html").read_bytes()
SERVICE_TABLE = (FIXTURES / "wcxb-service-table.html").read_bytes()
CANONICAL = "https://news.example.com/2024/05/harbour-bridge-reopens"
PARAGRAPHS = (
    "The harbour bridge reopened to traffic on Tuesday morning",
    "Engineers replaced more than two hundred corroded plates",
    "“We are grateful for the patience of everyone",
    "Cyclists will have a separate lane on the eastern side",
)
# The record of a text input, key for key in this order, as before HTML input existed.
TEXT_KEYS = [
    "schema",
    "input",
    "output",
    "status",
    "format",
    "encoding",
    "bom",
    "newline",
    "chars_in",
    "chars_out",
    "error",
    "removed",
]
HTML_KEYS = [*TEXT_KEYS[:5], "url", "page_kind", *TEXT_KEYS[5:8], "extracted_sha256", *TEXT_KEYS[8:]]


# -- format detection -------------------------------------------------------------------

HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # the extension decides, whatever the bytes
        ("a.html", b"just words", "html"),
        ("a.htm", b"", "html"),
        ("A.HTML", b"", "html"),
        ("a.xhtml", b"", "html"),
        ("a.html.gz", b"", "html"),
        ("a.htm.gz", b"", "html"),
        ("a.txt", HTML_PAGE, "text"),
        ("a.text", HTML_PAGE, "text"),
        # otherwise the first bytes do
        (None, HTML_PAGE, "html"),
        ("page", b"  \n<html lang='en'><p>x</p></html>", "html"),
        ("page.dat", b"<head><title>t</title></head>", "html"),
        (None, b"<body>\n<p>Hello</p>\n</body>", "html"),
        (None, b"<div class='a'><div><p>One</p><span>two</span></div></div>", "html"),
        (None, b"text " * 50 + b"<div><p><a href='x'>x</a></p><span></span></div>" * 3, "html"),
        (None, codecs.BOM_UTF16_LE + "<!doctype html><html></html>".encode("utf-16-le"), "html"),
        (None, codecs.BOM_UTF8 + b"<div><p>One</p><span>two</span></div>", "html"),
        (None, gzip.compress(HTML_PAGE), "html"),
        ("page.gz", gzip.compress(HTML_PAGE), "html"),
        (None, b"Just text\n" * 50, "text"),
        (None, b"Use a <div> element to group the parts of a page.\n", "text"),
        (None, b"", "text"),
        (None, b"\x1f\x8bnot really gzip", "text"),
    ],
)
def test_detect_format(name: str | None, data: bytes, expected: str) -> None:
    assert detect_format(Path(name) if name else None, data) == expected


# -- extraction -------------------------------------------------------------------------


def test_extract_article_text_and_canonical_url() -> None:
    got = extract_html(ARTICLE)
    assert isinstance(got, Extracted)
    assert got.url == CANONICAL  # the canonical link wins over og:url
    assert got.encoding == "utf-8" and not got.bom
    for paragraph in PARAGRAPHS:
        assert paragraph in got.text
    for chrome in ("Weather", "All rights reserved", "Privacy"):
        assert chrome not in got.text


# The comparison table's row labels and the opening offer of a real service page
# (fixtures/html/README.md): in the page's own text, not in trafilatura's in either mode.
MISSED_BY_TRAFILATURA = (
    "Annual coverage options",
    "Maximum age at sign up",
    "Use any vet",
    "Compare quotes in 60 seconds",
)


def test_a_page_trafilatura_under_reads_gets_the_second_extractors_text() -> None:
    text = extract_html(SERVICE_TABLE).text
    for line in MISSED_BY_TRAFILATURA:
        assert line in text
    # what trafilatura did read is still there
    assert "What does pet insurance cover?" in text
    assert "Don’t worry, we’ve got you covered." in text


def test_without_the_second_extractor_the_page_is_under_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same page when the second extractor finds nothing: trafilatura's text alone
    monkeypatch.setattr(cleaner.read, "main_content", lambda html: "")
    text = extract_html(SERVICE_TABLE).text
    assert "What does pet insurance cover?" in text
    for line in MISSED_BY_TRAFILATURA:
        assert line not in text


def test_a_second_extractor_that_fails_leaves_trafilaturas_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import resiliparse.extract.html2text as html2text

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("parser gave up")

    monkeypatch.setattr(html2text, "extract_plain_text", broken)
    assert cleaner.read.main_content("<p>anything</p>") == ""
    text = extract_html(SERVICE_TABLE).text  # no error: the page is read as trafilatura reads it
    assert "What does pet insurance cover?" in text and "Annual coverage options" not in text


def test_the_second_extractor_runs_only_for_a_page_read_short(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def second(html: str) -> str:
        asked.append(html)
        return ""

    monkeypatch.setattr(cleaner.read, "main_content", second)
    extract_html(ARTICLE)  # trafilatura reads the story whole: no rescue, no second opinion
    assert asked == []
    extract_html(SERVICE_TABLE)
    assert len(asked) == 1


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        ("<p>no blocks</p>", 0),
        ("<div><div></div><DIV class='x'><article>", 3),
        ("</div></div><div>", 1),  # closing tags with nothing open count for nothing
        ("<divider><div ><span>", 1),  # <divider> is no <div>
        ("<div>" * 1000, 1000),
        ("<div>" * 5000, 1001),  # counting stops past the limit
    ],
)
def test_block_nesting(html: str, depth: int) -> None:
    assert cleaner.read.MAX_NESTING == 1000
    assert cleaner.read.block_nesting(html) == depth


def test_a_page_nested_past_the_limit_is_not_given_to_the_second_extractor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import resiliparse.extract.html2text as html2text

    given: list[str] = []

    def extractor(html: str, **kwargs: object) -> str:
        given.append(html)
        return "its text"

    monkeypatch.setattr(html2text, "extract_plain_text", extractor)
    assert cleaner.read.main_content("<div>" * 1000 + "<p>x</p>") == "its text"
    assert cleaner.read.main_content("<div>" * 1001 + "<p>x</p>") == ""
    assert len(given) == 1


@pytest.mark.parametrize(
    ("text", "other", "expected"),
    [
        # four times the words, all of the text's among them: the text was a small part
        ("one two three", "one two three four five six seven eight nine ten eleven twelve", True),
        # three times the words is not more than three times
        ("one two three", "one two three four five six seven eight nine", False),
        # more words, but other words: another part of the page, not more of the same
        ("one two three", " ".join(f"w{i}" for i in range(40)), False),
        # half of the text's words among them is enough; fewer is not
        ("one two three four", "one two " + " ".join(f"w{i}" for i in range(20)), True),
        ("one two three four", "one " + " ".join(f"w{i}" for i in range(20)), False),
        # words are compared case-folded, with repeats counted
        ("Forum FORUM", "forum forum " + " ".join(f"w{i}" for i in range(10)), True),
        ("forum forum", "forum " + " ".join(f"w{i}" for i in range(10)), True),
        ("forum forum forum", "forum " + " ".join(f"w{i}" for i in range(12)), False),
        # no text at all: any text of the other's is more
        ("", "a page trafilatura found nothing in", True),
        ("", "", False),
        ("words here", "", False),
    ],
)
def test_under_read(text: str, other: str, expected: bool) -> None:
    assert cleaner.read.under_read(text, other) is expected


def test_og_url_when_no_canonical() -> None:
    got = extract_html(OG_ONLY)
    assert got.url == "https://gazette.example.org/local/library-hours"
    assert "The central library will stay open" in got.text


def test_given_url_wins() -> None:
    assert extract_html(ARTICLE, url="https://elsewhere.example/x").url == "https://elsewhere.example/x"


def test_no_url_anywhere() -> None:
    page = ARTICLE.replace(b'rel="canonical"', b'rel="alternate"').replace(b"og:url", b"og:nothing")
    assert extract_html(page).url is None


def test_relative_canonical_falls_back_to_og_url() -> None:
    page = ARTICLE.replace(CANONICAL.encode(), b"/2024/05/harbour-bridge-reopens")
    assert extract_html(page).url == "https://news.example.com/share/harbour-bridge?utm_source=og"


def test_canonical_in_body_is_found() -> None:
    # Real pages put it there (sportsnet.ca, reuters.com in the dev benchmark).
    link = f'<link rel="canonical" href="{CANONICAL}">\n'.encode()
    page = ARTICLE.replace(link, b"").replace(b"og:url", b"og:nothing").replace(b"<main>", b"<main>" + link)
    assert extract_html(page).url == CANONICAL


def test_gzip_input_is_transparent() -> None:
    assert extract_html(gzip.compress(ARTICLE)) == extract_html(ARTICLE)
    # several gzip members, as `cat a.gz b.gz` makes
    half = len(ARTICLE) // 2
    two = gzip.compress(ARTICLE[:half]) + gzip.compress(ARTICLE[half:])
    assert extract_html(two) == extract_html(ARTICLE)


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08garbage", gzip.compress(ARTICLE)[:-20]])
def test_corrupt_gzip_is_a_decode_error(data: bytes) -> None:
    with pytest.raises(DocumentError) as e:
        extract_html(data)
    assert e.value.kind == "decode"


def test_utf8_bom() -> None:
    got = extract_html(codecs.BOM_UTF8 + ARTICLE)
    assert got.bom and got.encoding == "utf-8"
    assert got.text == extract_html(ARTICLE).text


def test_utf16_with_bom() -> None:
    got = extract_html(ARTICLE.decode("utf-8").encode("utf-16"))
    assert got.bom and got.encoding.startswith("utf-16")
    assert got.text == extract_html(ARTICLE).text


def test_meta_charset_after_strict_utf8_fails() -> None:
    page = ARTICLE.decode("utf-8").replace("“", '"').replace("”", '"').replace("©", "(c)")
    page = page.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    page = page.replace("Maria Lopez", "Maria López")
    got = extract_html(page.encode("cp1252"))
    assert got.encoding == "cp1252"  # WHATWG: latin-1 labels mean windows-1252
    assert "Maria López" in got.text


@pytest.mark.parametrize(
    "page",
    [
        ARTICLE.replace(b"Maria Lopez", b"Maria L\xf3pez").replace(b'<meta charset="utf-8">\n', b""),
        ARTICLE.replace(b"Maria Lopez", b"Maria L\xf3pez"),  # declared utf-8, but is not
        ARTICLE.replace(b"Maria Lopez", b"Maria L\xf3pez").replace(b"utf-8", b"no-such-codec"),
    ],
    ids=["no-meta", "declared-utf8", "unknown-charset"],
)
def test_undecodable_html_is_a_decode_error_never_replaced(page: bytes) -> None:
    with pytest.raises(DocumentError) as e:
        extract_html(page)
    assert e.value.kind == "decode"
    assert "byte" in str(e.value)


def test_deduplication_is_off() -> None:
    # Page B shares three long paragraphs with page A. With trafilatura's deduplication on,
    # paragraphs seen in earlier documents are dropped after a few repeats.
    page_b = (
        ARTICLE.replace(b"Harbour bridge reopens after repairs", b"Bridge cycle lane opens")
        .replace(PARAGRAPHS[0].encode(), b"A new cycle lane opened on the bridge")
        .replace(CANONICAL.encode(), b"https://news.example.com/2024/05/bridge-cycle-lane")
    )
    first_b = extract_html(page_b)
    first_a = extract_html(ARTICLE)
    for _ in range(5):
        assert extract_html(ARTICLE) == first_a
    assert extract_html(page_b) == first_b
    for paragraph in PARAGRAPHS[1:]:
        assert paragraph in first_b.text


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"<html><body></body></html>",
        b"<!DOCTYPE html><html><head><title>Nothing</title></head>"
        b"<body><script>var a = 1;</script></body></html>",
        b"<div>" * 5000,
        b"Just text\n" * 50,  # a .html holding plain text
    ],
    ids=["empty", "empty-body", "script-only", "nested-divs", "plain-text"],
)
def test_no_content_is_empty_extraction(page: bytes) -> None:
    with pytest.raises(DocumentError) as e:
        extract_html(page)
    assert e.value.kind == "empty_extraction"
    assert str(e.value) == "trafilatura found no article text"


def test_text_use_does_not_import_trafilatura() -> None:
    code = (
        "import sys\n"
        "from cleaner import Cleaner\n"
        "import cleaner.batch, cleaner.read, cleaner.report\n"
        "Cleaner().clean('Some text.\\n')\n"
        "print('trafilatura' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_read_imports_trafilatura() -> None:
    importers = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "cleaner").rglob("*.py")
        if "import trafilatura" in p.read_text(encoding="utf-8")
        or "from trafilatura" in p.read_text(encoding="utf-8")
    )
    assert importers == ["cleaner/read.py"]


# -- batch ------------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    for name in ("a.txt", "e.text", "notes.md", "sub/f.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("Some text.\n", encoding="utf-8")
    for name in ("b.html", "c.htm", "sub/d.html.gz", "g.xhtml"):
        data = gzip.compress(ARTICLE) if name.endswith(".gz") else ARTICLE
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / ".hidden.html").write_bytes(ARTICLE)


@pytest.mark.parametrize(
    ("format", "expected"),
    [
        (
            "auto",
            {
                "a.txt": "a.txt",
                "b.html": "b.txt",
                "c.htm": "c.txt",
                "e.text": "e.txt",
                "g.xhtml": "g.txt",
                "sub/d.html.gz": "sub/d.txt",
                "sub/f.txt": "sub/f.txt",
            },
        ),
        ("text", {"a.txt": "a.txt", "e.text": "e.txt", "sub/f.txt": "sub/f.txt"}),
        (
            "html",
            {"b.html": "b.txt", "c.htm": "c.txt", "g.xhtml": "g.txt", "sub/d.html.gz": "sub/d.txt"},
        ),
    ],
)
def test_discover_by_format(tmp_path: Path, format: str, expected: dict[str, str]) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    make_tree(src)
    jobs = discover([src], out, format=format)
    got = {j.source.relative_to(src).as_posix(): j.output.relative_to(out).as_posix() for j in jobs}
    assert got == expected
    assert [j.source for j in jobs] == sorted(j.source for j in jobs)


def test_discover_file_arguments_and_explicit_include(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    make_tree(src)
    jobs = discover([src / "sub" / "d.html.gz", src / "notes.md"], out)
    assert [j.output for j in jobs] == [out / "d.txt", out / "notes.txt"]
    jobs = discover([src], out, include=["*.md"])
    assert [j.output for j in jobs] == [out / "notes.txt"]
    assert set(INCLUDE["auto"]) == set(INCLUDE["text"]) | set(INCLUDE["html"])


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_run_html_and_text(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "page.html.gz").write_bytes(gzip.compress(ARTICLE))
    story = "Headline of a plain story here\n\nA sentence of the story, which goes on for a while.\n"
    (src / "story.txt").write_text(story, encoding="utf-8")
    report = out / "report.jsonl"
    records = list(run(discover([src], out), Cleaner(), report))
    assert read_records(report) == records
    html, text = records
    assert html["input"] == str(src / "page.html.gz") and html["output"] == str(out / "page.txt")
    assert text["input"] == str(src / "story.txt") and text["output"] == str(out / "story.txt")

    # The text record is what it was before HTML input: same keys, same order.
    assert list(text) == TEXT_KEYS
    assert text["format"] == "text" and text["status"] == "ok"
    assert restore((out / "story.txt").read_text(encoding="utf-8"), spans_of(text)) == story

    # The HTML record: its spans index trafilatura's text, whose hash it carries.
    assert list(html) == HTML_KEYS
    assert html["format"] == "html" and html["status"] == "ok" and html["error"] is None
    assert html["url"] == CANONICAL
    assert html["encoding"] == "utf-8" and html["bom"] is False and html["newline"] == "\n"
    extracted = extract_html(ARTICLE).text
    clean = (out / "page.txt").read_bytes().decode("utf-8")
    replayed = restore(clean, spans_of(html))
    assert replayed == extracted
    assert hashlib.sha256(replayed.encode("utf-8")).hexdigest() == html["extracted_sha256"]
    assert html["chars_in"] == len(extracted) and html["chars_out"] == len(clean)
    assert html["removed"], "something removed, so the replay is a real check"
    for paragraph in PARAGRAPHS:
        assert paragraph in clean


def test_run_given_url_and_forced_format(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "page.html").write_bytes(ARTICLE)
    jobs = discover([src / "page.html"], out)
    (html,) = run(jobs, Cleaner(), out / "r.jsonl", url="https://given.example/page")
    assert html["format"] == "html" and html["url"] == "https://given.example/page"
    # format "text" cleans the same file as text: the markup is the input
    (text,) = run(jobs, Cleaner(), out / "r2.jsonl", format="text")
    assert list(text) == TEXT_KEYS and text["format"] == "text"
    assert text["chars_in"] == len(ARTICLE.decode("utf-8"))


def test_run_html_errors(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "bad.html").write_bytes(ARTICLE.replace(b"Lopez", b"L\xf3pez").replace(b"utf-8", b"x"))
    (src / "empty.htm").write_bytes(b"<html><body></body></html>")
    records = list(run(discover([src], out), Cleaner(), out / "report.jsonl"))
    bad, empty = records
    unread = [k for k in HTML_KEYS if k != "page_kind"]  # a page not extracted has no kind
    assert list(bad) == unread
    # No article text is not an error but its own status, with a warning (matrix row 12).
    assert list(empty) == [*unread[:-1], "warnings", "removed"]
    for rec in records:
        assert rec["format"] == "html" and rec["output"] is None
        assert rec["url"] is None and rec["extracted_sha256"] is None and rec["removed"] == []
    assert bad["status"] == "error" and bad["error"].startswith("decode: ")
    assert empty["status"] == "empty_extraction" and empty["error"] is None
    assert empty["warnings"] == ["empty_extraction: trafilatura found no article text"]
    assert not (out / "bad.txt").exists() and not (out / "empty.txt").exists()


def test_run_vanished_html_keeps_its_format(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "gone.html").write_bytes(ARTICLE)
    jobs = discover([src], out)
    (src / "gone.html").unlink()
    (rec,) = run(jobs, Cleaner(), out / "report.jsonl")
    assert rec["format"] == "html" and rec["error"].startswith("vanished: ")


def spans_of(rec: dict) -> list[Span]:
    return [
        Span(s["start"], s["end"], s["rule"], Category(s["category"]), s["text"], tuple(s["rules"]))
        for s in rec["removed"]
    ]


# -- page kinds, the rescue extraction and repeated runs -------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ('<meta property="og:type" content="article">', "article"),
        ("<meta content='article' property='og:type'>", "article"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>', "article"),
        ('<script type="application/ld+json">{"@type": ["BlogPosting"]}</script>', "article"),
        ('<script type="application/ld+json">{"@type": "TechArticle"}</script>', "page"),  # documentation
        ('<meta property="og:type" content="product">', "page"),
        ("", "page"),
    ],
)
def test_page_kind_is_what_the_page_says(head: str, kind: str) -> None:
    from cleaner.read import page_kind

    assert page_kind(f"<html><head>{head}</head><body></body></html>") == kind


def test_article_rules_leave_a_page_that_is_no_article_alone(tmp_path: Path) -> None:
    """The metadata and related packs are for articles: a page that does not say it is one
    (a product, a listing) keeps its title line."""
    page = ARTICLE.replace(b'<meta property="og:type" content="article">\n', b"")
    assert page != ARTICLE
    for data, kind in ((ARTICLE, "article"), (page, "page")):
        doc = read_document(data)
        assert doc.kind == kind
        result, rec = clean_document(doc, Cleaner(), input="x", output=None)
        headline_removed = any(s.rule == "metadata.headline" for s in result.spans)
        assert headline_removed == (kind == "article") and rec["page_kind"] == kind


def test_a_page_the_first_extraction_underreads_is_extracted_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """favor_recall can find only a small part of a page (a forum thread's first post); when
    its text holds less than RESCUE_SHARE of the page's visible text the balanced extraction
    runs too, and the longer text is kept, its repeated runs not counted."""
    import trafilatura

    from cleaner import read as read_module

    thread = " ".join(f"Reply {i} says the fix worked after a restart." for i in range(40))
    html = f"<html><body><p>{thread}</p></body></html>"
    texts = {True: "Reply 0 says the fix worked after a restart.", False: thread}
    asked: list[bool] = []

    def extract(tree: object, *, favor_recall: bool = False, **options: object) -> str:
        asked.append(favor_recall)
        return texts[favor_recall]

    monkeypatch.setattr(trafilatura, "extract", extract)
    assert read_module.extract_text(html, None) == thread and asked == [True, False]
    # a first text that covers the page is kept, with no second extraction
    asked.clear()
    texts[True] = thread
    assert read_module.extract_text(html, None) == thread and asked == [True]
    # a second text that is longer only by holding the first one twice does not win
    asked.clear()
    short = "\n".join(f"Line {i} of the story has a few words in it." for i in range(3))
    texts[True], texts[False] = short, short + "\n" + short
    assert read_module.extract_text(html, None) == short and asked == [True, False]


def test_repeated_runs_are_later_copies_of_runs_of_lines() -> None:
    from cleaner.lines import repeated_runs

    a = "The council approved the budget on Tuesday after a debate that ran late into the night."
    b = "The plan now goes to the mayor, who has ten days to sign it or send it back to them."
    lines = ["Title", a, b, "End", a, "-", b.upper(), "More"]
    assert repeated_runs(lines, 2, 30) == [(4, 7)]  # the copy, with the wordless line inside it
    assert repeated_runs([a, "Between.", a], 2, 30) == []  # one line: a refrain
    assert repeated_runs(["Add to cart", "Price", "Add to cart", "Price"], 2, 30) == []  # too few words
