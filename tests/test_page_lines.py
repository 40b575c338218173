"""The page-lines heuristic on whole-page text: the article core, the chrome the rules found
around it, and lines that show nothing."""

from __future__ import annotations

import dataclasses

from cleaner import Cleaner

# Invented section names and teasers, so that no phrase rule takes them before page-lines.
MENU = [
    "Weekend Reads", "Family & Education", "In Pictures", "Reality Check", "Northern Rail",
    "Town Hall Live", "Our Favourite Walks", "Bridge Watch", "Harbour Notes", "Valley Voices",
]  # fmt: skip
FOOTER = [
    "Council budget under pressure", "Flood warnings issued across the north", "Train strike called off",
    "The village that built its own broadband", "Dog show winners announced", "School meals price rise",
    "New cycle path opens by the canal", "Leisure centre reopens after refit",
]  # fmt: skip
# Short paragraphs (ten words): one noise line between two of them would outweigh either.
PARAGRAPHS = [f"In part {n} the council said it would open it soon." for n in range(1, 13)]
ZWSP = "\u200b"
# Lines the default packs remove on their own (navigation.chrome, related.label): the
# evidence that the invented lines next to them are chrome.
TOP = ["Home", "Search", "Sign in"]
MOST_READ = "Most read"
# An article's byline, which metadata.byline removes: the sign that a page is an article,
# which page-lines asks for before it cuts a page down to the regions around its core.
BYLINE = "By Jane Smith"
# A time the rules remove wherever it stands (metadata.relative-time): a sign of an article
# only where a story's head or foot would be.
AGO = "9 hrs ago"


def page(separator: str) -> str:
    body = f"\n{separator}\n".join(PARAGRAPHS)
    return "\n".join([*TOP, *MENU, separator, body, separator, MOST_READ, *FOOTER]) + "\n"


def removed_by_page_lines(text: str) -> str:
    result = Cleaner().clean(text)
    return "".join(text[s.start : s.end] for s in result.spans if s.rule == "boilerplate.page-lines")


def test_the_core_is_kept_and_the_menus_go() -> None:
    out = Cleaner().clean(page("")).text
    assert all(p in out for p in PARAGRAPHS)
    assert not any(line in out.splitlines() for line in MENU + FOOTER)


def test_lines_that_show_nothing_neither_break_the_core_nor_stay_outside_it() -> None:
    """Zero-width spaces between paragraphs (as some editors leave them) are not noise
    lines: the whole article stays, with the separators inside it, and those around the
    menus go with them."""
    text = page(ZWSP)
    out = Cleaner().clean(text).text
    assert all(p in out for p in PARAGRAPHS), out
    assert not any(line in out.splitlines() for line in MENU + FOOTER)
    # inside the core the separators stay, as blank lines would
    assert out.count(ZWSP) == len(PARAGRAPHS) - 1
    # the two outside it are removed by page-lines, like the menus around them
    assert removed_by_page_lines(text).count(ZWSP) == 2


def test_format_characters_alone_make_a_line_void_but_a_visible_sign_does_not() -> None:
    from cleaner.matchers.page_lines import _invisible

    assert _invisible("\u200b \ufeff\u2060\u00ad\u200d")
    assert not _invisible("\u200b•")
    assert not _invisible("—")


# Lines the default packs remove on their own (navigation.chrome and share.toolbar).
CHROME = ["Home", "Subscribe", "Sign in", "Search", "Menu", "Account", "Share", "Print", "Email", "Close"]
PROMO = "Our readers tell us that the winter market in the old square is the best in the region."


