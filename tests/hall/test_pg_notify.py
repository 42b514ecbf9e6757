"""The bus between hall instances (hall.pg_notify) on the real PostgreSQL fixture: messages reach
every instance in the order sent, long ones (over NOTIFY's 8000 bytes, Chinese text) whole; an
exclusive advisory lock excludes, shared ones share, pg_locks shows them all, and an instance's
locks are gone the moment its connections are."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from sqlalchemy import create_engine

from hall.pg_notify import PAYLOAD_MAX, Bus, lock_key


def test_messages_in_order_long_ones_whole_and_locks_that_die_with_their_instance(
    postgres: Any,
) -> None:
    engine = create_engine(postgres.new_database())

    async def scenario() -> None:
        got_a: list[dict[str, Any]] = []
        got_b: list[dict[str, Any]] = []
        a, b = Bus(engine, got_a.append), Bus(engine, got_b.append)
        await a.start()
        await b.start()
        try:
            long_text = "启航" * PAYLOAD_MAX  # ~42 KB of UTF-8: several NOTIFY payloads
            sent: list[dict[str, Any]] = [{"n": 1}, {"n": 2, "text": long_text}, {"n": 3}]
            for message in sent:
                await a.publish(message)
            for _ in range(200):  # bounds a broken run; not a speed requirement
                if len(got_b) == 3 and len(got_a) == 3:
                    break
                await asyncio.sleep(0.01)
            assert got_b == sent and got_a == sent

            call, side = lock_key("call-1"), lock_key("call-1", "kiosk")
            assert call != side
            assert await a.try_lock(call)
            assert not await b.try_lock(call)  # owned by a
            await b.lock_shared(side)
            await a.lock_shared(side)  # shared locks share
            assert not await a.try_lock(side)  # ... and keep an exclusive taker out
            held = await b.held()
            assert {call, side} <= held
            await a.close()  # a's connections (and so its locks) go, as when it is killed
            # The server releases them once a's backend has exited, a moment after the close.
            for _ in range(200):  # bounds a broken run; not a speed requirement
                held = await b.held()
                if call not in held:
                    break
                await asyncio.sleep(0.01)
            assert call not in held and side in held  # b's shared lock stays
            assert await b.try_lock(call)  # the call can be taken over
            await b.unlock_shared(side)
            assert side not in await b.held()
        finally:
            await a.close()
            await b.close()

    try:
        # A thread of its own: an earlier test (Playwright's sync API) may leave an event loop
        # running in this one, where asyncio.run() refuses to start.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, scenario()).result()
    finally:
        engine.dispose()
