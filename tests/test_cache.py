"""The compiled-rule cache: a hit gives the rules and plan a fresh load gives, anything that
changes what loading gives names another file, and a cache that cannot be used is passed over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import rule_toml

from cleaner import Cleaner, RuleFileError
from cleaner.cache import CACHE_ENV, cache_dir, load_compiled
from cleaner.cachefiles import read_own
from cleaner.matchers.stoplists import DEFAULT_LANGUAGES, _digest, stoplists

TEXT = "A story.\nShare this\nThe end of it, with more words than a label has.\n"


def _pack(tmp_path: Path, phrase: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(rule_toml("mine.label", f'phrases = ["{phrase}"]'), encoding="utf-8")
    return path


def _cached(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.pickle"))


def test_a_hit_cleans_as_a_fresh_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    fresh = Cleaner()
    assert len(_cached(tmp_path / "cache")) == 1
    hit = Cleaner()
    assert [(r.id, r.file, r.order) for r in hit.rules] == [(r.id, r.file, r.order) for r in fresh.rules]
    for path in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for fmt in ("text", "html"):
            a, b = hit.clean(text, format=fmt), fresh.clean(text, format=fmt)
            assert (a, a.shadowed) == (b, b.shadowed)


def test_rule_files_name_the_cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    pack = _pack(tmp_path, "Share this")
    first = Cleaner(rule_paths=[pack], default_rules=False)
    assert first.clean(TEXT).spans[0].text == "Share this\n"
    pack.write_text(rule_toml("mine.label", 'phrases = ["A story."]'), encoding="utf-8")
    second = Cleaner(rule_paths=[pack], default_rules=False)
    assert second.clean(TEXT).spans[0].text == "A story.\n"
    assert len(_cached(folder)) == 2
    # the same bytes under another name are another set of rules (reports name the file)
    other = tmp_path / "other.toml"
    other.write_bytes(pack.read_bytes())
    assert Cleaner(rule_paths=[other], default_rules=False).rules[0].file == str(other)


def test_problems_are_reported_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rule]]\nid = 'x'\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RuleFileError):
            Cleaner(rule_paths=[bad], default_rules=False)
    with pytest.raises(RuleFileError):
        Cleaner(rule_paths=[tmp_path / "missing.toml"], default_rules=False)
    assert _cached(folder) == []


def test_a_damaged_cache_file_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    pack = _pack(tmp_path, "Share this")
    load_compiled([pack], defaults=False)
    (cached,) = _cached(folder)
    cached.write_bytes(cached.read_bytes()[:100])
    rules, _plan = load_compiled([pack], defaults=False)
    assert [r.id for r in rules] == ["mine.label"]
    assert len(cached.read_bytes()) > 100  # written again


def test_an_unwritable_folder_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _pack(tmp_path, "Share this")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert Cleaner(rule_paths=[pack], default_rules=False).clean(TEXT).spans
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None
    assert Cleaner(rule_paths=[pack], default_rules=False).clean(TEXT).spans


def test_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "cleaner"


def _page() -> str:
    """A whole page long enough for page-lines, which reads it by its stop lists."""
    path = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))[4]
    return path.read_text(encoding="utf-8")


def test_stop_lists_a_hit_reads_as_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    stoplists.cache_clear()
    fresh = stoplists(DEFAULT_LANGUAGES)
    (cached,) = sorted((tmp_path / "cache").glob("stoplists-*.marshal"))
    stoplists.cache_clear()
    hit = stoplists(DEFAULT_LANGUAGES)
    assert hit is not fresh and hit.index == fresh.index and hit.count == len(DEFAULT_LANGUAGES)
    for i, lang in enumerate(DEFAULT_LANGUAGES):
        assert hit.words(i) == fresh.words(i), lang
    english = hit.words(DEFAULT_LANGUAGES.index("English"))
    assert {"the", "and", "of"} <= english and "boilerplate" not in english
    # a page cleans the same whichever way its lists were read
    stoplists.cache_clear()
    cleaner = Cleaner()
    with_hit = cleaner.clean(_page())
    assert with_hit.spans and any(s.rule == "boilerplate.page-lines" for s in with_hit.spans)
    monkeypatch.setenv(CACHE_ENV, "")
    stoplists.cache_clear()
    assert Cleaner().clean(_page()) == with_hit
    assert sorted((tmp_path / "cache").glob("stoplists-*.marshal")) == [cached]
    stoplists.cache_clear()


def test_stop_lists_a_damaged_or_foreign_file_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    stoplists.cache_clear()
    fresh = stoplists(DEFAULT_LANGUAGES)
    (cached,) = sorted(folder.glob("stoplists-*.marshal"))
    whole = cached.read_bytes()
    for damaged in (whole[:1000], b"", b"\x00not marshal"):
        cached.write_bytes(damaged)
        stoplists.cache_clear()
        assert stoplists(DEFAULT_LANGUAGES).index == fresh.index
        assert cached.read_bytes() == whole  # written again, whole
    if hasattr(os, "getuid") and os.getuid() == 0:
        os.chown(cached, 65534, 65534)  # another user's file is not read, whatever it holds
        assert read_own(cached) is None
    stoplists.cache_clear()


def test_stop_lists_a_new_justext_names_another_index(tmp_path: Path) -> None:
    """The cached index is named by what it was built from: another jusText (a wheel may
    install its lists with the same sizes and times), another list's size or time."""
    base = tmp_path / "site" / "justext" / "stoplists"
    base.mkdir(parents=True)
    (base / "English.txt").write_text("the\nand\n", encoding="utf-8")
    os.utime(base / "English.txt", ns=(1_000_000_000, 1_000_000_000))
    (tmp_path / "site" / "justext-3.0.2.dist-info").mkdir()
    first = _digest(base, ("English",))
    assert _digest(base, ("English",)) == first
    (tmp_path / "site" / "justext-3.0.2.dist-info").rename(tmp_path / "site" / "justext-3.0.3.dist-info")
    second = _digest(base, ("English",))
    assert second != first
    (base / "English.txt").write_text("the\nand\nof\n", encoding="utf-8")
    os.utime(base / "English.txt", ns=(1_000_000_000, 1_000_000_000))
    assert _digest(base, ("English",)) not in (first, second)
