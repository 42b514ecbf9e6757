"""Policy push's tables (免申即享, migration 0013): each policy version matched against the
register and the pushes it found, pending until staff confirm them.

Live mirrors of what ``hall/migrations/versions/rev_0013_policy_push.py`` builds.
``policy_push_policies`` keeps one row per policy and published version that was matched (its
document as published, how many enterprises were eligible, ``superseded`` once a later version
changed or dropped it); ``policy_pushes`` one row per enterprise × policy × version (unique: an
enterprise is never pushed the same policy version twice), ``pending`` → ``confirmed`` (who, when,
the phone link's token, what happened to the text) or ``superseded``.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

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
    Column("state", String(16), nullable=False),  # pending, confirmed, superseded
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
