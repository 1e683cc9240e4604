"""The outbox loop tells a fault from an absent collector: the first is logged as an error with
where it happened (never its message), the second as a warning; either way the loop lives on."""

import asyncio
import logging

from bot.client import CollectorUnavailable
from bot.outbox import OutboxSender


class Collector:
    """The collector's side of the loop, answering each call from a script: a reply, or an
    exception to raise. The loop under test is the real one."""

    def __init__(self, *script: object) -> None:
        self.script, self.calls = list(script), 0
        self.done = asyncio.Event()

    async def request(self, method: str, path: str, *args, json=None):
        self.calls += 1
        step = self.script.pop(0) if self.script else []
        if not self.script:
            self.done.set()
        if isinstance(step, BaseException):
            raise step
        return step


async def run_until_done(collector: Collector) -> None:
    sender = OutboxSender(None, collector, poll_seconds=0.01, plan_every=0)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_forever(stop))
    await asyncio.wait_for(collector.done.wait(), 5)
    stop.set()
    await task


async def test_a_fault_is_logged_as_an_error_with_its_frames_and_the_loop_goes_on(caplog):
    # The plan's reply is not what the collector sends: the loop's own code fails on it.
    secret = "a narrative that must not be logged"
    collector = Collector([secret], {"queued": 0}, [])
    with caplog.at_level(logging.DEBUG, logger="bot.outbox"):
        await run_until_done(collector)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "outbox failed: AttributeError" in errors[0].getMessage()
    assert "outbox.py" in errors[0].getMessage()  # where it happened
    assert secret not in caplog.text and "has no attribute" not in caplog.text
    assert collector.calls == 3  # planned again, then claimed: the loop lived on


async def test_an_absent_collector_is_a_warning_not_an_error(caplog):
    collector = Collector(CollectorUnavailable("POST /api/reminders/plan"), {"queued": 0}, [])
    with caplog.at_level(logging.DEBUG, logger="bot.outbox"):
        await run_until_done(collector)
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == [logging.WARNING]
    assert "trying again shortly" in caplog.text