def test_lines_the_rules_removed_still_count_against_what_they_separate() -> None:
    """A promo paragraph above a menu that the rules took away line by line: the menu still
    parts the promo from the story, so the promo stays outside the core and goes."""
    text = "\n".join([PROMO, *CHROME, BYLINE, *PARAGRAPHS, *FOOTER]) + "\n"
    result = Cleaner().clean(text)
    assert all(p in result.text for p in PARAGRAPHS)
    assert PROMO not in result.text
    assert PROMO in removed_by_page_lines(text)
    # With the removed lines weighing nothing, the promo would join the story.
    from cleaner import load_rules
    from cleaner.schema import Rule

    def weightless(rule: Rule) -> Rule:
        if rule.heuristic != "page-lines":
            return rule
        return dataclasses.replace(rule, params={**rule.params, "removed_penalty": 0})

    lenient = Cleaner(rules=tuple(weightless(r) for r in load_rules()))
    assert PROMO in lenient.clean(text).text


def test_the_noise_the_rules_find_keeps_a_page_a_page() -> None:
    """Twenty-one lines: chrome the rules remove, the story, a heading they remove and five
    lines of an invented footer. Only 15 lines are left once the rules have run, too few to
    read as a page if the removed ones did not count; they count as noise, so page-lines
    still takes the footer."""
    footer = FOOTER[:5]
    text = "\n".join([*CHROME[:5], *PARAGRAPHS[:10], MOST_READ, *footer]) + "\n"
    removed = removed_by_page_lines(text)
    assert all(line in removed for line in footer)
    assert not any(p in removed for p in PARAGRAPHS[:10])


# A fixture list: short lines with numbers, none of them a sentence, then one long sentence
# of comment-policy prose. The sentence is the only text line, worth 21 words.
FIXTURES = [f"Round {n}: {n + 4} March, Harbour Park" for n in range(1, 13)]
POLICY = "Please note that all of the comments on this page are read by a moderator before they are shown."


def test_a_page_without_a_core_of_prose_is_left_to_the_rules() -> None:
    """With no run of prose of min_core_words, page-lines removes nothing, rather than
    keep the one sentence and drop the list around it."""
    text = "\n".join([*MENU, *FIXTURES, POLICY, *FOOTER]) + "\n"
    assert removed_by_page_lines(text) == ""
    # the same page with a real article in it: page-lines finds the core and acts
    with_article = "\n".join([*TOP, *MENU, *FIXTURES, *PARAGRAPHS, POLICY, MOST_READ, *FOOTER]) + "\n"
    removed = removed_by_page_lines(with_article)
    assert all(line in removed for line in MENU + FOOTER)
    assert not any(p in removed for p in PARAGRAPHS)
    # a list next to the story with no chrome between them stays with it
    assert not any(row in removed for row in FIXTURES)


DATES = [
    "June 9 – Tampa, FL @ Harbour Arena",
    "June 14 – Alpharetta, GA @ Lakeside Amphitheatre (formerly Lakeside Bowl)",
    "June 17 – Nashville, TN @ Bridge Arena",
    "June 19 – Charlotte, NC @ Music Pavilion",
    "June 23 – Virginia Beach, VA @ Veterans United Home Loans Amphitheater at the Beach",
    "June 24 – Bristow, VA @ Lube Live",
]


def test_a_list_the_article_ends_with_stays_with_it() -> None:
    """Rows of one shape after the core belong to the article while no chrome parts them
    from it; beyond a heading the rules took ('Related', 'Most read') neither rows nor
    titles do."""
    text = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS, "The Tour Dates", *DATES, MOST_READ, *FOOTER]) + "\n"
    removed = removed_by_page_lines(text)
    assert "Tour Dates" not in removed
    assert not any(row in removed for row in DATES)
    assert all(line in removed for line in MENU + FOOTER)
    # bare titles beyond a heading the rules took
    titles = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS, MOST_READ, "Elsewhere Tonight", *FOOTER]) + "\n"
    assert all(line in removed_by_page_lines(titles) for line in ["Elsewhere Tonight", *FOOTER])
    # under a heading a rule removed ('Related'), the rows are not the article's
    related = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS, "Related", *DATES, *FOOTER]) + "\n"
    assert all(row in removed_by_page_lines(related) for row in DATES)


