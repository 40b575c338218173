"""The floors that ``run.py`` times the cleaner against: the least any tool doing the same job
must spend, run the same way (a fresh process of the same interpreter).

    python floors.py copy SRC_DIR DST_DIR         read every *.txt under SRC_DIR, write it unchanged
    python floors.py words SRC_DIR DST_DIR        the same, and find the words of every line
    python floors.py jsonl SRC.jsonl DST.jsonl    parse and re-serialise every line (orjson, else json)
    python floors.py html SRC_DIR DST_DIR         trafilatura on every *.html.gz, as the cleaner calls it

Each writes into DST, which must not exist yet, so that every timed run creates its files
afresh, as the cleaner's runs do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def json_codec() -> tuple[str, Callable[[bytes], object], Callable[[object], bytes]]:
    """orjson when it is installed, else the standard library: (name, loads, dumps)."""
    try:
        import orjson
    except ImportError:
        import json

        def dumps(obj: object) -> bytes:
            return json.dumps(obj, ensure_ascii=False).encode("utf-8")

        return "json", json.loads, dumps
    return "orjson", orjson.loads, orjson.dumps


def copy_texts(src: Path, dst: Path) -> None:
    """Read every text file and write its bytes unchanged under ``dst``, mirroring the tree."""
    dst.mkdir()
    for path in sorted(src.rglob("*.txt")):
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(path.read_bytes())


def word_texts(src: Path, dst: Path) -> None:
    """As ``copy_texts``, and find the case-folded ``\\w+`` words of every line on the way, as
    the cleaner's line classes do for stop-word density: the least a line classifier must
    spend beyond reading and writing, whatever its matcher."""
    import regex

    words = regex.compile(r"\w+", regex.V0).findall
    dst.mkdir()
    for path in sorted(src.rglob("*.txt")):
        data = path.read_bytes()
        for line in data.decode("utf-8").splitlines():
            words(line.casefold())
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)


def rewrite_jsonl(src: Path, dst: Path) -> None:
    """Parse every line and write it back serialised, one line per line."""
    _, loads, dumps = json_codec()
    with src.open("rb") as lines, dst.open("xb") as out:
        for line in lines:
            out.write(dumps(loads(line)) + b"\n")


def extract_pages(src: Path, dst: Path) -> None:
    """trafilatura's article text of every page, through the cleaner's own call of it
    (``cleaner.read.extract_html``: gunzip, decode, canonical URL, ``trafilatura.extract``
    with the cleaner's settings), written as ``.txt``; pages without text are passed over."""
    from cleaner.errors import DocumentError
    from cleaner.read import extract_html

    dst.mkdir()
    for path in sorted(src.rglob("*.html.gz")):
        try:
            text = extract_html(path.read_bytes()).text
        except DocumentError:
            continue
        out = dst / path.relative_to(src).with_name(path.name.removesuffix(".html.gz") + ".txt")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


FLOORS = {"copy": copy_texts, "words": word_texts, "jsonl": rewrite_jsonl, "html": extract_pages}


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[0] not in FLOORS:
        sys.exit(f"usage: floors.py {{{'|'.join(FLOORS)}}} SRC DST")
    FLOORS[argv[0]](Path(argv[1]), Path(argv[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
