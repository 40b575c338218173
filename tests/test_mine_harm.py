"""A mined pack takes the lines it matches, and no more of a story through the whole-page
heuristic.

The pages are a made-up site shaped as a gossip blog's pages are: a header and a share bar,
the headline and byline, the story, a sidebar of other stories' titles that every page
prints, account links, and a river of teasers with their blurbs, part of it the same on
every page and part of it the page's own. Mining four pages finds the sidebar and the
account links. Once those lines are gone they are walls of chrome, and the whole-page
heuristic judged the rest by them: a one-paragraph story, too short to count on its own,
went with everything else beyond the teasers' blurbs (the densest run), and a long story's
last lines (a photo's credit and its source) went with the wall below them. A pack that
`cleaner mine` writes says ``mined = true``; the heuristic then takes no line on the
account of its rules that it would keep without them and that is prose, or stands in one
stretch with prose that stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import run

from cleaner import Cleaner, load_rules, parse_rules_text
from cleaner.mine import Page, mine

SIDEBAR = [
    "Council Votes to Reopen the Old Harbour Bridge After Ten Years",
    "The Storm Is Here",
    "How to Keep Your Garden Alive Through a Dry Summer (and Save Water)",
    "Local Bakery Wins a Prize for Its Rye While the Judges Argue",
    "Welcome to the Valley, Where Every Road Leads to an Orchard",
    "This Week's Must-See Concert: a Brass Band on the Pier!",
]
RIVER = [
    "gardens 11:30 PM 0 Ten Plants That Thrive on Neglect",
    "weather 10:15 PM 0 Wind Warning Issued for the Coast Tonight",
    "food 10:05 PM 0 The Best Pies at the County Fair, Ranked by Our Staff",
    "town hall 9:45 PM 0 Residents Pack the Meeting Over Parking Fees",
]
STORY = [
    "The council said on {day} that the new {topic} would open to the public in the spring, two years "
    "later than planned and at almost twice the cost.",
    "Residents have complained for years about the old {topic}, which was built before the war and is "
    "now too small for the people who use it.",
    "Engineers who inspected the {topic} last autumn found cracks in its foundations, and the works had "
    "to stop for several months.",
]
TOPICS = ["bridge", "library", "harbour", "market hall", "ferry pier"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NUMBERS = ["one", "two", "three", "four", "five"]
PACK_TWO = """[pack]
name = "p"
mined = true

[[rule]]
id = "t.one"
category = "navigation"
description = "a menu"
phrases = ["Top Stories"]
examples.remove = ["Top Stories"]
examples.keep = ["The top stories of the year were all about the weather."]

