"""ServiceHomeBridge: the service home with a district-size catalog (browse, search, order).

The home opens on "本站常用" (featured: the "一件事" bundles, then what this station files most),
and offers the catalog by theme (its categories) or by department, plus a search box that finds
a service by a Chinese substring, English words or pinyin initials (``qykb`` → 企业开办). What
to show and in which order is :mod:`kiosk.services.home`; this bridge only holds the walk-in's
choice (view, group, query) and turns services into rows in the session's language.

Threads: the search index (:class:`kiosk.services.home.HomeIndex`) is built once per catalog
version on this bridge's own worker thread (pypinyin's import and the initials take a few
hundred ms the first time), and every search runs on that same thread, since the index's SQLite
connection belongs to it. Results come back through a queued signal and are dropped when a newer
keystroke has been typed since, so the GUI thread never waits for a search. The station's usage
counts (a small file the runtime refreshes from the hall) are read on the worker too; counts that
arrive while a walk-in is on the home wait until they leave it (the tiles would move under their
finger, and a tap landing while the list is rebuilt is lost), and ``services`` notifies only
when its rows differ.

The chosen theme stays the session's (:meth:`SessionBridge.chooseCategory`, which the content
preview drives as well): a theme chosen there shows here. Everything resets when the session
ends, like the rest of the walk-in's choices.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import Property, QObject, Signal, Slot

from ui.bridge.session_bridge import SessionBridge
from ui.bridge.settings_bridge import SettingsBridge

if TYPE_CHECKING:
    from contracts.catalog import Catalog, ServiceItem
    from kiosk.services.home import HomeIndex
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

FEATURED: Final = "featured"
THEME: Final = "theme"
DEPARTMENT: Final = "department"
SEARCH: Final = "search"

UsageSource = Callable[[], Mapping[str, int]]


class ServiceHomeBridge(QObject):
    changed = Signal()
    # The list of services has its own signal, sent only when its rows differ: QML rebuilds the
    # list's tiles on each, and a tap that lands while they are rebuilt is lost (the counts or a
    # language change that leaves the rows as they were must not cost the walk-in a tap).
    servicesChanged = Signal()
    _delivered = Signal(object)  # a callable to run on the GUI thread

    def __init__(
        self, settings: SettingsBridge, session: SessionBridge, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._session = session
        self._flow: SessionFlow | None = None
        self._usage_source: UsageSource = dict
        self._usage: Mapping[str, int] = {}
        self._view = FEATURED
        self._department = ""
        self._query = ""
        self._results: list[ServiceItem] = []
        self._searching = False
        self._seq = 0  # the latest query's number: older answers are dropped
        self._seen_category = ""
        self._idle = False  # the session is idle (its end was handled)
        # One worker: the index and every search on it live on this thread (module doc).
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="service-home")
        self._index: HomeIndex | None = None  # touched on the worker only
        self._ready_version = ""
        self._rows: list[dict[str, Any]] | None = None  # what `services` last showed
        self._pending_usage: Mapping[str, int] | None = None  # held while a walk-in is here
        self._delivered.connect(self._on_delivered)
        settings.changed.connect(self._on_settings_changed)
        session.changed.connect(self._on_session_changed)
        session.changed.connect(self._apply_pending)
        session.screenChanged.connect(self._apply_pending)

    def attach(self, flow: SessionFlow, usage: UsageSource) -> None:
        """Connect the session and the station's usage counts; prepare the index now."""
        self._flow = flow
        self._rows = None
        self._usage_source = usage
        self._seen_category = self._session_category()
        self._prepare()

    # -- worker --------------------------------------------------------------------------------
    def _catalog(self) -> Catalog | None:
        return None if self._flow is None else self._flow.catalog

    def _submit(self, job: Callable[[], Any], then: Callable[[Any], None]) -> None:
        def run() -> None:
            try:
                result = job()
            except Exception:
                log.exception("service home job failed")
                return
            self._delivered.emit(lambda: then(result))

        with contextlib.suppress(RuntimeError):  # closed: the kiosk is shutting down
            self._worker.submit(run)

    def _index_for(self, catalog: Catalog) -> HomeIndex:
        """The index of this catalog version, built here (worker thread) when it is new."""
        from kiosk.services.home import HomeIndex

        if self._index is None or self._index.version != catalog.version:
            if self._index is not None:
                self._index.close()
            self._index = HomeIndex(catalog)
        return self._index

    def _prepare(self) -> None:
        """Build the index for the current catalog and read the usage counts, off the GUI."""
        catalog, source = self._catalog(), self._usage_source
        if catalog is None:
            return

        def job() -> tuple[str, Mapping[str, int]]:
            return self._index_for(catalog).version, source()

        self._submit(job, self._on_prepared)

    def _on_prepared(self, result: tuple[str, Mapping[str, int]]) -> None:
        version, usage = result
        if self._ready_version == version and usage != self._usage and self._on_home():
            # A walk-in is on the home: new counts would move the tiles under their finger.
            # They apply once the walk-in has left the home (or the session ended).
            self._pending_usage = usage
            return
        self._pending_usage = None
        self._ready_version, self._usage = version, usage
        self._notify()

    def _on_home(self) -> bool:
        return not self._idle and str(self._session.property("screen")) == "ServiceHome"

    @Slot()
    def _apply_pending(self) -> None:
        if self._pending_usage is not None and not self._on_home():
            self._usage, self._pending_usage = self._pending_usage, None
            self._notify()

    @Slot(object)
    def _on_delivered(self, callback: Callable[[], None]) -> None:
        callback()

    # -- session and settings ------------------------------------------------------------------
    @Slot()
    def _on_settings_changed(self) -> None:
        self._notify()  # names in the other language

    @Slot()
    def _on_session_changed(self) -> None:
        category = self._session_category()
        if str(self._session.property("state")) == "idle":
            # Once per session end: the next walk-in starts from the home's first view, with the
            # catalog (a newer one may have been swapped in between sessions) and counts of now.
            if not self._idle:
                self._idle = True
                self._seen_category = category
                self._reset()
            return
        self._idle = False
        if category != self._seen_category:
            # A theme chosen through the session (a tab here, or the content preview).
            self._seen_category = category
            self._view, self._query, self._results = THEME, "", []
            self._notify()

    def _session_category(self) -> str:
        return str(self._session.property("category"))

    def _catalog_version(self) -> str:
        catalog = self._catalog()
        return "" if catalog is None else catalog.version

    def _reset(self) -> None:
        self._view, self._department, self._query, self._results = FEATURED, "", "", []
        self._seq += 1
        self._searching = False
        self._prepare()  # fresh counts for the next walk-in
        self._notify()

    # -- properties ----------------------------------------------------------------------------
    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _pick(self, zh: str, en: str) -> str:
        return zh if self._zh() or not en else en

    def _order(self) -> Any:
        from kiosk.services.home import HomeOrder

        catalog = self._catalog()
        return None if catalog is None else HomeOrder(catalog, self._usage)

    def _row(self, s: ServiceItem) -> dict[str, Any]:
        return {
            "id": s.id,
            "name": self._pick(s.name_zh, s.name_en),
            "summary": self._pick(s.summary_zh, s.summary_en),
            "department": self._pick(s.department_zh, s.department_en),
            "needsCard": s.requires_identity,
            "bundle": s.is_bundle,
            "used": self._usage.get(s.id, 0) > 0,
        }

    def _notify(self) -> None:
        rows = self._build_rows()
        if rows != self._rows:
            self._rows = rows
            self.servicesChanged.emit()
        self.changed.emit()

    def _get_services(self) -> list[dict[str, Any]]:
        if self._rows is None:
            self._rows = self._build_rows()
        return self._rows

    def _build_rows(self) -> list[dict[str, Any]]:
        order = self._order()
        if order is None:
            return []
        if self._view == SEARCH:
            items = self._results
        elif self._view == THEME:
            items = order.in_theme(self._session_category())
        elif self._view == DEPARTMENT:
            items = order.of_department(self._department)
        else:
            items = order.featured()
        return [self._row(s) for s in items]

    def _get_themes(self) -> list[dict[str, Any]]:
        catalog = self._catalog()
        if catalog is None:
            return []
        return [{"id": c.id, "name": self._pick(c.name_zh, c.name_en)} for c in catalog.categories]

    def _get_departments(self) -> list[dict[str, Any]]:
        from kiosk.services.home import short_department_name

        order = self._order()
        if order is None:
            return []
        return [
            {"id": d.id, "name": short_department_name(self._pick(d.name_zh, d.name_en))}
            for d in order.departments()
        ]

    def _get_view(self) -> str:
        return self._view

    def _get_theme(self) -> str:
        return self._session_category() if self._view == THEME else ""

    def _get_department(self) -> str:
        return self._department if self._view == DEPARTMENT else ""

    def _get_query(self) -> str:
        return self._query

    def _get_searching(self) -> bool:
        return self._searching

    def _get_ready(self) -> bool:
        return bool(self._ready_version) and self._ready_version == self._catalog_version()

    def _get_catalog_size(self) -> int:
        catalog = self._catalog()
        return 0 if catalog is None else len(catalog.services)

    def _get_has_usage(self) -> bool:
        return any(n > 0 for n in self._usage.values())

    services = Property(list, _get_services, notify=servicesChanged)
    themes = Property(list, _get_themes, notify=changed)
    departments = Property(list, _get_departments, notify=changed)
    # featured (本站常用), theme, department or search
    view = Property(str, _get_view, notify=changed)
    theme = Property(str, _get_theme, notify=changed)
    department = Property(str, _get_department, notify=changed)
    query = Property(str, _get_query, notify=changed)
    searching = Property(bool, _get_searching, notify=changed)
    ready = Property(bool, _get_ready, notify=changed)
    catalogSize = Property(int, _get_catalog_size, notify=changed)
    hasUsage = Property(bool, _get_has_usage, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _touch(self) -> None:
        if self._flow is not None:
            self._flow.touch()

    @Slot()
    def showFeatured(self) -> None:
        self._touch()
        self._view, self._query, self._results, self._department = FEATURED, "", [], ""
        self._seq += 1
        self._searching = False
        self._notify()

    @Slot(str)
    def chooseTheme(self, category_id: str) -> None:
        self._view, self._query, self._results = THEME, "", []
        self._seq += 1
        self._searching = False
        self._seen_category = category_id
        self._session.chooseCategory(category_id)  # touches, and emits the session's change
        self._notify()

    @Slot(str)
    def chooseDepartment(self, department_id: str) -> None:
        self._touch()
        self._view, self._department, self._query, self._results = DEPARTMENT, department_id, "", []
        self._seq += 1
        self._searching = False
        self._notify()

    @Slot(str)
    def setQuery(self, text: str) -> None:
        """A keystroke in the search box (the input method's pre-edit included)."""
        self._touch()
        # The pinyin keyboard's pre-edit separates syllables with apostrophes (qi'ye): initials
        # and names never contain one.
        query = text.replace("'", "").strip()
        if query == self._query:
            return
        self._query = query
        self._seq += 1
        if not query:
            self._view, self._results, self._searching = FEATURED, [], False
            self._notify()
            return
        catalog = self._catalog()
        if catalog is None:
            return
        seq = self._seq
        self._view, self._searching = SEARCH, True
        self._notify()

        def job() -> list[ServiceItem]:
            return self._index_for(catalog).search(query)

        def then(found: list[ServiceItem]) -> None:
            if seq != self._seq:
                return  # typed on since: a newer answer is on its way
            self._results, self._searching = found, False
            self._notify()

        self._submit(job, then)

    def close(self) -> None:
        def close_index() -> None:
            if self._index is not None:
                self._index.close()

        self._worker.submit(close_index)
        self._worker.shutdown(wait=False, cancel_futures=False)
