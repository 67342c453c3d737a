"""The page frame of ``templates/base.html`` (head, site header and navigation, footer) for pages built as strings.

``base.html`` stays the one source of the frame. Jinja renders it once per (root, section, search) with a marker in
each block, and the rendered frame is split at the markers; a page built as a string is then the frame's pieces
with its title, banner, breadcrumbs and content put between them. A page built this way is byte-for-byte what a
template extending ``base.html`` with the same blocks renders. The markers carry a random token, and a frame whose
rendering holds a marker other than exactly once (text of the tree that happens to contain one) is not split:
such pages are rendered whole by Jinja instead.
"""
from __future__ import annotations

import secrets

from eventbus.catalog.exporters.html import _e

BLOCKS = ("title", "banner", "breadcrumbs", "content")


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
    """Frames of ``base.html`` for one catalog, made on first use."""

    def __init__(self, env, common):
        self.env = env
        self.common = common  # (root, section) -> the template context every page has (root, section, cat, assets)
        self.token = secrets.token_hex(12)
        self.frames: dict[tuple[str, str, bool], Frame] = {}
        marks = "".join(f"{{% block {b} %}}{{{{ {b}_ }}}}{{% endblock %}}" for b in BLOCKS)
        self.child = env.from_string('{% extends "base.html" %}' + marks)

    def frame(self, root: str, section: str, search: bool = False) -> Frame:
        """``search``: the page is the events index (the body names the search data)."""
        key = (root, section, search)
        got = self.frames.get(key)
        if got is None:
            got = self.frames[key] = self._make(root, section, search)
        return got

    def _render(self, root: str, section: str, search: bool, blocks: dict[str, str]) -> str:
        from markupsafe import Markup

        ctx = dict(self.common(root, section))
        ctx["info"] = None if search else True
        ctx.update({f"{b}_": Markup(v) for b, v in blocks.items()})
        return self.child.render(ctx)

    def _make(self, root: str, section: str, search: bool) -> Frame:
        marks = {b: f"\x00{self.token}:{b}\x00" for b in BLOCKS}
        text = self._render(root, section, search, marks)
        pieces: list[str] | None = []
        rest = text
        for b in BLOCKS:
            m = marks[b]
            if text.count(m) != 1 or rest.count(m) != 1:
                pieces = None
                break
            head, rest = rest.split(m)
            pieces.append(head)
        if pieces is not None:
            pieces.append(rest)

        def whole(title: str, banner: str, breadcrumbs: str, content: str) -> str:
            return self._render(root, section, search, {"title": title, "banner": banner, "breadcrumbs": breadcrumbs, "content": content})

        return Frame(pieces, whole)