def test_a_page_that_shows_no_article_keeps_every_region() -> None:
    """The page of the test above without its byline shows no article (no headline repeats
    a title, no rule found an article's byline or dateline): its core is no evidence of where
    its content is, as on a service's page or a listing, so the rows beyond the 'Related'
    heading stay. The chrome the rules found, and the lines of its walls, still go."""
    text = "\n".join([*TOP, *MENU, *PARAGRAPHS, "Related", *DATES, *FOOTER]) + "\n"
    removed = removed_by_page_lines(text)
    assert not any(row in removed for row in DATES)
    assert not any(p in removed for p in PARAGRAPHS)
    assert all(line in removed for line in MENU)
    out = Cleaner().clean(text).text.splitlines()
    assert not any(line in out for line in [*TOP, "Related"])
    # with the byline, the same rows are cut away with the rest beyond the core
    signed = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS, "Related", *DATES, *FOOTER]) + "\n"
    assert all(row in removed_by_page_lines(signed) for row in DATES)


def test_a_sign_far_from_the_core_shows_no_article() -> None:
    """A dateline or a byline shows where an article is when it stands where a story's head
    or foot does: in the core's regions, the region above them, or the walls around these.
    Below the rows beyond the 'Related' heading, among a footer's titles (where a sidebar's
    latest posts or a listing's items print their times), it says nothing of where a story
    is: the page keeps its regions, and only the walls' lines go."""
    far = [*TOP, *MENU, *PARAGRAPHS, "Related", *DATES, MOST_READ, *FOOTER[:4], AGO, *FOOTER[4:]]
    result = Cleaner().clean("\n".join(far) + "\n")
    assert [s.rule for s in result.spans if s.text.strip() == AGO] == ["metadata.relative-time"]
    removed = removed_by_page_lines("\n".join(far) + "\n")
    assert not any(row in removed for row in DATES)
    assert all(line in removed for line in MENU)
    # five such lines around the core are a list's dated items, not an article's head
    items = [line for n in range(1, 6) for line in (f"Harbour market, stall {n} of the week", AGO)]
    listed = [*TOP, *MENU, *items, *PARAGRAPHS, "Related", *DATES, MOST_READ, *FOOTER]
    assert not any(row in removed_by_page_lines("\n".join(listed) + "\n") for row in DATES)
    # above the story, or in the wall right under it, the same line shows an article
    for near in (
        [*TOP, AGO, *MENU, *PARAGRAPHS, "Related", *DATES, MOST_READ, *FOOTER],
        [*TOP, *MENU, *PARAGRAPHS, AGO, "Related", *DATES, MOST_READ, *FOOTER],
    ):
        assert all(row in removed_by_page_lines("\n".join(near) + "\n") for row in DATES)


def test_a_thin_wall_inside_the_story_loses_only_what_the_rules_took() -> None:
    """An advertisement's label between two parts of a story is a wall (a rule of a chrome
    category took it), and the sub-heading beside it a noise line of that wall; with story
    kept on both sides, the wall stands inside the story, and only the label goes."""
    heading = "What the council decided"
    text = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS[:6], "Advertisement", heading, *PARAGRAPHS[6:],
                      MOST_READ, *FOOTER]) + "\n"  # fmt: skip
    result = Cleaner().clean(text)
    assert [s.rule for s in result.spans if s.text.strip() == "Advertisement"] == ["sponsored.label"]
    assert heading in result.text.splitlines()
    assert all(p in result.text for p in PARAGRAPHS)
    assert all(line in removed_by_page_lines(text) for line in MENU + FOOTER)
    # a wall of more than five lines between the parts is no such furniture: it goes whole
    wide = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS[:6], "Advertisement", *MENU[:5], *PARAGRAPHS[6:],
                      MOST_READ, *FOOTER]) + "\n"  # fmt: skip
    assert all(line not in Cleaner().clean(wide).text.splitlines() for line in MENU[:5])


