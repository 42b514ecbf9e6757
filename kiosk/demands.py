"""Enterprise demands at the kiosk: a category suggested from the walk-in's own words.

The walk-in describes the demand; :func:`suggest` scores the taxonomy's keywords in the text
(and says which keywords hit), so the kiosk can *suggest* a category that the walk-in confirms.
The taxonomy's schema is shared with the hall (:mod:`contracts.demands`); the hall counts the
deadline from the confirmed category and runs the loop (:mod:`hall.demand_loop`). A sample
taxonomy ships in ``services/content/demand_taxonomy.json``; the hall publishes the one in use
(the ``demand_taxonomy`` kind), which :class:`TaxonomyCache` keeps: verified against the pinned
content key, parsed, kept on disk, the shipped sample until the first version arrives.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from contracts.demands import ContentError, Taxonomy, parse_taxonomy
from kiosk.published_cache import PublishedCache

if TYPE_CHECKING:
    from contracts.content_signature import ContentPublicKey

__all__ = [
    "DEFAULT_TAXONOMY_PATH",
    "PUBLISHED_KIND",
    "Suggestion",
    "TaxonomyCache",
    "load_taxonomy",
    "suggest",
    "suggest_category",
]

DEFAULT_TAXONOMY_PATH: Final[Path] = (
    Path(__file__).with_name("services") / "content" / "demand_taxonomy.json"
)
# The hall's content kind (GET /api/v1/published/demand_taxonomy, signed under this context).
PUBLISHED_KIND: Final = "demand_taxonomy"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A scored guess; ``hits`` are the keywords found in the text (the explanation)."""

    category: str
    subcategory: str | None
    name_zh: str
    name_en: str
    score: float
    hits: tuple[str, ...]


def suggest(taxonomy: Taxonomy, text: str, limit: int = 3) -> list[Suggestion]:
    """Rank (category, subcategory) pairs for free text; empty when no keyword hits.

    A keyword scores its length in characters (a longer keyword is more specific: "劳动合同"
    says more than "劳动"), counted at most twice so repeating a word cannot win alone.
    A second-level suggestion also earns its parent's keyword hits.
    """
    folded = _fold(text)
    if not folded:
        return []
    found: list[Suggestion] = []
    for cat in taxonomy.categories:
        parent_hits = _hits(folded, cat.keywords)
        best_children = []
        for sub in cat.children:
            sub_hits = _hits(folded, sub.keywords)
            if sub_hits:
                # A word listed at both levels counts once.
                both = tuple(dict.fromkeys(parent_hits + sub_hits))
                best_children.append(
                    Suggestion(
                        cat.id,
                        sub.id,
                        f"{cat.name_zh} / {sub.name_zh}",
                        f"{cat.name_en} / {sub.name_en}",
                        _score(folded, both),
                        both,
                    )
                )
        if best_children:
            found.extend(best_children)
        elif parent_hits:
            score = _score(folded, parent_hits)
            found.append(Suggestion(cat.id, None, cat.name_zh, cat.name_en, score, parent_hits))
    order = {c.id: i for i, c in enumerate(taxonomy.categories)}
    # Highest score first; ties keep taxonomy order so the result is stable.
    found.sort(key=lambda s: (-s.score, order[s.category]))
    return found[:limit]


def _fold(text: str) -> str:
    # NFKC folds full-width Latin ("ＡＰＰ") from Chinese IMEs; case does not matter for "App".
    return unicodedata.normalize("NFKC", text).casefold()


def _hits(folded: str, keywords: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k in keywords if _fold(k) in folded)


def _score(folded: str, hits: Sequence[str]) -> float:
    return float(sum(len(k) * min(folded.count(_fold(k)), 2) for k in hits))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and check taxonomy content (the shipped sample when ``path`` is None)."""
    path = DEFAULT_TAXONOMY_PATH if path is None else path
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ContentError(str(path), [str(exc)]) from exc
    return parse_taxonomy(data, source=str(path))


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return load_taxonomy()


def suggest_category(
    text: str, taxonomy: Taxonomy | None = None, limit: int = 3
) -> list[Suggestion]:
    """Suggest categories for a demand's free text (the shipped taxonomy unless given)."""
    return suggest(taxonomy or _default_taxonomy(), text, limit)


def _parse_published(data: Any) -> Taxonomy:
    return parse_taxonomy(data, source="published demand taxonomy")


class TaxonomyCache(PublishedCache[Taxonomy]):
    """The hall's published demand taxonomy in ``state_dir``, else the shipped sample.

    A :class:`Taxonomy` is immutable: a session takes one when its demand form first opens and
    keeps it to the session's end (:mod:`kiosk.session.consult`), so a version published
    meanwhile reaches the next walk-in, never the middle of someone's form. ``refresh`` takes
    ``HallClient.get_published(PUBLISHED_KIND, etag)``.
    """

    def __init__(self, state_dir: Path, *, content_key: ContentPublicKey | None = None) -> None:
        super().__init__(state_dir, PUBLISHED_KIND, _parse_published, content_key=content_key)

    @property
    def version(self) -> str | None:
        """The published version in use; None while the shipped sample is."""
        current = self.current
        return None if current is None else current.version

    def taxonomy(self) -> Taxonomy:
        """The published taxonomy, else the shipped sample."""
        current = self.current
        return _default_taxonomy() if current is None else current.content
