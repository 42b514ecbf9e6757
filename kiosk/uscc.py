"""What a unified social credit code (GB 32100-2015) itself tells about an enterprise — and what
it cannot — to prefill a policy-matching profile; plus finding a USCC in a scanned QR payload."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from kiosk.policies import EnterpriseProfile
from kiosk.services.validators import is_valid_uscc

# GB 32100-2015 position 1 (registration authority) and, for the common ones, position 2.
_AUTHORITIES: Final[Mapping[str, tuple[str, str]]] = {
    "1": ("机构编制部门", "institutional establishment authority"),
    "2": ("外交部门", "foreign affairs authority"),
    "3": ("司法行政部门", "justice administration"),
    "4": ("文化部门", "culture authority"),
    "5": ("民政部门", "civil affairs authority"),
    "6": ("旅游部门", "tourism authority"),
    "7": ("宗教事务部门", "religious affairs authority"),
    "8": ("工会", "trade union"),
    "9": ("市场监督管理部门（原工商）", "market regulation (business registration)"),
    "A": ("中央军委改革和编制办公室", "Central Military Commission establishment office"),
    "N": ("农业农村部门", "agriculture authority"),
    "Y": ("其他登记管理部门", "other registration authority"),
}
_ORG_TYPES: Final[Mapping[str, tuple[str, str]]] = {
    "91": ("企业", "enterprise"),
    "92": ("个体工商户", "sole trader"),
    "93": ("农民专业合作社", "farmers' cooperative"),
    "11": ("机关", "government body"),
    "12": ("事业单位", "public institution"),
    "13": ("群众团体", "mass organisation"),
    "51": ("社会团体", "social organisation"),
    "52": ("民办非企业单位", "private non-enterprise unit"),
    "53": ("基金会", "foundation"),
}
_SUZHOU_REGIONS: Final[Mapping[str, tuple[str, str]]] = {
    "320500": ("江苏省苏州市（市本级）", "Suzhou (city level)"),
    "320505": ("江苏省苏州市虎丘区（苏州高新区）", "Huqiu District (Suzhou High-tech District)"),
    "320506": ("江苏省苏州市吴中区", "Wuzhong District, Suzhou"),
    "320507": ("江苏省苏州市相城区", "Xiangcheng District, Suzhou"),
    "320508": ("江苏省苏州市姑苏区", "Gusu District, Suzhou"),
    "320509": ("江苏省苏州市吴江区", "Wujiang District, Suzhou"),
    "320581": ("江苏省常熟市", "Changshu"),
    "320582": ("江苏省张家港市", "Zhangjiagang"),
    "320583": ("江苏省昆山市", "Kunshan"),
    "320585": ("江苏省太仓市", "Taicang"),
}
_PROVINCES: Final[Mapping[str, str]] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
HIGH_TECH_DISTRICT_REGION: Final = "320505"

# What the code cannot say; the hall looks these up (enterprise register, certification lists).
CANNOT_TELL: Final[tuple[tuple[str, str], ...]] = (
    ("所属行业", "industry"),
    ("企业规模", "size"),
    ("注册资本", "registered capital"),
    ("成立日期", "founding date"),
    ("资质认定（如高新技术企业）", "certifications (e.g. high-tech enterprise)"),
    ("具体街道、镇（注册地在代码中只到区县）", "street or town (the code stops at the county)"),
)


@dataclass(frozen=True, slots=True)
class UsccInfo:
    """What an 18-character USCC itself encodes. ``region`` is where the *registering
    authority* sits (positions 3-8), which is usually but not always the current address."""

    uscc: str
    authority_zh: str
    authority_en: str
    org_type_zh: str
    org_type_en: str
    region_code: str
    region_zh: str
    region_en: str
    in_high_tech_district: bool
    organization_code: str  # positions 9-17: the old national organisation code
    cannot_tell: tuple[tuple[str, str], ...] = CANNOT_TELL


def uscc_info(code: str) -> UsccInfo | None:
    """Decode a valid USCC; None for an invalid one (check digit and alphabet are verified)."""
    if not is_valid_uscc(code):
        return None
    code = code.upper()
    authority = _AUTHORITIES.get(code[0], ("未知登记管理部门", "unknown authority"))
    org_type = _ORG_TYPES.get(code[:2], ("其他类型", "other"))
    region = code[2:8]
    if region in _SUZHOU_REGIONS:
        region_zh, region_en = _SUZHOU_REGIONS[region]
    elif region[:2] in _PROVINCES:
        region_zh, region_en = _PROVINCES[region[:2]] + f"（行政区划代码 {region}）", region
    else:
        region_zh, region_en = f"行政区划代码 {region}", region
    return UsccInfo(
        uscc=code,
        authority_zh=authority[0],
        authority_en=authority[1],
        org_type_zh=org_type[0],
        org_type_en=org_type[1],
        region_code=region,
        region_zh=region_zh,
        region_en=region_en,
        in_high_tech_district=region == HIGH_TECH_DISTRICT_REGION,
        organization_code=code[8:17],
    )


def profile_from_uscc(code: str) -> EnterpriseProfile | None:
    """A profile prefilled from a USCC: only the code itself. Everything else stays None for
    the walk-in to answer or the hall to look up; guessing would make matches lie."""
    info = uscc_info(code)
    return None if info is None else EnterpriseProfile(uscc=info.uscc)


_USCC_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def uscc_from_qr(payload: str) -> str | None:
    """A USCC found in an enterprise QR payload (text or a URL carrying the code), if any.

    The national electronic business licence QR code carries an opaque, signed token, not the
    code in clear: such a payload yields None here and must be resolved by the hall.
    """
    for token in _USCC_TOKEN.findall(payload.upper()):
        if is_valid_uscc(token):
            return str(token)
    return None