# A list inside the story whose rows drop a separator the first row has: all one list.
PATHS = [
    "Path A: Iceland, Bulgaria/Israel/Hungary*",
    "Path B: Bosnia and Herzegovina, Slovakia, Republic of Ireland",
    "Path C: Scotland, Norway, Serbia, Bulgaria/Israel/Hungary*",
    "Path D: Georgia, North Macedonia, Kosovo, Belarus",
]


def test_rows_with_fewer_separators_than_the_first_are_one_list() -> None:
    """Rows are alike when one's separators start the other's, two at least: a run of
    four short rows inside the core is a list, not a run of noise lines. A row with a
    single separator (a '- ' bullet) is not like a row that starts with it."""
    text = "\n".join([*TOP, *MENU, *PARAGRAPHS[:6], *PATHS, *PARAGRAPHS[6:], MOST_READ, *FOOTER]) + "\n"
    removed = removed_by_page_lines(text)
    assert not any(row in removed for row in PATHS)
    assert all(line in removed for line in MENU + FOOTER)
    from cleaner.matchers.text import row_shape as _shape
    from cleaner.matchers.text import rows_alike as _alike

    assert _alike(_shape(PATHS[1]), _shape(PATHS[0]))  # ':,' beside ':,/'
    bullet, row = _shape("- Pochettino fired by Tottenham"), _shape("- England (Group A): 10th appearance")
    assert not _alike(bullet, row)


# A standings page: two short sentences and a table of results, between a menu and a
# sidebar of teasers that read as prose.
STANDINGS = [
    f"{n} Driver Number{n} {5100 - 40 * n} {n % 4} {n % 3} {20 - n % 9} {25 - n % 7}" for n in range(1, 31)
]
TEASERS = [
    "Click the picture above to see how the drivers stand this season after the last race.",
    "Find out when the next race is on television, and what the weather will do there.",
    "A long chat about everything that happened in motor racing this week, with our panel.",
]


def test_a_story_that_is_mostly_a_table_keeps_its_table() -> None:
    """Table rows weigh a fraction of their words in the core: enough for a story that is
    mostly a table to be the core, rather than the teasers beside it."""
    intro = ["This page always has the latest standings.", "Final standings after 36 races:"]
    text = "\n".join([*TOP, *MENU, BYLINE, *intro, *STANDINGS, *TOP, *MENU, *TEASERS, *FOOTER]) + "\n"
    removed = removed_by_page_lines(text)
    assert not any(row in removed for row in STANDINGS)
    assert not any(line in removed for line in intro)
    assert all(line in removed for line in TEASERS + FOOTER)
    # without the weight, the teasers are the core and the table goes
    rules = [r for r in Cleaner().rules if r.id != "boilerplate.page-lines"]
    page_lines = next(r for r in Cleaner().rules if r.id == "boilerplate.page-lines")
    unweighted = dataclasses.replace(page_lines, params={**page_lines.params, "table_weight": 0.0})
    result = Cleaner([*rules, unweighted]).clean(text)
    gone = "".join(text[s.start : s.end] for s in result.spans if s.rule == "boilerplate.page-lines")
    assert all(row in gone for row in STANDINGS)


# A page in a language with no stop list (Japanese): menus of short labels around
# paragraphs of sentences, and a list in the article whose items have no sentence mark.
JA_MENU = ["ホーム", "サービスのご案内", "お客様の声", "ブログ", "事務所案内・アクセス", "よくあるご質問"] * 2
JA_PARAGRAPHS = [
    f"先日、不正に改造した商品を販売したとして、第{n}回目の相談が事務所に寄せられました。"
    f"報道によると、今回の件では商標の扱いが大きな問題になったとのことです。"
    for n in range(1, 7)
]
JA_LIST = [
    "もとの商品に付された商標を剥奪抹消した商品をそのまま販売する行為",
    "権利者の意思に基づくことなく、もとの商品を小分けにして販売する行為",
]


