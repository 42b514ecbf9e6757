"""How a walk-in gets a document result: pick-up at the filing station, or EMS 政务专递.

Chosen at review for services whose result is a document (``result_document`` in the catalog),
carried in the submission payload as ``"delivery"`` and read by the hall at intake::

    {"method": "pickup"}
    {"method": "ems", "province": "江苏省", "city": "苏州市", "district": "虎丘区",
     "street": "...", "recipient": "...", "mobile": "1xxxxxxxxxx"}

The address pickers offer Jiangsu only (the district's EMS contract covers the province).
:func:`parse_delivery` is the one check both sides run; it raises :class:`DeliveryError` with a
code per field so the kiosk can name what to fix. The address, recipient and number are personal
data: reprs leave them out, the hall keeps them sealed with the filing. The officer records the
EMS waybill number when sending (:func:`check_waybill`). Plain data, no pydantic: the kiosk's
review screen imports this before pydantic loads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

Method = Literal["pickup", "ems"]
METHODS: Final[tuple[Method, ...]] = ("pickup", "ems")
METHOD_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    "pickup": ("到本站点领取", "Pick up at this station"),
    "ems": ("EMS政务专递", "EMS government mail"),
}

PROVINCE: Final = ("江苏省", "Jiangsu")

# city (zh, en) -> districts (zh, en): Jiangsu's 13 prefecture-level cities and their county-level
# divisions (2024 division; 苏州高新区 is 虎丘区).
_REGIONS: Final[tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]] = (
    (("南京市", "Nanjing"), (
        ("玄武区", "Xuanwu District"), ("秦淮区", "Qinhuai District"),
        ("建邺区", "Jianye District"), ("鼓楼区", "Gulou District"),
        ("浦口区", "Pukou District"), ("栖霞区", "Qixia District"),
        ("雨花台区", "Yuhuatai District"), ("江宁区", "Jiangning District"),
        ("六合区", "Luhe District"), ("溧水区", "Lishui District"),
        ("高淳区", "Gaochun District"),
    )),
    (("无锡市", "Wuxi"), (
        ("梁溪区", "Liangxi District"), ("锡山区", "Xishan District"),
        ("惠山区", "Huishan District"), ("滨湖区", "Binhu District"),
        ("新吴区", "Xinwu District"), ("江阴市", "Jiangyin City"), ("宜兴市", "Yixing City"),
    )),
    (("徐州市", "Xuzhou"), (
        ("鼓楼区", "Gulou District"), ("云龙区", "Yunlong District"),
        ("贾汪区", "Jiawang District"), ("泉山区", "Quanshan District"),
        ("铜山区", "Tongshan District"), ("丰县", "Feng County"), ("沛县", "Pei County"),
        ("睢宁县", "Suining County"), ("新沂市", "Xinyi City"), ("邳州市", "Pizhou City"),
    )),
    (("常州市", "Changzhou"), (
        ("天宁区", "Tianning District"), ("钟楼区", "Zhonglou District"),
        ("新北区", "Xinbei District"), ("武进区", "Wujin District"),
        ("金坛区", "Jintan District"), ("溧阳市", "Liyang City"),
    )),
    (("苏州市", "Suzhou"), (
        ("虎丘区", "Huqiu District (SND)"), ("吴中区", "Wuzhong District"),
        ("相城区", "Xiangcheng District"), ("姑苏区", "Gusu District"),
        ("吴江区", "Wujiang District"), ("常熟市", "Changshu City"),
        ("张家港市", "Zhangjiagang City"), ("昆山市", "Kunshan City"),
        ("太仓市", "Taicang City"),
    )),
    (("南通市", "Nantong"), (
        ("崇川区", "Chongchuan District"), ("通州区", "Tongzhou District"),
        ("海门区", "Haimen District"), ("如东县", "Rudong County"),
        ("启东市", "Qidong City"), ("如皋市", "Rugao City"), ("海安市", "Hai'an City"),
    )),
    (("连云港市", "Lianyungang"), (
        ("连云区", "Lianyun District"), ("海州区", "Haizhou District"),
        ("赣榆区", "Ganyu District"), ("东海县", "Donghai County"),
        ("灌云县", "Guanyun County"), ("灌南县", "Guannan County"),
    )),
    (("淮安市", "Huai'an"), (
        ("清江浦区", "Qingjiangpu District"), ("淮安区", "Huai'an District"),
        ("淮阴区", "Huaiyin District"), ("洪泽区", "Hongze District"),
        ("涟水县", "Lianshui County"), ("盱眙县", "Xuyi County"),
        ("金湖县", "Jinhu County"),
    )),
    (("盐城市", "Yancheng"), (
        ("亭湖区", "Tinghu District"), ("盐都区", "Yandu District"),
        ("大丰区", "Dafeng District"), ("响水县", "Xiangshui County"),
        ("滨海县", "Binhai County"), ("阜宁县", "Funing County"),
        ("射阳县", "Sheyang County"), ("建湖县", "Jianhu County"),
        ("东台市", "Dongtai City"),
    )),
    (("扬州市", "Yangzhou"), (
        ("广陵区", "Guangling District"), ("邗江区", "Hanjiang District"),
        ("江都区", "Jiangdu District"), ("宝应县", "Baoying County"),
        ("仪征市", "Yizheng City"), ("高邮市", "Gaoyou City"),
    )),
    (("镇江市", "Zhenjiang"), (
        ("京口区", "Jingkou District"), ("润州区", "Runzhou District"),
        ("丹徒区", "Dantu District"), ("丹阳市", "Danyang City"),
        ("扬中市", "Yangzhong City"), ("句容市", "Jurong City"),
    )),
    (("泰州市", "Taizhou"), (
        ("海陵区", "Hailing District"), ("高港区", "Gaogang District"),
        ("姜堰区", "Jiangyan District"), ("兴化市", "Xinghua City"),
        ("靖江市", "Jingjiang City"), ("泰兴市", "Taixing City"),
    )),
    (("宿迁市", "Suqian"), (
        ("宿城区", "Sucheng District"), ("宿豫区", "Suyu District"),
        ("沭阳县", "Shuyang County"), ("泗阳县", "Siyang County"),
        ("泗洪县", "Sihong County"),
    )),
)  # fmt: skip


@dataclass(frozen=True)
class Region:
    zh: str
    en: str


def cities() -> tuple[Region, ...]:
    """Jiangsu's cities in the order the picker shows them."""
    return tuple(Region(*city) for city, _ in _REGIONS)


