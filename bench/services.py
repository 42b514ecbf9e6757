"""Services: policy matching, Q&A search and catalog load, in-process.

- policy matching: one realistic profile against the 2,147 synthetic policies (goal on the kiosk:
  p99 well under 50 ms), p50/p99 over many runs;
- Q&A search: a mix of Chinese substring, short (one or two character), pinyin-initial and
  no-answer queries over 5,000 synthetic entries plus the shipped ones, p50/p99;
- catalog load: the generated district catalog (272 services, :mod:`kiosk.services.
  catalog_synthetic`) as the kiosk takes a new published version: verify its content signature,
  parse it bounded (:func:`kiosk.net_json.loads_bounded`, as the catalog cache does) and check
  it, build the service home's search index (median of fresh loads; the names'
  pinyin initials are remembered from the version before, as in a running kiosk; the first index
  of a process, which also imports pypinyin, is ``catalog_first_index_ms``). Beside it the bare
  baseline ``catalog_json_loads_ms``: plain ``json.loads`` of the same bytes, timed between the
  loads, so a reader can tell a slow machine (both up) from a slow load (only the load up);
- home search: what a walk-in types into the service home's box (Chinese substrings, English,
  pinyin initials, a keystroke at a time) over the 272 services, through :class:`kiosk.services.
  home.HomeIndex` as the home uses it, p50/p99;
- build times for the synthetic policies and the 5,000-entry index, for reference.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

KEYS = (
    "runs",
    "catalog_load_ms",
    "catalog_json_loads_ms",
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
    "catalog_services",
    "catalog_first_index_ms",
    "home_search_p50_ms",
    "home_search_p99_ms",
)

# Typed a keystroke at a time, as on the home's keyboard: each prefix is one search.
_HOME_TYPING = (
    "qykb", "yyzz", "dj", "营业执照", "用电", "董监事备案", "licence", "排污许可", "科技",
)  # fmt: skip


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
    home = _home_figures(runs, quick=quick)

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
    q_samples = [_time(partial(kb.search, q)) for _ in range(runs * 4) for q in queries]
    qa_p50, qa_p99 = _percentiles(q_samples)
    entries = len(kb)
    kb.close()

    return {
        "runs": runs,
        "catalog_load_ms": home["catalog_load_ms"],
        "catalog_json_loads_ms": home["catalog_json_loads_ms"],
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
        "catalog_services": home["catalog_services"],
        "catalog_first_index_ms": home["catalog_first_index_ms"],
        "home_search_p50_ms": home["home_search_p50_ms"],
        "home_search_p99_ms": home["home_search_p99_ms"],
    }


def _home_figures(runs: int, *, quick: bool) -> dict[str, Any]:
    """The 272-service catalog: load (verify, parse, index) and the home's search."""
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contracts.catalog import parse_catalog
    from contracts.content_signature import public_of, sign, signed_etag
    from kiosk.net_json import CATALOG, loads_bounded
    from kiosk.services.catalog_synthetic import synthetic_catalog_document
    from kiosk.services.home import HomeIndex

    body = json.dumps(synthetic_catalog_document(), ensure_ascii=False).encode()
    private = Ed25519PrivateKey.generate()
    key, etag = public_of(private), signed_etag('"bench"', sign(private, body))

    def load() -> HomeIndex:
        # As kiosk.services.catalog_cache reads the hall's answer: verified, parsed bounded.
        key.verify(etag, body)
        data = loads_bounded(body, max_bytes=CATALOG.max_bytes, max_depth=CATALOG.max_depth)
        return HomeIndex(parse_catalog(data, source="bench"))

    t0 = time.perf_counter()
    index = load()  # the process's first: pypinyin's import and every name's initials
    first_s = time.perf_counter() - t0
    index.close()
    loads, bare = [], []
    for _ in range(runs if quick else max(runs, 5) * 2):
        t0 = time.perf_counter()
        index = load()
        loads.append(time.perf_counter() - t0)
        index.close()
        bare.append(_time(partial(json.loads, body)))
    index = load()
    typed = [word[:n] for word in _HOME_TYPING for n in range(1, len(word) + 1)]
    samples = [_time(partial(index.search, q)) for _ in range(max(2, runs)) for q in typed]
    p50, p99 = _percentiles(samples)
    services = len(index)
    index.close()
    return {
        "catalog_services": services,
        "catalog_load_ms": round(statistics.median(loads) * 1000, 3),
        "catalog_json_loads_ms": round(statistics.median(bare) * 1000, 3),
        "catalog_first_index_ms": round(first_s * 1000, 1),
        "home_search_p50_ms": p50,
        "home_search_p99_ms": p99,
    }
