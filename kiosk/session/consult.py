"""Consulting on the kiosk, without an ID card: progress look-up, policy matching and Q&A.

The session enters ``consulting`` from the service home (``consult_opened``) and returns there
(``consult_closed``). :class:`ConsultFlow` turns the walk-in's intents into work on the Qt-free
services — :mod:`kiosk.progress`, :mod:`kiosk.policies`, :mod:`kiosk.knowledge` — and also
suggests a category for an enterprise demand's description (:mod:`kiosk.demands`), which the
walk-in must confirm. It keeps no personal data itself: the kind of consultation, what was asked
and what came back live in ``SessionContext.consult``, so the session's wipe forgets them.
Content that is not personal (the policy set, the knowledge base, the demand taxonomy) is loaded
once, off the GUI thread, and kept for the next walk-in.

Blocking work (the hall fetch, the progress cache file, loading content, matching thousands of
policies) goes through the session's background runner; a result is applied only if it answers
the walk-in's latest request in the same state. The knowledge base's SQLite connection belongs to
the thread that made it, so it is built and searched on one dedicated thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import unicodedata
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from contracts.catalog import Catalog
from contracts.clock import Clock
from contracts.demands import Taxonomy
from contracts.ids import is_valid_tracking_number
from contracts.progress import ProgressView
from kiosk.demands import Suggestion, load_taxonomy, suggest
from kiosk.knowledge import Hit, KnowledgeBase, KnowledgeError
from kiosk.policies import (
    SECTIONS,
    SIZES,
    EnterpriseProfile,
    Match,
    PolicyError,
    PolicySet,
    Size,
    industry_section,
    load_policies,
    match,
)
from kiosk.progress import (
    FetchStatus,
    OutboxStub,
    ProgressCache,
    ProgressNotFound,
    look_up,
    parse_progress_qr,
)
from kiosk.services.validators import is_valid_uscc
from kiosk.session.context import Consultation, SessionContext

__all__ = [
    "DEMAND_CATEGORY_FIELD",
    "DEMAND_SERVICE",
    "DEMAND_TEXT_FIELD",
    "KINDS",
    "LANGUAGES",
    "PROFILE_FIELDS",
    "ConsultFlow",
    "ConsultServices",
    "build_profile",
    "hall_unavailable",
    "normalize_tracking_number",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
# The session's background runner: job, on_done, on_error (answers dropped once the state moves on)
Runner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]

KINDS: Final = ("progress", "policies", "qa")
# Results are worded by the core in both UI languages, so switching language re-words them.
LANGUAGES: Final = ("zh_CN", "en_US")
# The policy form, as the walk-in answers it (all optional: an unanswered condition shows up as
# "not provided" among what is missing). ``industry`` is a GB/T 4754 section letter; the
# optional ``industry_code`` narrows it (``I652``).
PROFILE_FIELDS: Final = (
    "uscc",
    "industry",
    "industry_code",
    "size",
    "capital",
    "founded_year",
    "district",
)
DEMAND_SERVICE: Final = "enterprise_demand"
DEMAND_TEXT_FIELD: Final = "description"
DEMAND_CATEGORY_FIELD: Final = "demand_category"
_MAX_QUERY: Final = 100  # longer than a touch keyboard produces; the knowledge base cuts there too
_MAX_SUGGESTIONS: Final = 2


def hall_unavailable(tracking_number: str) -> Mapping[str, Any] | None:
    """The progress fetch while the runtime has none: the hall cannot be reached."""
    raise ConnectionError("no progress endpoint configured")


def _no_stub(tracking_number: str) -> OutboxStub | None:
    return None


class _NoCache(ProgressCache):
    """Remembers nothing: for tools and tests that run without a state directory."""

    def __init__(self) -> None:
        super().__init__(Path("/nonexistent/progress.cache.json"))

    def get(self, tracking_number: str) -> tuple[dict[str, Any], dt.datetime] | None:
        return None

    def put(self, tracking_number: str, doc: Mapping[str, Any], fetched_at: dt.datetime) -> None:
        pass


@dataclass(frozen=True)
class ConsultServices:
    """What consulting needs from outside the session. Every callable may block; each runs on a
    background thread. The defaults work offline from the shipped content."""

    progress_cache: ProgressCache | None = None  # None: nothing is remembered between look-ups
    fetch_progress: FetchStatus = hall_unavailable
    outbox_stub: Callable[[str], OutboxStub | None] = _no_stub
    load_policies: Callable[[], PolicySet] = load_policies
    load_knowledge: Callable[[], KnowledgeBase] = KnowledgeBase.from_content
    load_taxonomy: Callable[[], Taxonomy] = load_taxonomy


def normalize_tracking_number(text: str) -> str:
    """What the walk-in typed, as a tracking number: full-width folded, trimmed, upper case."""
    return unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")


def build_profile(
    answers: Mapping[str, str],
    certifications: set[str] | frozenset[str],
    policy_set: PolicySet,
    today: dt.date,
) -> tuple[EnterpriseProfile | None, dict[str, str]]:
    """The enterprise profile from the policy form, or the answers to correct (field -> key)."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return unicodedata.normalize("NFKC", answers.get(name, "")).strip()

    uscc = text("uscc").upper()
    if uscc and not is_valid_uscc(uscc):
        errors["uscc"] = "uscc_invalid"
    industry: str | None = text("industry").upper() or None
    if industry is not None and industry not in SECTIONS:
        errors["industry"] = "choice_invalid"
    code = text("industry_code").upper()
    if code:
        section = industry_section(code)
        if section is None or (industry is not None and section != industry):
            errors["industry_code"] = "industry_code_invalid"
        else:
            industry = code
    size_text = text("size")
    size: Size | None = None
    for s in SIZES:
        if s == size_text:
            size = s
    if size_text and size is None:
        errors["size"] = "choice_invalid"
    capital: float | None = None
    if capital_text := text("capital"):
        try:
            capital = float(capital_text)
        except ValueError:
            capital = -1.0
        if not math.isfinite(capital) or capital < 0:
            errors["capital"] = "amount_invalid"
    founded: dt.date | None = None
    if year_text := text("founded_year"):
        year_ok = year_text.isascii() and year_text.isdigit()
        if not (year_ok and 1900 <= int(year_text) <= today.year):
            errors["founded_year"] = "year_invalid"
        else:
            # Only the year is asked: take its middle, off by at most half a year either way.
            founded = min(dt.date(int(year_text), 7, 1), today)
    district = text("district") or None
    if district is not None and district not in policy_set.vocabulary.districts:
        errors["district"] = "choice_invalid"
    unknown = set(certifications) - set(policy_set.vocabulary.certifications)
    if unknown:
        errors["certifications"] = "choice_invalid"
    if errors:
        return None, errors
    return (
        EnterpriseProfile(
            industry=industry,
            size=size,
            registered_capital_wan=capital,
            founded=founded,
            certifications=frozenset(certifications),
            district=district,
            uscc=uscc or None,
        ),
        {},
    )


