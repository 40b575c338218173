"""The peers ``run.py`` and ``quality.py`` compare the cleaner with, and the commands that run
them, each a fresh process of the same interpreter:

    python peers.py trafilatura SRC_DIR DST_DIR    trafilatura.extract at its defaults on every
                                                   *.html.gz (comments off, no deduplication)
    python peers.py datatrove SRC.jsonl DST_DIR    a datatrove pipeline: JsonlReader, the C4 line
                                                   filter, JsonlWriter (local, one task)
    python peers.py inproc DIR ROUNDS              in one process, the cleaner and the C4 line
                                                   filter on every *.page.txt of DIR, in turn;
                                                   prints the times of each round as JSON

The **C4 line filter** is datatrove's ``C4QualityFilter`` with its document-level drops
switched off (fewer than 5 sentences, "lorem ipsum", a curly bracket): it keeps the lines that
end in terminal punctuation, hold at least 3 words, no word over 1,000 characters, no
"javascript" and none of the cookie and terms-of-use phrases, and takes Wikipedia-style
citation marks out of them; it never drops a whole document. That makes it a line filter, the
same job as the cleaner's on whole-page text.
"""

from __future__ import annotations

import gc
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATATROVE_MISSING = "datatrove is not installed (pip install '.[bench]')"


def have_datatrove() -> bool:
    return importlib.util.find_spec("datatrove") is not None


def c4_line_filter() -> Any:
    """datatrove's ``C4QualityFilter`` as a line filter: every document-level drop off."""
    from datatrove.pipeline.filters import C4QualityFilter

    return C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False, filter_curly_bracket=False)


class C4Lines:
    """The C4 line filter on plain strings: ``clean(text)`` is the text it keeps."""

    def __init__(self) -> None:
        from datatrove.data import Document

        self.filter = c4_line_filter()
        self.document = Document

    def clean(self, text: str) -> str:
        doc = self.document(text=text, id="")
        kept = self.filter.filter(doc)
        if kept is not True:  # a document-level drop this configuration should not have
            raise RuntimeError(f"the C4 line filter dropped a whole document: {kept!r}")
        return str(doc.text)


def trafilatura_loop(src: Path, dst: Path) -> None:
    """trafilatura's text of every ``*.html.gz`` page under ``src``, written as ``.txt`` under
    ``dst``: ``trafilatura.extract`` at its defaults, comments off and no deduplication, on the
    page's bytes (it decodes them itself). Pages without text are passed over."""
    import trafilatura

    dst.mkdir()
    for path in sorted(src.rglob("*.html.gz")):
        html = gzip.decompress(path.read_bytes())
        text = trafilatura.extract(html, include_comments=False, deduplicate=False)
        if not text:
            continue
        out = dst / path.relative_to(src).with_name(path.name.removesuffix(".html.gz") + ".txt")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def datatrove_pipeline(src: Path, dst: Path) -> None:
    """JsonlReader (``src``, a ``{"id", "text"}`` record a line) → the C4 line filter →
    JsonlWriter (uncompressed, as the cleaner writes), run by a LocalPipelineExecutor with one
    task; output and logs under ``dst``."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    dst.mkdir()
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src.parent), glob_pattern=src.name),
            c4_line_filter(),
            JsonlWriter(str(dst / "out"), compression=None),
        ],
        tasks=1,
        workers=1,
        logging_dir=str(dst / "logs"),
    ).run()


def in_process(folder: Path, rounds: int) -> dict[str, Any]:
    """The cleaner (``Cleaner().clean``) and the C4 line filter on the same texts, in one process:
    one pass of each, untimed, then ``rounds`` rounds of one timed pass each, in turn."""
    from cleaner import Cleaner

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.page.txt"))]
    if not texts:
        raise SystemExit(f"{folder}: no *.page.txt")
    arms: dict[str, Callable[[str], object]] = {"cleaner": Cleaner().clean, "c4": C4Lines().clean}
    for clean in arms.values():
        for text in texts:
            clean(text)
    # As the command line does: what start-up built is not walked by every collection.
    gc.collect()
    gc.freeze()
    seconds: dict[str, list[float]] = {name: [] for name in arms}
    for _ in range(rounds):
        for name, clean in arms.items():
            start = time.perf_counter()
            for text in texts:
                clean(text)
            seconds[name].append(time.perf_counter() - start)
    size = sum(len(t.encode("utf-8")) for t in texts)
    return {"docs": len(texts), "bytes": size, "seconds": seconds}


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "trafilatura":
        trafilatura_loop(Path(argv[1]), Path(argv[2]))
    elif len(argv) == 3 and argv[0] == "datatrove":
        datatrove_pipeline(Path(argv[1]), Path(argv[2]))
    elif len(argv) == 3 and argv[0] == "inproc":
        print(json.dumps(in_process(Path(argv[1]), int(argv[2]))))
    else:
        sys.exit("usage: peers.py trafilatura SRC DST | datatrove SRC.jsonl DST | inproc DIR ROUNDS")


if __name__ == "__main__":
    main(sys.argv[1:])
