"""Policy push (免申即享): one new policy and all 2,147 against the 67,000 enterprises of the
register, from the index over conditions (:mod:`hall.policy_push_index`), beside the naive loop
of full matches (the kiosk's matcher, :func:`kiosk.policies.match`, per enterprise × policy).

- ``one_policy_s``: at the hall, end to end: a published version adds one policy to the 2,147
  matched before; :meth:`hall.policy_push.PolicyPush.match_document` finds the one new policy
  among the 2,148, matches it against the register (a SQLite hall database holding 67,000
  enterprises) through the index the hall keeps (built at start, :meth:`~hall.policy_push.
  PolicyPush.warm_in_background`) and stores its pending pushes (``one_policy_pushes`` of them;
  goal < 1 s). ``one_policy_register_changed_s``: the same after 500 enterprises changed (put
  in the kept index in place); ``one_policy_cold_s``: the first publication with no index yet
  (the register read and indexed: a publication in the first seconds after start).
- ``all_policies_s``: every one of the 2,147 policies against 67,000 enterprises whose every
  field is known (industry, size, capital, founding date, certifications, district, employees,
  revenue, R&D ratio: the register holds fewer, so this is the harder case), index built and
  every policy's eligible set taken (``eligible_pairs``), one core (goal < 60 s); storing
  those pairs is not in it (a first publication of all 2,147 against a full register stores
  millions of pending pushes: minutes, once).
- ``naive_one_policy_s`` / ``naive_all_policies_s``: the full-match loop for the same work; the
  second measured on ``naive_sample`` enterprises and scaled to all (it would take hours).

``--quick``: 2,000 enterprises, 200 policies, a sample of 100.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

KEYS = ("one_policy_s", "all_policies_s", "enterprises", "policies")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "kiosk" / "services" / "content" / "policies.json"
FULL = (67_000, 2147, 300)  # enterprises, policies, naive sample
QUICK = (2_000, 200, 100)
TODAY = dt.date(2026, 6, 1)
_INDUSTRIES = ("C3973", "C3911", "C2710", "C3511", "I6513", "I6420", "M7310", "L7211",
               "F5123", "G5910", "C2611", "R8610", "软件和信息技术服务业", "批发业",
               "通用设备制造业")  # fmt: skip
_NUMBERS = (1, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 20000)


class _Midyear:
    """The bench's day: the synthetic policies open through 2026, most still open in June."""

    def now(self) -> dt.datetime:
        return dt.datetime.combine(TODAY, dt.time(2), tzinfo=dt.UTC)

    def monotonic(self) -> float:
        return time.monotonic()


def _documents(policies: int) -> dict[str, Any]:
    from contracts.policy_synthetic import shipped_document

    return shipped_document(json.loads(SAMPLE.read_text(encoding="utf-8")), policies)


def _profiles(n: int, doc: dict[str, Any], rng: random.Random) -> list[Any]:
    from kiosk.policies import SIZES, EnterpriseProfile

    certs, districts = sorted(doc["certifications"]), sorted(doc["districts"])
    return [
        EnterpriseProfile(
            industry=rng.choice(_INDUSTRIES[:12]),
            size=rng.choice(SIZES),
            registered_capital_wan=float(rng.choice(_NUMBERS)),
            founded=TODAY - dt.timedelta(days=rng.randrange(100, 8000)),
            certifications=frozenset(rng.sample(certs, rng.randint(0, 3))),
            district=rng.choice(districts),
            employees=rng.choice(_NUMBERS),
            annual_revenue_wan=float(rng.choice(_NUMBERS)),
            rd_ratio=rng.choice((1.0, 2.5, 3.0, 4.5, 6.0, 8.0)),
        )
        for _ in range(n)
    ]


def _facts(profile: Any) -> Any:
    from hall.policy_push_index import NUMERIC, Facts

    f = profile.facts(TODAY)
    numbers = {name: f[name] for name in NUMERIC}
    return Facts(f["industry"], f["size"], f["district"], f["certifications"], numbers)


