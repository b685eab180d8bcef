"""The store writer: one thread runs the queued writes in order; barriers wait for them
without blocking the event loop; a job that raises stops the later ones."""

from __future__ import annotations

import asyncio
import threading

import pytest

from harness.store.writer import StoreWriter


def test_jobs_run_in_the_order_they_were_queued_from_any_thread():
    writer = StoreWriter()
    done: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10_000))

    def queue_some() -> None:
        for _ in range(500):
            with lock:  # the order of queueing is the order of numbers
                n = next(counter)
                writer.submit(lambda n=n: done.append(n))

    threads = [threading.Thread(target=queue_some) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.wait()
    assert done == list(range(2000))
    writer.close()


async def test_drained_waits_for_a_slow_job_while_the_loop_keeps_running():
    writer = StoreWriter()
    release = threading.Event()
    ran: list[str] = []
    writer.submit(lambda: (release.wait(10), ran.append("slow")))
    writer.submit(lambda: ran.append("next"))
    ticks = 0
    waiting = asyncio.create_task(writer.drained())
    while ticks < 20:  # the event loop is free while the writer waits
        await asyncio.sleep(0.001)
        ticks += 1
    assert not waiting.done() and ran == []
    release.set()
    await waiting
    assert ran == ["slow", "next"]
    writer.close()


async def test_a_job_that_raises_stops_the_later_jobs_and_every_barrier_raises_it():
    writer = StoreWriter()
    ran: list[int] = []

    def broken() -> None:
        raise RuntimeError("bug while encoding step 2")

    writer.submit(lambda: ran.append(1))
    writer.submit(broken)
    writer.submit(lambda: ran.append(3))  # never stored without step 2
    with pytest.raises(RuntimeError, match="step 2"):
        await writer.drained()
    with pytest.raises(RuntimeError, match="step 2"):
        writer.wait()
    with pytest.raises(RuntimeError, match="step 2"):
        writer.raise_error()
    assert ran == [1]
    writer.close()


async def test_a_cancelled_waiter_does_not_disturb_the_writer():
    writer = StoreWriter()
    release = threading.Event()
    writer.submit(lambda: release.wait(10))
    waiting = asyncio.create_task(writer.drained())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    await writer.drained()
    assert writer.pending == 0
    writer.close()


def test_close_runs_what_is_queued_and_a_later_job_starts_the_thread_again():
    writer = StoreWriter()
    ran: list[int] = []
    writer.submit(lambda: ran.append(1))
    writer.close()
    assert ran == [1]
    writer.submit(lambda: ran.append(2))
    writer.wait()
    assert ran == [1, 2]
    writer.close()
