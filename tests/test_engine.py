"""The engine on small inline rule files: each matcher kind, scopes, overlaps, tidying, line
breaks and grapheme clusters. Every result is also checked for replay (I1-I3)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from cleaner import Category, Cleaner, Result, Span, load_rules, restore

PHOTO_LINE = "line = '^Photo: .+$'"


# -- matcher kinds ---------------------------------------------------------------------------


def test_whole_line_phrase_ignores_case_and_whitespace(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", 'phrases = ["Sponsored message"]', category="sponsored"))
    text = "First paragraph.\n  SPONSORED \t message  \nSecond paragraph.\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is None
    assert r.text == "First paragraph.\nSecond paragraph.\n"
    (span,) = r.spans
    assert span.text == "  SPONSORED \t message  \n"
    assert (span.rule, span.category) == ("t.ad", Category.SPONSORED)


def test_whole_line_phrase_leaves_longer_lines(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", 'phrases = ["Sponsored message"]'))
    text = "A sponsored message ran.\nSponsored message here\nSponsored messages\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == text
    assert r.spans == ()


def test_inline_phrase_removes_only_the_phrase(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.inline", 'phrases = ["Advertisement"]\nwhole_line = false\nremove = "match"'))
    text = "Before ADVERTISEMENT after.\nKeep this.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Before  after.\nKeep this.\n"
    (span,) = r.spans
    assert (span.start, span.end, span.text) == (7, 20, "ADVERTISEMENT")


def test_inline_phrase_is_whole_words_only(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.inline", 'phrases = ["ad"]\nwhole_line = false\nremove = "match"'))
    text = "A road and an adverb. An ad here.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "A road and an adverb. An  here.\n"


def test_inline_phrase_spaces_match_any_whitespace_run(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.inline", 'phrases = ["read more"]\nwhole_line = false\nremove = "match"'))
    text = "End of story. Read \t  More\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "End of story. \n"


def test_line_left_with_only_whitespace_goes_whole(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.inline", 'phrases = ["Advertisement"]\nwhole_line = false\nremove = "match"'))
    text = "Story.\n \t Advertisement  \nMore story.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Story.\nMore story.\n"
    (span,) = r.spans
    assert span.text == " \t Advertisement  \n"
    assert span.rule == "t.inline"


def test_line_regex_removes_whole_line(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.photo", PHOTO_LINE, category="credit"))
    text = "Story starts.\nPhoto: Jane Doe\nA Photo: not at the start.\nPhoto:\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Story starts.\nA Photo: not at the start.\nPhoto:\n"
    (span,) = r.spans
    assert span.text == "Photo: Jane Doe\n"
    assert span.category is Category.CREDIT


def test_line_regex_on_last_line_without_newline(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.photo", PHOTO_LINE))
    text = "Story.\nPhoto: Jane Doe"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Story.\n"


def test_line_regex_with_remove_match(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.credit", "line = '\\(Photo: [^)]+\\)'\nremove = \"match\""))
    text = "Leaders meet in Alaska. (Photo: AP) The talks went on.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Leaders meet in Alaska.  The talks went on.\n"


def test_span_regex_across_lines_takes_whole_lines(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.split", r"span = '\(\R[^\r\n/]+\R/\R[^\r\n/]+\R\)'", category="credit"))
    text = "Caption line.\n(\nAndrew Harnik\n/\nGetty Images\n)\nStory goes on.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Caption line.\nStory goes on.\n"
    (span,) = r.spans
    assert span.text == "(\nAndrew Harnik\n/\nGetty Images\n)\n"


def test_span_regex_line_break_escape_covers_crlf_and_cr(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.two", r"span = 'BEGIN\RAD\REND'"))
    for nl in ("\n", "\r\n", "\r"):
        text = nl.join(["Keep one.", "BEGIN", "AD", "END", "Keep two.", ""])
        r = c.clean(text)
        check(text, r)
        assert r.text == nl.join(["Keep one.", "Keep two.", ""]), repr(nl)


def test_span_regex_with_remove_match_takes_only_the_match(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.two", "span = 'BEGIN\\RAD\\REND'\nremove = \"match\""))
    text = "Keep BEGIN\nAD\nEND keep.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Keep  keep.\n"


BLOCK = "block = { start = '^START$', end = '^END$', max_lines = 5 }"


def test_block_within_max_lines_is_removed(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.block", BLOCK))
    text = "Before.\nSTART\none\ntwo\nEND\nAfter.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Before.\nAfter.\n"
    (span,) = r.spans
    assert span.text == "START\none\ntwo\nEND\n"


def test_block_longer_than_max_lines_is_kept(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.block", BLOCK))
    body = "".join(f"line {i}\n" for i in range(8))
    text = f"Before.\nSTART\n{body}END\nAfter.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == text
    assert r.spans == ()


def test_block_without_end_is_kept(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.block", BLOCK))
    text = "Before.\nSTART\none\nAfter.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == text


def _follows_cleaner(rule, cleaner_of, **params: int):
    extra = "".join(f", {k} = {v}" for k, v in params.items())
    return cleaner_of(
        rule("t.label", 'phrases = ["Next post"]', category="navigation"),
        rule("t.title", f'heuristic = "follows"\nparams = {{ rules = ["t.label"]{extra} }}'),
    )


def test_follows_takes_the_title_after_the_label(rule, cleaner_of, check) -> None:
    c = _follows_cleaner(rule, cleaner_of)
    text = "The body of the post.\n\nNext post\n\nTen Things To Do This Week?\nA closing line of prose.\n"
    r = c.clean(text)
    check(text, r)
    assert [(s.rule, s.text.strip()) for s in r.spans if s.rule.startswith("t.")] == [
        ("t.label", "Next post"),
        ("t.title", "Ten Things To Do This Week?"),
    ]
    assert "A closing line of prose." in r.text


def test_follows_stops_at_prose_long_lines_and_max_lines(rule, cleaner_of, check) -> None:
    c = _follows_cleaner(rule, cleaner_of, max_lines=2, max_words=5)
    cases = {
        "Next post\nThe committee then voted.\nShort title\n": [],  # ends like prose: stops the run
        "Next post\nOne two three four five six\nShort title\n": [],  # over max_words
        "Next post\nFirst title\nSecond title\nThird title\n": ["First title", "Second title"],
    }
    for text, titles in cases.items():
        r = c.clean(text)
        check(text, r)
        assert [s.text.strip() for s in r.spans if s.rule == "t.title"] == titles, text


THREAD = (
    'heuristic = "comment-thread"\nparams = { rules = ["t.header"], max_gap_lines = 3, max_tail_lines = 2 }'
)


def test_comment_thread_takes_what_lies_between_close_headers(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.header", "line = '^\\w+ wrote:$'", category="comments"),
        rule("t.form", 'phrases = ["Leave a reply"]', category="comments"),
        rule("t.thread", THREAD, category="comments"),
    )
    story = "Ann wrote:\nThe story begins.\nIt goes on.\nIt goes on more.\nAnd more.\n"
    thread = "Bob wrote:\nNice.\nCal wrote:\nAgreed, and\nhere is why.\n"
    text = story + thread + "Leave a reply\nFooter line\n"
    r = c.clean(text)
    check(text, r)
    # Ann's header is 5 lines before Bob's (more than max_gap_lines): it starts a chain of
    # its own, of one header, which takes nothing; Bob's and Cal's make a thread whose last
    # comment ends at the form line another rule removed.
    assert r.text == "The story begins.\nIt goes on.\nIt goes on more.\nAnd more.\nFooter line\n"
    assert [s.text for s in r.spans if s.rule == "t.thread"] == ["Nice.\n", "Agreed, and\n", "here is why.\n"]


def test_teaser_takes_a_cut_off_paragraph_above_a_read_more_line(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.more", 'phrases = ["Read More"]', category="related"),
        rule(
            "t.teaser",
            'heuristic = "teaser"\nparams = { rules = ["t.more"], max_words = 30 }',
            category="related",
        ),
    )
    cut = "About three years ago, a young prospect started working out with some veterans at..."
    whole = "About three years ago, a young prospect started working out with some veterans."
    text = "\n".join(["Story.", cut, "Read More", whole, "Read More", cut]) + "\n"
    r = c.clean(text)
    check(text, r)
    # only the cut-off paragraph right above a removed 'Read More' line goes
    assert [s.text.strip() for s in r.spans if s.rule == "t.teaser"] == [cut]
    assert r.text == "Story.\n" + whole + "\n" + cut + "\n"


def dateline_rule(rule, toml_string) -> str:
    """A ``dateline-start`` rule with the default pack's opening pattern and four lines above."""
    opening = next(r for r in load_rules() if r.id == "metadata.above-dateline").params["opening"]
    params = f"opening = {toml_string(opening)}, max_lines_above = 4, min_words = 20, max_prose_above = 1"
    return rule("t.dl", f'heuristic = "dateline-start"\nparams = {{ {params} }}', category="metadata")