class ConsultFlow:
    """The consulting intents of one kiosk's session (``SessionFlow.consult``)."""

    def __init__(
        self,
        *,
        context: SessionContext,
        catalog: Catalog,
        services: ConsultServices,
        send: Callable[[str], object],
        state: Callable[[], str],
        run: Runner,
        changed: Callable[[], None],
        set_field: Callable[[str, str], None],
        clock: Clock,
        hall_url: str,
    ) -> None:
        self._context = context
        self._catalog = catalog
        self.services = services
        self._cache = services.progress_cache or _NoCache()
        self._send, self._state, self._run = send, state, run
        self._changed, self._set_field = changed, set_field
        self._clock, self._hall_url = clock, hall_url
        self._request = 0  # the walk-in's latest request; older answers are dropped
        self._lock = threading.Lock()
        self._policies: PolicySet | None = None
        self._policies_of: Consultation | None = None  # the session that took them
        self._taxonomy: Taxonomy | None = None
        self._taxonomy_of: Consultation | None = None  # the session that took it
        self._kb: KnowledgeBase | None = None  # touched only on the knowledge thread
        self._kb_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="knowledge")

    @property
    def data(self) -> Consultation:
        """This session's consultation (replaced by the wipe, so never cache it)."""
        return self._context.consult

    @property
    def policy_set(self) -> PolicySet | None:
        """The loaded policies (content, not personal); None until loaded."""
        return self._policies

    # -- entering and leaving --------------------------------------------------------------------
    def open(self, kind: str) -> None:
        """From the service home into one of the consultations; content starts loading now."""
        if kind not in KINDS:
            raise ValueError(f"unknown consultation {kind!r}")
        self.data.wipe()
        self.data.kind = kind
        self._send("consult_opened")
        log.info("consultation %s opened", kind)
        if kind == "policies" and not self._policies_current():
            # The register's profile needs the policies' vocabulary: applied once they load.
            self._run(
                self._load_policies, lambda _: self._profile_from_register(), self._log_load_error
            )
        elif kind == "policies":
            self._profile_from_register()
        elif kind == "qa":
            self._warm(lambda: self._with_kb(len))

    def close(self) -> None:
        """Back to the service home; what was asked is forgotten now, not at the session's end."""
        if self._state() != "consulting":
            raise RuntimeError(f"no consultation open in state {self._state()}")
        self._request += 1
        self.data.wipe()
        self._send("consult_closed")

    def set_query(self, text: str) -> None:
        """What the walk-in is typing (a tracking number or a question); a problem shown for the
        last request goes away, the last answer stays until the next request."""
        data = self.data
        if self._state() != "consulting" or data.kind not in ("progress", "qa"):
            raise RuntimeError(f"nothing to type in state {self._state()}")
        data.query = text[:_MAX_QUERY]
        if data.status not in ("", "done"):
            self._request += 1  # a request still running answers a question no longer asked
            data.status = ""
        self._changed()

    # -- progress --------------------------------------------------------------------------------
    def look_up_progress(self, text: str | None = None) -> None:
        """Look up a tracking number (the one typed so far unless given): live from the hall,
        else the last known status, else the outbox's "not yet sent"."""
        data = self._require("progress")
        number = normalize_tracking_number(data.query if text is None else text)
        data.query, data.scanning = number, False
        data.progress.clear()
        if not is_valid_tracking_number(number):
            data.status = "invalid"
            self._changed()
            return
        self._start(lambda: self._look_up_all_languages(number), self._on_progress)

    def start_scan(self) -> None:
        """Open the camera for the receipt's QR code (the UI runs the camera while scanning)."""
        data = self._require("progress")
        data.scanning, data.status = True, ""
        data.progress.clear()
        self._changed()

    def stop_scan(self) -> None:
        data = self._require("progress")
        data.scanning = False
        if data.status == "qr_foreign":
            data.status = ""
        self._changed()

    def qr_scanned(self, payload: str) -> None:
        """A QR code came into view: our receipt's is looked up; any other is named as such."""
        data = self._require("progress")
        if not data.scanning:
            return  # a late code from a camera being closed
        number = parse_progress_qr(payload, self._hall_url or None)
        if number is None:
            data.status = "qr_foreign"
            self._changed()
            return
        self.look_up_progress(number)

    def new_progress_query(self) -> None:
        """Clear the answer to ask about another filing."""
        data = self._require("progress")
        self._request += 1
        data.query, data.status, data.scanning = "", "", False
        data.progress.clear()
        self._changed()

    def _look_up_all_languages(self, number: str) -> dict[str, ProgressView]:
        # One fetch, worded in both languages: the second look-up sees the first one's answer
        # (or its failure) instead of asking the hall again.
        answers: list[tuple[Mapping[str, Any] | None, Exception | None]] = []

        def fetch_once(tracking_number: str) -> Mapping[str, Any] | None:
            if not answers:
                try:
                    answers.append((self.services.fetch_progress(tracking_number), None))
                except Exception as exc:
                    answers.append((None, exc))
            doc, failure = answers[0]
            if failure is not None:
                raise failure
            return doc

        fetched_at = self._clock.now().astimezone()
        stubs: dict[str, OutboxStub | None] = {}

        def stub_once(tracking_number: str) -> OutboxStub | None:
            if tracking_number not in stubs:
                stubs[tracking_number] = self.services.outbox_stub(tracking_number)
            return stubs[tracking_number]

        return {
            language: look_up(
                number,
                fetch=fetch_once,
                cache=self._cache,
                catalog=self._catalog,
                now=lambda: fetched_at,
                language=language,
                outbox_stub=stub_once,
            )
            for language in LANGUAGES
        }

    def _on_progress(self, result: dict[str, ProgressView] | Exception) -> None:
        data = self.data
        if isinstance(result, ProgressNotFound):
            data.status = "not_found"
        elif isinstance(result, ValueError):
            data.status = "invalid"
        elif isinstance(result, Exception):
            log.error("progress look-up failed", exc_info=result)
            data.status = "failed"
        else:
            data.progress.update(result)
            data.status = "done"
            log.info("progress shown (source %s)", result["zh_CN"].source)

    # -- policies --------------------------------------------------------------------------------
    def set_profile(self, name: str, value: str) -> None:
        """One answer on the policy form; an empty value clears it."""
        data = self._require("policies")
        if name not in PROFILE_FIELDS:
            raise KeyError(name)
        if value:
            data.profile[name] = value
        else:
            data.profile.pop(name, None)
        data.errors.pop(name, None)
        self._changed()

    def toggle_certification(self, certification: str) -> None:
        data = self._require("policies")
        known = self._policies.vocabulary.certifications if self._policies else None
        if known is not None and certification not in known:
            raise KeyError(certification)
        if certification in data.certifications:
            data.certifications.discard(certification)
        else:
            data.certifications.add(certification)
        data.errors.pop("certifications", None)
        self._changed()

    def match_policies(self) -> None:
        """Check the form, then match the profile against every policy in the background."""
        data = self._require("policies")
        answers, certifications = dict(data.profile), set(data.certifications)
        today = self._clock.now().astimezone().date()

        def job() -> tuple[dict[str, str], dict[str, tuple[Match, ...]]]:
            policy_set = self._load_policies()
            profile, errors = build_profile(answers, certifications, policy_set, today)
            if profile is None:
                return errors, {}
            return {}, {
                language: tuple(match(profile, policy_set.policies, today, language=language))
                for language in LANGUAGES
            }

        self._start(job, self._on_matched)

    def _on_matched(
        self, result: tuple[dict[str, str], dict[str, tuple[Match, ...]]] | Exception
    ) -> None:
        data = self.data
        if isinstance(result, PolicyError):
            log.error("policy content unusable: %s", result)
            data.status = "unavailable"
        elif isinstance(result, Exception):
            log.error("policy matching failed", exc_info=result)
            data.status = "failed"
        else:
            errors, matches = result
            data.errors.update(errors)
            data.matches.update(matches)
            data.status = "done" if matches else ""
            if errors:
                log.info("policy form has %d answers to correct: %s", len(errors), sorted(errors))
            else:
                zh = matches["zh_CN"]
                log.info(
                    "policies matched: %d eligible, %d near",
                    sum(m.eligible for m in zh),
                    sum(not m.eligible for m in zh),
                )

    def edit_profile(self) -> None:
        """From the results back to the form, answers kept."""
        data = self._require("policies")
        self._request += 1
        data.matches.clear()
        data.status = ""
        self._changed()

    def _profile_from_register(self) -> None:
        """For an enterprise chosen from the register (办理企业), the policy form starts from its
        record: industry, size, qualifications, USCC; the walk-in may change any of it."""
        data, chosen, policies = self.data, self._context.enterprise.chosen, self._policies
        if (
            chosen is not None
            and policies is not None
            and self._state() == "consulting"
            and data.kind == "policies"
            and not data.profile
        ):
            from kiosk.policies import profile_from_register

            answers, certifications = profile_from_register(
                uscc=chosen.uscc,
                industry=chosen.industry,
                size=chosen.size,
                qualifications=chosen.qualifications,
                vocabulary=policies.vocabulary,
            )
            data.profile.update(answers)
            data.certifications.update(certifications)
            data.from_register = True
        self._changed()

    def _policies_current(self) -> bool:
        return self._policies is not None and self._policies_of is self.data

    def _load_policies(self) -> PolicySet:
        """This walk-in's policies: taken at the session's first policy question and kept to its
        end; the next walk-in (a new Consultation, made by the session's wipe) takes the newest
        version the station has (the hall's published one once fetched)."""
        with self._lock:
            if self._policies is None or not self._policies_current():
                self._policies = self.services.load_policies()
                self._policies_of = self.data
            return self._policies

    # -- Q&A -------------------------------------------------------------------------------------
    def search_knowledge(self, query: str | None = None) -> None:
        """Search the knowledge base (for the text typed so far unless given); no hits means the
        screen offers remote help."""
        data = self._require("qa")
        q = (data.query if query is None else query).strip()[:_MAX_QUERY]
        data.query, data.hits = q, ()
        if not q:
            self._request += 1
            data.status = ""
            self._changed()
            return
        self._start(lambda: self._with_kb(lambda kb: tuple(kb.search(q))), self._on_hits)

    def _on_hits(self, result: tuple[Hit, ...] | Exception) -> None:
        data = self.data
        if isinstance(result, KnowledgeError):
            log.error("knowledge base unusable: %s", result)
            data.status = "unavailable"
        elif isinstance(result, Exception):
            log.error("knowledge search failed", exc_info=result)
            data.status = "failed"
        else:
            data.hits = result
            data.status = "done" if result else "not_found"
            log.info("knowledge search: %d answers", len(result))

    def _with_kb(self, fn: Callable[[KnowledgeBase], T]) -> T:
        """Run ``fn`` on the knowledge thread (blocks the calling worker, never the GUI)."""

        def on_kb_thread() -> T:
            if self._kb is None:
                self._kb = self.services.load_knowledge()
            return fn(self._kb)

        return self._kb_thread.submit(on_kb_thread).result()

    # -- enterprise demand: a category suggestion to confirm -------------------------------------
    def form_opened(self, service_id: str) -> None:
        """A form opened: forget the last suggestions; load the taxonomy for a demand form."""
        self._context.demand_suggestions = ()
        if service_id == DEMAND_SERVICE and not self._taxonomy_current():
            self._run(self._load_taxonomy, lambda _: self._suggest(), self._log_load_error)

    def field_changed(self, service_id: str, name: str) -> None:
        """Re-suggest when the demand's description changes (the taxonomy scan takes ~1 ms)."""
        if service_id == DEMAND_SERVICE and name == DEMAND_TEXT_FIELD:
            self._suggest()

    def confirm_demand_category(self, category: str) -> None:
        """The walk-in tapped a suggestion: only now does the category field change."""
        if category not in {s.category for s in self._context.demand_suggestions}:
            raise KeyError(category)
        self._set_field(DEMAND_CATEGORY_FIELD, category)

    def _suggest(self) -> None:
        if self._taxonomy is None or not self._taxonomy_current():
            return  # still loading: suggested as soon as it is there
        text = self._context.values.get(DEMAND_TEXT_FIELD, "")
        best: dict[str, Suggestion] = {}
        for s in suggest(self._taxonomy, text, limit=5):
            best.setdefault(s.category, s)  # the best-scoring subcategory speaks for its category
        suggestions = tuple(best.values())[:_MAX_SUGGESTIONS]
        if suggestions != self._context.demand_suggestions:
            self._context.demand_suggestions = suggestions
            self._changed()

    def _taxonomy_current(self) -> bool:
        return self._taxonomy is not None and self._taxonomy_of is self.data

    def _load_taxonomy(self) -> Taxonomy:
        """This walk-in's taxonomy: taken when the session's demand form first opens and kept to
        its end; the next walk-in (a new Consultation, made by the wipe) takes the newest version
        the station has (the hall's published one once fetched)."""
        with self._lock:
            if self._taxonomy is None or self._taxonomy_of is not self.data:
                self._taxonomy = self.services.load_taxonomy()
                self._taxonomy_of = self.data
            return self._taxonomy

    # -- helpers ---------------------------------------------------------------------------------
    def _require(self, kind: str) -> Consultation:
        data = self.data
        if self._state() != "consulting" or data.kind != kind:
            raise RuntimeError(f"no {kind} consultation open (state {self._state()})")
        return data

    def _start(self, job: Callable[[], Any], apply: Callable[[Any], None]) -> None:
        """Run a request in the background; only the latest request's answer is applied."""
        self._request += 1
        request = self._request
        self.data.status = "busy"
        self._changed()

        def deliver(result: Any) -> None:
            if request != self._request:
                log.debug("dropped an answer to an earlier consultation request")
                return
            apply(result)
            self._changed()

        self._run(job, deliver, deliver)

    def _warm(self, job: Callable[[], object]) -> None:
        """Load content ahead of the walk-in's first request; a failure shows on that request.
        Once loaded, the screen is told (the policy form's choices come from the content)."""
        self._run(job, lambda _: self._changed(), self._log_load_error)

    @staticmethod
    def _log_load_error(exc: Exception) -> None:
        log.warning("consultation content not loaded yet: %s", exc)

    def close_resources(self) -> None:
        """At shutdown: close the knowledge base on its own thread, then stop the thread."""

        def close_kb() -> None:
            if self._kb is not None:
                self._kb.close()
                self._kb = None

        self._kb_thread.submit(close_kb)
        self._kb_thread.shutdown(wait=False)
