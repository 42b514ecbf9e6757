"""Services: policy matching, Q&A search and catalog load, in-process.

- policy matching: one realistic profile against the 2,147 synthetic policies (goal on the kiosk:
  p99 well under 50 ms), p50/p99 over many runs;
- Q&A search: a mix of Chinese substring, short (one or two character), pinyin-initial and
  no-answer queries over 5,000 synthetic entries plus the shipped ones, p50/p99;
- catalog load: parse and check the shipped sample (median of fresh loads);
- build times for the synthetic policies and the 5,000-entry index, for reference.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

KEYS = (
    "runs",
    "catalog_load_ms",
    "policies",
    "policy_matches",
    "policy_eligible",
    "policy_match_p50_ms",
    "policy_match_p99_ms",
    "policy_build_ms",
    "qa_entries",
    "qa_search_p50_ms",
    "qa_search_p99_ms",
    "qa_index_build_ms",
)


def _percentiles(samples_s: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_s)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) * 1000, 3), round(p99 * 1000, 3)


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: 200 synthetic policies and 500 Q&A entries, few repetitions."""
    from kiosk.knowledge import KnowledgeBase, load_entries, load_synonyms, synthetic_entries
    from kiosk.policies import EnterpriseProfile, load_policies, match
    from kiosk.policies_synthetic import synthetic_policies
    from kiosk.services.catalog import load_catalog

    load_catalog()  # warm imports (pydantic) so the figure is the load itself
    catalog_s = statistics.median(
        _time(load_catalog) for _ in range(runs if quick else max(runs, 5) * 4)
    )

    t0 = time.perf_counter()
    sample = load_policies()
    policies = synthetic_policies(200 if quick else 2147, vocabulary=sample).policies
    policies_build_s = time.perf_counter() - t0
    profile = EnterpriseProfile(
        industry="I6513",
        size="small",
        registered_capital_wan=500,
        founded=dt.date(2022, 5, 1),
        certifications=frozenset({"tech_sme"}),
        district="dongzhu",
        employees=45,
        annual_revenue_wan=3200,
        rd_ratio=6.5,
    )
    today = dt.date(2026, 7, 1)
    results = match(profile, policies, today)
    samples = [_time(lambda: match(profile, policies, today)) for _ in range(runs * 40)]
    match_p50, match_p99 = _percentiles(samples)

    t0 = time.perf_counter()
    kb = KnowledgeBase(synthetic_entries(500 if quick else 5000) + load_entries(), load_synonyms())
    kb_build_s = time.perf_counter() - t0
    queries = [
        "营业执照丢了怎么办",
        "社保",
        "充电桩",
        "yyzz",
        "qy",
        "高企认定条件",
        "外资企业在科技城发明专利",
        "数电票额度",
        "物业不让装充电桩",
        "天气预报",
    ]
    q_samples = [_time(lambda q=q: kb.search(q)) for _ in range(runs * 4) for q in queries]
    qa_p50, qa_p99 = _percentiles(q_samples)
    entries = len(kb)
    kb.close()

    return {
        "runs": runs,
        "catalog_load_ms": round(catalog_s * 1000, 3),
        "policies": len(policies),
        "policy_matches": len(results),
        "policy_eligible": sum(m.eligible for m in results),
        "policy_match_p50_ms": match_p50,
        "policy_match_p99_ms": match_p99,
        "policy_build_ms": round(policies_build_s * 1000, 1),
        "qa_entries": entries,
        "qa_search_p50_ms": qa_p50,
        "qa_search_p99_ms": qa_p99,
        "qa_index_build_ms": round(kb_build_s * 1000, 1),
    }
