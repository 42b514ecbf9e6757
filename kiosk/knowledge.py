"""The Q&A knowledge base on the kiosk: offline search over questions and answers.

Entries (``services/content/knowledge.json``) go into an SQLite FTS5 table with the ``trigram``
tokenizer, so any Chinese substring of three characters or more matches without a word
segmenter. Three ways in, merged by score:

- **text**: the query is cut at punctuation and filler words (怎么, 如何, 吗 ...) into terms;
  every term must occur in the question or the answer. A term may be replaced by its synonyms
  (``synonyms.json``: 执照 ~ 营业执照, 社保 ~ 社会保险). Terms of three characters or more use
  the FTS index; shorter ones (社保, 发票) cannot be trigram-matched, so they are checked with
  ``LIKE`` on the rows the index found (or on the whole table when every term is short).
- **pinyin initials**: an all-Latin query such as ``yyzz`` matches the initials of the question
  (营业执照 → yyzz), precomputed with pypinyin, for quick typing on the touch keyboard.
- **fuzzy**: when nothing matches strictly, questions sharing enough of the query's trigrams.

:meth:`KnowledgeBase.search` returns :class:`Hit` values, best first; an empty list means "no
answer found" and the UI offers remote help. Scores are plain arithmetic over where each term
hit (question counts three times the answer), so a result can be explained.

The hall publishes the knowledge base (:mod:`hall.content_kinds`, ``GET
/api/v1/published/knowledge``, signed with its content key like the catalog).
:class:`KnowledgeCache` keeps the last published version that verified against the pinned content
key and parsed (``knowledge.cache.json`` in the state directory, the exact bytes served, checked
again when read); :meth:`KnowledgeCache.knowledge_base` is the published version, else the shipped
sample. A bad or unsigned answer is refused with the catalog's failure codes and the last good
version stays.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

__all__ = [
    "DEFAULT_KNOWLEDGE_PATH",
    "DEFAULT_SYNONYMS_PATH",
    "Entry",
    "Hit",
    "KnowledgeBase",
    "KnowledgeCache",
    "KnowledgeError",
    "load_entries",
    "load_synonyms",
    "pinyin_initials",
    "synthetic_entries",
]

log = logging.getLogger(__name__)

_CONTENT: Final = Path(__file__).with_name("services") / "content"
DEFAULT_KNOWLEDGE_PATH: Final[Path] = _CONTENT / "knowledge.json"
DEFAULT_SYNONYMS_PATH: Final[Path] = _CONTENT / "synonyms.json"

# Filler that says nothing about the topic; cutting the query here leaves the content words.
_FILLER: Final = (
    "怎么办",
    "怎么样",
    "怎么",
    "如何",
    "什么",
    "哪里",
    "哪些",
    "多久",
    "能不能",
    "可不可以",
    "可以",
    "是否",
    "请问",
    "我想",
    "我要",
    "需要",
    "吗",
    "呢",
    "吧",
    "啊",
    "的",
    "了",
    "要",
    "想",
)
_SPLIT: Final = re.compile(
    "|".join(map(re.escape, _FILLER))
    + r"|[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20!-/:-@\[-`{-~]+"
)
_LATIN_ONLY: Final = re.compile(r"[a-z]+", re.ASCII)
_MAX_QUERY: Final = 100  # a touch keyboard does not produce more; longer input is cut
# Rows scored per way in, best-first by SQLite: a query matching more than this is too broad
# for the walk-in to read through anyway, and scoring thousands would cost tens of ms.
_CANDIDATES: Final = 300


class KnowledgeError(ValueError):
    """Knowledge content cannot be used."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    topic: str
    question: str
    answer: str
    # Words staff give the entry (the workbook's 关键词): searched, never shown.
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One answer; ``matched`` says how it was found (``text``, ``pinyin`` or ``fuzzy``)."""

    id: str
    topic: str
    question: str
    answer: str
    score: float
    matched: Literal["text", "pinyin", "fuzzy"]


@functools.lru_cache(maxsize=16_384)
def pinyin_initials(text: str) -> str:
    """First letters of the pinyin of the Chinese characters; Latin letters and digits kept.

    ``"营业执照怎么办理"`` → ``"yyzzzmbl"``. pypinyin resolves most heteronyms from phrases
    (银行 → yh); punctuation is dropped. Remembered: a new catalog or knowledge version mostly
    repeats the names of the last, and pypinyin costs ~0.5 ms a name (the home's index).
    """
    from pypinyin import Style, lazy_pinyin  # imported on first use: ~0.1 s, off the start path

    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default", strict=False)
    return "".join(ch for ch in "".join(letters).casefold() if ch.isascii() and ch.isalnum())


def load_entries(path: Path | None = None) -> list[Entry]:
    path = DEFAULT_KNOWLEDGE_PATH if path is None else path
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KnowledgeError(f"{path}: {exc!r}") from exc
    return parse_entries(data, source=str(path))


def parse_entries(data: Any, *, source: str = "knowledge") -> list[Entry]:
    """The entries of a decoded knowledge document (``entries``: id, topic, question, answer)."""
    try:
        entries = [
            Entry(
                str(e["id"]),
                str(e.get("topic", "")),
                str(e["question"]),
                str(e["answer"]),
                tuple(str(k) for k in e.get("keywords") or ()),
            )
            for e in data["entries"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(f"{source}: {exc!r}") from exc
    ids = [e.id for e in entries]
    if len(ids) != len(set(ids)):
        raise KnowledgeError(f"{source}: duplicate entry ids")
    return entries


def load_synonyms(path: Path | None = None) -> list[tuple[str, ...]]:
    path = DEFAULT_SYNONYMS_PATH if path is None else path
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KnowledgeError(f"{path}: {exc!r}") from exc
    return parse_synonyms(data.get("groups") if isinstance(data, dict) else None, source=str(path))


def parse_synonyms(groups: Any, *, source: str = "synonyms") -> list[tuple[str, ...]]:
    """Groups of words (lists of strings); groups of fewer than two words are dropped."""
    try:
        folded = [tuple(_fold(str(w)) for w in g) for g in groups]
    except TypeError as exc:
        raise KnowledgeError(f"{source}: {exc!r}") from exc
    return [g for g in folded if len(g) >= 2]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _phrase(term: str) -> str:
    # An FTS5 string: double quotes inside are doubled, so user input cannot inject operators.
    return '"' + term.replace('"', '""') + '"'


class KnowledgeBase:
    """The Q&A index, in memory (or a file) for one process; not shared between threads."""

    def __init__(
        self,
        entries: Iterable[Entry],
        synonyms: Sequence[Sequence[str]] = (),
        *,
        database: str = ":memory:",
    ) -> None:
        self._db = sqlite3.connect(database)
        self._db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS qa USING fts5("
            "id UNINDEXED, topic UNINDEXED, question, answer, initials, keywords, "
            "tokenize='trigram')"
        )
        # A plain copy for the scans that no trigram can serve (one- and two-character terms):
        # scanning an ordinary table is several times faster than scanning the FTS5 table.
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS qa_plain ("
            "id TEXT PRIMARY KEY, topic TEXT, question TEXT, answer TEXT, initials TEXT, "
            "keywords TEXT)"
        )
        entries = list(entries)
        rows = [
            (
                e.id,
                e.topic,
                e.question,
                e.answer,
                pinyin_initials(e.question),
                "\n".join(e.keywords),
            )
            for e in entries
        ]
        # Folded once here, so scoring a candidate is plain substring tests.
        self._folded = {e.id: (_fold(e.question), _fold(e.answer)) for e in entries}
        self._keywords = {e.id: _fold("\n".join(e.keywords)) for e in entries if e.keywords}
        with self._db:
            for table in ("qa", "qa_plain"):
                self._db.execute(f"DELETE FROM {table}")
                self._db.executemany(
                    f"INSERT INTO {table} (id, topic, question, answer, initials, keywords) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
        self._count = int(self._db.execute("SELECT count(*) FROM qa").fetchone()[0])
        self._synonyms: dict[str, tuple[str, ...]] = {}
        for group in synonyms:
            folded = tuple(_fold(w) for w in group)  # once per group, not once per word
            for word in folded:
                self._synonyms[word] = folded

    @classmethod
    def from_content(
        cls, entries_path: Path | None = None, synonyms_path: Path | None = None
    ) -> KnowledgeBase:
        """The shipped sample (or the hall's published files)."""
        return cls(load_entries(entries_path), load_synonyms(synonyms_path))

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        """Best answers first; empty when nothing fits (the UI then offers remote help)."""
        q = _fold(query)[:_MAX_QUERY]
        if not q:
            return []
        hits: dict[str, Hit] = {}
        compact = q.replace(" ", "")
        if _LATIN_ONLY.fullmatch(compact) and len(compact) >= 2:
            self._merge(hits, self._by_initials(compact))
        terms = self._terms(q)
        if terms:
            strict = self._strict(terms, q)
            self._merge(hits, strict)
            if not strict and not hits:
                self._merge(hits, self._fuzzy(terms))
        return sorted(hits.values(), key=lambda h: (-h.score, h.id))[:limit]

    @staticmethod
    def _merge(into: dict[str, Hit], found: Iterable[Hit]) -> None:
        for hit in found:
            if hit.id not in into or into[hit.id].score < hit.score:
                into[hit.id] = hit

    def _terms(self, q: str) -> list[str]:
        terms = [t for t in _SPLIT.split(q) if t]
        # A lone leftover character ("丢" from "执照丢了") is noise unless it is all there is.
        long_terms = [t for t in terms if len(t) >= 2]
        return long_terms or terms

    def _alternatives(self, term: str) -> tuple[str, ...]:
        """The term and its synonym rewrites: "执照补办" → also "营业执照补办", ..."""
        alts = [term]
        for word, group in self._synonyms.items():
            if word in term:
                alts.extend(term.replace(word, other) for other in group if other != word)
        return tuple(dict.fromkeys(alts))

    def _strict(self, terms: list[str], q: str) -> list[Hit]:
        groups = [self._alternatives(t) for t in terms]
        indexed = [g for g in groups if all(len(a) >= 3 for a in g)]
        if indexed:
            expr = " AND ".join(
                "(" + " OR ".join(f"{{question answer keywords}} : {_phrase(a)}" for a in g) + ")"
                for g in indexed
            )
            # bm25 with the question weighted 10:1 over the answer picks the candidates.
            rows = self._db.execute(
                "SELECT id, topic, question, answer FROM qa WHERE qa MATCH ? "
                "ORDER BY bm25(qa, 0, 0, 10, 1, 0, 5) LIMIT ?",
                (expr, _CANDIDATES),
            ).fetchall()
        else:
            # Every term is one or two characters: no trigram to look up, so scan the plain
            # copy, rows whose question has the term first.
            first = groups[0]
            patterns = [f"%{_like(a)}%" for a in first]
            in_question = " OR ".join("question LIKE ? ESCAPE '\\'" for _ in first)
            anywhere = " OR ".join(
                "question LIKE ? ESCAPE '\\' OR answer LIKE ? ESCAPE '\\' "
                "OR keywords LIKE ? ESCAPE '\\'"
                for _ in first
            )
            rows = self._db.execute(
                f"SELECT id, topic, question, answer FROM qa_plain WHERE {anywhere} "
                f"ORDER BY ({in_question}) DESC LIMIT ?",
                [*(p for pat in patterns for p in (pat, pat, pat)), *patterns, _CANDIDATES],
            ).fetchall()
        hits = []
        for row_id, topic, question, answer in rows:
            qf, af = self._folded[row_id]
            kf = self._keywords.get(row_id, "")
            score = 0.0
            for group in groups:
                # A staff keyword says what the entry is about: between the question and answer.
                best = max(
                    (
                        len(a) * (3.0 if a in qf else 2.0 if a in kf else 1.0)
                        for a in group
                        if a in qf or a in af or a in kf
                    ),
                    default=0.0,
                )
                if best == 0.0:
                    break
                score += best
            else:
                if q in qf:
                    score += len(q)  # the whole query as typed is part of the question
                hits.append(Hit(row_id, topic, question, answer, score, "text"))
        return hits

    def _by_initials(self, letters: str) -> list[Hit]:
        if len(letters) >= 3:
            rows = self._db.execute(
                "SELECT id, topic, question, answer, initials FROM qa WHERE qa MATCH ? "
                "ORDER BY initials LIKE ? DESC LIMIT ?",
                (f"initials : {_phrase(letters)}", f"{letters}%", _CANDIDATES),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT id, topic, question, answer, initials FROM qa_plain WHERE initials LIKE ? "
                "ORDER BY initials LIKE ? DESC LIMIT ?",
                (f"%{letters}%", f"{letters}%", _CANDIDATES),
            ).fetchall()
        hits = []
        for row_id, topic, question, answer, initials in rows:
            # Typing the start of the question is the usual case: rank it first.
            score = len(letters) * (2.0 if initials.startswith(letters) else 1.0)
            hits.append(Hit(row_id, topic, question, answer, score, "pinyin"))
        return hits

    def _fuzzy(self, terms: list[str]) -> list[Hit]:
        """Rows sharing enough trigrams with each term (or with one of its synonym rewrites)."""
        groups = [[(a, _trigrams(a)) for a in self._alternatives(t)] for t in terms]
        wanted = set().union(*(grams for g in groups for _, grams in g))
        if len(wanted) < 2:
            return []
        expr = " OR ".join(f"{{question answer keywords}} : {_phrase(t)}" for t in sorted(wanted))
        rows = self._db.execute(
            "SELECT id, topic, question, answer FROM qa WHERE qa MATCH ? ORDER BY rank LIMIT 100",
            (expr,),
        ).fetchall()
        hits = []
        for row_id, topic, question, answer in rows:
            folded_q, folded_a = self._folded[row_id]
            in_question = folded_q
            anywhere = folded_q + "\n" + folded_a + "\n" + self._keywords.get(row_id, "")
            coverage = weighted = 0.0
            for group in groups:
                best = max(
                    (_coverage(alt, grams, anywhere), _coverage(alt, grams, in_question))
                    for alt, grams in group
                )
                if best[0] == 0.0:
                    coverage = 0.0  # every term typed must show up, at least in part
                    break
                coverage += best[0]
                # Trigrams in the question weigh double: it says what the answer is about.
                weighted += best[0] + 2 * best[1]
            # Below a third of the query's trigrams, a hit is more likely chance than meaning.
            if coverage / len(groups) >= 1 / 3:
                score = round(weighted / len(groups), 3)
                hits.append(Hit(row_id, topic, question, answer, score, "fuzzy"))
        return hits


def _coverage(alt: str, grams: set[str], text: str) -> float:
    """Share of ``alt``'s trigrams found in ``text`` (1 or 0 for a term too short to split)."""
    return len(grams & _trigrams(text)) / len(grams) if grams else float(alt in text)


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- synthetic entries for scale tests -----------------------------------------------------------


def synthetic_entries(count: int = 5000, *, seed: int = 5000) -> list[Entry]:
    """A deterministic set of made-up Q&A entries (same seed, same entries) for the benchmark."""
    subjects = [
        "营业执照",
        "社保登记",
        "公积金",
        "数电发票",
        "充电桩",
        "发明专利",
        "商标注册",
        "施工许可",
        "食品经营许可",
        "特种设备",
        "高新技术企业",
        "人才公寓",
        "出口退税",
        "用电增容",
        "经营异常名录",
        "简易注销",
        "就业登记",
        "创新券",
        "户外招牌",
        "环评",
        "排污许可",
        "消防验收",
        "外国人工作许可",
        "纳税证明",
        "研发费用加计扣除",
    ]
    actions = [
        "怎么办理",
        "需要哪些材料",
        "多久能办好",
        "在哪里办",
        "可以网上办吗",
        "收费吗",
        "有什么条件",
        "逾期了怎么办",
        "能委托别人办吗",
        "办理流程是什么",
        "可以加急吗",
        "需要本人到场吗",
    ]
    owners = [
        "企业",
        "个体户",
        "外资企业",
        "新办企业",
        "分公司",
        "小微企业",
        "科技型企业",
        "制造业企业",
    ]
    places = ["", "在高新区", "在科技城", "在浒墅关", "在狮山街道"]
    rng = random.Random(seed)
    combos = [(o, p, s, a) for o in owners for p in places for s in subjects for a in actions]
    picked = rng.sample(combos, k=min(count, len(combos)))
    return [
        Entry(
            f"syn{i:05d}",
            "synthetic",
            f"{owner}{place}{subject}{action}？",
            f"{owner}办理{subject}：请准备身份证件和营业执照，"
            f"{rng.choice(['当场', '1个', '3个', '5个'])}工作日内办结；"
            "可在自助终端选择相关事项，或点击远程帮办咨询。（示例答案）",
        )
        for i, (owner, place, subject, action) in enumerate(picked)
    ]


# --- the hall's published knowledge base --------------------------------------------------------

KNOWLEDGE_CACHE_FILE: Final = "knowledge.cache.json"
PUBLISHED_KIND: Final = "knowledge"


@dataclass(frozen=True, slots=True)
class PublishedKnowledge:
    """The parsed published knowledge base: its entries and synonym groups."""

    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...]


def parse_published(data: Any) -> PublishedKnowledge:
    """The published document's entries and synonyms (``KnowledgeError``, a ``ValueError``)."""
    entries = parse_entries(data, source="published knowledge")
    synonyms = parse_synonyms(data.get("synonyms", []), source="published synonyms")
    return PublishedKnowledge(tuple(entries), tuple(synonyms))


class KnowledgeCache:
    """The last good published knowledge base in ``state_dir`` (a
    :class:`kiosk.published_cache.PublishedCache`: verified, offline first, refreshed from a
    worker thread). A :class:`KnowledgeBase` is built per consult session's first search (the
    caller's choice): the published version when there is one, else the shipped sample."""

    def __init__(self, state_dir: Path, *, content_key: Any = None) -> None:
        from kiosk.published_cache import PublishedCache

        self._cache = PublishedCache(
            state_dir, PUBLISHED_KIND, parse_published, content_key=content_key
        )
        self.path = self._cache.path

    @property
    def version(self) -> str | None:
        """The published version in use; None while the shipped sample is."""
        current = self._cache.current
        return None if current is None else current.version

    def knowledge_base(self) -> KnowledgeBase:
        """The index of the published version, else of the shipped sample."""
        current = self._cache.current
        if current is None:
            return KnowledgeBase.from_content()
        return KnowledgeBase(current.content.entries, current.content.synonyms)

    def refresh(self, fetch: Callable[[str | None], tuple[int, str | None, bytes]], *,
                fetch_key: Callable[[], Any] | None = None) -> Any:  # fmt: skip
        """Ask the hall for a newer version and keep it if it verifies and parses
        (a :class:`kiosk.published_cache.Refresh`)."""
        return self._cache.refresh(fetch, fetch_key=fetch_key)
