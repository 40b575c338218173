"""The literal prefilter: which lines a regex could match at all, found in one pass.

Most rule patterns cannot match without some fixed text: ``Photo\\s*(?:by|credit)`` needs
``photo``, ``(?:Getty|AP) Images`` needs ``getty images`` or ``ap images``. ``required_literals``
works out such a set of literals for a pattern (any match holds at least one of them), and
``Prefilter`` finds every literal of every rule in a document in one pass, so that the full
regexes run only on the lines holding one of theirs. A line holding none of a pattern's
literals cannot hold a match of it, so the results are the same as running every regex on
every line; patterns without a usable literal run on every line, as before. A pattern run
line by line that has none may still need a common sign several times (a list of six
comma-separated phrases needs five commas): it runs only on the lines holding that many.

Literals are compared case-folded, on text folded the same way. They hold only characters
whose case ``regex`` and ``str.lower`` agree on (see ``_safe``): ASCII letters, digits,
punctuation and spaces, a few caseless signs, CJK ideographs, kana and the Russian letters.
A fold that only ever merges characters keeps the test sound for case-sensitive patterns too
(a folded match is a superset of the exact one). The characters that ``regex``'s
case-insensitive matching equates with one of those letters but that ``str.lower`` does not
map to it (dotted and dotless i, long s, old Cyrillic letter forms) are folded by hand
(``FOLD``); tests check that list against every code point.

Two engines find the literals, with identical results: Aho–Corasick (``pyahocorasick``) when
it is installed, else one ``str.find`` per literal. ``CLEANER_PURE_REGEX=1`` selects the
second, so the two can be compared.
"""

from __future__ import annotations

import functools
import os
import re
import string
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, overload

import regex

try:  # the fast engine: optional, the results are the same without it
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover - exercised with CLEANER_PURE_REGEX=1 instead
    _ahocorasick = None

# Literals on so many lines that a pattern needing one of them is better run on every line.
# Measured on the development pages: a space is on 71% of non-blank lines, "." on 23%, ","
# on 19%, "on" on 30%, "de" on 17%; "(" is on 4%, "ap" on 7%, "/" on 1.4%. One letter or
# digit matches inside too many words to count.
_TOO_COMMON = frozenset(
    [" ", ".", ",", "on", "de", "us", "in", "to", "of", "is", "it", "at", "an", "as", "or", "be"]
    + ["we", "he", "la", "le", "en", "el", "et", "es", "se", "un", "di", "da", "do", "no", "re"]
)

# Characters a literal may hold: no other code point case-folds onto these but the
# letters listed in FOLD (checked by a test over every code point).
CASELESS_SIGNS = "©®™’‘“”«»‹›–—…•·€£"
# CJK ideographs and the Japanese kana have no case either: Chinese and Japanese rules
# name them as literals. (Tested as ranges: a set of their 21,000 characters took a tenth
# of the module's import.)
CJK_IDEOGRAPHS = range(0x4E00, 0xA000)
KANA = range(0x3040, 0x3100)
# The Russian alphabet, in both cases, with Ё.
CYRILLIC_LETTERS = "".join(map(chr, range(0x410, 0x450))) + "Ёё"
_SAFE_CHARS = frozenset(
    string.ascii_letters + string.digits + string.punctuation + " " + CASELESS_SIGNS + CYRILLIC_LETTERS
)


def _safe(c: str) -> bool:
    """Whether a literal may hold the character ``c``."""
    return c in _SAFE_CHARS or ord(c) in CJK_IDEOGRAPHS or ord(c) in KANA


# Code points that ``regex`` matches case-insensitively with an ASCII or Russian letter and
# that ``str.lower`` leaves elsewhere: dotted and dotless i, long s, and the old Cyrillic
# letter forms of U+1C80-U+1C86. U+0130 is also the one code point whose lower case is two
# characters long: mapping it first keeps the folded text as long as the original.
FOLD = {
    0x130: "i",
    0x131: "i",
    0x17F: "s",
    0x1C80: "в",
    0x1C81: "д",
    0x1C82: "о",
    0x1C83: "с",
    0x1C84: "т",
    0x1C85: "т",
    0x1C86: "ъ",
}
_FOLD_CHARS = frozenset(chr(c) for c in FOLD)

