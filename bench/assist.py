"""Remote assist over loopback: helper edit → applied on the kiosk, and resume after a cut.

- edit latency: a helper socket sends ``field_proposed`` frames one at a time; the kiosk's
  :class:`~remote_assist.client.AssistClient` reports each on its thread; p50/p99 over 1,000
  edits, through the hall's broker (uvicorn, in this process on 127.0.0.1).
- resume: a TCP relay between kiosk and hall drops every connection; the time from the network
  coming back to the call being live again (reconnect, ``resume``/``resumed``, replay), median of
  ``runs``. The kiosk retries every 0.2 s while the network is down, which bounds this figure.
- WebRTC connect time: a helper-side aiortc peer (standing in for the browser) offers through the
  broker; the time from creating the offer to the kiosk's peer reporting "connected", median of
  ``runs``. Host candidates pinned to 127.0.0.1 (aiortc leaves loopback out otherwise).

Everything lives in a temporary folder and stops by itself.
"""

from __future__ import annotations

import contextlib
import queue
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from argon2 import PasswordHasher
from websockets.sync.client import connect

from contracts.clock import SYSTEM_CLOCK
from hall.auth import COOKIE_NAME, StaffStore
from hall.server import HallServer
from hall.store import SubmissionStore
from remote_assist import protocol as p
from remote_assist.client import AssistClient, Status
from remote_assist.media import media_available

EDITS = 1000
QUICK_EDITS = 50
WAIT_S = 10.0
KEYS = (
    "edit_to_kiosk_p50_ms",
    "edit_to_kiosk_p99_ms",
    "edits",
    "resume_after_cut_median_ms",
    "resume_after_cut_max_ms",
    "resume_runs",
    "webrtc_connect_median_ms",
    "webrtc_runs",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _webrtc_connect(
    ws: Any, seq: int, media_states: queue.Queue[str], client: AssistClient
) -> float:
    """Offer from a helper-side aiortc peer over ``ws``; ms until the kiosk says connected."""
    import asyncio

    import aioice.ice
    from aiortc import RTCPeerConnection, RTCSessionDescription

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

    async def offer_and_wait() -> float:
        pc = RTCPeerConnection()
        pc.addTransceiver("video", direction="recvonly")
        start = time.perf_counter()
        await pc.setLocalDescription(await pc.createOffer())
        ws.send(p.dump(p.RtcOffer(sdp=pc.localDescription.sdp), seq))
        while True:
            msg = p.parse_envelope(await asyncio.to_thread(ws.recv, WAIT_S)).message
            if isinstance(msg, p.RtcAnswer):
                break
        await pc.setRemoteDescription(RTCSessionDescription(sdp=msg.sdp, type="answer"))
        while await asyncio.to_thread(media_states.get, True, WAIT_S) != "connected":
            pass
        elapsed = (time.perf_counter() - start) * 1000
        await pc.close()
        return elapsed

    return asyncio.run(offer_and_wait())


def run(runs: int, *, quick: bool = False) -> dict[str, Any]:
    """``quick``: 50 edits instead of 1,000."""
    from tests.assist.proxy import TcpProxy  # the same cuttable relay the tests use
    from tests.hall.helpers import enrol_station  # every station enrols, the bench's too

    edits = QUICK_EDITS if quick else EDITS

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        HallServer(Path(tmp) / "hall.db", password_hasher=hasher) as hall,
    ):
        store = SubmissionStore(hall.db_path)
        StaffStore(store.engine, SYSTEM_CLOCK, hasher).add(
            "bench.helper", "helper", "bench password 1"
        )
        store.close()
        login = requests.post(
            hall.url + "/api/v1/auth/login",
            json={"name": "bench.helper", "password": "bench password 1"},
            timeout=5,
        )
        cookie = f"{COOKIE_NAME}={login.cookies[COOKIE_NAME]}"
        proxy = TcpProxy(int(hall.url.rsplit(":", 1)[1]))
        statuses: queue.Queue[Status] = queue.Queue()
        arrived: queue.Queue[float] = queue.Queue()
        media_states: queue.Queue[str] = queue.Queue()
        identity = enrol_station(hall, "BENCH-1", state_dir=Path(tmp) / "kiosk")
        client = AssistClient(
            proxy.url,
            "BENCH-1",
            auth_headers=identity.headers,
            on_status=statuses.put,
            on_message=lambda _msg: arrived.put(time.perf_counter()),
            on_media_state=media_states.put,
        )

        def wait_phase(phase: str) -> float:
            while True:
                status = statuses.get(timeout=WAIT_S)
                if status.phase == phase:
                    return time.perf_counter()

        try:
            client.request_help("bench")
            client.grant_consent()  # video flows only after consent
            row = {"name": "mobile", "label": "mobile", "value": "", "by": ""}
            client.send(
                p.FormSnapshot(
                    service_id="bench", service_name="", masked=True, fields=[row], materials=[]
                )
            )
            wait_phase("waiting")
            session_id = client.session_id
            helper_http = requests.Session()
            helper_http.headers["Cookie"] = cookie
            helper_http.post(f"{hall.url}/api/v1/assist/sessions/{session_id}/accept", timeout=5)
            wait_phase("live")
            url = hall.url.replace("http://", "ws://") + "/api/v1/assist/helper"
            with connect(url, additional_headers={"Cookie": cookie}, proxy=None) as ws:
                ws.send(p.dump(p.Resume(session_id=session_id, last_seq=0), 0))
                resumed = p.parse_envelope(ws.recv(timeout=WAIT_S)).message
                assert isinstance(resumed, p.Resumed)
                seq = resumed.last_seq
                latencies = []
                for i in range(edits):
                    seq += 1
                    frame = p.dump(p.FieldProposed(name="mobile", value=str(i)), seq)
                    sent = time.perf_counter()
                    ws.send(frame)
                    latencies.append((arrived.get(timeout=WAIT_S) - sent) * 1000)
                connects = (
                    [
                        _webrtc_connect(ws, seq + 10_000 * (i + 1), media_states, client)
                        for i in range(max(1, runs))
                    ]
                    if media_available()
                    else []
                )
                resumes = []
                for _ in range(max(1, runs)):
                    proxy.cut()
                    wait_phase("reconnecting")
                    back = time.perf_counter()
                    proxy.restore()
                    resumes.append((wait_phase("live") - back) * 1000)
        finally:
            client.close()
            proxy.close()
            with contextlib.suppress(Exception):
                helper_http.close()
    return {
        "edit_to_kiosk_p50_ms": round(statistics.median(latencies), 3),
        "edit_to_kiosk_p99_ms": round(_percentile(latencies, 0.99), 3),
        "edits": edits,
        "resume_after_cut_median_ms": round(statistics.median(resumes), 1),
        "resume_after_cut_max_ms": round(max(resumes), 1),
        "resume_runs": len(resumes),
        "webrtc_connect_median_ms": round(statistics.median(connects), 1) if connects else None,
        "webrtc_runs": len(connects),
    }