def test_a_page_in_a_language_without_a_stop_list_is_judged_by_length() -> None:
    """No stop list holds a tenth of the words: long lines are text, short ones only when
    they read as sentences, and lines weigh their characters."""
    text = "\n".join([*JA_MENU, *JA_PARAGRAPHS[:3], *JA_LIST, *JA_PARAGRAPHS[3:], *JA_MENU]) + "\n"
    removed = removed_by_page_lines(text)
    assert not any(p in removed for p in JA_PARAGRAPHS + JA_LIST)
    assert all(label in removed for label in JA_MENU)


AR_MENU = [
    "الصفحة الرئيسية", "فيديو", "الشرق الأوسط", "العالم", "اقتصاد",
    "منوعات", "رياضة", "صحة", "تكنولوجيا", "ملفات وتقارير",
]  # fmt: skip
AR_PARAGRAPHS = [
    "قال المسؤولون في المدينة يوم الثلاثاء إن الجسر الجديد فوق النهر سيفتح "
    "أمام حركة المرور في الربيع المقبل، بعد تأخير دام عامين.",
    "وأضافوا أن تكلفة المشروع ارتفعت إلى ما يقرب من ضعف المبلغ الذي تم "
    "تخصيصه له في الميزانية الأولى، وهو ما أثار غضب السكان.",
    "ويشكو السكان منذ سنوات من الازدحام على الجسر القديم الذي بني في "
    "الثلاثينيات، ولم يعد يتسع لمرور الحافلات والشاحنات بأمان.",
    "وقال رئيس البلدية إن العمل سيستمر طوال فصل الشتاء، وإن المدينة ستنشر "
    "تقارير شهرية عن سير المشروع على موقعها الإلكتروني.",
]
# Headlines of a most-read list: as long as short paragraphs, but without the stop words of prose.
AR_HEADLINES = [
    "القبض على شاب تحرش بطفلة في إحدى المدن الساحلية",
    "الأمير يلغي إيقاف مقدم برامج بعد مقابلة جريئة على الهواء",
    "امرأة تحاول الدخول إلى البلاد داخل حقيبة سفر كبيرة",
    "السجن ثماني سنوات لشريكة متهم في قضية احتيال مالي",
    "تأجيل محاكمة عدد من المسؤولين السابقين إلى شهر فبراير",
]


def test_a_page_in_arabic_is_judged_by_its_stop_words() -> None:
    """Arabic has a stop list: headlines as long as a short paragraph are not taken for
    text by their length. Noise lines next to a share bar the rules removed, they go with
    it and the menus; read as text, they would have stayed with the story under them."""
    share = ["Facebook", "Twitter"]  # share.toolbar
    text = "\n".join([*AR_MENU, *share, *AR_HEADLINES, *AR_PARAGRAPHS, *share, *AR_MENU]) + "\n"
    removed = removed_by_page_lines(text)
    assert not any(p in removed for p in AR_PARAGRAPHS)
    assert all(h in removed for h in AR_HEADLINES)
    assert all(label in removed for label in AR_MENU)


LISTING = [
    "    from shop.models import Basket",
    "    import json",
    "    def total(basket):",
    "        prices = [item.price for item in basket.items]",
    "        return sum(prices)",
    "    basket.save(update_fields=['total'])",
]


def test_a_code_listing_inside_the_article_stays_with_it() -> None:
    """Code has no stop words, so line classes alone would call a listing a run of noise
    lines inside the core, or let it break the core in two; its signs make it code, which
    stays inside the core and outside it goes like any noise."""
    first, second = PARAGRAPHS[:6], PARAGRAPHS[6:]
    text = (
        "\n".join([*TOP, *MENU, BYLINE, *first, *LISTING, *second, MOST_READ, *FOOTER, *LISTING[:3]]) + "\n"
    )
    out = Cleaner().clean(text).text
    assert all(p in out for p in PARAGRAPHS), out
    assert all(line in out for line in LISTING), out
    assert not any(line in out.splitlines() for line in MENU + FOOTER)
    assert out.count(LISTING[0]) == 1  # the copy after the footer is outside the core