# Pattern text that Python's ``re`` parser reads differently from ``regex``, or that only
# ``regex`` knows: such a pattern gets no literals rather than wrong ones.
_ESCAPE = re.compile(r"\\(?:[pP](?:\{[^}]*\}|[A-Za-z])|.)", re.DOTALL)
_KNOWN_ESCAPES = frozenset("dDwWsSbBAZntrfvx0123456789") | frozenset(string.punctuation) | {" "}
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}")
_POSIX_CLASS = re.compile(r"\[[^\]]*\[:")


def fold(text: str) -> str:
    """The folded text literals are looked for in: as long as ``text``, offset for offset."""
    if not text.isascii():
        # One replacement per character present rather than ``str.translate``, which looks up
        # every character of the text in a dict and took some 15 times the text's size. No
        # replacement is a character replaced later.
        for c in _FOLD_CHARS:
            if c in text:
                text = text.replace(c, FOLD[ord(c)])
    return text.lower()


def _for_re(pattern: str) -> str | None:
    """``pattern`` as Python's ``re`` parser reads it alike (for the literals), or None.

    A Unicode property (``\\p{Lu}``) stands for one character of no fixed value, as a
    non-ASCII escape does; anything else ``re`` would read otherwise than ``regex`` gives None.
    """
    out: list[str] = []
    pos = 0
    for m in _ESCAPE.finditer(pattern):
        escape = m.group()
        if escape[1] in "pP":
            out.append(pattern[pos : m.start()] + r"\x01")
            pos = m.end()
        elif escape[1] not in _KNOWN_ESCAPES:
            return None
    out.append(pattern[pos:])
    plain = "".join(out)
    unescaped = _ESCAPE.sub("", plain)
    if _POSIX_CLASS.search(unescaped) or "(?|" in unescaped or "[[" in unescaped:
        return None  # POSIX classes, branch reset, nested sets
    # A brace that is not a counted repeat is a fuzzy constraint to ``regex``, a literal to ``re``.
    if not all(_QUANTIFIER.match(unescaped, i) for i, c in enumerate(unescaped) if c == "{"):
        return None
    return plain


Requirement = frozenset[str]

# Not a literal but "a decimal digit" (``\\d``, ``[0-9]``): a line needs one to match. The
# NUL keeps it apart from every real literal, which holds only ``_safe`` characters.
DIGIT = "\x00d"
# Not a literal but "a line holding a sign at least so many times": a pattern of line rules
# that has no usable literal may still need a common sign more than once (six phrases joined
# by commas need five commas), which few lines hold. Spelled with a NUL, as DIGIT is.
_COUNT_MARK = "\x00#"
_MIN_COUNT = 2  # one comma or full stop is on too many lines to filter anything
_DIGIT_LINE = regex.compile(r"\d[^\r\n]*", regex.V0)  # one hit a line: its first digit on


def _digits_only(items: Sequence[tuple[Any, Any]]) -> bool:
    """Whether a character set holds decimal digits only (so a match of it is a digit)."""
    for kind, value in items:
        if kind is sre_c.CATEGORY:
            if value is not sre_c.CATEGORY_DIGIT:
                return False
        elif kind is sre_c.RANGE:
            if not (ord("0") <= value[0] <= value[1] <= ord("9")):
                return False
        elif kind is sre_c.LITERAL:
            if not chr(value).isdigit() or not chr(value).isascii():
                return False
        else:
            return False
    return True


def _better(a: Requirement, b: Requirement) -> bool:
    """Whether requirement ``a`` filters better than ``b``: usable, longer shortest literal, fewer."""
    return _rank(a) > _rank(b)