def _register(db: str, n: int, doc: dict[str, Any], rng: random.Random) -> None:
    """``n`` enterprises written straight into a hall database's register."""
    from sqlalchemy import insert

    from hall.register_schema import enterprises
    from hall.store import SubmissionStore

    quals = [v[0] for v in doc["certifications"].values()]
    places = [v[0].split("（")[0] for v in doc["districts"].values()]
    sizes = ("micro", "small", "medium", "large", "")
    store = SubmissionStore(db)
    try:
        rows = [
            {
                "id": f"{i:032x}",
                "uscc": None,
                "name": f"苏州启航{i}号测试有限公司",
                "type": "llc",
                "address": f"苏州高新区{rng.choice(places)}{i % 500}号",
                "industry": rng.choice(_INDUSTRIES),
                "size": rng.choice(sizes),
                "qualifications": json.dumps(rng.sample(quals, rng.randint(0, 2))),
                "registered_capital": str(rng.choice(_NUMBERS)),
                "scope": "",
                "source": "import",
                "submission_id": None,
                "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
            for i in range(n)
        ]
        with store.engine.begin() as conn:
            for start in range(0, n, 5000):
                conn.execute(insert(enterprises), rows[start : start + 5000])
    finally:
        store.close()


_NEW_POLICY = {
    "id": "bench_new_policy",
    "title_zh": "新增政策（基准）：中小企业数字化转型补贴",
    "title_en": "New policy (bench)",
    "issuer_zh": "示例发文单位",
    "issuer_en": "Sample issuer",
    "benefit_zh": "最高20万元（示例）",
    "benefit_en": "Sample benefit",
    "opens": "2026-05-01",
    "closes": "2026-12-31",
    "all": [
        {"field": "size", "op": "in", "value": ["small", "medium"]},
        {"field": "registered_capital_wan", "op": "gte", "value": 100},
    ],
    "any": [
        {"field": "industry", "op": "prefix", "value": ["I", "C39"]},
        {"field": "certifications", "op": "has", "value": "high_tech"},
    ],
}


def _at_hall(db: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A version adding one policy to the ones matched before (their bodies kept as a first
    match leaves them), matched at the hall as on publication."""
    from sqlalchemy import insert, select, update

    from hall.policy_push import PolicyPush, _body
    from hall.policy_push_schema import policy_push_policies
    from hall.register_schema import enterprises
    from hall.store import SubmissionStore

    store = SubmissionStore(db)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(policy_push_policies),
                [
                    {"version": "bench-1", "policy_id": p["id"], "title_zh": p["title_zh"],
                     "body": _body(p), "eligible": 0, "matched_at": "", "state": "open"}
                    for p in doc["policies"]
                ],
            )  # fmt: skip
        push = PolicyPush(store.engine, _Midyear())
        policies = list(doc["policies"])

        def publish(version: str) -> Any:
            new = {**_NEW_POLICY, "id": f"bench_{version}"}
            policies.append(new)
            # As on publication: the content kind checked the whole document before.
            return push.match_document({**doc, "policies": policies}, version, checked=True)

        cold = publish("b2")  # no index yet: the register read and indexed
        with store.engine.begin() as conn:  # 500 enterprises changed since (a desk's approvals)
            changed = select(enterprises.c.id).limit(500).scalar_subquery()
            conn.execute(
                update(enterprises)
                .where(enterprises.c.id.in_(changed))
                .values(size="medium", updated_at="2026-06-01T01:00:00+00:00")
            )
        moved = publish("b3")
        warm = publish("b4")
    finally:
        store.close()
    return {"cold_s": cold.seconds, "moved_s": moved.seconds, "warm_s": warm.seconds,
            "pushes": warm.pushes}  # fmt: skip


def _index_all(keys: list[str], facts: list[Any], policies: Any) -> tuple[float, int]:
    from hall.policy_push_index import EnterpriseIndex

    t0 = time.perf_counter()
    index = EnterpriseIndex(keys, facts)
    pairs = sum(len(index.eligible_keys(p, TODAY)) for p in policies.policies)
    return time.perf_counter() - t0, pairs


def _naive(profiles: list[Any], policies: Any) -> float:
    from kiosk.policies import match

    t0 = time.perf_counter()
    for profile in profiles:
        match(profile, policies, TODAY, max_missing=0)
    return time.perf_counter() - t0


def run(runs: int = 5, *extra: str, quick: bool = False) -> dict[str, Any]:
    from kiosk.policies import compile_policies

    n, count, sample = QUICK if quick else FULL
    rng = random.Random(18)
    doc = _documents(count)
    policies = compile_policies(doc, source="bench")
    profiles = _profiles(n, doc, rng)
    keys, facts = [f"e{i}" for i in range(n)], [_facts(p) for p in profiles]
    timings = [_index_all(keys, facts, policies) for _ in range(max(1, runs))]
    all_s = statistics.median(t for t, _ in timings)
    one_policy = policies.policies[:1]
    naive_one = _naive(profiles, one_policy)
    naive_all = _naive(profiles[:sample], policies.policies) * n / sample
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        db = str(Path(tmp) / "hall.db")
        _register(db, n, doc, rng)
        hall = _at_hall(db, doc)  # once: a version is matched once
    return {
        "one_policy_s": round(hall["warm_s"], 3),
        "one_policy_register_changed_s": round(hall["moved_s"], 3),
        "one_policy_cold_s": round(hall["cold_s"], 3),
        "all_policies_s": round(all_s, 3),
        "enterprises": n,
        "policies": len(policies.policies),
        "one_policy_pushes": hall["pushes"],
        "eligible_pairs": timings[0][1],
        "naive_one_policy_s": round(naive_one, 3),
        "naive_all_policies_s": round(naive_all, 1),
        "naive_sample": sample,
        "goals": {"one_policy_s": 1.0, "all_policies_s": 60.0},
    }
