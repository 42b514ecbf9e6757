"""Policy push's tables (免申即享, migration 0013): each policy version matched against the
register and the pushes it found, pending until staff confirm them.

Live mirrors of what ``hall/migrations/versions/rev_0013_policy_push.py`` builds.
``policy_push_policies`` keeps one row per policy and published version that was matched (its
document as published, how many enterprises were eligible, ``superseded`` once a later version
changed or dropped it); ``policy_pushes`` one row per enterprise × policy × version (unique: an
enterprise is never pushed the same policy version twice), ``pending`` → ``confirmed`` (who, when,
the phone link's token, what happened to the text) or ``superseded``. :func:`pushed_policies`
is what the enterprise sees of them (its e-archive, the kiosk after the card is read).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    select,
)

from contracts.register import PUSHED_MAX, PushedPolicy
from hall.store import metadata

policy_push_policies = Table(
    "policy_push_policies",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("policy_id", String(80), primary_key=True),
    Column("title_zh", String(200), nullable=False),
    Column("body", Text, nullable=False),  # the policy's JSON as published
    Column("eligible", Integer, nullable=False),
    Column("matched_at", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # open, superseded
)

policy_pushes = Table(
    "policy_pushes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False),
    Column("policy_id", String(80), nullable=False),
    Column("enterprise_id", String(32), nullable=False),
    # pending, confirmed, superseded (the policy changed or went), withdrawn (the enterprise
    # changed and no longer qualifies)
    Column("state", String(16), nullable=False),
    Column("matched_at", String(40), nullable=False),
    Column("confirmed_at", String(40), nullable=True),
    Column("confirmed_by", String(64), nullable=True),
    Column("token", String(32), nullable=True),  # the phone page's link, once confirmed
    Column("texted", String(16), nullable=True),  # queued, no_mobile, not_sent
    UniqueConstraint("enterprise_id", "policy_id", "version", name="policy_pushes_once"),
)
Index("policy_pushes_of_policy", policy_pushes.c.policy_id, policy_pushes.c.version,
      policy_pushes.c.state)  # fmt: skip
Index("policy_pushes_of_enterprise", policy_pushes.c.enterprise_id, policy_pushes.c.state)


def pushed_policies(conn: Connection, enterprise_id: str, today: dt.date) -> list[PushedPolicy]:
    """The confirmed pushes of an enterprise whose policy is still open, newest first (what
    its e-archive and the kiosk show)."""
    q, p = policy_pushes.c, policy_push_policies.c
    rows = conn.execute(
        select(q.seq, q.policy_id, q.version, q.confirmed_at, p.body)
        .join(policy_push_policies, and_(p.version == q.version, p.policy_id == q.policy_id))
        .where(q.enterprise_id == enterprise_id, q.state == "confirmed")
        .order_by(q.confirmed_at.desc(), q.seq.desc())
        .limit(PUSHED_MAX)
    ).all()
    out = []
    for r in rows:
        doc = json.loads(r.body)
        closes = str(doc.get("closes", ""))
        if closes and closes < today.isoformat():
            continue
        out.append(
            PushedPolicy(
                policy_id=r.policy_id,
                version=r.version,
                reference=f"ZC{r.seq:08d}",
                title_zh=str(doc.get("title_zh", "")),
                title_en=str(doc.get("title_en", "")),
                benefit_zh=str(doc.get("benefit_zh", "")),
                benefit_en=str(doc.get("benefit_en", "")),
                closes=closes,
                pushed_at=r.confirmed_at or "",
            )
        )
    return out
