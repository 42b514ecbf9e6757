"""Policy push (免申即享): a published policy matched against every enterprise of the register,
the eligible ones listed for staff to confirm, confirmed pushes texted and shown to the
enterprise (its e-archive, the kiosk after the card is read).

When a ``policies`` version is published (:meth:`hall.content_kinds.ContentStore.on_publish`), or
staff ask for a match (``POST /api/v1/policy-push/match``, :mod:`hall.policy_push_routes`),
:meth:`PolicyPush.match_document` checks the document (:func:`contracts.policies.
compile_policies`), finds the policies that are new or changed since the last match (the body
kept per policy in ``policy_push_policies``), marks the pushes of changed or dropped policies
still pending as ``superseded``, and matches each new or changed policy against the register
through :class:`hall.policy_push_index.EnterpriseIndex` over the register's rows (industry, size,
qualifications, registered capital, address → district), kept between matches: built in a thread
at start, enterprises added or changed since put in place. The eligible
enterprises become ``pending`` rows of ``policy_pushes`` (tables: :mod:`hall.policy_push_schema`,
migration 0013).

The register also changes after a publication (imports, desk approvals; a fresh hall publishes
its shipped policies before any enterprise is registered): an admin's 按最新企业档案比对 (``POST
…/match`` without a body, :meth:`PolicyPush.match_register_changes`) matches a published version
never matched, then every open policy against the enterprises added or changed since it was
matched.

Staff (supervisor or admin, console page 政策推送) see the policies with their counts and the
eligible enterprises (name and USCC, nothing about people) and confirm all or some
(:meth:`PolicyPush.confirm`): each pending row becomes ``confirmed`` once (a conditional update:
two officers confirming at once push each enterprise once), with who confirmed it and when, and a
text ``policy_push`` is queued (dedupe key ``policy_push:<seq>``) to the mobile number of the
enterprise's newest filing that gave one, with the link ``<public URL>/pp/<reference>?t=<token>``
to a phone page naming the policy and how to apply (no number on file: the push still shows in
the e-archive and at the kiosk; ``texted`` says which). The audit log holds one row per
confirmation (who, the policy and version, how many).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from contracts.clock import Clock
from contracts.policies import PolicyError, PolicySet, compile_policies
from hall.clock import iso
from hall.content_kinds import ContentStore
from hall.notifications import InvalidNumber, enqueue_in
from hall.notify_templates import TemplateParamsError
from hall.part_model import local_date
from hall.policy_push_index import EnterpriseIndex, Facts, RegisterReader
from hall.policy_push_schema import policy_push_policies, policy_pushes
from hall.register_schema import enterprises
from hall.store import submissions

log = logging.getLogger(__name__)

KIND: Final = "policies"
REFERENCE_PREFIX: Final = "ZC"
_TITLE_MAX: Final = 40  # the SMS template's name
_BATCH: Final = 5_000
# What the push's routes take as path parameters (hall.policy_push_routes).
_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,80}")
_VERSION: Final = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_IN_PLACE: Final = 2_000  # enterprises changed since the index was built: updated in place


def reference(seq: int) -> str:
    """The push's reference in texts and its phone link (``ZC00000042``)."""
    return f"{REFERENCE_PREFIX}{seq:08d}"


def seq_of(ref: str) -> int | None:
    digits = ref.removeprefix(REFERENCE_PREFIX)
    return int(digits) if ref.startswith(REFERENCE_PREFIX) and digits.isdigit() else None