def test_code_is_told_from_prose_and_from_markup_left_in_the_text() -> None:
    from cleaner import load_rules
    from cleaner.matchers.page_lines import _code as code_of

    params = next(r.params for r in load_rules() if r.id == "boilerplate.page-lines")

    def _code(line: str) -> bool:
        return code_of(line, params)

    assert all(_code(line) for line in LISTING)
    assert _code("results = WebDriverWait(self.browser, 5).until(")
    assert _code("var total = items.length;")
    # prose with a sign in it, and a page's markup leaked into its text
    assert not _code("Spot gold added 0.1% to $1,472.19 an ounce, dealers said.")
    assert not _code("The model uses x = 5 for the first run")
    assert not _code('<span data-mce-type="bookmark" style="display: inline-block; width: 0px;">')
    assert not _code('Helmut Thoma und Wolfgang Clement (re.)" itemprop="thumbnailUrl" />')


LEDE = [
    "The council has agreed a plan to reopen the old swimming baths by the river next summer.",
    "Key points: the work will cost four million pounds and the pool will be heated by the sun.",
]


def test_the_story_above_its_core_stays_across_a_thin_wall() -> None:
    """The story's first paragraphs, then a bar of seven lines the rules remove (sharing and
    account links), then the rest of the story, denser in text (the core): the bar parts the
    opening from the core, and the opening stays. Without the bridge it goes, as it does
    across a wall of more than ``bridge_lines`` lines (a menu)."""
    share_bar = ["Share", "Print", "Email", "Subscribe", "Sign in", "Account", "Close"]
    text = "\n".join([*TOP, *MENU, BYLINE, *LEDE, *share_bar, *PARAGRAPHS, MOST_READ, *FOOTER]) + "\n"
    out = Cleaner().clean(text).text
    assert all(p in out for p in LEDE + PARAGRAPHS), out
    assert not any(line in out.splitlines() for line in MENU + FOOTER + share_bar)

    from cleaner import load_rules
    from cleaner.schema import Rule

    def bridged(lines: int) -> Cleaner:
        def change(rule: Rule) -> Rule:
            if rule.heuristic != "page-lines":
                return rule
            return dataclasses.replace(rule, params={**rule.params, "bridge_lines": lines})

        return Cleaner(rules=tuple(change(r) for r in load_rules()))

    assert not any(p in bridged(0).clean(text).text for p in LEDE)
    # the same opening across a wall of ten lines of chrome: a menu, not a share bar
    thick = "\n".join([*TOP, *MENU, BYLINE, *LEDE, *CHROME, *PARAGRAPHS, MOST_READ, *FOOTER]) + "\n"
    assert not any(p in Cleaner().clean(thick).text for p in LEDE)


def test_one_huge_line_does_not_choose_the_language_of_the_others() -> None:
    """A page's options list dumped into its text as one line of thousands of words, in
    another language: counted whole it would choose French for the English story, whose
    lines would then read as noise and go. Each line counts at most ``LANGUAGE_WORDS`` of its
    words towards the choice."""
    french = "de la et les des en un une du que qui dans pour pas sur au avec ce il est"
    huge = " ".join([french] * 150)  # 3,000 words
    text = "\n".join([*TOP, *MENU, BYLINE, *PARAGRAPHS, MOST_READ, *FOOTER, huge]) + "\n"
    out = Cleaner().clean(text).text
    assert all(p in out for p in PARAGRAPHS)
    assert not any(line in out.splitlines() for line in MENU + FOOTER)


