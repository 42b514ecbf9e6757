"""Card reading: GA/T 467 full read vs the line's wire time, and eMRTD APDU economy.

GA/T 467: find + select + read (30 01) through the real Ga467CardReader and pyserial, against
the emulator on a pty pacing its replies at 115200 baud (8N1 = 10 bits a byte). The figure is
elapsed / wire time of every byte exchanged (goal <= 1.5). eMRTD: DG1 + DG2 (and EF.COM) through
the real PcscCardReader, pcscd and vpcd against the virtual passport: APDUs sent vs the minimum
(one SELECT + ceil(size / max Le) READ BINARY per file) and the time. If pcscd cannot be
started, the eMRTD part runs in-process against the same virtual card and says so; `--quick`
always runs it in-process.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

from drivers.card_reader.emrtd import EmrtdReader
from drivers.card_reader.ga467_emulator import BITS_PER_BYTE, EmulatedGa467CardReader
from drivers.card_reader.vpcd_card import SAMPLE_MRZ_KEY, EmrtdData, VirtualCard

BAUD = 115200
KEYS = (
    "runs",
    "baud",
    "ga467_full_read_s",
    "ga467_wire_s",
    "ga467_bytes",
    "ga467_commands",
    "ga467_ratio",
    "emrtd_transport",
    "emrtd_read_s",
    "emrtd_max_le",
    "emrtd_file_sizes",
    "emrtd_file_apdus",
    "emrtd_file_apdus_min",
    "emrtd_apdus_total",
)


def _ga467(runs: int) -> dict[str, Any]:
    rig = EmulatedGa467CardReader.from_options({"auto_place": True, "pace": True, "baud": BAUD})
    try:
        rig.read_identity(5.0)  # warm-up: opens the port and checks the SAM once
        ratios, times, wires = [], [], []
        for _ in range(runs):
            rig.reader.reset_stats()
            started = time.perf_counter()
            rig.read_identity(5.0)
            elapsed = time.perf_counter() - started
            wire = (rig.reader.bytes_in + rig.reader.bytes_out) * BITS_PER_BYTE / BAUD
            times.append(elapsed)
            wires.append(wire)
            ratios.append(elapsed / wire)
        return {
            "ga467_full_read_s": round(statistics.median(times), 4),
            "ga467_wire_s": round(statistics.median(wires), 4),
            "ga467_bytes": rig.reader.bytes_in + rig.reader.bytes_out,
            "ga467_commands": rig.reader.commands,
            "ga467_ratio": round(statistics.median(ratios), 3),
        }
    finally:
        rig.close()


def _minimum(sizes: dict[str, int], max_le: int) -> int:
    return sum(1 + math.ceil(size / max_le) for size in sizes.values())


def _emrtd_pcsc(runs: int) -> dict[str, Any]:
    from drivers.card_reader.pcsc_virtual import VirtualPcscCardReader

    rig = VirtualPcscCardReader.from_options(
        {"card": "emrtd", "start_pcscd": True, "max_response": 4096}
    )
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            rig.read_identity(10.0, SAMPLE_MRZ_KEY)
            times.append(time.perf_counter() - started)
        stats = rig.reader.last_emrtd
        assert stats is not None
        return _emrtd_figures(stats.apdus, stats.file_apdus, stats.file_sizes, stats.max_le, times,
                              "pcscd+vpcd")  # fmt: skip
    finally:
        rig.close()


def _emrtd_in_process(runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        card = VirtualCard(emrtd_data=EmrtdData(max_response=4096))
        started = time.perf_counter()
        stats = EmrtdReader(card.process).read(SAMPLE_MRZ_KEY)
        times.append(time.perf_counter() - started)
    return _emrtd_figures(
        stats.apdus, stats.file_apdus, stats.file_sizes, stats.max_le, times, "in-process"
    )


def _emrtd_figures(
    apdus: int,
    per_file: dict[str, int],
    sizes: dict[str, int],
    max_le: int,
    times: list[float],
    transport: str,
) -> dict[str, Any]:
    return {
        "emrtd_transport": transport,
        "emrtd_read_s": round(statistics.median(times), 4),
        "emrtd_max_le": max_le,
        "emrtd_file_sizes": sizes,
        "emrtd_file_apdus": sum(per_file.values()),
        "emrtd_file_apdus_min": _minimum(sizes, max_le),
        "emrtd_apdus_total": apdus,  # + EF.ATR/INFO (2), SELECT app (1), BAC (2)
    }


def run(runs: int = 5, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: the eMRTD part in-process, leaving pcscd and vpcd's fixed port alone."""
    out: dict[str, Any] = {"runs": runs, "baud": BAUD}
    out.update(_ga467(runs))
    if quick:
        out.update(_emrtd_in_process(runs))
        return out
    try:
        out.update(_emrtd_pcsc(runs))
    except Exception as exc:  # no pcscd here: still report the APDU economy
        out["emrtd_pcsc_error"] = type(exc).__name__
        out.update(_emrtd_in_process(runs))
    return out
