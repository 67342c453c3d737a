"""Untrusted text (anything from the tree, file names included) made safe for where it is shown.

- :func:`one_line` for terminals and CI logs: control, line-separator, bidirectional and
  invisible characters become visible escapes, so a value can never start a new line (and so
  never a ``::workflow-command::``), move the cursor or reorder what a reviewer reads.
- :func:`md_code` and :func:`md_text` for Markdown (the pull-request comment): a value cannot
  close a code span, split a table cell, open HTML (``</details>``), mention (``@team``), link
  or embed an image.
- :func:`json_dumps` for machine output that CI may print: ``::`` never appears literally.
"""
from __future__ import annotations

import json
import re
from typing import Any

# C0/C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, zero-width
# and other invisible formatting characters, the BOM, lone surrogates (the bytes of a file name that
# is not UTF-8, which a terminal would otherwise get raw: 0x9b is CSI)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def _escape(m: re.Match) -> str:
    c = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or f"\\u{ord(c):04x}"


def one_line(s: Any, limit: int | None = None) -> str:
    """``s`` on one line with every invisible or line-breaking character written as an escape."""
    text = _UNSAFE.sub(_escape, str(s))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def md_code(s: Any, limit: int | None = 300) -> str:
    """``s`` as an inline code span that nothing in it can break out of, also inside a table."""
    text = one_line(s, limit).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~=:-])")


def md_text(s: Any, limit: int | None = 300) -> str:
    """``s`` as plain Markdown text: punctuation escaped, ``@`` kept from mentioning, no HTML."""
    text = _MD_SPECIAL.sub(r"\\\1", one_line(s, limit))
    return text.replace("@", "@\u200b").replace("&", "&amp;")


def json_dumps(data: Any, **kwargs: Any) -> str:
    """JSON whose text never contains ``::`` (written ``\\u003a:``; it decodes to the same value)."""
    return re.sub(r":(?=:)", r"\\u003a", json.dumps(data, **kwargs))