def test_what_lies_between_two_kept_regions_stays() -> None:
    """Under a headline the story's opening is kept, and the core further down; a part of
    the story between them (a product's description between its name and its reviews, the
    middle of a story parted by two widgets) is the story's middle and stays. The widgets'
    own lines, and what lies beyond the story, go."""
    title = "Engineers open the new river bridge"
    opening = [f"In the opening part {n} the engineers said the bridge would carry trains." for n in range(4)]
    middle = ["The mayor said the middle span was the hardest part to build and test."]
    core = [f"In section {n} of the report the council said the works ran on time." for n in range(14)]
    widget = ["Related", "Weekend Reads", "Family & Education", "In Pictures", "Reality Check",
              "Northern Rail", "Town Hall Live"]  # fmt: skip
    text = "\n".join([f"{title} | Valley Gazette", *TOP, *MENU, title, BYLINE, *opening, *widget, *middle,
                      MOST_READ, *FOOTER[:6], *core, "Share", *FOOTER]) + "\n"  # fmt: skip
    result = Cleaner().clean(text)
    out = result.text.splitlines()
    assert all(line in out for line in opening + middle + core)
    assert not any(line in out for line in widget[1:] + FOOTER)


def test_a_shops_controls_keep_the_products_own_block() -> None:
    """A shop's page names its product under the title, and beside the name a line or two
    about it, its price, a cart button and its specifications, short lines. A longer block
    further down (its reviews) is the core. The block with the cart button is the product's
    own and stays, with what lies between it and the core; the menus and what lies beyond go."""
    title = "Harbour Blue Mug"
    block = ["A mug thrown by hand in the blue of the harbour at dusk.", "£18.00", "Add to cart",
             "Material: Stoneware", "Capacity: 350 ml", "Glaze: Harbour Blue", "Dishwasher safe",
             "Each one is made to order in our workshop by the quay."]  # fmt: skip
    reviews = [f"In review {n} the buyer said the mug kept the tea hot for a long time." for n in range(14)]
    lines = [f"{title} | Valley Crafts", *TOP, *MENU, title, *block, MOST_READ, *FOOTER[:6], *reviews,
             "Share", *FOOTER[6:]]  # fmt: skip
    out = Cleaner().clean("\n".join(lines) + "\n").text.splitlines()
    assert all(line in out for line in block + reviews)
    assert not any(line in out for line in MENU + FOOTER)
    # without a shop's control, the block under the name is no evidence of content
    plain = [line for line in lines if line != "Add to cart"]
    out = Cleaner().clean("\n".join(plain) + "\n").text.splitlines()
    assert all(line in out for line in reviews) and not any(line in out for line in block)


def test_the_story_runs_on_below_an_inline_widget() -> None:
    """A sign-up box in the middle of a story ('Subscribe now', which the newsletter rules
    take, with its form's lines) is a wall, and the story's second half below it went with
    what lies beyond the core. Across a thin wall holding only an inline widget's lines (a
    sign-up, an advertisement's label, an appeal) the story now runs on below its core, as it
    does above it; below a 'Related' heading it does not, as a river of teasers is as likely
    there."""
    title = "Engineers open the new river bridge"
    first = [f"In part {n} of the story the engineers said the bridge would carry trains." for n in range(12)]
    second = [f"In the later part {n} the mayor said the old ferry would run for tourists." for n in range(4)]
    form = ["Get the Valley Gazette in your inbox", "Email address", "Join the list", "No junk, ever",
            "Unsubscribe at any time"]  # fmt: skip
    head = [f"{title} | Valley Gazette", *TOP, *MENU, title, BYLINE, *first]
    for widget, kept in (("Subscribe now", True), ("Related", False)):
        lines = [*head, widget, *form, *second, MOST_READ, *FOOTER]
        out = Cleaner().clean("\n".join(lines) + "\n").text.splitlines()
        assert all(line in out for line in first)
        assert all(line in out for line in second) is kept, widget
        assert widget not in out and not any(line in out for line in form + MENU + FOOTER)
