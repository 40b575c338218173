"""The review page in a real browser: headless Chromium driven by Selenium.

Skipped, saying how to install them, when Chromium, its driver or Selenium is missing.
``CLEANER_UPDATE_SCREENSHOT=1`` also writes the seeds' page's screenshot to
``docs/review.png``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner import Category, Cleaner, Span, load_rules
from cleaner.cli import app
from cleaner.review import GoldCase, ReviewRun, document, page, with_gold

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
INSTALL = (
    "the browser tests need Chromium, its driver and Selenium: apt-get install chromium chromium-driver, "
    "and pip install 'cleaner[browser]'"
)
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1250",
)
NOISE_RULE = """
[[rule]]
id = "test.noise"
category = "sponsored"
description = "A line holding NOISE."
line = 'NOISE'
examples.remove = ["NOISE"]
examples.keep = ["calm"]
"""

pytestmark = pytest.mark.timeout(300)


def found(*names: str) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip(INSTALL)
    chromium = found("chromium", "chromium-browser")
    driver_path = found("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip(INSTALL)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    # A fresh profile: nothing from an earlier browser run, nothing to sync.
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def whole_page_png(driver: Any) -> bytes:
    """A screenshot of the whole page, below the window's fold too (Chromium's own call)."""
    size = js(driver, "return [window.innerWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    return base64.b64decode(shot["data"])


def cli(*args: str | Path) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def open_page(driver: Any, path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(path.as_uri())
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def press(driver: Any, keys: str) -> None:
    from selenium.webdriver.common.by import By

    body = driver.find_element(By.TAG_NAME, "body")
    for key in keys:
        body.send_keys(key)


def choose(driver: Any, select_id: str, label_start: str) -> None:
    """Pick the option of a select whose label starts with ``label_start``, as a user would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    select = Select(driver.find_element(By.ID, select_id))
    labels = [o.text for o in select.options]
    select.select_by_index(next(i for i, t in enumerate(labels) if t.startswith(label_start)))


def search(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text, Keys.ENTER)


def shown_state(driver: Any) -> dict[str, Any]:
    """What the page shows now: the count line, the listed names, the open document."""
    return js(
        driver,
        """
        const text = document.getElementById("text");
        return {
          count: document.getElementById("count").textContent,
          rows: [...document.querySelectorAll("#list .row .nm")].map((e) => e.textContent),
          doc: (document.querySelector("#dochead h2") || {}).textContent,
          marks: [...text.querySelectorAll("mark.rm")].map((m) => ({
            cls: m.className, text: m.textContent, tag: m.previousElementSibling.textContent })),
          detail: document.getElementById("detail").innerText,
          text: text.textContent,
        };
        """,
    )


@pytest.fixture(scope="module")
def seeds_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The page of ``cleaner clean seeds -o OUT`` and the run's report records."""
    root = tmp_path_factory.mktemp("seeds-page")
    here = Path.cwd()
    try:  # the paths a user types, so the page reads seeds/... and out/report.jsonl
        os.chdir(ROOT)
        assert cli("clean", "seeds", "-o", root / "out").exit_code == 0
        os.chdir(root)
        assert cli("review", "out", "-o", "page.html").exit_code == 0
    finally:
        os.chdir(here)
    report = (root / "out" / "report.jsonl").read_bytes().split(b"\n")
    return root / "page.html", [json.loads(line) for line in report if line]


