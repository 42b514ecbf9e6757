"""A generated district-scale catalog (272 services by default) for tests and the benchmark.

The district hall's real list of 272 items is not public, so this fills the shipped sample up to
the wanted size with realistic names: per department a few subjects (食品经营许可, 排污许可 ...)
and the usual actions on them (新办, 变更, 延续, 注销, 补证 ...), over the sample's themes. The
same arguments give the same document, byte for byte (no randomness, no clock), so a figure or a
test that depends on it is repeatable. The result goes through :func:`contracts.catalog.
parse_catalog` like any published catalog.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Final

from contracts.catalog import Catalog, parse_catalog
from kiosk.services.catalog import DEFAULT_CATALOG_PATH

__all__ = ["DISTRICT_SERVICES", "synthetic_catalog", "synthetic_catalog_document"]

DISTRICT_SERVICES: Final = 272  # the seed's hall: 272 items from 8+ departments

# department -> theme -> subjects (zh, en)
_SUBJECTS: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    "market_regulation": (
        "market_licences",
        (
            ("食品经营许可", "food business licence"),
            ("药品经营许可", "pharmaceutical trading licence"),
            ("医疗器械经营备案", "medical device trading filing"),
            ("工业产品生产许可", "industrial product production licence"),
            ("计量器具型式批准", "measuring instrument type approval"),
            ("广告发布登记", "advertising registration"),
            ("商标质押登记", "trademark pledge registration"),
            ("股权出质登记", "equity pledge registration"),
        ),
    ),
    "approval": (
        "enterprise_startup",
        (
            ("公司设立登记", "company establishment registration"),
            ("分公司设立登记", "branch registration"),
            ("农民专业合作社登记", "farmers' cooperative registration"),
            ("外商投资企业设立", "foreign-invested enterprise establishment"),
            ("人力资源服务许可", "human resources service licence"),
            ("劳务派遣经营许可", "labour dispatch licence"),
        ),
    ),
    "tax": (
        "tax_invoices",
        (
            ("增值税一般纳税人登记", "general VAT taxpayer registration"),
            ("数电发票额度调整", "digital invoice quota adjustment"),
            ("跨区域涉税事项报告", "cross-region tax matter report"),
            ("研发费用加计扣除备案", "R&D super-deduction filing"),
            ("税收优惠资格备案", "tax incentive eligibility filing"),
            ("非居民企业税务登记", "non-resident enterprise tax registration"),
        ),
    ),
    "hr_social_security": (
        "hr_social",
        (
            ("职工参保信息变更", "employee insurance record change"),
            ("工伤认定申请", "work injury determination"),
            ("稳岗返还申领", "job retention refund"),
            ("职业技能等级认定", "vocational skill level accreditation"),
            ("就业见习补贴申领", "internship subsidy"),
            ("高校毕业生社保补贴", "graduate social insurance subsidy"),
        ),
    ),
    "housing_construction": (
        "construction",
        (
            ("建筑业企业资质", "construction enterprise qualification"),
            ("商品房预售许可", "pre-sale permit for commercial housing"),
            ("施工图审查备案", "construction drawing review filing"),
            ("燃气经营许可", "gas business licence"),
            ("城市道路挖掘许可", "urban road excavation permit"),
        ),
    ),
    "state_grid": (
        "power_energy",
        (
            ("低压用电报装", "low-voltage connection"),
            ("临时用电", "temporary electricity supply"),
            ("分布式光伏并网", "distributed solar grid connection"),
            ("电价类别变更", "tariff category change"),
            ("计量装置校验", "meter calibration"),
        ),
    ),
    "science_technology": (
        "technology",
        (
            ("科技项目立项", "science project approval"),
            ("研发机构备案", "R&D institution filing"),
            ("技术合同认定登记", "technology contract registration"),
            ("科技成果登记", "scientific achievement registration"),
            ("孵化器认定", "incubator accreditation"),
        ),
    ),
    "enterprise_service": (
        "policy_services",
        (
            ("惠企政策申报", "business support policy application"),
            ("专精特新企业培育", "specialised SME development"),
            ("企业上市辅导", "IPO coaching"),
            ("融资对接服务", "financing matchmaking"),
        ),
    ),
    "development_reform": (
        "construction",
        (
            ("企业投资项目核准", "enterprise investment project approval"),
            ("境外投资项目备案", "outbound investment project filing"),
            ("粮食收购资格", "grain purchase qualification"),
        ),
    ),
    "commerce": (
        "commerce_finance",
        (
            ("单用途预付卡备案", "single-purpose prepaid card filing"),
            ("拍卖企业经营许可", "auction business licence"),
            ("二手车交易市场备案", "used-car market filing"),
        ),
    ),
    "finance": (
        "commerce_finance",
        (
            ("创业担保贷款贴息", "start-up guaranteed loan interest subsidy"),
            ("政府采购合同备案", "government procurement contract filing"),
            ("财政专项资金申报", "special fiscal fund application"),
        ),
    ),
    "natural_resources_planning": (
        "construction",
        (
            ("建设用地规划许可", "land-use planning permit"),
            ("不动产首次登记", "first real estate registration"),
            ("规划条件核实", "planning condition verification"),
        ),
    ),
    "ecology_environment": (
        "environment_transport",
        (
            ("建设项目环评审批", "environmental impact approval"),
            ("危险废物经营许可", "hazardous waste business licence"),
            ("辐射安全许可", "radiation safety licence"),
        ),
    ),
    "transport": (
        "environment_transport",
        (
            ("道路运输证", "road transport certificate"),
            ("网络预约出租汽车经营许可", "ride-hailing business licence"),
            ("机动车维修经营备案", "vehicle repair business filing"),
        ),
    ),
}

# (zh, en, days): what one does with a licence, permit or filing.
_ACTIONS: Final = (
    ("新办", "new application for", 10),
    ("变更", "change of", 5),
    ("延续", "renewal of", 10),
    ("注销", "cancellation of", 3),
    ("补证", "replacement of", 3),
    ("信息查询", "record enquiry for", 1),
)


def synthetic_catalog_document(count: int = DISTRICT_SERVICES) -> dict[str, Any]:
    """The shipped sample filled up to ``count`` services with generated ones (deterministic)."""
    sample: dict[str, Any] = json.loads(DEFAULT_CATALOG_PATH.read_bytes())
    doc = copy.deepcopy(sample)
    doc["version"] = f"{sample['version']}-district{count}"
    services: list[dict[str, Any]] = doc["services"]
    template = next(s for s in sample["services"] if s["id"] == "company_change_registration")
    have = {s["id"] for s in services}
    rounds = [
        (department, theme, subject, action)
        for action in _ACTIONS
        for department, (theme, subjects) in _SUBJECTS.items()
        for subject in subjects
    ]
    for n, (department, theme, (zh, en), (act_zh, act_en, days)) in enumerate(rounds):
        if len(services) >= count:
            break
        service_id = f"gen_{n:03d}_{department}"[:64]
        if service_id in have:
            continue
        name_zh, name_en = f"{zh}{act_zh}", f"{act_en[0].upper()}{act_en[1:]} {en}"
        item = copy.deepcopy(template)
        item.update(
            id=service_id,
            name_zh=name_zh,
            name_en=name_en,
            department=department,
            category=theme,
            summary_zh=f"办理{name_zh}，材料齐全的当场受理。",
            summary_en=f"{name_en}; complete applications are accepted on the spot.",
            time_limit_days=days,
            result_document=act_zh in ("新办", "变更", "延续", "补证"),
        )
        item["form"]["fields"] = [
            f for f in item["form"]["fields"] if f["name"] in ("enterprise_name", "uscc", "mobile")
        ]
        item["parts"] = [
            {"id": service_id, "department": department, "name_zh": name_zh, "name_en": name_en}
        ]
        services.append(item)
    if len(services) < count:
        raise ValueError(f"the generator makes at most {len(services)} services")
    del services[count:]
    return doc


def synthetic_catalog(count: int = DISTRICT_SERVICES) -> Catalog:
    """:func:`synthetic_catalog_document`, checked and built like a published catalog."""
    return parse_catalog(synthetic_catalog_document(count), source=f"synthetic{count}")
