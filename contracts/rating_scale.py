"""The 好差评 scale both sides name: five levels (5 非常满意 … 1 非常不满意), the four indicators of
the offline channel (1-5 each) and the comment's limit. Plain data, no pydantic: the kiosk's
rating screen is built before the first frame, where pydantic is not loaded
(:mod:`contracts.ratings` holds the station routes' models).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# level -> (zh, en), best first.
LEVELS: Final[Mapping[int, tuple[str, str]]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
POOR: Final = frozenset({1, 2})
# indicator -> (zh, en), in the order the forms show them.
INDICATORS: Final[Mapping[str, tuple[str, str]]] = {
    "overall": ("整体满意度", "Overall satisfaction"),
    "efficiency": ("服务效率", "Efficiency"),
    "skill": ("服务水平", "Competence"),
    "attitude": ("服务态度", "Attitude"),
}
MAX_COMMENT: Final = 300
