"""The service home's view of one catalog version: browse by theme or department, search, order.

A district catalog has some 272 items; a walk-in finds theirs in three ways:

- **featured** (the home's first view): the "一件事" bundles, then what this station files most
  (:mod:`kiosk.services.service_usage`: counts the hall keeps per station and service, nothing
  personal), so the common cases are one tap away;
- **browse** by theme (the catalog's categories) or by department (owner or bundle part);
  within a group the bundles come first, then this station's most used, then document order;
- **search**: a Chinese substring (营业执照), English words (licence) or **pinyin initials**
  (``qykb`` → 企业开办). The index is the Q&A's (:class:`kiosk.knowledge.KnowledgeBase`: SQLite
  FTS5 trigram, pypinyin initials, the shipped synonyms), one entry per service: its Chinese
  name is the "question" (ranked first, and the initials), its Chinese summary the "answer", its
  English name, department and theme the keywords.

:class:`HomeIndex` is built once per catalog version. Building it costs pypinyin's first import
(~0.1-0.4 s) and the initials of every name, so the UI builds it off the GUI thread; a
:class:`HomeIndex` (its SQLite connection) then stays on the thread that built it, and searches
run there too (one worker), which keeps every keystroke off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from contracts.catalog import Catalog, Department, ServiceItem
from kiosk.knowledge import Entry, KnowledgeBase, load_synonyms

__all__ = [
    "FEATURED_USED",
    "HomeIndex",
    "HomeOrder",
    "short_department_name",
]

FEATURED_USED: Final = 8  # "本站常用": this many of the station's most used, after the bundles
SEARCH_LIMIT: Final = 60  # more hits than a walk-in reads; the list says to type more

# Every department's name starts with the district's: on a chip it says nothing.
_DISTRICT_PREFIXES: Final = (
    "国家税务总局苏州高新技术产业开发区",  # the tax bureau: 税务局 says it
    "苏州市高新区",
    "苏州高新区",
    "苏州市",
    "Suzhou High-tech District ",
    "Suzhou ",
)
_DISTRICT_SUFFIXES: Final = (", High-tech District Branch", ", State Taxation Administration")


def short_department_name(name: str) -> str:
    """The department's name without the district's (苏州高新区市场监督管理局 → 市场监督管理局)."""
    for prefix in _DISTRICT_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    for suffix in _DISTRICT_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


@dataclass(frozen=True, slots=True)
class HomeOrder:
    """How the home orders services: bundles first, then by this station's use, then content."""

    catalog: Catalog
    usage: Mapping[str, int]

    def _key(self, item: ServiceItem, position: int) -> tuple[int, int, int]:
        return (0 if item.is_bundle else 1, -self.usage.get(item.id, 0), position)

    def ordered(self, items: Iterable[ServiceItem]) -> list[ServiceItem]:
        return [s for _, s in sorted(enumerate(items), key=lambda p: self._key(p[1], p[0]))]

    def featured(self) -> list[ServiceItem]:
        """The bundles, then the station's most used services (used at least once)."""
        bundles = [s for s in self.catalog.services if s.is_bundle]
        used = sorted(
            (s for s in self.catalog.services if not s.is_bundle and self.usage.get(s.id, 0) > 0),
            key=lambda s: -self.usage.get(s.id, 0),
        )
        return bundles + used[:FEATURED_USED]

    def in_theme(self, category_id: str) -> list[ServiceItem]:
        return self.ordered(self.catalog.services_in(category_id))

    def of_department(self, department_id: str) -> list[ServiceItem]:
        return self.ordered(self.catalog.services_of(department_id))

    def departments(self) -> list[Department]:
        """Departments with at least one service, in the catalog's order."""
        return [d for d in self.catalog.departments if self.catalog.services_of(d.id)]


class HomeIndex:
    """Search over one catalog version's services; use it on the thread that built it."""

    def __init__(self, catalog: Catalog) -> None:
        self.version = catalog.version
        self._catalog = catalog
        themes = {c.id: c for c in catalog.categories}
        short_names: dict[str, str] = {}

        def short(name: str) -> str:
            if name not in short_names:
                short_names[name] = short_department_name(name)
            return short_names[name]

        entries = []
        for s in catalog.services:
            theme = themes.get(s.category)
            # Every indexed character costs trigram rows when a new version is loaded, so: the
            # Chinese summary only (English is searched by name, department and theme), the
            # departments without the district's name that every one of them carries, and each
            # word once (a single service's part repeats its name and department).
            words = [s.name_en, short(s.department_zh), short(s.department_en)]
            words += [short(p.department_zh) for p in s.parts] + [p.name_zh for p in s.parts]
            if theme is not None:
                words += [theme.name_zh, theme.name_en]
            keywords = dict.fromkeys(words)
            keywords.pop(s.name_zh, None)
            entries.append(Entry(s.id, s.category, s.name_zh, s.summary_zh, tuple(keywords)))
        self._kb = KnowledgeBase(entries, load_synonyms())

    def __len__(self) -> int:
        return len(self._kb)

    def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[ServiceItem]:
        """Services matching ``query``, best first (empty query: none)."""
        # The index holds departments without the district's name: a query typed with it
        # (苏州高新区市场监督管理局) is searched without it too.
        hits = self._kb.search(short_department_name(query.strip()), limit)
        return [self._catalog.service(hit.id) for hit in hits]

    def close(self) -> None:
        self._kb.close()