def _rank(req: Requirement) -> tuple[bool, int, int]:
    return all(map(_usable, req)), min(map(_weight, req)), -len(req)


# Words on nearly every line of prose: as literals they filter little, so another literal of
# the same pattern is preferred (a pattern with no other keeps them: they are still sound).
_COMMON_TEXT = """the and for are but not you all any can had her was one our out has his how its may new
    now see two who did get let say she too use with this that have from they will your what
    when make like time just know take into year them some could than then only come over also
    back after first well even want because these give most their there would about which
    der die das und ist ein eine nicht mit von den dem sie auf les des une est pour que qui
    dans par sur pas plus los las una por para con del que como más"""
_COMMON_WORDS = frozenset(_COMMON_TEXT.split())


def _weight(literal: str) -> int:
    """How well a literal filters: by its length; a common word like a single sign, a digit
    (found on many more lines than any one sign) least."""
    if literal == DIGIT:
        return 1
    if literal in _COMMON_WORDS:
        return 2
    return 2 * len(literal)


def _sequence(items: Iterable[tuple[Any, Any]]) -> Requirement | None:
    """What a concatenation needs: the best of its parts' requirements and literal runs."""
    best: Requirement | None = None
    run: list[str] = []

    def take(req: Requirement | None) -> None:
        nonlocal best
        if req and (best is None or _better(req, best)):
            best = req

    def flush() -> None:
        if run:
            take(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is sre_c.IN:
            # A set of one letter in both cases ([Pp]) is that letter to the folded text.
            chars = {chr(code).lower() for kind, code in av if kind is sre_c.LITERAL}
            if len(chars) == 1 and all(kind is sre_c.LITERAL for kind, _ in av):
                op, av = sre_c.LITERAL, ord(chars.pop())
        if op is sre_c.LITERAL:
            c = chr(av)
            if _safe(c):
                run.append(c.lower())
                continue
            flush()
            continue
        flush()
        take(_item(op, av))
    flush()
    return best


_MAX_SET = 8


def _item(op: Any, av: Any) -> Requirement | None:
    if op is sre_c.IN:
        if _digits_only(av):
            return frozenset({DIGIT})
        # A small set of plain signs, such as the parser makes of (?:>|»|›): each is a literal.
        chars = [chr(value) for kind, value in av if kind is sre_c.LITERAL]
        if len(chars) == len(av) <= _MAX_SET and all(map(_safe, chars)):
            return frozenset(c.lower() for c in chars)
        return None
    if op is sre_c.SUBPATTERN:
        return _sequence(av[-1])
    if op is sre_c.ATOMIC_GROUP:
        return _sequence(av)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        low, _high, body = av
        return _sequence(body) if low >= 1 else None
    if op is sre_c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            req = _sequence(branch)
            if req is None:
                return None
            union |= req
        # A literal holding another of the set adds nothing: "credit" where "redit" is.
        return frozenset(a for a in union if not any(b != a and b in a for b in union))
    if op is sre_c.ASSERT:
        # A lookaround that must hold looks at text of the same line (or document) too.
        return _sequence(av[1])
    return None  # sets, classes, anchors, negative lookarounds, back-references: no fixed text


@functools.lru_cache(maxsize=1024)
def _parse(pattern: str) -> Any:
    """``pattern`` parsed by ``re``'s parser (see ``_for_re``), or None."""
    plain = _for_re(pattern)
    if plain is None:
        return None
    try:
        return sre_parse.parse(plain, 0)
    except Exception:  # syntax only ``regex`` reads (or nothing reads)
        return None


def required_literals(pattern: str) -> Requirement | None:
    """Folded literals of which every match of ``pattern`` holds one, or None when unknown.

    None also when the best set has a literal too common to filter anything.
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    req = _sequence(parsed)
    if req is None or not all(map(_usable, req)):
        return None
    return req


def count_literal(sign: str, times: int) -> str:
    """The requirement "a line holding ``sign`` at least ``times`` times", as a literal."""
    return f"{_COUNT_MARK}{times}{sign}"


def counted(literal: str) -> tuple[str, int] | None:
    """``(sign, times)`` for a literal made by ``count_literal``, else None."""
    if not literal.startswith(_COUNT_MARK):
        return None
    return literal[-1], int(literal[len(_COUNT_MARK) : -1])


def required_literals_per_line(pattern: str) -> Requirement | None:
    """As ``required_literals``, for a pattern run on one line at a time: when it has no usable
    literal, a sign it needs at least twice (a requirement only a line can be held to, since
    a match across lines could find the signs on several)."""
    req = required_literals(pattern)
    if req is not None:
        return req
    parsed = _parse(pattern)
    if parsed is None:
        return None
    items = list(parsed)
    times, sign = max((_min_count(items, sign), sign) for sign in _COMMON_SIGNS)
    return frozenset({count_literal(sign, times)}) if times >= _MIN_COUNT else None


# The signs too common to be literals (see _TOO_COMMON) that a pattern may need several of.
_COMMON_SIGNS = (",", ".")


def _min_count(items: Sequence[tuple[Any, Any]], sign: str) -> int:
    """The fewest times every match of the parsed sequence ``items`` holds ``sign``.

    Sound, not exact: whatever it does not know (classes, lookarounds, back-references)
    counts none. Lookarounds count none because the text they look at may be the match's own.
    """
    code = ord(sign)
    total = 0
    for op, av in items:
        if op is sre_c.LITERAL:
            total += av == code
        elif op is sre_c.IN:
            total += bool(av) and all(kind is sre_c.LITERAL and value == code for kind, value in av)
        elif op is sre_c.SUBPATTERN:
            total += _min_count(list(av[-1]), sign)
        elif op is sre_c.ATOMIC_GROUP:
            total += _min_count(list(av), sign)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, _high, body = av
            total += low * _min_count(list(body), sign) if low else 0
        elif op is sre_c.BRANCH:
            total += min(_min_count(list(branch), sign) for branch in av[1])
    return total


def _usable(literal: str) -> bool:
    if literal == DIGIT or literal.startswith(_COUNT_MARK):
        return True
    return literal not in _TOO_COMMON and not (len(literal) == 1 and literal.isalnum())


def anchored(pattern: str) -> bool:
    """Whether every match of ``pattern`` starts at the start of the string (a leading ``^``
    or ``\\A`` on every branch, no multi-line mode), so ``match`` finds what ``search`` finds."""
    parsed = _parse(pattern)
    if parsed is None or parsed.state.flags & re.MULTILINE:
        return False
    return _starts_anchored(list(parsed))


def _starts_anchored(items: Sequence[tuple[Any, Any]]) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op is sre_c.AT:
        return av in (sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING)
    if op is sre_c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return not add_flags & re.MULTILINE and _starts_anchored(list(body))
    if op is sre_c.ATOMIC_GROUP:
        return _starts_anchored(list(av))
    if op is sre_c.BRANCH:
        return all(_starts_anchored(list(branch)) for branch in av[1])
    return False


class LiteralCount:
    """How many of several requirements a piece of text may meet: those with a literal in it,
    plus those with no literal to look for. A bound, never too low: a count of actual matches
    is at most this, so text below a threshold here cannot reach it there.
    """

    def __init__(self, reqs: Sequence[Requirement | None], *, pure: bool | None = None) -> None:
        self.pure = pure  # None: as the environment says (see pure_regex)
        self.unconditional = 0
        self.owners: dict[str, list[int]] = {}  # literal -> the requirements it meets
        for i, req in enumerate(reqs):
            if req is None or DIGIT in req:
                self.unconditional += 1
                continue
            for lit in req:
                self.owners.setdefault(lit, []).append(i)
        self._automaton: Any = None
        self._built = False

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_automaton": None, "_built": False}  # rebuilt where it runs

    def _build(self) -> None:
        self._built = True
        pure = pure_regex() if self.pure is None else self.pure
        if pure or not self.owners or _ahocorasick is None:
            return
        automaton = _ahocorasick.Automaton()
        for lit, owners in self.owners.items():
            automaton.add_word(lit, owners)
        automaton.make_automaton()
        self._automaton = automaton

    def count(self, text: str) -> int:
        if not self._built:
            self._build()
        folded = fold(text)
        met: set[int] = set()
        if self._automaton is not None:
            for _end, owners in self._automaton.iter(folded):
                met.update(owners)
        else:
            for lit, owners in self.owners.items():
                if lit in folded:
                    met.update(owners)
        return self.unconditional + len(met)


def pure_regex() -> bool:
    """Whether the environment asks for the pure-``regex`` path (no Aho–Corasick)."""
    return os.environ.get("CLEANER_PURE_REGEX", "") not in ("", "0") or _ahocorasick is None


@dataclass
class Prefilter:
    """Every unit's literals, and one scan per document that finds the lines holding them.

    A unit is anything that runs a regex over lines (a merged group, a rule on its own); it
    is registered with its requirement and gets back a number. ``scan`` returns, for each
    unit, the set of lines holding one of its literals.
    """

    enabled: bool = True  # when not, nothing is registered: every pattern runs on every line
    literals: list[str] = field(default_factory=list, repr=False)
    units_of: list[list[int]] = field(default_factory=list, repr=False)  # literal -> units needing it
    n_units: int = 0
    engine: str = "find"
    # By ``build``: the numbers of the plain literals (neither DIGIT nor a count), and the
    # count requirements as (literal number, (sign, times)).
    plain: list[int] = field(default_factory=list, repr=False)
    counts: list[tuple[int, tuple[str, int]]] = field(default_factory=list, repr=False)
    _ids: dict[str, int] = field(default_factory=dict, repr=False)
    _automaton: Any = field(default=None, repr=False)

    def add(self, req: Requirement) -> int | None:
        """Register a unit needing one of ``req``: its number, or None when disabled."""
        if not self.enabled:
            return None
        unit = self.n_units
        self.n_units += 1
        for lit in sorted(req):
            k = self._ids.get(lit)
            if k is None:
                k = self._ids[lit] = len(self.literals)
                self.literals.append(lit)
                self.units_of.append([])
            self.units_of[k].append(unit)
        return unit

    def build(self, *, pure: bool | None = None) -> None:
        pure = pure_regex() if pure is None else pure
        self._automaton = None
        self.engine = "find"
        self.counts = [(k, c) for k, lit in enumerate(self.literals) if (c := counted(lit)) is not None]
        self.plain = [k for k, lit in enumerate(self.literals) if lit != DIGIT and counted(lit) is None]
        if pure or not self.plain:
            return
        assert _ahocorasick is not None
        automaton = _ahocorasick.Automaton()
        for k in self.plain:
            automaton.add_word(self.literals[k], (k, len(self.literals[k])))
        automaton.make_automaton()
        self._automaton = automaton
        self.engine = "aho-corasick"

    def scan(self, text: str, starts: Sequence[int]) -> UnitLines:
        """For each unit, the indices of the lines (starting at ``starts``) holding its literals."""
        found: dict[int, array[int]] = {}  # literal -> its lines in order (as sets: 70 bytes a line)
        if not self.literals or not text:
            return UnitLines({}, self.n_units)
        for lo, hi in _chunks(text, starts):
            folded = fold(text if hi - lo == len(text) else text[lo:hi])
            for k, lines in self._lines_per_literal(folded, starts, lo):
                if k in found:
                    found[k] += lines  # chunks follow one another: still in order
                else:
                    found[k] = lines
        digit = self._ids.get(DIGIT)
        if digit is not None:  # one hit a line, in order
            hits = _DIGIT_LINE.finditer(text)
            found[digit] = array("i", [bisect_right(starts, m.start()) - 1 for m in hits])
        for k, (sign, times) in self.counts:
            found[k] = _lines_with(text, starts, sign, times)
        per_unit: dict[int, list[array[int]]] = {}  # unit -> the lines of each literal of it found
        for k, lines in found.items():
            if lines:
                for unit in self.units_of[k]:
                    per_unit.setdefault(unit, []).append(lines)
        return UnitLines(per_unit, self.n_units)

    def _lines_per_literal(
        self, folded: str, starts: Sequence[int], offset: int
    ) -> Iterable[tuple[int, array[int]]]:
        """Each literal ``folded`` (the text from ``offset`` on, folded) holds, and its lines."""
        n = len(starts)
        if self._automaton is not None:
            # Hits come in the order they end and no literal holds a line break: in line order.
            per: dict[int, list[int]] = {}
            for end, (k, length) in self._automaton.iter(folded):
                line = bisect_right(starts, offset + end - length + 1) - 1
                held = per.get(k)
                if held is None:
                    per[k] = [line]
                elif held[-1] != line:
                    held.append(line)
            return [(k, array("i", held)) for k, held in per.items()]
        out: list[tuple[int, array[int]]] = []
        for k in self.plain:
            lit = self.literals[k]
            i = folded.find(lit)
            if i < 0:
                continue
            lines = array("i")
            while i >= 0:
                line = bisect_right(starts, offset + i) - 1
                lines.append(line)
                if line + 1 >= n:
                    break
                i = folded.find(lit, starts[line + 1] - offset)
            out.append((k, lines))
        return out


class UnitLines(Sequence[AbstractSet[int]]):
    """For each unit, the lines holding one of its literals (``Prefilter.scan``); not to be
    changed.

    A unit's set is made when asked for, from its literals' lines, and not kept: every unit's
    at once held each line once for every unit needing a literal on it (45 MiB at 10 MB).
    """

    def __init__(self, per_unit: dict[int, list[array[int]]], n_units: int) -> None:
        self.per_unit = per_unit  # the lines of each literal of the unit that the text holds
        self.n_units = n_units

    def __len__(self) -> int:
        return self.n_units

    def holds(self, unit: int) -> bool:
        """Whether some line holds a literal of ``unit``, without making its set."""
        return unit in self.per_unit  # only units with lines are in it

    @overload
    def __getitem__(self, unit: int) -> AbstractSet[int]: ...

    @overload
    def __getitem__(self, unit: slice) -> Sequence[AbstractSet[int]]: ...

    def __getitem__(self, unit: int | slice) -> AbstractSet[int] | Sequence[AbstractSet[int]]:
        if isinstance(unit, slice):
            return [self[u] for u in range(len(self))[unit]]
        if not 0 <= unit < self.n_units:
            raise IndexError(unit)
        held = self.per_unit.get(unit)
        return frozenset() if held is None else set(held[0]).union(*held[1:])


# A long text is folded and scanned for literals a chunk of lines of about this many
# characters at a time: folding copies the text, and a chunk's lines of each literal are
# held until they are added to that literal's (at 10 MB, the whole text at once took 140 MiB
# more).
_CHUNK_CHARS = 1 << 20


def _chunks(text: str, starts: Sequence[int]) -> Iterable[tuple[int, int]]:
    """``[lo, hi)`` ranges of whole lines covering ``text``, each about ``_CHUNK_CHARS`` long."""
    lo = 0
    while lo < len(text):
        k = bisect_left(starts, lo + _CHUNK_CHARS)
        hi = starts[k] if k < len(starts) else len(text)
        yield lo, hi
        lo = hi


def _lines_with(text: str, starts: Sequence[int], sign: str, times: int) -> array[int]:
    """The lines (starting at ``starts``) holding ``sign`` at least ``times`` times."""
    per: dict[int, int] = {}
    i = text.find(sign)
    while i >= 0:
        line = bisect_right(starts, i) - 1
        per[line] = per.get(line, 0) + 1
        i = text.find(sign, i + 1)
    return array("i", [line for line, n in per.items() if n >= times])  # in order