[[rule]]
id = "t.two"
category = "navigation"
description = "a menu, read and kept"
phrases = ["Most Popular"]
mined = false
examples.remove = ["Most Popular"]
examples.keep = ["The most popular walk is the one along the river."]
"""
SHORT = (
    "General Whiskers. Years ago you served my father in the Cat Wars. Now he begs you to help him in "
    "his struggle against the Dogs. (Sorry.)"
)
CREDIT = "Image via Ann Snapper/ Valley Photos"
SOURCE = "New bridge design to be tested [Valley Radio]"


def own_river(i: int) -> list[str]:
    """The teasers only page ``i`` shows, two of them with a blurb of prose."""
    n = NUMBERS[i]
    return [
        f"roads 4:30 PM 0 Road {n.title()} Closes for Repairs After the Floods Wash Out a Lane",
        f"Readers on road {n} sent in their photos of the flooded road, and we have picked the best of "
        "them for you to see.",
        f"market 4:00 PM 0 Stall {n.title()} Sells Out of Plums Before Noon for the Third Week Running",
        f"schools 3:30 PM 0 School {n.title()} Opens a New Library With Help From Parents",
        f"These old photos of mill {n} show the valley as it looked a hundred years ago, before the road "
        "came.",
        f"sport 3:00 PM 0 Team {n.title()} Wins the Cup",
    ]


def page(i: int, title: str, author: str, story: list[str]) -> str:
    lines = [
        title, "", "The Valley Post", "", "Top Stories", "", "continue to story",
        "This story will display in ...", "town news", "Oct 28, 2012 11:30 PM", "Share", "",
        "Facebook", "Twitter", "StumbleUpon", "Tumblr", "Instapaper", "Email this post", "", "Tweet", "",
        title, "", author, "", "View Profile", "Email", "Twitter", "RSS", "",
    ]  # fmt: skip
    for paragraph in story:
        lines += [paragraph, ""]
    for title_ in SIDEBAR:
        lines += [title_, ""]
    lines += [
        "Clear notifications ×", "", "Profile", "Logout", "", "Sign in", "",
        "Traditional Entire page scrolls", "Two panes Sidebar scrolls independently",
        "Blog view Listing of stories by date", "", "Monday, Oct 29, 2012", "Latest Stories", "",
        "Latest Stories", "Most Popular", "Most Discussed", "", "News, Gardens, Food for the Valley",
        "Newer Stories…", "", *RIVER, *own_river(i), "",
        "More Stories…", "", "About", "Help", "Jobs", "Legal", "Privacy", "Permissions",
        "Advertising", "Subscribe", "Send a tip",
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def long_story(i: int) -> list[str]:
    return [p.format(day=DAYS[i], topic=TOPICS[i]) for p in STORY]


@pytest.fixture(scope="module")
def defaults() -> tuple:
    return load_rules()


@pytest.fixture(scope="module")
def pack_text(defaults: tuple) -> str:
    docs = [
        Page(f"p{i}.txt", page(i, f"The {TOPICS[i].title()} Will Open Late", "Ann Writer", long_story(i)))
        for i in range(4)
    ]
    (pack,) = mine(docs, min_docs=3, site="example.com", rules=defaults)
    return pack.to_toml()


def cleaned(text: str, defaults: tuple, pack_text: str, *, mined: bool = True) -> str:
    if not mined:  # the same pack once a person has read it and kept it
        pack_text = pack_text.replace("\nmined = true\n", "\nmined = false\n")
    return Cleaner(rules=[*defaults, *parse_rules_text(pack_text, "example.com.toml")]).clean(text).text


def test_a_mined_pack_says_so_and_its_rules_carry_it(pack_text: str) -> None:
    assert "\nmined = true\n" in pack_text
    rules = parse_rules_text(pack_text, "example.com.toml")
    assert rules and all(r.mined for r in rules)
    phrases = {p for r in rules for p in r.phrases}
    assert set(SIDEBAR) <= phrases  # what makes the walls is mined


def test_a_short_story_stays_when_mined_walls_leave_it_too_small(defaults: tuple, pack_text: str) -> None:
    text = page(4, "This Cat's Costume Beats Yours", "Lou Writer", [SHORT])
    assert SHORT in Cleaner(rules=defaults).clean(text).text
    out = cleaned(text, defaults, pack_text)
    assert SHORT in out
    # the mined lines themselves still go
    assert not any(title in out for title in SIDEBAR)
    assert "Two panes Sidebar scrolls independently" not in out
    # kept and trusted, the walls are evidence of chrome again, and the story goes
    assert SHORT not in cleaned(text, defaults, pack_text, mined=False)


def test_a_story_keeps_its_last_lines_above_a_mined_wall(defaults: tuple, pack_text: str) -> None:
    story = [*long_story(4), CREDIT, SOURCE]
    text = page(4, "The Ferry Pier Will Open Late", "Ann Writer", story)
    out = cleaned(text, defaults, pack_text)
    assert all(line in out for line in story)
    assert not any(title in out for title in SIDEBAR)
    trusted = cleaned(text, defaults, pack_text, mined=False)
    assert all(line in trusted for line in long_story(4))
    assert SOURCE not in trusted


def test_mined_is_a_pack_default_a_rule_may_override() -> None:
    one, two = parse_rules_text(PACK_TWO, "p.toml")
    assert one.mined and not two.mined


def test_rules_list_says_which_rules_are_a_drafts(tmp_path: Path) -> None:
    pack = tmp_path / "p.toml"
    pack.write_text(PACK_TWO, encoding="utf-8")
    proc = run("rules", "list", "--no-default-rules", "--rules", pack)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("│")[1].strip(): line for line in proc.stdout.splitlines() if "│ t." in line}
    assert ", mined" in rows["t.one"]
    assert "mined" not in rows["t.two"]