OPENING = (
    "The council said on Tuesday that the new bridge over the river would open in the spring, "
    "after years of delays and two changes of contractor."
)


@pytest.mark.parametrize(
    "dateline",
    ["BUFFALO, N.Y. — ", "HANOI, Vietnam (AP) — ", "WASHINGTON (Reuters) - ", "BERLIN -- ", "(CNN) "],
)
def test_dateline_start_takes_the_lines_above_the_opening_dateline(
    rule, toml_string, cleaner_of, check, dateline
) -> None:
    c = cleaner_of(dateline_rule(rule, toml_string))
    head = [
        "Bridge to open in spring",
        "Residents welcome the news. Video",
        "A caption of the old bridge (Photo: AP)",
    ]
    text = "\n".join([*head, dateline + OPENING, "Second paragraph."]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == dateline + OPENING + "\nSecond paragraph.\n"


@pytest.mark.parametrize(
    ("lines", "why"),
    [
        (["Head", "THE POINT -- NOW ON YOUTUBE!"], "a short line is not the story's opening"),
        (["One", "Two", "Three", "Four", "Five", "BERLIN -- " + OPENING], "the dateline is below the top"),
        ([OPENING, OPENING.replace("council", "mayor"), "BERLIN -- " + OPENING], "two paragraphs above"),
        (["Head", "Council — " + OPENING], "the place is not in capitals"),
    ],
)
def test_dateline_start_leaves_other_texts_alone(rule, toml_string, cleaner_of, check, lines, why) -> None:
    c = cleaner_of(dateline_rule(rule, toml_string))
    text = "\n".join(lines) + "\n"
    r = c.clean(text)
    check(text, r)
    assert not r.spans, why


REPEATED = 'heuristic = "repeated-text"\nparams = { min_words = 16, min_share = 0.8, min_sources = 2 }'
STORY = [
    "The council said on Tuesday that the new bridge over the river would open in the spring.",
    "Residents have complained for years about the queues on the old crossing into town.",
    "Buses will use the new bridge first, and lorries will follow once the road is finished.",
]


def test_repeated_text_takes_copies_of_the_story_and_keeps_the_first(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.copy", REPEATED, category="boilerplate"))
    copy = " ".join(STORY)  # a page description that strings the paragraphs together
    teaser = STORY[0][:40] + "..."
    text = "\n\n".join([*STORY, copy, teaser]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert [s.text.strip() for s in r.spans if s.rule == "t.copy"] == [copy, teaser]
    assert all(p in r.text for p in STORY)


def test_repeated_text_keeps_a_sentence_repeated_on_its_own(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.copy", REPEATED, category="boilerplate"))
    question = "What inspired you to start cooking for other people, and what keeps you going every week?"
    text = "\n".join([question, "My grandmother did.", question, "My neighbours did."]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert not r.spans  # one line above holds it, not several: no copy of the story


def test_repeated_text_counts_only_lines_still_kept(rule, cleaner_of, check) -> None:
    # The lines the copy repeats were removed by a rule: the copy is all that is left of
    # them, and stays.
    c = cleaner_of(
        rule("t.teaser", "line = '^(The council said|Residents have)[^.]*\\.$'", category="related"),
        rule("t.copy", REPEATED, category="boilerplate"),
    )
    copy = " ".join(STORY[:2])
    text = "\n".join([*STORY[:2], "Now the story.", copy]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert copy in r.text
    assert not [s for s in r.spans if s.rule == "t.copy"]


BYLINE_HEAD = (
    'heuristic = "headline"\n'
    'params = { head_lines = 1, byline_lines = 5, not_names = ["what", "happens", "next", "the"] }'
)
BODY = "It was the shot heard round the world, in the closing seconds of the game.\n"


def test_headline_takes_the_head_down_to_the_authors_name(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.head", BYLINE_HEAD, category="metadata"))
    cases = {
        # kicker, question headline, dek, name: all go
        "Commentary\nIs Football Violence a Crime?\nLawsuits followed. Then more.\nRandy Maniloff\n": True,
        # the last name line that fits is the byline, not a title-case label above it
        "Consumer\nEarnings Report\nHome Depot Stock Is Falling. Why Not Worry.\nBy Al Root\n\n": True,
        # two statements above the name: paragraphs, not a head
        "Standings\nThe table is updated after every race!\nBookmark it and come back!\nKyle Busch\n": False,
        # the head must open with a title
        "The council met on Tuesday.\n\nJane Roe\n\n": False,
        # words no name holds: a subheading, not a byline
        "Budget passes\n\nWhat Happens Next\n\n": False,
    }
    for head, goes in cases.items():
        text = head + BODY
        r = c.clean(text)
        check(text, r)
        if goes:
            assert r.text == BODY, head
        else:
            assert len(r.text) > len(BODY) + 10, head  # at most the first line (head_lines 1) went
    # no paragraph after the name: nothing to anchor the head on
    text = "Commentary\n\nIs Football Violence a Crime?\n\nRandy Maniloff\n\nShort line\n"
    assert "Randy Maniloff" in c.clean(text).text


OPENED_THREAD = (
    'heuristic = "comment-thread"\nparams = { rules = ["t.stamp"], name_lines = true, '
    'openers = ["t.heading"], min_markers = 1, max_gap_lines = 6, max_tail_lines = 3 }'
)


def test_comment_thread_with_openers_and_name_lines(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.stamp", "line = '^\\d\\d:\\d\\d$'", category="comments"),
        rule("t.heading", "line = '^\\d+ thoughts$'", category="comments"),
        rule("t.thread", OPENED_THREAD, category="comments"),
    )
    story = "Jane Doe\n10:00\n\nThe story begins.\nIt goes on.\n\n"
    thread = (
        "2 thoughts\n\nAnn Lee\n10:30\n\nGreat piece.\n\n"
        "Bob\n11:45\n\nI disagree, because the figures are old.\n"
    )
    text = story + thread
    r = c.clean(text)
    check(text, r)
    # The byline at the top has a stamp too, but no heading right above it: it stays with
    # the story (only the stamp rule takes its stamp). Under the heading, the name lines
    # over the stamps and the bodies go.
    assert r.text == "Jane Doe\n\nThe story begins.\nIt goes on.\n"  # blank lines left over are tidied
    taken = [s.text.strip() for s in r.spans if s.rule == "t.thread"]
    assert taken == ["Ann Lee", "Great piece.", "Bob", "I disagree, because the figures are old."]
    # Without the heading, nothing goes but the stamps.
    r = c.clean(story + thread.replace("2 thoughts\n\n", ""))
    assert not [s for s in r.spans if s.rule == "t.thread"]


LONE_THREAD = (
    'heuristic = "comment-thread"\nmax_removed_fraction = 1.0\n'
    'params = { rules = ["t.stamp"], name_lines = true, at_start = true, max_text_words = 30, '
    "not_name = '(?i)^by\\b', min_markers = 1, max_gap_lines = 6, max_tail_lines = 10 }"
)


def test_comment_thread_at_start_takes_a_text_that_is_one_comment(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.stamp", "line = '^\\d\\d:\\d\\d$'", category="comments"),
        rule("t.lone", LONE_THREAD, category="comments"),
    )
    comment = "Ann Lee\n10:30\n\nGreat piece, I have a question about the buses.\nWill they run?\n"
    r = c.clean(comment)
    check(comment, r)
    assert r.text == ""
    assert [s.rule for s in r.spans if s.category == "comments"] == ["t.lone", "t.stamp", "t.lone", "t.lone"]
    # Not when the text does not open with the name line and the stamp: a post comes first.
    post = "The council voted to close the bridge.\n\n"
    assert c.clean(post + comment).text.startswith(post + "Ann Lee\n")
    # Not a byline over a story's date.
    byline = comment.replace("Ann Lee", "By Ann Lee")
    assert c.clean(byline).text == byline.replace("10:30\n", "")
    # Not a text longer than max_text_words: a story under a name and a time.
    story = comment + "The story goes on for a while, and on, and on, past where a comment ends.\n"
    assert c.clean(story).text == story.replace("10:30\n", "")


def test_comment_thread_counts_consecutive_header_lines_once(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.header", "line = '^(\\w+ wrote:|\\d\\d:\\d\\d)$'", category="comments"),
        rule("t.thread", THREAD, category="comments"),
    )
    # One comment whose header takes two lines is one header, not a thread of two.
    text = "Ann wrote:\n10:30\nThe story begins.\nIt goes on.\n"
    r = c.clean(text)
    check(text, r)
    assert not [s for s in r.spans if s.rule == "t.thread"]


# -- scopes ----------------------------------------------------------------------------------


def numbered(n: int) -> list[str]:
    return [f"Story line number {i} of the article." for i in range(n)]


def test_head_zone_rule_is_ignored_outside_the_head(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.head", 'phrases = ["Politics"]\nzone = "head"\nzone_lines = 3'))
    body = numbered(10)
    text = "\n".join(["Politics", *body[:5], "Politics", *body[5:]]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "\n".join([*body[:5], "Politics", *body[5:]]) + "\n"
    (span,) = r.spans
    assert span.start == 0


def test_tail_zone_rule_is_ignored_outside_the_tail(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.tail", 'phrases = ["Read more"]\nzone = "tail"\nzone_lines = 3'))
    body = numbered(10)
    text = "\n".join([*body[:2], "Read more", *body[2:], "Read more"]) + "\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "\n".join([*body[:2], "Read more", *body[2:]]) + "\n"
    (span,) = r.spans
    assert span.end == len(text)


def test_requires_gates_a_rule_on_a_signature(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.site", 'phrases = ["Community"]\nrequires = ["LAist"]'))
    without = "Story about a town.\nCommunity\nMore story.\n"
    r = c.clean(without)
    check(without, r)
    assert r.text == without
    with_sig = "Story from LAist about a town.\nCommunity\nMore story.\n"
    r = c.clean(with_sig)
    check(with_sig, r)
    assert r.text == "Story from LAist about a town.\nMore story.\n"


def test_sites_apply_to_domain_and_subdomains_only(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.site", 'phrases = ["Community"]\nsites = ["example.com"]'))
    text = "Story.\nCommunity\nMore story.\n"
    removed = "Story.\nMore story.\n"
    for url in (
        "https://example.com/a/story",
        "https://www.example.com/story",
        "https://news.example.com/story",
        "HTTPS://NEWS.EXAMPLE.COM/x",
        "example.com",
    ):
        r = c.clean(text, url=url)
        check(text, r)
        assert r.text == removed, url
    for url in (
        "https://example.org/story",
        "https://notexample.com/story",
        "https://example.com.evil.net/story",
        None,
    ):
        r = c.clean(text, url=url)
        check(text, r)
        assert r.text == text, url


def test_formats_limit_a_rule_to_its_input_format(rule, cleaner_of, check) -> None:
    c = cleaner_of(
        rule("t.text", 'phrases = ["Menu"]\nformats = ["text"]')
        + rule("t.html", 'phrases = ["Share"]\nformats = ["html"]')
        + rule("t.both", 'phrases = ["Advert"]')
    )
    text = "Story.\nMenu\nShare\nAdvert\nMore story.\n"
    as_text = c.clean(text)
    as_html = c.clean(text, format="html")
    check(text, as_text)
    check(text, as_html)
    assert as_text.text == "Story.\nShare\nMore story.\n"
    assert as_html.text == "Story.\nMenu\nMore story.\n"


def test_unknown_format_is_a_rule_error(rule) -> None:
    from cleaner import RuleFileError, parse_rules_text

    bad = rule("t.fmt", 'phrases = ["Menu"]\nformats = ["pdf"]')
    with pytest.raises(RuleFileError) as e:
        parse_rules_text(bad, "f.toml")
    assert "f.toml: t.fmt: formats: unknown format 'pdf'" in str(e.value)


# -- overlap policy --------------------------------------------------------------------------


def inline(rid: str, phrase: str, rule, extra: str = "") -> str:
    return rule(rid, f'phrases = ["{phrase}"]\nwhole_line = false\nremove = "match"\n{extra}')


def span_match(rid: str, pattern: str, rule, extra: str = "") -> str:
    return rule(rid, f"span = '{pattern}'\nremove = \"match\"\n{extra}")


def test_overlapping_candidates_merge_into_one_span(rule, cleaner_of, check) -> None:
    # "AB CD" is [4, 9) and "CD EF" is [7, 12): same priority and length, so the earlier wins,
    # whatever the order of the rules in the file.
    c = cleaner_of(span_match("t.b", "CD EF", rule), inline("t.a", "AB CD", rule))
    text = "one AB CD EF two\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "one  two\n"
    (span,) = r.spans
    assert (span.start, span.end) == (4, 12)
    assert span.rule == "t.a"
    assert span.rules == ("t.a", "t.b")
    assert [(s.rule, s.start, s.end) for s in r.shadowed] == [("t.b", 7, 12)]


def test_overlap_credit_goes_to_the_longer_candidate(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.short", "AB CD", rule), span_match("t.long", "CD EF GH", rule))
    text = "one AB CD EF GH two\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert (span.start, span.end) == (4, 15)
    assert span.rule == "t.long"
    assert span.rules == ("t.long", "t.short")


def test_overlap_credit_goes_to_priority_first(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.short", "AB CD", rule, "priority = 5"), span_match("t.long", "CD EF GH", rule))
    text = "one AB CD EF GH two\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert (span.start, span.end) == (4, 15)
    assert span.rule == "t.short"
    assert span.rules == ("t.short", "t.long")


def test_a_chain_of_overlaps_is_one_span(rule, cleaner_of, check) -> None:
    # [0, 5) overlaps [3, 8), which overlaps [6, 11): one span although the first and the
    # last do not overlap each other.
    c = cleaner_of(
        span_match("t.one", "AA BB", rule),
        inline("t.two", "BB CC", rule),
        span_match("t.three", "CC DD", rule),
    )
    text = "AA BB CC DD end\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert (span.start, span.end) == (0, 11)
    assert span.rule == "t.one"
    assert set(span.rules) == {"t.one", "t.two", "t.three"}


def test_overlapping_inline_phrase_rules_of_one_scope_both_count(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.b", "CD EF", rule), inline("t.a", "AB CD", rule))
    text = "one AB CD EF two\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "one  two\n"
    (span,) = r.spans
    assert span.rules == ("t.a", "t.b")


def test_adjacent_spans_stay_separate(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.x", "[AB]", rule), inline("t.y", "[CD]", rule))
    text = "xx [AB][CD] yy\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "xx  yy\n"
    assert [(s.start, s.end, s.rule) for s in r.spans] == [(3, 7, "t.x"), (7, 11, "t.y")]
    assert all(len(s.rules) == 1 for s in r.spans)


def test_whole_line_and_inline_overlap_on_one_line(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.photo", PHOTO_LINE), inline("t.name", "Jane Doe", rule))
    text = "Story.\nPhoto: Jane Doe\nJane Doe said so.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Story.\n said so.\n"
    first = r.spans[0]
    assert first.text == "Photo: Jane Doe\n"
    assert first.rule == "t.photo" and set(first.rules) == {"t.photo", "t.name"}


def test_two_line_rules_on_one_line_are_both_listed(rule, cleaner_of, check) -> None:
    # Both candidates are the whole line: same priority and length, so the rule id decides.
    c = cleaner_of(rule("t.photo", PHOTO_LINE), rule("t.jane", "line = 'Jane Doe'"))
    text = "Story.\nPhoto: Jane Doe\nMore.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Story.\nMore.\n"
    (span,) = r.spans
    assert span.rule == "t.jane"
    assert span.rules == ("t.jane", "t.photo")


def test_two_whole_line_phrase_rules_with_one_phrase_are_both_listed(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.a", 'phrases = ["Advertisement"]'), rule("t.b", 'phrases = ["ADVERTISEMENT"]'))
    text = "Story.\nAdvertisement\nMore.\n"
    r = c.clean(text)
    check(text, r)
    (span,) = r.spans
    assert span.rules == ("t.a", "t.b")


# -- whitespace tidying ----------------------------------------------------------------------

AD_RULE = 'phrases = ["AD"]'


def test_blank_lines_at_a_seam_collapse_to_one(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "Para one.\n\nAD\n\nPara two.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Para one.\n\nPara two.\n"
    tidy = [s for s in r.spans if s.rule == "tidy.blank-lines"]
    assert len(tidy) == 1
    assert tidy[0].text == "\n" and tidy[0].category is Category.WHITESPACE


def test_many_blank_lines_at_a_seam_collapse_to_one(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "Para one.\n\n\nAD\n\n \nAD\n\nPara two.\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Para one.\n\nPara two.\n"
    assert {s.category for s in r.spans if s.rule == "tidy.blank-lines"} == {Category.WHITESPACE}


def test_leading_and_trailing_blank_lines_exposed_by_removals_go(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "AD\n\n\nPara one.\n\nPara two.\n\nAD\n\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Para one.\n\nPara two.\n"
    tidy = [s for s in r.spans if s.rule == "tidy.blank-lines"]
    assert tidy and all(s.category is Category.WHITESPACE and not s.text.strip() for s in tidy)


def test_blank_lines_no_removal_touched_stay(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "\n\nPara one.\n\n\n\nPara two.\nAD\n\nPara three.\n\n\n"
    r = c.clean(text)
    check(text, r)
    # Only the AD line goes. The blank runs at the top, between one and two, and at the
    # bottom have no removal next to them; the one blank line left between two and three
    # is already a single one.
    assert r.text == "\n\nPara one.\n\n\n\nPara two.\n\nPara three.\n\n\n"
    assert [s.rule for s in r.spans] == ["t.ad"]


def test_no_removal_means_no_tidying(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "\n\n\nPara one.\n\n\n\nPara two.\n\n\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == text and r.spans == ()


def test_everything_removed_leaves_nothing(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "\nAD\n\nAD\n\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == ""


# -- line breaks -----------------------------------------------------------------------------


def test_crlf_removed_line_takes_its_line_break(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.photo", PHOTO_LINE))
    text = "Intro.\r\nPhoto: AP\r\nBody.\r\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Intro.\r\nBody.\r\n"
    assert r.spans[0].text == "Photo: AP\r\n"
    assert r.text.count("\r") == r.text.count("\r\n")


def test_crlf_inline_phrase_leaves_no_stray_cr(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.inline", "Advertisement", rule))
    text = "Intro.\r\n  Advertisement\r\nBody.\r\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Intro.\r\nBody.\r\n"


def test_crlf_tidy_keeps_whole_line_breaks(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "Para one.\r\n\r\nAD\r\n\r\nPara two.\r\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Para one.\r\n\r\nPara two.\r\n"


def test_lone_cr_and_mixed_newlines_end_lines(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", AD_RULE))
    text = "a\rAD\r\nb\nAD\rc\rAD"
    r = c.clean(text)
    check(text, r)
    assert r.text == "a\rb\nc\r"
    assert [s.text for s in r.spans] == ["AD\r\n", "AD\r", "AD"]


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\u0085", "\x0c", "\x0b"])
def test_other_separators_do_not_end_lines(sep: str, rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", "line = '^AD'"))
    # If sep ended a line, "AD tail" would be a line of its own and go alone.
    text = f"keep{sep}AD tail\nAD{sep}tail\nnext\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == f"keep{sep}AD tail\nnext\n"
    (span,) = r.spans
    assert span.text == f"AD{sep}tail\n"


@pytest.mark.parametrize("sep", ["\u2028", "\u0085", "\x0c"])
def test_whole_line_phrase_does_not_split_on_other_separators(sep: str, rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.ad", 'phrases = ["Sponsored"]'))
    text = f"Story{sep}Sponsored\nnext\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == text


# -- grapheme clusters -----------------------------------------------------------------------


def test_inline_phrase_does_not_leave_a_dangling_combining_mark(rule, cleaner_of, check) -> None:
    c = cleaner_of(inline("t.cafe", "cafe", rule))
    text = "cafe\u0301 x\n"
    r = c.clean(text)
    check(text, r)
    # Either the whole cluster 'e\u0301' goes with the match, or nothing goes.
    assert r.text in (" x\n", text)
    assert not r.text.startswith("\u0301")


def test_span_match_is_widened_to_the_grapheme_cluster(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.cafe", "span = 'cafe'\nremove = \"match\""))
    text = "Le cafe\u0301 x\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "Le  x\n"
    (span,) = r.spans
    assert span.text == "cafe\u0301"


def test_emoji_zwj_sequence_is_not_split(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.woman", "span = '\U0001f469'\nremove = \"match\""))
    text = "dev \U0001f469\u200d\U0001f4bb here\n"
    r = c.clean(text)
    check(text, r)
    assert r.text == "dev  here\n"
    (span,) = r.spans
    assert span.text == "\U0001f469\u200d\U0001f4bb"


# -- time limit ------------------------------------------------------------------------------


def test_catastrophic_regex_hits_the_time_limit(rule, cleaner_of, check) -> None:
    # The rule is skipped for the document, which is otherwise cleaned (here: nothing else
    # to clean); tests/test_reliability_rules.py covers the rest of matrix row 29.
    c = cleaner_of(rule("t.evil", "line = '(a|aa)+$'"), doc_timeout=0.5)
    text = "a" * 5000 + "!"
    t0 = time.monotonic()
    r = c.clean(text)
    elapsed = time.monotonic() - t0
    assert elapsed < 3.0
    assert r.error is None
    assert r.warnings == ("rule_timeout:t.evil",)
    assert r.text == text and r.spans == ()
    check(text, r)


def test_the_same_regex_is_fine_on_ordinary_text(rule, cleaner_of, check) -> None:
    c = cleaner_of(rule("t.evil", "line = '(a|aa)+$'"), doc_timeout=0.5)
    text = "Story.\naaaa\nMore.\n"
    r = c.clean(text)
    check(text, r)
    assert r.error is None
    assert r.text == "Story.\nMore.\n"


# -- API values ------------------------------------------------------------------------------


def test_empty_text(rule, cleaner_of) -> None:
    r = cleaner_of(rule("t.ad", AD_RULE)).clean("")
    assert r.text == "" and r.spans == () and r.error is None


def test_result_and_span_are_frozen() -> None:
    span = Span(0, 2, "t.ad", Category.SPONSORED, "AD")
    result = Result("x", (span,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "y"  # type: ignore[misc]


def test_result_restore_and_removed_chars(rule, cleaner_of) -> None:
    text = "Story.\nAD\nMore.\n"
    r = cleaner_of(rule("t.ad", AD_RULE)).clean(text)
    assert r.restore() == text == restore(r.text, r.spans)
    assert r.removed_chars == 3


def test_cleaner_is_reusable_and_deterministic(rule, cleaner_of) -> None:
    c: Cleaner = cleaner_of(rule("t.ad", AD_RULE), inline("t.x", "[AB]", rule))
    texts = ["AD\nx [AB] y\n", "nothing here\n", "\r\nAD\r\n\r\nz\r\n"]
    first = [c.clean(t) for t in texts]
    second = [c.clean(t) for t in reversed(texts)][::-1]
    assert first == second


def test_a_blank_looking_line_taken_in_part_by_a_rule_is_not_tidied_again(rule, cleaner_of, check) -> None:
    """Found by hypothesis: U+2028 is whitespace to str.strip, so its line looks blank; a rule
    removed the U+2028 itself, and the tidy pass must not report the same line again."""
    c = cleaner_of(rule("t.zero", 'phrases = ["0"]') + rule("t.sep", 'span = "\\u2028"\nremove = "match"'))
    text = "\u2028\r0"
    r = c.clean(text)
    check(text, r)
    assert r.error is None
    assert r.text == "\r"
    assert [(s.start, s.end, s.rule) for s in r.spans] == [(0, 1, "t.sep"), (2, 3, "t.zero")]


def test_the_collector_runs_again_after_a_document_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cleaning pauses the garbage collector for the document, and leaves it as it found it:
    running after a clean (or a failure), paused if the caller had paused it."""
    import gc

    cleaner = Cleaner(rules=[], default_rules=False)
    assert gc.isenabled()
    seen: list[bool] = []
    original = cleaner._clean_passes

    def spy(*args: object) -> Result:
        seen.append(gc.isenabled())
        return original(*args)  # type: ignore[arg-type]

    def fail(*args: object) -> Result:
        raise KeyboardInterrupt

    monkeypatch.setattr(cleaner, "_clean_passes", spy)
    assert cleaner.clean("Some text.\n").text == "Some text.\n"
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(cleaner, "_clean_passes", fail)
    with pytest.raises(KeyboardInterrupt):
        cleaner.clean("Some text.\n")
    assert gc.isenabled()
    monkeypatch.setattr(cleaner, "_clean_passes", spy)
    gc.disable()
    try:
        cleaner.clean("Some text.\n")
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
