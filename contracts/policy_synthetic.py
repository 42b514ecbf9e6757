"""A deterministic, made-up set of policies over the sample vocabulary (same seed, same set).

The hall ships 2,147 policies, as many as the district's hall reports: the hand-written samples
of ``kiosk/services/content/policies.json`` plus generated ones over the same vocabulary
(:func:`shipped_document`), so nothing large is kept in the repository; the kiosk builds the same
set as its fallback until the hall's published version arrives, and the benchmark and scale tests
use :func:`synthetic_documents` (through :func:`kiosk.policies_synthetic.synthetic_policies`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any, Final

from contracts.policies import SIZES

__all__ = ["SEED", "SHIPPED_COUNT", "shipped_document", "synthetic_documents"]

SHIPPED_COUNT: Final = 2147
SEED: Final = 4754


def synthetic_documents(
    count: int, *, seed: int = SEED, certifications: Sequence[str], districts: Sequence[str]
) -> list[dict[str, Any]]:
    """``count`` made-up policies (documents, ids ``syn0000`` on) over these vocabulary ids."""
    certs = sorted(certifications)
    districts = sorted(districts)
    rng = random.Random(seed)
    topics = [
        "研发投入",
        "技术改造",
        "人才引进",
        "市场开拓",
        "数字化转型",
        "绿色低碳",
        "融资",
        "知识产权",
        "品牌建设",
        "稳岗就业",
        "首台套",
        "外贸",
        "总部经济",
        "载体租金",
    ]
    kinds = ["奖励", "补贴", "贴息", "专项资金", "券"]
    industries = [
        "C",
        "C39",
        "C397",
        "C27",
        "C35",
        "C38",
        "I",
        "I65",
        "I64",
        "M",
        "M73",
        "M75",
        "L72",
        "F51",
        "G59",
        "C34",
        "C26",
        "R86",
    ]
    docs = []
    for i in range(count):
        conds: list[dict[str, Any]] = []
        pool = rng.sample(
            [
                "industry",
                "size",
                "capital",
                "age",
                "cert",
                "district",
                "employees",
                "revenue",
                "rd",
                "lacks",
            ],
            k=rng.randint(2, 5),
        )
        for kind in pool:
            if kind == "industry":
                conds.append(
                    {
                        "field": "industry",
                        "op": "prefix",
                        "value": rng.sample(industries, k=rng.randint(1, 3)),
                    }
                )
            elif kind == "size":
                conds.append(
                    {
                        "field": "size",
                        "op": "in",
                        "value": rng.sample(list(SIZES), k=rng.randint(1, 3)),
                    }
                )
            elif kind == "capital":
                conds.append(
                    {
                        "field": "registered_capital_wan",
                        "op": "gte",
                        "value": rng.choice([50, 100, 200, 500, 1000, 5000]),
                    }
                )
            elif kind == "age":
                op = rng.choice(["gte", "lte"])
                conds.append(
                    {"field": "age_years", "op": op, "value": rng.choice([1, 2, 3, 5, 10])}
                )
            elif kind == "cert":
                conds.append(
                    {
                        "field": "certifications",
                        "op": "has_any",
                        "value": rng.sample(certs, k=rng.randint(1, 2)),
                    }
                )
            elif kind == "lacks":
                conds.append({"field": "certifications", "op": "lacks", "value": rng.choice(certs)})
            elif kind == "district":
                conds.append(
                    {
                        "field": "district",
                        "op": "in",
                        "value": rng.sample(districts, k=rng.randint(1, 4)),
                    }
                )
            elif kind == "employees":
                conds.append(
                    {
                        "field": "employees",
                        "op": "between",
                        "value": sorted(rng.sample([5, 10, 20, 50, 100, 300, 1000], k=2)),
                    }
                )
            elif kind == "revenue":
                conds.append(
                    {
                        "field": "annual_revenue_wan",
                        "op": "gte",
                        "value": rng.choice([100, 500, 2000, 5000, 20000]),
                    }
                )
            else:
                conds.append(
                    {"field": "rd_ratio", "op": "gte", "value": rng.choice([2, 3, 4, 5, 6])}
                )
        split = rng.randint(0, len(conds) - 1) if len(conds) > 2 else len(conds)
        opens = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 200))
        topic, kind_ = rng.choice(topics), rng.choice(kinds)
        any_part = conds[split:]
        # An "any" group of one is just another "all" condition.
        all_part, any_part = (conds[:split], any_part) if len(any_part) >= 2 else (conds, [])
        docs.append(
            {
                "id": f"syn{i:04d}",
                "title_zh": f"示例政策{i:04d}：{topic}{kind_}",
                "title_en": f"Sample policy {i:04d}",
                "issuer_zh": "示例发文单位",
                "issuer_en": "Sample issuer",
                "benefit_zh": f"最高{rng.choice([5, 10, 20, 50, 100, 200])}万元（示例）",
                "benefit_en": "Sample benefit",
                "opens": opens.isoformat(),
                "closes": (opens + dt.timedelta(days=rng.randint(30, 365))).isoformat(),
                "all": all_part,
                "any": any_part,
            }
        )
    return docs


def shipped_document(
    sample: Mapping[str, Any], total: int = SHIPPED_COUNT, *, seed: int = SEED
) -> dict[str, Any]:
    """The hand-written ``sample`` document's policies followed by generated ones up to
    ``total`` (the version says so: ``2026.11.1+2147``)."""
    hand = list(sample["policies"])
    extra = synthetic_documents(
        max(0, total - len(hand)),
        seed=seed,
        certifications=list(sample["certifications"]),
        districts=list(sample["districts"]),
    )
    return {**sample, "version": f"{sample.get('version', '')}+{total}", "policies": hand + extra}
