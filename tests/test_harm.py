"""Do no harm: a list-shaped story stays whole in whole-page text.

Slices of real pages (``fixtures/pages``; see its README for where each comes from): a
recipe, a maintenance schedule, questions and answers, a forum thread, a product's
features and specifications, documentation with code, a service's page, a listing, two
forum threads, and a song. The whole-page line
classes took each of these stories' lines as noise before they needed positive evidence
of chrome; the chrome around them (menus, account links, footers) still goes. Two are whole
pages that show no article, a service's page and a listing of recipes: the line classes
cut each down to one block of it before they asked for a sign of an article (a headline
repeating the title, a byline or a dateline the rules found). A forum thread, whole, whose
posts' headers the rules do not know: the core was one late post, and the posts above it
went until a region holding twice the text of all that is kept stayed too. And a thread
whose opening post, its header unknown to the rules, is the core: its replies below went
until a thread could open with the core. A news index, whole, whose teasers each print a
time: the times made it an article, and every story below the top block went, until a
sign had to stand where an article's head or foot does. A training plan whose
advertisements' labels stand beside its sub-headings: each label made a wall inside the
story, and the sub-headings went with it until a thin wall between kept regions lost only
what the rules took; the plan's tables below the last label went with what lies beyond
the core until the story ran on below a wall holding only an inline widget's lines. A
forum thread whose post headers print names and counts that vary, and a 'Reply' the
comment rules take: what the rules left of the headers had too few labels
in common to show a thread, and the replies went until the controls the rules took counted
as labels. A product's page whose description stands between its name and the block the
core is: the name under the title and the core were kept, and the description between them
went until what lies between two kept regions stayed. A blog's index, whole, each post
with its date and author: the dates around the core made it an article, until more than
four such lines where an article's head or foot stands read as a list's items. A shop's
page, whole, whose guitar's specifications stand under its name beside the cart button,
short lines above a longer block of other models: they went with the rest beyond the core
until the region of a shop's control ('Add to cart') was kept as the product's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import Cleaner

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"

CASES = {
    "wcxb-recipe": (
        [
            "500 grams of bread flour",
            "9 grams of salt",
            "Prep Time 2 hrs",
            "Servings: 12 slices",
            "50 grams sourdough starter active, fed",
            "Whisk together the water and starter in a large bowl.",
        ],
        ["Clips", "Journalist & Sommelier"],
    ),
    "wcxb-schedule": (
        ["Driving in stop-and-go traffic", "Driving in mountainous terrain", "Exhaust system",
         "Synthetic oil and filter change"],
        ["Become a Franchisee", "Coupon & Offers", "Get an Estimate"],
    ),
    "wcxb-faq": (
        ["What is the Taking Cara Babies Toddler Sleep Training class?", "Night terrors",
         "Ditching the pacifier", "What age is Toddler Sleep Training recommended for?"],
        ["Access your Resources", "Newborn Sleep Bundle", "Jacky Swaddle Transition Jacket"],
    ),
    "wcxb-forum": (
        ["Do you plan on having a monthly fragrance budget",
         "I will spend a lot less in 2024 than I did in 2022/2023.", "Nah, no special budget."],
        ["Go to page", "Next Last"],
    ),
    "wcxb-product": (
        ["Pairs a Shure SM7B dynamic microphone with a built-in active preamp",
         "Boasts the same iconic look as the original SM7B", "Microphone Type: Active Dynamic",
         "Connector: XLR"],
        ["Sign in for the best experience", "or create an account", "Contact Us We're here to help"],
    ),
    "wcxb-docs-code": (
        ["function MyButton () {", "export default function MyApp () {",
         "How to create and nest components", "React apps are made out of components."],
        ["Editor Setup", "Using TypeScript", "React Developer Tools"],
    ),
    "wcxb-service": (
        ["BCBS members have access to exclusive discounts on health and wellness products and services.",
         "Blue Cross Blue Shield Global Solutions℠ provides a full range of health care coverage solutions"],
        ["Latest News", "Privacy Policy", "Terms & Conditions", "Cookie Policy"],
    ),
    "wcxb-listing": (
        ["All Air Fryer Recipes", "Air Fryer Chicken Thighs", "Crispy Smashed Potato Salad",
         "Ridiculously Good Air Fryer Broccoli", "Garlic and Black Pepper Beef Skewers"],
        ["Follow Us", "Recipe Index", "Income Reports", "Sponsored Content"],
    ),
    "wcxb-thread": (
        ["would it not be simpler to just cancel the order?",
         "Did you delete the payment data from Stripe module's database tables?",
         "But probably is better to cancel the order and make new one instead of losing time."],
        ["Jump to content", "Forgot your password?", "Remember me Not recommended on shared computers",
         "Leaderboard"],
    ),
    "wcxb-replies": (
        ["That's amazing! Congrats!",
         "Thanks man! I was surprised there were in person options. Did realize that was a possibility.",
         "For anyone curious, this is the link!"],
        ["Similar threads", "Terms and rules",
         "Official Endocrinology 2024-2025 fellowship application thread"],
    ),
    "wcxb-news-index": (
        ["War fuels debate in Cyprus over UK military bases",
         "Boy, 12, among six dead as tornadoes hit Michigan and Oklahoma",
         "UK aircraft carrier given five days to be ready to deploy",
         "How I've learned that certainty is the thing to really fear"],
        ["Skip to content", "British Broadcasting Corporation", "Register", "Sign In"],
    ),
    "wcxb-inline-ads": (
        ["What’s My Marathon Pace?", "Step 1: Use Your Half Marathon Time as a Predictor",
         "Step 2: Avoid Slowing Down in Your Long Runs", "Step 3: Do a Marathon Simulator Run",
         "Follow along with the bite-sized plans below to get through the 24 weeks without skipping a beat.",
         "Zero to 5K Plan"],
        ["ADVERTISEMENT", "Powered by Outside", "Training Plans >", "Share"],
    ),
    "wcxb-post-controls": (
        ["Why not try it out, if able that is.",
         "Haven't used SMF for a very long time, so can not help there.",
         "If you have any issues please post we can help with the conversion."],
        ["Member List", "Lost Password?", "Remember me", "Hello There, Guest! Login Register"],
    ),
    "wcxb-product-middle": (
        ["Materials: Ceramic",
         "Dishwasher and food-safe. Handwashing is recommended but by no means necessary.",
         "rim diameter 9 cm", "full capacity 350 mL"],
        ["Search for items or shops", "Clear search", "Skip to Content", "Best of Easter"],
    ),
    "wcxb-blog-index": (
        ["What’s new at Stack Overflow: February 2026",
         "Defense against uploads: Q&A with OSS file scanner, pompelmi",
         "Mind the gap: Closing the AI trust gap for developers",
         "Why does \"orange\" rhyme with (almost) nothing in English?"],
        ["The Stack Overflow Blog - Stack Overflow", "Everything", "Productivity", "Business Hub"],
    ),
    "wcxb-shop-specs": (
        ["Fingerboard: Rosewood", "Scale: 648 mm (25.5\")",
         "Pickups: 3 Player Series Alnico 5 Strat single coils", "Colour: Birch Green"],
        ["Served with love!", "To the page content", "Alright! Reject cookies Further info",
         "Imprint · Privacy Policy"],
    ),
    "lyrics": (
        ["When the harbour lights go down", "and the boats come in to town",
         "Oh the night is long and cold", "till the morning comes for it"],
        ["Sign in", "Facebook", "Sea Shanty for Beginners", "Privacy Policy"],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_list_shaped_story_stays_whole_and_its_chrome_goes(name: str, cleaner: Cleaner) -> None:
    keep, gone = CASES[name]
    text = (PAGES / f"{name}.txt").read_text(encoding="utf-8")
    assert all(line in text for line in keep + gone)  # the slice holds what the test names
    result = cleaner.clean(text)
    assert result.error is None and result.restore() == text
    lost = [line for line in keep if line not in result.text]
    assert not lost, f"{name}: the story lost {lost}"
    left = [line for line in gone if line in result.text.splitlines()]
    assert not left, f"{name}: chrome left in: {left}"