def test_seeds_page_shows_every_span_in_place(
    browser: Any, seeds_page: tuple[Path, list], tmp_path: Path
) -> None:
    path, records = seeds_page
    open_page(browser, path)
    assert js(browser, "return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    assert shown_state(browser)["count"] == f"{len(records)} of {len(records)} documents"
    by_name = {r["input"]: r for r in records}
    seen: dict[str, int] = {}
    for _ in records:  # j walks the list: every document once, each with its spans in place
        state = shown_state(browser)
        rec = by_name[state["doc"]]
        seen[state["doc"]] = len(state["marks"])
        assert [m["text"].replace("↵", "").replace("·", " ") for m in state["marks"]] == [
            s["text"].replace("\r", "") for s in rec["removed"]
        ]
        # Each span is labelled by its category in words, not by colour alone.
        assert [m["tag"] for m in state["marks"]] == [s["category"] for s in rec["removed"]]
        press(browser, "j")
    assert seen.keys() == by_name.keys()
    assert sum(seen.values()) == sum(len(r["removed"]) for r in records) > 0

    # The most-removed document opens first; n selects its first span and shows its rule.
    press(browser, "k" * len(records))
    press(browser, "nn")
    state = shown_state(browser)
    top = max(records, key=lambda r: sum(s["end"] - s["start"] for s in r["removed"]))
    assert state["doc"] == top["input"]
    second = top["removed"][1]
    assert second["rule"] in state["detail"] and f"[{second['start']}, {second['end']})" in state["detail"]
    description = next(r.description for r in load_rules() if r.id == second["rule"])
    assert description in state["detail"]
    # For the picture: a span that other rules matched too, so the panel shows them.
    shared = next(k for k, s in enumerate(top["removed"]) if len(s["rules"]) > 1)
    press(browser, "n" * (shared - 1))
    assert all(rule in shown_state(browser)["detail"] for rule in top["removed"][shared]["rules"])
    shot = tmp_path / "review.png"
    shot.write_bytes(whole_page_png(browser))
    assert shot.stat().st_size > 10_000
    if os.environ.get("CLEANER_UPDATE_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "review.png")


def test_category_filter_and_search(browser: Any, seeds_page: tuple[Path, list]) -> None:
    path, records = seeds_page
    open_page(browser, path)
    credit = {r["input"] for r in records if any(s["category"] == "credit" for s in r["removed"])}
    choose(browser, "cat", "credit (")
    state = shown_state(browser)
    assert set(state["rows"]) == credit and state["count"] == f"{len(credit)} of {len(records)} documents"
    rec = next(r for r in records if r["input"] == state["doc"])
    assert [m["text"] for m in state["marks"] if "dim" not in m["cls"]] == [
        s["text"] for s in rec["removed"] if s["category"] == "credit"
    ]
    press(browser, "n")  # n steps through the credit spans only
    assert shown_state(browser)["detail"].startswith("credit")

    # A row of the summary's rule table filters by that rule.
    rule = records[-1]["removed"][0]["rule"]
    js(browser, "[...document.querySelectorAll('#sumbody tr[data-rule]')]"
                ".find((tr) => tr.cells[0].textContent === arguments[0]).click()", rule)  # fmt: skip
    with_rule = {r["input"] for r in records if any(s["rule"] == rule for s in r["removed"])}
    assert set(shown_state(browser)["rows"]) == with_rule
    choose(browser, "rule", "Any rule")

    choose(browser, "cat", "Any category")
    words = {
        r["input"]: set(re.findall(r"\w{9,}", (SEEDS / Path(r["input"]).name).read_text().lower()))
        for r in records
    }
    name, word = next(
        (n, w)
        for n, ws in words.items()
        for w in sorted(ws)
        if all(w not in o for m, o in words.items() if m != n)
    )
    search(browser, word.upper())  # case does not matter
    state = shown_state(browser)
    assert state["rows"] == [name] and state["count"] == f"1 of {len(records)} documents"
    hits = js(browser, "return [...document.querySelectorAll('#text mark.q')].map((m) => m.textContent)")
    assert [h.lower() for h in hits] == [word] * state["text"].lower().count(word) and hits
    search(browser, "no such words anywhere")
    state = shown_state(browser)
    assert state["rows"] == [] and state["count"] == f"0 of {len(records)} documents"
    assert "No documents match" in state["text"]


def test_markup_in_a_document_shows_as_text(browser: Any, tmp_path: Path) -> None:
    hostile = (
        '<script>window.pwned = 1; document.title = "pwned"</script>\n'
        '<img src="x" onerror="window.pwned = 2">\n'
        "<b>NOISE</b> </script><script>window.pwned = 3</script>\n"
        "The story.\n"
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "<img src=x onerror=window.pwned=4>.txt").write_text(hostile, encoding="utf-8")
    (tmp_path / "rules.toml").write_text(NOISE_RULE, encoding="utf-8")
    rules = ("--rules", tmp_path / "rules.toml", "--no-default-rules")
    assert cli("clean", tmp_path / "in", "-o", tmp_path / "out", *rules).exit_code == 0
    assert cli("review", tmp_path / "out", "-o", tmp_path / "page.html", *rules).exit_code == 0
    open_page(browser, tmp_path / "page.html")
    assert js(browser, "return window.pwned === undefined && document.title.startsWith('cleaner review')")
    assert js(browser, "return document.querySelectorAll('img').length") == 0
    tags = js(
        browser, "return [...document.querySelectorAll('#text *, #dochead *, #list *')].map((e) => e.tagName)"
    )
    assert set(tags) <= {"SPAN", "MARK", "H2", "DIV"}
    state = shown_state(browser)
    assert state["doc"].endswith("<img src=x onerror=window.pwned=4>.txt")
    assert state["text"].replace("sponsored", "", 1) == hostile
    assert [m["text"] for m in state["marks"]] == [
        "<b>NOISE</b> </script><script>window.pwned = 3</script>\n"
    ]
    press(browser, "n")
    assert "A line holding NOISE." in shown_state(browser)["detail"]


def test_a_bad_report_gives_marked_documents_not_a_blank_page(browser: Any, tmp_path: Path) -> None:
    assert cli("clean", SEEDS, "-o", tmp_path / "out").exit_code == 0
    next(iter(sorted((tmp_path / "out").glob("*.txt")))).unlink()
    with (tmp_path / "out" / "report.jsonl").open("ab") as report:
        report.write(b'{"schema":1,"input":"seeds/cut')
    assert cli("review", tmp_path / "out", "-o", tmp_path / "page.html").exit_code == 3
    open_page(browser, tmp_path / "page.html")
    assert shown_state(browser)["count"] == "6 of 6 documents"
    choose(browser, "show", "Errors and problems")
    state = shown_state(browser)
    assert len(state["rows"]) == 2 and state["count"] == "2 of 6 documents"
    head = js(browser, "return document.querySelector('#dochead .problem').textContent")
    assert head.startswith("Cannot be shown as the run left it:")
    assert "cannot be shown" in js(browser, "return document.getElementById('sumbody').textContent")

    # Even a page whose data were cut short says so.
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    start = html.index('id="review-data">') + len('id="review-data">')
    (tmp_path / "cut.html").write_text(html[:start] + '{"docs": [' + html[html.index("</script>", start) :])
    browser.get((tmp_path / "cut.html").as_uri())
    assert js(browser, "return document.querySelector('body > p.bad').textContent").startswith(
        "This page's script failed:"
    )


def test_gold_page_orders_by_harm_and_marks_it(browser: Any, tmp_path: Path) -> None:
    story = "The council voted on Tuesday to rebuild the old bridge over the river.\n"
    noisy = "Sign up for our daily newsletter today\n" + story
    harmed = Span(0, len(story), "related.x", Category.RELATED, story)
    cases = [
        GoldCase("a-clean", story, (), story),
        GoldCase("b-missed", noisy, (), story),
        GoldCase("c-harmed", story + "More.\n", (harmed,), story),
    ]
    (tmp_path / "page.html").write_text(page(with_gold(cases), title="eval"), encoding="utf-8")
    open_page(browser, tmp_path / "page.html")
    state = shown_state(browser)
    assert state["rows"] == ["c-harmed", "b-missed", "a-clean"]  # most harm, then missed noise
    assert [(m["tag"], "harm" in m["cls"]) for m in state["marks"]] == [("harm · related", True)]
    press(browser, "j")
    missed = js(browser, "return [...document.querySelectorAll('#text .missed')].map((e) => e.textContent)")
    assert missed == ["missed noiseSign up for our daily newsletter today"]
    choose(browser, "show", "With harm")
    assert shown_state(browser)["rows"] == ["c-harmed"]


def data_of(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="review-data">')
    return html[html.index(">", start) + 1 : html.index("</script>", start)]


def synthetic_run(n: int) -> ReviewRun:
    """``n`` documents made from the seeds' real results: each seed's text with a marker line
    ``ref K<i % 100>Z`` on top (its spans moved to match), under its own name."""
    cleaner = Cleaner()
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    bases = [document(name, text, cleaner.clean(text)) for name, text in texts]
    docs = []
    for i in range(n):
        base = bases[i % len(bases)]
        assert base.text is not None
        top = f"ref K{i % 100:02d}Z\n"
        spans = tuple(replace(s, start=s.start + len(top), end=s.end + len(top)) for s in base.spans)
        docs.append(
            replace(base, name=f"site-{i % 37}/doc-{i:05d}.txt", text=top + base.text, spans=spans,
                    chars_in=len(top) + (base.chars_in or 0), chars_out=len(top) + (base.chars_out or 0))
        )  # fmt: skip
    return ReviewRun(f"synthetic run of {n} documents", tuple(docs))


def test_ten_thousand_documents_stay_responsive(
    browser: Any, tmp_path: Path, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run = synthetic_run(10_000)
    path = tmp_path / "big.html"
    started = time.perf_counter()
    path.write_text(page(run), encoding="utf-8")
    built = time.perf_counter() - started
    started = time.perf_counter()
    open_page(browser, path)
    loaded = time.perf_counter() - started
    state = shown_state(browser)
    assert state["count"] == "10,000 of 10,000 documents"
    rows = js(browser, "return document.querySelectorAll('#list .row').length")
    assert 0 < rows < 100  # the list draws what is in view, not ten thousand rows

    def timed(script: str) -> float:
        return float(js(browser, "const t = performance.now();" + script + "document.body.offsetHeight;"
                                 "return performance.now() - t;"))  # fmt: skip

    with_credit = sum(1 for d in run.docs if any(s.category is Category.CREDIT for s in d.spans))
    cat = list(Category).index(Category.CREDIT)
    filter_ms = timed(
        f"const s = document.getElementById('cat'); s.value = '{cat}'; s.dispatchEvent(new Event('change'));"
    )
    assert shown_state(browser)["count"] == f"{with_credit:,} of 10,000 documents"
    search_ms = timed(
        "const q = document.getElementById('q'); q.value = 'k07z'; q.dispatchEvent(new Event('change'));"
    )
    # Search reads the text the page embeds; over the budget, a document may not hold its marker.
    embedded = [
        any(isinstance(p, str) and "ref K07Z" in p for p in d["p"] or ())
        for d in json.loads(data_of(path))["docs"]
    ]
    marked = sum(
        1
        for i, d in enumerate(run.docs)
        if i % 100 == 7 and embedded[i] and any(s.category is Category.CREDIT for s in d.spans)
    )
    assert marked > 50
    assert shown_state(browser)["count"] == f"{marked:,} of 10,000 documents"
    again_ms = timed(
        "const q = document.getElementById('q'); q.value = 'k09z'; q.dispatchEvent(new Event('change'));"
    )
    before = shown_state(browser)["doc"]  # ref K09Z: documents made from the fifth seed, which has credits
    assert before != "No document"
    open_ms = timed("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'}));")
    assert shown_state(browser)["doc"] != before
    # The list redraws on the next animation frame after a scroll: wait for the one after it.
    scroll_ms = browser.execute_async_script(
        "const done = arguments[0], l = document.getElementById('list'), t = performance.now();"
        "l.scrollTop = l.scrollHeight / 2;"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));"
    )
    timings = js(browser, "return window.reviewTimings")
    figures = {
        "documents": len(run.docs),
        "page_mb": round(path.stat().st_size / 1e6, 1),
        "build_s": round(built, 2),
        "load_s": round(loaded, 2),
        "script_parse_ms": round(timings["parse"]),
        "script_ready_ms": round(timings["ready"]),
        "category_filter_ms": round(filter_ms),
        "first_search_ms": round(search_ms),
        "next_search_ms": round(again_ms),
        "open_next_document_ms": round(open_ms),
        "scroll_half_way_ms": round(scroll_ms),
    }
    for key, value in figures.items():
        record_property(key, value)
    with capsys.disabled():
        print("\nreview page,", ", ".join(f"{k} {v}" for k, v in figures.items()))