def districts(city_zh: str) -> tuple[Region, ...]:
    """The districts of ``city_zh`` (empty for a city outside Jiangsu)."""
    for city, parts in _REGIONS:
        if city[0] == city_zh:
            return tuple(Region(*d) for d in parts)
    return ()


MAX_STREET: Final = 80
MIN_STREET: Final = 4
MAX_RECIPIENT: Final = 20
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# Letters, CJK, the middle dot of minority names, spaces between Latin names.
_NAME = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf·A-Za-z][\u4e00-\u9fff\u3400-\u4dbf·A-Za-z .'-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class DeliveryError(ValueError):
    """A delivery the check refused: ``reasons`` maps each field to a code the UI translates."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.reasons = dict(reasons)
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items())))


@dataclass(frozen=True)
class Delivery:
    method: Method
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    recipient: str = ""
    mobile: str = ""

    def to_json(self) -> dict[str, str]:
        if self.method == "pickup":
            return {"method": "pickup"}
        return {
            "method": "ems",
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "street": self.street,
            "recipient": self.recipient,
            "mobile": self.mobile,
        }

    def region_line(self) -> str:
        """Province, city and district: what a masked view may show."""
        return f"{self.province}{self.city}{self.district}"

    def __repr__(self) -> str:  # personal data: the method only
        return f"Delivery(method={self.method!r})"


_EMS_KEYS: Final = frozenset(
    {"method", "province", "city", "district", "street", "recipient", "mobile"}
)


def parse_delivery(value: Any) -> Delivery:
    """Check a decoded ``delivery`` object strictly (unknown keys refused, texts trimmed)."""
    if not isinstance(value, Mapping):
        raise DeliveryError({"delivery": "not_an_object"})
    method = value.get("method")
    if method == "pickup":
        extra = set(value) - {"method"}
        if extra:
            raise DeliveryError({k: "unexpected" for k in extra})
        return Delivery("pickup")
    if method != "ems":
        raise DeliveryError({"method": "unknown_method"})
    reasons: dict[str, str] = {}
    for k in set(value) - _EMS_KEYS:
        reasons[str(k)] = "unexpected"
    texts: dict[str, str] = {}
    for k in _EMS_KEYS - {"method"}:
        v = value.get(k, "")
        if not isinstance(v, str):
            reasons[k] = "not_text"
            v = ""
        v = v.strip()
        if _CONTROL.search(v):
            reasons[k] = "control_character"
        texts[k] = v
    if texts["province"] != PROVINCE[0]:
        reasons.setdefault("province", "outside_jiangsu" if texts["province"] else "required")
    known = districts(texts["city"])
    if not texts["city"]:
        reasons.setdefault("city", "required")
    elif not known:
        reasons.setdefault("city", "unknown_city")
    if not texts["district"]:
        reasons.setdefault("district", "required")
    elif known and texts["district"] not in {d.zh for d in known}:
        reasons.setdefault("district", "unknown_district")
    street = texts["street"]
    if not street:
        reasons.setdefault("street", "required")
    elif len(street) < MIN_STREET:
        reasons.setdefault("street", "too_short")
    elif len(street) > MAX_STREET:
        reasons.setdefault("street", "too_long")
    recipient = texts["recipient"]
    if not recipient:
        reasons.setdefault("recipient", "required")
    elif len(recipient) > MAX_RECIPIENT:
        reasons.setdefault("recipient", "too_long")
    elif not _NAME.match(recipient):
        reasons.setdefault("recipient", "bad_name")
    if not texts["mobile"]:
        reasons.setdefault("mobile", "required")
    elif not _MOBILE.match(texts["mobile"]):
        reasons.setdefault("mobile", "bad_mobile")
    if reasons:
        raise DeliveryError(reasons)
    return Delivery(
        "ems",
        texts["province"],
        texts["city"],
        texts["district"],
        street,
        recipient,
        texts["mobile"],
    )


# EMS waybills: 13 digits (domestic) or the UPU S10 form, e.g. EA123456789CN, whose ninth digit
# is a check digit over the first eight.
_WAYBILL_DIGITS = re.compile(r"^[0-9]{13}$")
_WAYBILL_S10 = re.compile(r"^([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})$")
_S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)


def _s10_check_digit(serial: str) -> int:
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def check_waybill(value: object) -> str:
    """The waybill number normalised (upper case, no spaces), or ValueError with a code."""
    if not isinstance(value, str):
        raise ValueError("not_text")
    number = re.sub(r"[\s-]", "", value).upper()
    if _WAYBILL_DIGITS.match(number):
        return number
    m = _WAYBILL_S10.match(number)
    if m is None:
        raise ValueError("bad_waybill")
    if _s10_check_digit(m.group(2)) != int(m.group(3)):
        raise ValueError("bad_check_digit")
    return number
