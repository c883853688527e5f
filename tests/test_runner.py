"""Work behind the edits (snnexplorer/ui/runner.py): it starts only once no session's foreground work has run for
QUIET_S, pauses between its steps while some runs, and a stale one ends."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from snnexplorer.ui import runner
from snnexplorer.ui.runner import LatestWins


@pytest.fixture(autouse=True)
def _short_quiet(monkeypatch):
    monkeypatch.setattr(runner, "QUIET_S", 0.2)


def _run(scenario):
    """``asyncio.run(scenario())`` in a thread of its own: the browser tests' Playwright keeps an event loop running in
    pytest's thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario()).result()


def _recorder():
    events: list[tuple[str, float]] = []
    lock = threading.Lock()

    def mark(name: str) -> None:
        with lock:
            events.append((name, time.monotonic()))

    return events, mark


def _at(events, name: str) -> float:
    return next(t for n, t in events if n == name)


def test_work_behind_starts_after_another_sessions_edit_has_ended_and_the_quiet_has_passed():
    events, mark = _recorder()

    def edit() -> str:
        mark("edit start")
        time.sleep(0.4)
        mark("edit end")
        return "numbers"

    def knobs(pause_or_stop) -> str:
        mark("behind start")
        return "priced"

    async def scenario():
        editing, pricing = LatestWins(), LatestWins()  # two sessions
        edit_done = asyncio.ensure_future(editing.run(editing.ticket(), edit))
        await asyncio.sleep(0.05)
        behind = await pricing.run_behind(pricing.ticket(), lambda: False, knobs)
        return await edit_done, behind

    assert _run(scenario) == ((True, "numbers"), (True, "priced"))
    assert _at(events, "behind start") >= _at(events, "edit end") + runner.QUIET_S


def test_work_behind_pauses_between_its_steps_while_an_edit_runs():
    events, mark = _recorder()

    def steps(pause_or_stop) -> str:
        mark("behind start")
        time.sleep(0.1)
        assert not pause_or_stop()  # an edit started meanwhile: this waits for it, then goes on
        mark("behind end")
        return "priced"

    def edit() -> None:
        mark("edit start")
        time.sleep(0.3)
        mark("edit end")

    async def scenario():
        pricing, editing = LatestWins(), LatestWins()
        behind = asyncio.ensure_future(pricing.run_behind(pricing.ticket(), lambda: False, steps))
        while not events:
            await asyncio.sleep(0.01)
        await editing.run(editing.ticket(), edit)
        return await behind

    assert _run(scenario) == (True, "priced")
    assert _at(events, "behind start") < _at(events, "edit start")
    assert _at(events, "behind end") >= _at(events, "edit end") + runner.QUIET_S  # paused behind the edit


def test_stale_work_behind_ends_without_running_and_frees_its_place():
    ran = []

    async def scenario():
        session = LatestWins()
        ticket = session.ticket()
        blocker = asyncio.ensure_future(session.run(session.ticket(), time.sleep, 0.3))  # foreground: it waits
        await asyncio.sleep(0.05)
        outcome = await session.run_behind(ticket, session.stale(ticket), lambda pause_or_stop: ran.append(1))
        await blocker
        after = await session.run_behind(session.latest, lambda: False, lambda pause_or_stop: "priced")
        return outcome, after

    assert _run(scenario) == ((False, None), (True, "priced"))
    assert not ran


def test_a_simulation_asked_for_by_two_sessions_at_once_runs_once():
    from snnexplorer import pipeline
    from snnexplorer.design import load_design

    baseline = load_design("mnist-baseline")
    design = baseline.copy(dataset={**baseline.to_dict()["dataset"], "test_samples": 321})  # not kept yet
    calls = []
    simulate = pipeline.simulate_design

    def counted(*args, **kwargs):
        calls.append(threading.current_thread().name)
        time.sleep(0.2)  # both requests arrive while it runs
        return simulate(*args, **kwargs)

    original, pipeline.simulate_design = pipeline.simulate_design, counted
    try:
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(lambda _: pipeline.activity_for(design), range(2))
    finally:
        pipeline.simulate_design = original
    assert len(calls) == 1 and first is second and first.layers[0].batch == 321


def test_nothing_is_kept_once_keeping_stopped_not_even_work_that_was_running():
    """The served dashboard stops keeping simulations when its last page closes; a simulation (a knob chart's
    pricing step) that was running then, or starts after, must not be kept by the idle server."""
    from snnexplorer.kept import Kept

    kept: Kept[int] = Kept(lambda values: len(values) <= 2)
    assert kept.put("a", 1) and kept.get("a") == 1
    kept.stop_keeping()  # the last page closes
    assert len(kept) == 0
    assert not kept.put("b", 2)  # work that was running ends: not kept
    assert not kept.put("c", 3) and len(kept) == 0  # work that starts after: not kept either
    kept.keep_again()  # a page opens
    assert kept.put("d", 4)  # keeping again: what it makes is kept
    for key, value in (("e", 5), ("f", 6)):
        kept.put(key, value)
    assert kept.values() == [5, 6]  # the least recently used went
