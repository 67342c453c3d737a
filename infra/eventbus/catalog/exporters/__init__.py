"""Exporters: each turns the one input model (:class:`eventbus.catalog.model.Catalog`) into files.

Every exporter has the same three entry points, so the build can spread the
per-event and per-application work over processes and each exporter can be
tested alone (``list(BackstageExporter(cat).whole())``):

* ``event_files(info)``: the files of one event (pages, documents);
* ``app_files(app)``: the files of one application;
* ``whole()``: the files about the whole catalog (indexes, lists, bus documents).

Each yields ``(relative path, text or bytes)``. ``whole()`` runs after every
``event_files`` call of the same process, so an exporter may reuse what it
computed per event (the AsyncAPI exporter does). An incremental rebuild renders
the files of only some events; ``pieces()`` and ``reuse()`` carry the per-event
values of ``whole()`` from one build to the next for the others.
"""
from __future__ import annotations

from collections.abc import Iterable

from eventbus.catalog.model import AppView, Catalog, EventView

File = tuple[str, "str | bytes"]


class Exporter:
    name = "exporter"
    # True: the build runs this exporter's per-event work in the main process, next to ``whole()`` (which then reuses
    # it instead of recomputing it for events rendered by worker processes)
    events_in_main = False

    def __init__(self, cat: Catalog):
        self.cat = cat

    def event_files(self, info: EventView) -> Iterable[File]:
        return ()

    def app_files(self, app: AppView) -> Iterable[File]:
        return ()

    def whole(self) -> Iterable[File]:
        return ()

    def pieces(self) -> dict[str, object]:
        """The plain values (``marshal``-able) this exporter's ``whole()`` is assembled from, by a key of its own choosing
        (an event's or application's ref), for the next build to reuse; {} when it keeps none."""
        return {}

    def worker_pieces(self) -> object:
        """Plain values that this exporter's per-event work in a worker process made and the parent's ``pieces()``
        include; None when there are none."""
        return None

    def take_worker_pieces(self, got: object) -> None:
        """A worker's ``worker_pieces()``."""

    def reuse(self, pieces: dict[str, object], events: set[str], apps: set[str]) -> None:
        """The last build's ``pieces()``, in a build that renders only ``events`` and ``apps`` (refs) and keeps the files
        of all others: the pieces of those others still hold."""


def default_exporters(cat: Catalog) -> list[Exporter]:
    """The site (which embeds the connect snippets), the AsyncAPI documents and the Backstage entities."""
    from eventbus.catalog.exporters.asyncapi import AsyncApiExporter
    from eventbus.catalog.exporters.backstage import BackstageExporter
    from eventbus.catalog.exporters.site import SiteExporter

    asyncapi = AsyncApiExporter(cat)
    return [SiteExporter(cat), asyncapi, BackstageExporter(cat)]
