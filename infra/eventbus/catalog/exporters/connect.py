"""The connect snippets as plain files: ``connect/<stack>/<domain>/<event>/{consumer,producer}.{properties,py,sh}``.

The site embeds the same snippets (with copy buttons); this exporter is for
tools and readers who want the files themselves. It is not among the default
exporters (it would add six files per event and stack to every published
catalog); ``build_catalog(..., exporters=...)`` can add it.
"""
from __future__ import annotations

from collections.abc import Iterable

from eventbus.catalog import connect
from eventbus.catalog.exporters import Exporter, File
from eventbus.catalog.model import EventView

EXT = {"java": "properties", "python": "py", "cli": "sh"}


class ConnectExporter(Exporter):
    name = "connect"

    def event_files(self, info: EventView) -> Iterable[File]:
        for view in self.cat.stacks:
            t = view.topic(info.ref)
            if t is None:
                continue
            for s in connect.block(view, t, info).snippets:
                yield f"connect/{view.name}/{info.event.domain}/{info.event.name}/{s.role}.{EXT[s.lang]}", s.text