def _body(policy: Mapping[str, Any]) -> str:
    return json.dumps(policy, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class MatchReport:
    """One match run: the version, the policies matched (new or changed), the pending pushes
    made, the policies dropped or changed whose pending pushes were superseded, and seconds."""

    version: str
    matched: int
    pushes: int
    superseded: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RegisterMatchReport:
    """:meth:`PolicyPush.match_register_changes`: the published version's own match, the
    enterprises added or changed that were looked at, the pending pushes that added, seconds,
    and the pending pushes withdrawn."""

    published: MatchReport
    enterprises: int
    pushes: int
    seconds: float
    withdrawn: int = 0  # pending pushes of enterprises that changed and no longer qualify


@dataclass(frozen=True, slots=True)
class ConfirmReport:
    confirmed: int
    texted: int
    no_mobile: int


@dataclass(slots=True)
class _Kept:
    """The index between matches and what it was built from."""

    vocabulary: str
    state: tuple[Any, ...]
    reader: RegisterReader
    index: EnterpriseIndex


def _facts(reader: RegisterReader, row: Any) -> Facts:
    return reader.facts(
        industry=row.industry,
        size=row.size,
        qualifications=row.qualifications,
        capital=row.registered_capital,
        address=row.address,
    )


class PolicyPush:
    """Matching, confirming and reading pushes over the hall's database; thread-safe."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        public_url: str | None = None,
        latest: Callable[[], tuple[str, dict[str, Any]] | None] | None = None,
    ) -> None:
        self.engine, self.clock = engine, clock
        # Where the texts' links point; None: no texts are queued (the hall has no SMS set up).
        self.public_url = public_url
        self._latest = latest  # the published policies (version, document), if any
        self._matching = threading.Lock()
        self._index: _Kept | None = None  # used under self._matching

    # --- matching ------------------------------------------------------------------------------

    def on_publish(self, kind: str) -> None:
        """The content store's hook: a new ``policies`` version is matched at once (a failure
        is logged, never the publication's: staff can ask again, ``POST …/match``)."""
        if kind != KIND:
            return
        try:
            self.match_latest()
        except (PolicyError, SQLAlchemyError):
            log.exception("policy push: the published policies could not be matched")

    def match_latest(self) -> MatchReport | None:
        """Match the latest published policies (None: nothing published)."""
        found = self._latest() if self._latest is not None else None
        if found is None:
            return None
        version, doc = found
        return self.match_document(doc, version, checked=True)

    def match_register_changes(self) -> RegisterMatchReport | None:
        """Bring the pending pushes up to the register as it is now (staff's 按企业档案比对, after
        an import or desk approvals): the published version's new or changed policies are matched
        against every enterprise (:meth:`match_latest`: on a fresh hall, the shipped policies),
        then every open policy against the enterprises added or changed since it was last matched
        (``matched_at``, moved to now). An eligible enterprise not yet listed for that policy
        version becomes pending; one already listed, confirmed or not, is never listed twice. A
        changed enterprise that no longer qualifies has its pending push withdrawn (staff can no
        longer confirm it; a confirmed one stays: the text went out). None: nothing is
        published."""
        found = self._latest() if self._latest is not None else None
        if found is None:
            return None
        version, doc = found
        started = time.perf_counter()
        first = self.match_document(doc, version, checked=True)
        c, e = policy_push_policies.c, enterprises.c
        columns = (e.id, e.industry, e.size, e.qualifications, e.registered_capital, e.address)
        today, at = local_date(self.clock.now()), iso(self.clock.now())
        seen: set[str] = set()
        added = withdrawn = 0
        with self._matching:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(c.version, c.policy_id, c.body, c.matched_at).where(c.state == "open")
                ).all()
            by_time: dict[str, list[Any]] = {}
            for r in rows:
                by_time.setdefault(r.matched_at, []).append(r)
            for since, group in sorted(by_time.items()):
                with self.engine.connect() as conn:
                    # >=: an enterprise written in the very instant of the match is looked at
                    # again (listed already: skipped below).
                    changed = conn.execute(
                        select(*columns).where((e.created_at >= since) | (e.updated_at >= since))
                    ).all()
                if changed:
                    try:
                        compiled = compile_policies(
                            {**doc, "policies": [json.loads(r.body) for r in group]},
                            source=f"policies matched at {since}",
                        )
                    except PolicyError:  # an older body the current vocabulary no longer takes
                        log.warning(
                            "policy push: the policies matched at %s no longer compile; "
                            "the register's changes were not matched against them",
                            since,
                        )
                        continue
                    seen.update(r.id for r in changed)
                    reader = RegisterReader(compiled.vocabulary)
                    index = EnterpriseIndex(
                        [r.id for r in changed], [_facts(reader, r) for r in changed]
                    )
                    versions = {r.policy_id: r.version for r in group}
                    more, fewer = self._rematch(index, compiled.policies, versions, today, at)
                    added, withdrawn = added + more, withdrawn + fewer
                with self.engine.begin() as conn:
                    conn.execute(
                        update(policy_push_policies)
                        .where(c.state == "open", c.matched_at == since)
                        .values(matched_at=at)
                    )
        seconds = time.perf_counter() - started
        log.info("policy push: %d enterprise(s) added or changed looked at, %d pending push(es) "
                 "added, %d withdrawn (%.2f s)", len(seen), added, withdrawn, seconds)  # fmt: skip
        return RegisterMatchReport(first, len(seen), added, seconds, withdrawn)

    def _rematch(
        self,
        index: EnterpriseIndex,
        policies: Sequence[Any],
        versions: Mapping[str, str],
        today: Any,
        at: str,
    ) -> tuple[int, int]:
        """The changed enterprises of ``index`` against ``policies``: pending pushes added for
        the newly eligible, withdrawn for those no longer eligible; (added, withdrawn)."""
        q, c = policy_pushes.c, policy_push_policies.c
        added = withdrawn = 0
        with self.engine.begin() as conn:
            for policy in policies:
                eligible = index.eligible_keys(policy, today)
                version = versions[policy.id]
                kept = set(eligible)
                gone = [eid for eid in index.keys if eid not in kept]
                dropped = 0
                for start in range(0, len(gone), _BATCH):
                    taken = conn.execute(
                        update(policy_pushes)
                        .where(
                            q.policy_id == policy.id,
                            q.version == version,
                            q.state == "pending",
                            q.enterprise_id.in_(gone[start : start + _BATCH]),
                        )
                        .values(state="withdrawn")
                    )
                    dropped += int(taken.rowcount or 0)
                if dropped:
                    conn.execute(
                        update(policy_push_policies)
                        .where(c.version == version, c.policy_id == policy.id)
                        .values(eligible=c.eligible - dropped)
                    )
                    withdrawn += dropped
                if not eligible:
                    continue
                listed: set[str] = set()
                for start in range(0, len(eligible), _BATCH):
                    listed.update(
                        conn.execute(
                            select(q.enterprise_id).where(
                                q.policy_id == policy.id,
                                q.version == version,
                                q.enterprise_id.in_(eligible[start : start + _BATCH]),
                            )
                        ).scalars()
                    )
                new = [eid for eid in eligible if eid not in listed]
                if not new:
                    continue
                conn.execute(
                    insert(policy_pushes),
                    [
                        {"version": version, "policy_id": policy.id, "enterprise_id": eid,
                         "state": "pending", "matched_at": at}
                        for eid in new
                    ],
                )  # fmt: skip
                conn.execute(
                    update(policy_push_policies)
                    .where(c.version == version, c.policy_id == policy.id)
                    .values(eligible=c.eligible + len(new))
                )
                added += len(new)
        return added, withdrawn

    def warm_in_background(self) -> None:
        """Index the register for the published policies in a daemon thread (at start), so the
        first publication does not wait for it."""
        threading.Thread(target=self._warm, name="policy-push-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            found = self._latest() if self._latest is not None else None
            if found is None:
                return
            compiled = compile_policies({**found[1], "policies": []}, source="policies")
            with self._matching:
                self.index(compiled)
        except Exception:  # a head start only: the publication builds it anyway
            log.warning("policy push: the register could not be indexed ahead", exc_info=True)

    def index(self, policies: PolicySet) -> EnterpriseIndex:
        """The register's enterprises indexed for ``policies``' vocabulary. Kept between
        matches: when the register changed since (its count and newest ``created_at`` /
        ``updated_at``: an import, a desk approval) the enterprises added or changed are put in
        place (:data:`_IN_PLACE` at most; more, or another vocabulary, builds it again)."""
        vocab = policies.vocabulary
        e = enterprises.c
        columns = (e.id, e.industry, e.size, e.qualifications, e.registered_capital, e.address)
        vocab_key = json.dumps(
            [sorted(vocab.certifications.items()), sorted(vocab.districts.items())]
        )
        with self.engine.connect() as conn:
            count, newest_made, newest_changed = conn.execute(
                select(func.count(), func.max(e.created_at), func.max(e.updated_at))
            ).one()
            state = (count, newest_made, newest_changed)
            kept = self._index
            if kept is not None and kept.vocabulary == vocab_key:
                if kept.state == state:
                    return kept.index
                # Rows at the kept newest times too (one that changed in that same instant);
                # after a bulk import that shares them, only the ones strictly newer.
                since = self._since(conn, columns, kept.state, or_equal=True)
                if len(since) > _IN_PLACE:
                    since = self._since(conn, columns, kept.state, or_equal=False)
                if len(since) <= _IN_PLACE:
                    for row in since:
                        kept.index.update(row.id, _facts(kept.reader, row))
                    if kept.index.size == count:
                        kept.state = state
                        return kept.index
            reader = RegisterReader(vocab)
            keys, facts = [], []
            for row in conn.execute(select(*columns)):
                keys.append(row.id)
                facts.append(_facts(reader, row))
        built = EnterpriseIndex(keys, facts)
        self._index = _Kept(vocab_key, state, reader, built)
        return built

    @staticmethod
    def _since(
        conn: Connection, columns: tuple[Any, ...], state: tuple[Any, ...], *, or_equal: bool
    ) -> Sequence[Any]:
        e = enterprises.c
        made, changed = state[1] or "", state[2] or ""
        newer = (
            (e.created_at >= made) | (e.updated_at >= changed)
            if or_equal
            else (e.created_at > made) | (e.updated_at > changed)
        )
        return conn.execute(select(*columns).where(newer).limit(_IN_PLACE + 1)).all()

    def match_document(
        self, doc: dict[str, Any], version: str, *, checked: bool = False
    ) -> MatchReport:
        """Match the new or changed policies of ``doc`` (published as ``version``) against the
        register; :class:`contracts.policies.PolicyError` when the document does not check.
        ``checked``: the whole document was checked already (a published version), so only the
        new and changed policies are compiled here."""
        started = time.perf_counter()
        if not checked:
            compile_policies(doc, source=f"policies {version}")  # every problem, first
        raw = [p for p in doc.get("policies") or [] if isinstance(p, dict)]
        odd = [
            str(p.get("id"))[:40]
            for p in raw
            if not isinstance(p.get("id"), str) or not _ID.fullmatch(p["id"])
        ]
        if odd or not _VERSION.fullmatch(version):
            reasons = [f"policy id {i!r}: 1-80 letters, digits, '.', '_' or '-'" for i in odd]
            raise PolicyError(f"policies {version[:64]}", reasons or ["version: 1-64 characters"])
        c = policy_push_policies.c
        with self._matching:
            with self.engine.connect() as conn:
                known = dict(
                    conn.execute(select(c.policy_id, c.body).where(c.state == "open")).all()
                )
                done = set(conn.execute(select(c.policy_id).where(c.version == version)).scalars())
            changed = [
                p for p in raw if p.get("id") not in done and known.get(p.get("id")) != _body(p)
            ]
            ids = {p.get("id") for p in raw}
            gone = [pid for pid in known if pid not in ids]
            compiled = compile_policies({**doc, "policies": changed}, source=f"policies {version}")
            policies = PolicySet(version, compiled.policies, compiled.vocabulary)
            report = self._store(
                policies, changed, [*gone, *(p["id"] for p in changed if p["id"] in known)]
            )
        seconds = time.perf_counter() - started
        log.info("policies %s: %d new or changed matched, %d pending pushes, %d superseded "
                 "(%.2f s)", version, report[0], report[1], report[2], seconds)  # fmt: skip
        return MatchReport(version, report[0], report[1], report[2], seconds)

    def _store(
        self, policies: PolicySet, changed: Sequence[Mapping[str, Any]], superseded_ids: list[str]
    ) -> tuple[int, int, int]:
        version, by_id = policies.version, {p.id: p for p in policies.policies}
        today = local_date(self.clock.now())
        at = iso(self.clock.now())
        index = self.index(policies) if changed else None
        made = superseded = 0
        with self.engine.begin() as conn:
            if superseded_ids:
                superseded = self._supersede(conn, superseded_ids, version)
            for raw in changed:
                policy = by_id[raw["id"]]
                assert index is not None
                eligible = index.eligible_keys(policy, today)
                conn.execute(
                    insert(policy_push_policies).values(
                        version=version,
                        policy_id=policy.id,
                        title_zh=policy.title_zh[:200],
                        body=_body(raw),
                        eligible=len(eligible),
                        matched_at=at,
                        state="open",
                    )
                )
                for start in range(0, len(eligible), _BATCH):
                    conn.execute(
                        insert(policy_pushes),
                        [
                            {
                                "version": version,
                                "policy_id": policy.id,
                                "enterprise_id": eid,
                                "state": "pending",
                                "matched_at": at,
                            }
                            for eid in eligible[start : start + _BATCH]
                        ],
                    )
                made += len(eligible)
        return len(changed), made, superseded

    @staticmethod
    def _supersede(conn: Connection, policy_ids: Iterable[str], version: str) -> int:
        ids = list(policy_ids)
        conn.execute(
            update(policy_push_policies)
            .where(
                policy_push_policies.c.policy_id.in_(ids),
                policy_push_policies.c.version != version,
                policy_push_policies.c.state == "open",
            )
            .values(state="superseded")
        )
        result = conn.execute(
            update(policy_pushes)
            .where(
                policy_pushes.c.policy_id.in_(ids),
                policy_pushes.c.version != version,
                policy_pushes.c.state == "pending",
            )
            .values(state="superseded")
        )
        return int(result.rowcount or 0)

    # --- staff ---------------------------------------------------------------------------------

    def policies(self) -> list[dict[str, Any]]:
        """The matched policies still open, newest match first, with their counts by state."""
        p, q = policy_push_policies.c, policy_pushes.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(p.version, p.policy_id, p.title_zh, p.eligible, p.matched_at)
                .where(p.state == "open")
                .order_by(p.matched_at.desc(), p.policy_id)
            ).all()
            counts: dict[tuple[str, str], dict[str, int]] = {}
            for version, pid, state, n in conn.execute(
                select(q.version, q.policy_id, q.state, func.count())
                .join(
                    policy_push_policies,
                    and_(p.version == q.version, p.policy_id == q.policy_id),
                )
                .where(p.state == "open")
                .group_by(q.version, q.policy_id, q.state)
            ):
                counts.setdefault((version, pid), {})[state] = int(n)
        return [
            {
                "version": r.version,
                "policy_id": r.policy_id,
                "title_zh": r.title_zh,
                "eligible": r.eligible,
                "pending": counts.get((r.version, r.policy_id), {}).get("pending", 0),
                "confirmed": counts.get((r.version, r.policy_id), {}).get("confirmed", 0),
                "matched_at": r.matched_at,
            }
            for r in rows
        ]

    def policy(self, version: str, policy_id: str) -> dict[str, Any] | None:
        """One matched policy's document as published (None: not matched)."""
        p = policy_push_policies.c
        with self.engine.connect() as conn:
            body = conn.execute(
                select(p.body).where(p.version == version, p.policy_id == policy_id)
            ).scalar_one_or_none()
        return None if body is None else dict(json.loads(body))

    def enterprises(
        self, version: str, policy_id: str, *, state: str = "pending", limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """The enterprises of one policy's pushes in ``state``: name and USCC (a page)."""
        q, e = policy_pushes.c, enterprises.c
        where = (q.version == version, q.policy_id == policy_id, q.state == state)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).where(*where)).scalar_one()
            rows = conn.execute(
                select(q.enterprise_id, e.name, e.uscc, q.confirmed_at, q.confirmed_by, q.texted)
                .join(enterprises, e.id == q.enterprise_id)
                .where(*where)
                .order_by(e.name, q.enterprise_id)
                .limit(limit)
                .offset(offset)
            ).all()
        return {
            "total": int(total),
            "items": [
                {
                    "enterprise_id": r.enterprise_id,
                    "name": r.name,
                    "uscc": r.uscc or "",
                    "confirmed_at": r.confirmed_at,
                    "confirmed_by": r.confirmed_by,
                    "texted": r.texted,
                }
                for r in rows
            ],
        }

    def confirm(
        self, version: str, policy_id: str, who: str, enterprise_ids: list[str] | None = None
    ) -> ConfirmReport:
        """Confirm the pending pushes of one policy version (all, or those of
        ``enterprise_ids``): each once, texted when the hall can and knows a number."""
        q = policy_pushes.c
        doc = self.policy(version, policy_id)
        if doc is None:
            return ConfirmReport(0, 0, 0)
        confirmed = texted = no_mobile = 0
        query = select(q.seq, q.enterprise_id).where(
            q.version == version, q.policy_id == policy_id, q.state == "pending"
        )
        if enterprise_ids is not None:
            query = query.where(q.enterprise_id.in_(enterprise_ids))
        with self.engine.begin() as conn:
            for seq, enterprise_id in conn.execute(query.order_by(q.seq)).all():
                token = secrets.token_urlsafe(16)
                taken = conn.execute(
                    update(policy_pushes)
                    .where(q.seq == seq, q.state == "pending")
                    .values(
                        state="confirmed",
                        confirmed_at=iso(self.clock.now()),
                        confirmed_by=who,
                        token=token,
                    )
                )
                if taken.rowcount != 1:  # another officer confirmed it just now
                    continue
                confirmed += 1
                outcome = self._text(conn, seq, enterprise_id, token, str(doc["title_zh"]))
                conn.execute(update(policy_pushes).where(q.seq == seq).values(texted=outcome))
                texted += outcome == "queued"
                no_mobile += outcome == "no_mobile"
        log.info("policy %s %s: %d push(es) confirmed by %s, %d texted", policy_id, version,
                 confirmed, who, texted)  # fmt: skip
        return ConfirmReport(confirmed, texted, no_mobile)

    def _text(self, conn: Connection, seq: int, enterprise_id: str, token: str, title: str) -> str:
        if self.public_url is None:
            return "not_sent"
        mobile = _mobile_of(conn, enterprise_id)
        if mobile is None:
            return "no_mobile"
        ref = reference(seq)
        link = f"{self.public_url.rstrip('/')}/pp/{ref}?t={token}"
        name = title if len(title) <= _TITLE_MAX else title[: _TITLE_MAX - 1] + "…"
        params = {"tracking_number": ref, "service_name": name, "link": link}
        try:
            enqueue_in(conn, "policy_push", mobile, params, "zh", f"policy_push:{seq}",
                       clock=self.clock)  # fmt: skip
        except (InvalidNumber, TemplateParamsError, ValueError) as exc:
            log.info("policy push %s: no text (%s)", ref, type(exc).__name__)
            return "not_sent"
        conn.info["notify_wake"] = True  # hall.notify_wiring wakes its dispatcher on commit
        return "queued"

    # --- the phone page ------------------------------------------------------------------------

    def opened(self, ref: str, token: str | None) -> dict[str, Any] | None:
        """The policy of a confirmed push whose link's token is right (else None, alike)."""
        seq = seq_of(ref)
        q = policy_pushes.c
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(q.version, q.policy_id, q.token).where(
                        q.seq == seq, q.state == "confirmed"
                    )
                ).one_or_none()
                if seq is not None
                else None
            )
        stored = row.token if row is not None and row.token else "-" * 22
        given = token if isinstance(token, str) and len(token) <= 64 else ""
        if not hmac.compare_digest(stored.encode(), given.encode()) or row is None:
            return None
        return self.policy(row.version, row.policy_id)


def published(content: ContentStore) -> Callable[[], tuple[str, dict[str, Any]] | None]:
    """The latest published policies of a content store, as :class:`PolicyPush` asks."""

    def latest() -> tuple[str, dict[str, Any]] | None:
        found = content.latest(KIND)
        return None if found is None else (found.version, found.document())

    return latest


def _mobile_of(conn: Connection, enterprise_id: str) -> str | None:
    """The mobile number of the enterprise's newest filing that gave one (None: none did)."""
    from hall.register_archive import EnterpriseArchive
    from hall.tracking import parts

    named = select(parts.c.submission_id).where(EnterpriseArchive._parts_of(conn, enterprise_id))
    payloads = conn.execute(
        select(submissions.c.payload)
        .where(submissions.c.id.in_(named))
        .order_by(submissions.c.received_at.desc())
        .limit(20)
    ).scalars()
    for payload in payloads:
        form = json.loads(payload).get("form")
        value = form.get("mobile") if isinstance(form, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
