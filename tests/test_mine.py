"""``cleaner mine``: mining a site's repeated lines into a draft pack that passes its own tests.

The pages are a small synthetic site: a header menu and a footer the default packs do not
know, a line whose number changes from page to page, and a different story on each page.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st
from test_cli import run

from cleaner import Cleaner, load_rules, parse_rules_text
from cleaner.lines import phrase_key
from cleaner.matchers.text import is_prose
from cleaner.mine import DEFAULT_MIN_DOCS, MinedPack, Page, mine, output_paths
from cleaner.mine import toml as toml_writer
from cleaner.mine.rules import MinedRule
from cleaner.mine.shapes import safe_to_vary, shape_of
from cleaner.model import Category
from cleaner.ruletest import check_example, slow_patterns
from cleaner.schema import Kind

TOWNS = ["Millbrook", "Ashford", "Elmstead", "Harrowgate", "Fernley", "Oakhurst"]
TOPICS = ["bridge", "library", "harbour", "market hall", "railway station", "swimming pool"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MENU = ["Valley Voices", "Town Hall Live", "Our Favourite Walks", "Bridge Watch", "Readers' Gallery"]
FOOTER = [
    "Meet the Valley team",
    "Send us your photos",
    "Letters to the editor",
    "Advertise with the Gazette",
]
BLURB = "The Valley Gazette is an independent newspaper that has served the valley since the railway came."
QUOTE = (
    "“We will finish the work before winter, whatever it costs us,” the mayor told the crowd that evening."
)


def story(i: int) -> list[str]:
    town, topic, day = TOWNS[i], TOPICS[i], DAYS[i]
    return [
        f"The council of {town} said on {day} that the new {topic} would open to the public in the spring, "
        "two years later than planned and at almost twice the cost that had been set aside for it.",
        f"Residents of {town} have complained for years about the old {topic}, which was built before "
        "the war and is now too small for the number of people who depend on it every week.",
        f"Engineers who inspected the {topic} last autumn found cracks in its foundations, and the works in "
        f"{town} had to be stopped for several months while a new design was drawn up.",
        f"A spokesman for the contractor said the delays in {town} were caused by the weather and by a "
        f"shortage of materials, and that the {topic} would be finished as soon as it was safe to do so.",
        f"Not everyone in {town} is convinced: a group of shopkeepers near the {topic} has asked the council "
        "to publish the full accounts of the project before any more money is spent on it.",
    ]


def page(i: int, *, quote: bool = False, body: list[str] | None = None) -> str:
    """Page ``i`` of the site; with ``quote`` its story quotes the mayor between two paragraphs."""
    paragraphs = body if body is not None else story(i)
    if quote:
        paragraphs = [*paragraphs[:2], QUOTE, *paragraphs[2:]]
    lines = [
        "Skip to main content",  # the default packs remove it
        "The Valley Gazette",
        *MENU,
        f"Valley Show tickets: {i + 2} days left",
        "",
        f"The {TOPICS[i]} of {TOWNS[i]} will open late",
        "",
        *[p + "\n" for p in paragraphs],
        *FOOTER,
        BLURB,
        f"© {2010 + i} Example Media Group",
    ]
    return "\n".join(lines) + "\n"


def site_docs(n: int = 6, **kw: bool) -> list[Page]:
    return [Page(f"p{i}.txt", page(i, quote=kw.get("quote", False) and i < 2)) for i in range(n)]


@pytest.fixture(scope="module")
def defaults() -> tuple:
    return load_rules()


@pytest.fixture(scope="module")
def mined(defaults: tuple) -> MinedPack:
    (pack,) = mine(site_docs(quote=True), min_docs=3, site="example.com", rules=defaults)
    return pack


def phrases_of(pack: MinedPack) -> set[str]:
    return {p for r in pack.rules for p in r.phrases}


def test_a_synthetic_site_yields_rules_that_pass_rules_test(mined: MinedPack, defaults: tuple) -> None:
    loaded = parse_rules_text(mined.to_toml(), "example.com.toml")
    assert {r.sites for r in loaded} == {("example.com",)}
    assert all(r.seen and r.examples_remove and r.examples_keep for r in loaded)
    assert all(r.id.startswith("sites.example-com.") for r in loaded)
    for cleaner in (Cleaner(rules=[*defaults, *loaded]), Cleaner(rules=loaded)):
        for rule in loaded:
            for kind, examples in (("remove", rule.examples_remove), ("keep", rule.examples_keep)):
                for example in examples:
                    outcome = check_example(cleaner, rule, kind, example)
                    assert outcome.passed, str(outcome)
    assert not slow_patterns(loaded)


def test_menu_and_footer_are_mined_and_say_how_often(mined: MinedPack) -> None:
    assert set(MENU) | set(FOOTER) | {BLURB.rstrip(".")} <= phrases_of(mined)
    menu = next(r for r in mined.rules if "Valley Voices" in r.phrases)
    assert menu.category is Category.NAVIGATION
    assert "near the top of the pages, each seen on 6 of the 6 example.com pages" in menu.description
    assert "guess" in menu.description  # no default rule matches these lines: the category is a guess
    assert menu.seen == tuple(f"p{i}.txt" for i in range(6))
    assert set(menu.remove) <= set(MENU)
    # the example to keep is one of the stories' own paragraphs
    assert any(menu.keep[0] in story(i) for i in range(6))


def test_category_comes_from_a_default_rule_that_matches_the_line(defaults: tuple) -> None:
    # a section label: a default rule takes it at the top of a story, not in a footer
    docs = [Page(d.source, d.text.replace("Send us your photos", "Politics")) for d in site_docs()]
    (pack,) = mine(docs, min_docs=3, site="example.com", rules=defaults)
    footer = next(r for r in pack.rules if "Meet the Valley team" in r.phrases)
    assert "Politics" in footer.phrases
    assert footer.category is Category.NAVIGATION
    assert "navigation.section-label" in footer.description and "guess" not in footer.description


def test_lines_the_default_packs_remove_are_not_mined(mined: MinedPack, defaults: tuple) -> None:
    removed = {s.text.strip() for s in Cleaner(rules=defaults).clean(page(0)).spans}
    assert {"Skip to main content", "© 2010 Example Media Group"} <= removed
    text = mined.to_toml()
    assert "Skip to main content" not in text and "Example Media Group" not in text


def test_mining_does_not_lean_on_the_whole_page_heuristic(mined: MinedPack, defaults: tuple) -> None:
    """What page-lines removes is mined all the same: a pack mined with it loaded and one mined
    without it hold the same lines (today it takes the whole menu of these pages)."""
    without = tuple(r for r in defaults if r.heuristic != "page-lines")
    (alone,) = mine(site_docs(quote=True), min_docs=3, site="example.com", rules=without)
    assert phrases_of(alone) == phrases_of(mined)
    assert set(MENU) <= phrases_of(mined)


def test_numbers_and_dates_that_vary_become_one_pattern(mined: MinedPack) -> None:
    (rule,) = [r for r in mined.rules if r.pattern]
    pattern = regex.compile(rule.pattern)
    seen = [f"Valley Show tickets: {i + 2} days left" for i in range(6)]
    assert all(pattern.search(line) for line in seen)
    assert pattern.search("valley show tickets:  12 hours left »")  # case, spaces, decoration, unit
    assert not pattern.search("Valley Show tickets went on sale on Monday, organisers said.")
    assert rule.id == "sites.example-com.valley-show-tickets-left"  # no number in an id
    assert "varies only in numbers or dates" in rule.description


def test_shapes_set_numbers_and_dates_aside() -> None:
    a, b = shape_of("Posted 3 hours ago"), shape_of("posted 12 minutes ago")
    assert a is not None and b is not None and a.key == b.key and safe_to_vary(a)
    c, d = shape_of("© 2012 The New York Times Company"), shape_of("© 2013 The New York Times Company")
    assert c is not None and d is not None and c.key == d.key
    e, f = shape_of("Published: July 23, 2012"), shape_of("Published: Nov. 7th, 2013")
    assert e is not None and f is not None and e.key != f.key  # 23 and 7th are told apart, as patterns
    may = shape_of("You may also like")
    assert may is not None and not may.varies  # a month name varies only next to a number
    archive = shape_of("November 2012")
    assert archive is not None and not safe_to_vary(archive)  # only a date: the lines seen are listed
    assert shape_of("12") is None and shape_of(" » | ") is None


def test_unsafe_variants_become_a_phrase_list(defaults: tuple) -> None:
    months = ["November 2012", "October 2012", "September 2012"]
    docs = [Page(d.source, d.text.replace("Bridge Watch", "\n".join(months))) for d in site_docs()]
    (pack,) = mine(docs, min_docs=3, site="example.com", rules=defaults)
    assert set(months) <= phrases_of(pack)
    assert not any(r.pattern and "2012" in r.pattern for r in pack.rules)


def test_a_quote_two_stories_share_is_not_mined(defaults: tuple) -> None:
    (pack,) = mine(site_docs(quote=True), min_docs=2, site="example.com", rules=defaults)
    assert "whatever it costs" not in pack.to_toml()
    assert set(MENU) <= phrases_of(pack)  # mining went on around it
    cleaned = Cleaner(rules=[*defaults, *parse_rules_text(pack.to_toml())]).clean(
        page(0, quote=True), url="https://example.com/a"
    )
    assert QUOTE in cleaned.text


def test_a_widget_set_into_stories_is_mined_and_a_subheading_is_not(defaults: tuple) -> None:
    widget = ["Valley Show Spotlight", "Pictures from our readers", "Tap for the gallery"]
    docs = []
    for i in range(6):
        body = story(i)
        body = [*body[:2], *widget, *body[2:4], "What happens next", *body[4:]]
        docs.append(Page(f"p{i}.txt", page(i, body=body)))
    (pack,) = mine(docs, min_docs=3, site="example.com", rules=defaults)
    assert set(widget) <= phrases_of(pack)  # three lines that are not prose: a widget
    assert "What happens next" not in pack.to_toml()  # one line between two paragraphs: a sub-heading


def test_copies_of_one_story_count_once(defaults: tuple) -> None:
    docs = site_docs()
    docs.append(Page("p0-copy.txt", docs[0].text))
    (pack,) = mine(docs, min_docs=2, site="example.com", rules=defaults)
    assert pack.distinct == 6
    assert not {phrase_key(p) for p in story(0)} & {phrase_key(p) for p in phrases_of(pack)}
    assert "Valley Voices" in phrases_of(pack)


def test_a_headline_other_pages_list_is_not_mined(defaults: tuple) -> None:
    """Page 0's headline is a link on the other pages: there it is noise, on page 0 the story's."""
    headline = f"The {TOPICS[0]} of {TOWNS[0]} will open late"
    docs = [site_docs()[0]]
    for d in site_docs()[1:]:
        docs.append(Page(d.source, d.text.replace("Advertise with the Gazette", f"Most read\n{headline}")))
    (pack,) = mine(docs, min_docs=3, site="example.com", rules=defaults)
    assert headline not in pack.to_toml()


def test_prose_is_told_from_lists() -> None:
    assert is_prose("The council said on Monday that the bridge would open in the spring.")
    assert is_prose(
        "(For updates you can share with your friends, follow us on Facebook, Twitter and Pinterest)"
    )
    assert not is_prose(
        "Published: November 1st, 2012 | Tags: NFL AM, Arizona Cardinals, Dashon Goldson, Jim Harbaugh"
    )
    assert not is_prose("Our Favourite Walks")


def test_too_few_pages_mine_nothing_and_min_docs_is_checked(defaults: tuple) -> None:
    (pack,) = mine(site_docs(2), min_docs=3, site="example.com", rules=defaults)
    assert pack.rules == () and pack.pages == 2
    with pytest.raises(ValueError):
        mine(site_docs(), min_docs=1)


def test_pages_group_by_url_then_by_site(defaults: tuple) -> None:
    docs = [Page(d.source, d.text, f"https://www.example.com/{i}") for i, d in enumerate(site_docs())]
    docs += [Page(f"o{i}.txt", page(i)) for i in range(3)]  # no URL: the site given
    packs = mine(docs, min_docs=3, site="other.org", rules=defaults)
    assert [(p.site, p.pages) for p in packs] == [("example.com", 6), ("other.org", 3)]
    assert [p.file_name for p in packs] == ["example.com.toml", "other.org.toml"]
    assert packs[0].requires == ()  # pages with URLs are cleaned with them
    assert packs[1].requires and all(any(sig in page(i) for sig in packs[1].requires) for i in range(3))
    (unscoped,) = mine(site_docs(), min_docs=3, rules=defaults)
    assert unscoped.site is None and unscoped.file_name == "mined.toml"
    assert "sites =" not in unscoped.to_toml() and all(r.id.startswith("mined.") for r in unscoped.rules)


def test_output_paths() -> None:
    assert output_paths(Path("out"), ["a.com", None]) == {
        "a.com": Path("out/a.com.toml"),
        None: Path("out/mined.toml"),
    }
    assert output_paths(Path("x.toml"), ["a.com"]) == {"a.com": Path("x.toml")}
    with pytest.raises(Exception, match="2 sites"):
        output_paths(Path("x.toml"), ["a.com", "b.com"])


# -- TOML --------------------------------------------------------------------------------------

AWKWARD = [
    "it's",
    'say "hi"',
    "back\\slash",
    "three ''' quotes",
    "ends with '",
    "tab\there",
    "line\u2028separator",
    "bell\x07and\x7fdel",
    "emoji 🦊 and ß",
    "«guillemets» — dash … ellipsis",
    "[brackets] {braces} = # not a comment",
]


def test_rules_with_awkward_characters_round_trip() -> None:
    rules = (
        MinedRule(
            "sites.example-com.awkward",
            Category.NAVIGATION,
            "A description with 'quotes', \"double quotes\", a \\ and a new\nline.",
            ("https://example.com/a?b='c'&d=\"e\"",),
            tuple(AWKWARD[:3]),
            ('A story line that it\'s "fine" to keep, with a \\ in it.',),
            phrases=tuple(AWKWARD),
        ),
        MinedRule(
            "sites.example-com.pattern",
            Category.BOILERPLATE,
            "A pattern.",
            ("p.txt",),
            ("it's 3 o'clock", "it's 12 o'clock"),
            ("A story line.",),
            pattern=r"(?i)^\s*it's\s+\d+\s+o'clock\s*$",
        ),
    )
    text = MinedPack("example.com", 2, 2, 2, rules).to_toml()
    loaded = parse_rules_text(text)
    assert loaded[0].phrases == tuple(AWKWARD)
    assert loaded[0].description == rules[0].description
    assert loaded[0].seen == rules[0].seen
    assert [e.text for e in loaded[0].examples_keep] == list(rules[0].keep)
    assert loaded[1].kind is Kind.LINE and loaded[1].pattern == rules[1].pattern
    assert "'''(?i)^\\s*it's" in text  # a regex stays readable: no doubled backslashes


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=40), st.booleans())
def test_any_string_round_trips(text: str, literal: bool) -> None:
    assert tomllib.loads(f"x = {toml_writer.string(text, literal=literal)}")["x"] == text


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError):
        toml_writer.string("bad \udcff byte")


# -- the command -------------------------------------------------------------------------------


def write_site(root: Path) -> Path:
    pages = root / "pages"
    pages.mkdir()
    for i in range(6):
        (pages / f"p{i}.txt").write_text(page(i, quote=i < 2), encoding="utf-8")
    return pages


def test_cli_mine_then_test_then_clean(tmp_path: Path) -> None:
    pages = write_site(tmp_path)
    out = tmp_path / "mined"
    done = run("mine", pages, "-o", out, "--site", "example.com")
    assert done.returncode == 0, done.stderr
    assert "example.com: 6 pages" in done.stderr
    pack = out / "example.com.toml"
    assert pack.is_file()
    for extra in ((), ("--no-default-rules",)):
        tested = run("rules", "test", "--rules", pack, *extra)
        assert tested.returncode == 0, tested.stdout + tested.stderr
    again = run("mine", pages, "-o", out, "--site", "example.com")
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert run("mine", pages, "-o", out, "--site", "example.com", "--overwrite").returncode == 0
    cleaned = tmp_path / "cleaned"
    assert run("clean", pages, "-o", cleaned, "--rules", out).returncode == 0
    text = (cleaned / "p0.txt").read_text(encoding="utf-8")
    assert "Valley Voices" not in text and "Meet the Valley team" not in text
    assert all(p in text for p in story(0)) and QUOTE in text


def test_cli_jsonl_groups_by_url_field(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    rows = [
        {"body": page(i), "link": f"https://{host}/{i}"}
        for host in ("a.example", "b.example")
        for i in range(4)
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    done = run("mine", src, "-o", out, "--text-field", "body", "--url-field", "link")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.example.toml", "b.example.toml"]
    one = run("mine", src, "-o", tmp_path / "one.toml", "--text-field", "body", "--url-field", "link")
    assert one.returncode == 2 and "2 sites" in one.stderr
    assert not (tmp_path / "one.toml").exists()


def test_cli_reads_html_through_the_same_extraction(tmp_path: Path) -> None:
    pages = tmp_path / "html"
    pages.mkdir()
    for i in range(4):
        body = "".join(f"<p>{p}</p>" for p in story(i))
        (pages / f"p{i}.html").write_text(
            f'<html><head><link rel="canonical" href="https://news.example/{i}"></head><body>'
            f"<article><h1>Story {TOWNS[i]}</h1>{body}<p>Support the Valley Gazette: become a friend of the "
            "paper for the price of a coffee a month, and keep local news alive.</p>"
            "<p>Sign up for the morning briefing</p></article></body></html>",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    done = run("mine", pages, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "news.example: 4 pages" in done.stderr


def test_cli_help_states_the_default_min_docs() -> None:
    shown = run("mine", "--help")
    assert shown.returncode == 0 and f"(default: {DEFAULT_MIN_DOCS})" in shown.stdout


def test_cli_usage_errors(tmp_path: Path) -> None:
    assert run("mine", tmp_path / "missing", "-o", tmp_path / "o").returncode == 2
    assert run("mine", tmp_path, "-o", tmp_path / "o", "--min-docs", "1").returncode == 2
