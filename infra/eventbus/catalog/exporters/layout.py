"""The page frame of ``templates/base.html`` (head, site header and navigation, footer) for pages built as strings.

``base.html`` stays the one source of the frame. Jinja renders it once per (root, section, search) with a marker in
each block, and the rendered frame is split at the markers; a page built as a string is then the frame's pieces
with its title, banner, breadcrumbs and content put between them. A page built this way is byte-for-byte what a
template extending ``base.html`` with the same blocks renders. The markers carry a random token, and a frame whose
rendering holds a marker other than exactly once (text of the tree that happens to contain one) is not split:
such pages are rendered whole by Jinja instead.

The events index's frame names the search data, whose file name changes with its content: that name is one more
marker, filled in when the frame is used. A split frame depends on nothing but the code, the stacks, the build's
stamp and date, so a rebuild that changes none of them takes the last build's frames (:meth:`Layout.keep`) and
does not load Jinja at all.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

from eventbus.catalog.exporters.html import _e

BLOCKS = ("title", "banner", "breadcrumbs", "content")
SEARCH = "search-data.js"  # the asset whose name is filled in when the frame is used

Key = tuple[str, str, bool]
Raw = tuple[str, str, str, str, str, str]  # the search marker ("" when none), then the frame's five pieces


def is_raw(got: object) -> bool:
    """Whether a kept frame is one :meth:`Layout.pieces` gave: a marker, then five pieces holding that marker (when
    there is one) exactly once."""
    return (isinstance(got, tuple) and len(got) == 6 and all(type(x) is str for x in got)
            and (not got[0] or sum(p.count(got[0]) for p in got[1:]) == 1))


class Frame:
    """The frame of one (root, section, search) combination: ``page()`` fills its holes."""

    def __init__(self, pieces: list[str] | None, render_whole):
        self.pieces = pieces  # None: the frame could not be split (see the module's docstring)
        self._render_whole = render_whole

    def page(self, title: str, content: str, banner: str = "", breadcrumbs: str = "") -> str:
        """The page: ``title`` is plain text (escaped here); ``content``, ``banner`` and ``breadcrumbs`` are HTML."""
        p = self.pieces
        if p is None:
            return self._render_whole(_e(title), banner, breadcrumbs, content)
        return "".join((p[0], _e(title), p[1], banner, p[2], breadcrumbs, p[3], content, p[4]))


class Layout:
    """Frames of ``base.html`` for one catalog, made on first use. ``env``: makes the Jinja environment (called
    only when a frame must be rendered); ``common``: (root, section) -> the template context every page has
    (root, section, cat, assets)."""

    def __init__(self, env: Callable[[], object], common):
        self._make_env = env
        self.common = common
        self.token = secrets.token_hex(12)
        self.raw: dict[Key, Raw] = {}  # the split frames of this build (and those kept from the last one)
        self.frames: dict[Key, Frame] = {}
        self._child = None

    def pieces(self) -> dict[str, Raw]:
        """The split frames for the build's pieces, each by its root, section and "search" (or nothing), one per line."""
        return {f"{root}\n{section}\n{'search' if search else ''}": raw for (root, section, search), raw in self.raw.items()}

    def keep(self, pieces: dict[str, object]) -> None:
        """The last build's :meth:`pieces`, valid for this one (same code, stacks, stamp and date); a key or frame of
        another shape is left out."""
        for key, raw in pieces.items():
            parts = key.split("\n") if isinstance(key, str) else []
            if len(parts) == 3 and parts[2] in ("", "search") and is_raw(raw):
                self.raw.setdefault((parts[0], parts[1], parts[2] == "search"), raw)  # type: ignore[arg-type]

    def frame(self, root: str, section: str, search: bool = False) -> Frame:
        """``search``: the page is the events index (the body names the search data)."""
        key = (root, section, search)
        got = self.frames.get(key)
        if got is None:
            raw = self.raw.get(key)
            if raw is None:
                raw = self._split(root, section, search)
                if raw is not None:
                    self.raw[key] = raw
            got = self.frames[key] = self._frame(raw, root, section, search)
        return got

    def _frame(self, raw: Raw | None, root: str, section: str, search: bool) -> Frame:
        def whole(title: str, banner: str, breadcrumbs: str, content: str) -> str:
            return self._render(root, section, search, {"title": title, "banner": banner, "breadcrumbs": breadcrumbs, "content": content})

        if raw is None:
            return Frame(None, whole)
        mark, pieces = raw[0], list(raw[1:])
        if mark:
            name = _e(self.common(root, section)["assets"][SEARCH])
            pieces = [p.replace(mark, name) for p in pieces]
        return Frame(pieces, whole)

    def _render(self, root: str, section: str, search: bool, blocks: dict[str, str], assets: dict | None = None) -> str:
        from markupsafe import Markup

        if self._child is None:
            marks = "".join(f"{{% block {b} %}}{{{{ {b}_ }}}}{{% endblock %}}" for b in BLOCKS)
            self._child = self._make_env().from_string('{% extends "base.html" %}' + marks)  # type: ignore[attr-defined]
        ctx = dict(self.common(root, section))
        if assets is not None:
            ctx["assets"] = assets
        ctx["info"] = None if search else True
        ctx.update({f"{b}_": Markup(v) for b, v in blocks.items()})
        return self._child.render(ctx)

    def _split(self, root: str, section: str, search: bool) -> Raw | None:
        marks = {b: f"\x00{self.token}:{b}\x00" for b in BLOCKS}
        mark, assets = "", None
        if search:
            mark = f"\x00{self.token}:{SEARCH}\x00"
            assets = {**self.common(root, section)["assets"], SEARCH: mark}
        text = self._render(root, section, search, marks, assets)
        if mark and text.count(mark) != 1:
            return None
        pieces: list[str] = []
        rest = text
        for b in BLOCKS:
            m = marks[b]
            if text.count(m) != 1 or rest.count(m) != 1:
                return None
            head, rest = rest.split(m)
            pieces.append(head)
        pieces.append(rest)
        return (mark, *pieces)  # type: ignore[return-value]
