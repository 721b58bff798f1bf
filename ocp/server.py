"""Running web processes: one app per process, N processes on one port (``SO_REUSEPORT``).

Each process is a full app with its own pools and its own Redis subscription; the kernel
spreads new connections over them. On SIGTERM (or SIGINT) a process stops accepting,
closes its WebSockets with 1001, lets in-flight requests finish for up to
``OCP_SHUTDOWN_TIMEOUT`` seconds and exits 0; a second signal exits at once. With
``--workers N`` a small supervisor forks the N processes, passes signals on, restarts one
that dies, and exits 0 when all of them stopped cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import time
from collections.abc import Callable

from aiohttp import web

from ocp.appkeys import ACTIVITY
from ocp.config import Settings

log = logging.getLogger("ocp.server")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
FORCED_EXIT = 1
RESTART_PAUSE = 1.0  # seconds before replacing a process that died
# Every open WebSocket holds dozens of long-lived objects, and a full collection of the cyclic
# garbage collector scans them all: pauses of 0.1-0.5 s at 5,000 sockets, from
# bench/realtime.py. Young collections 14 times rarer promote fewer short-lived objects, so
# full collections come that much more seldom (each still as long).
GC_THRESHOLDS = (10_000, 10, 10)
# aiohttp rounds timeouts longer than its threshold (5 s) up to a whole second, so every
# WebSocket heartbeat (30 s, ocp/realtime/views.py) due within a second went out in one burst
# (hundreds of pings at 5,000 sockets), delaying live events by 10-20 ms (bench/realtime.py).
EXACT_TIMEOUTS_UP_TO = 60.0  # seconds


def event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (the ``prod`` extra): steadier tail latency; asyncio otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve_process(
    make_app: Callable[[], web.Application],
    *,
    host: str,
    port: int,
    settings: Settings,
    reuse_port: bool,
    announce: Callable[[], None] | None = None,
) -> None:
    """Serve one app in this process until a stop signal, then shut down gracefully."""
    loop = event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(
            _serve(make_app(), host=host, port=port, settings=settings, reuse_port=reuse_port,
                   announce=announce)
        )  # fmt: skip
    finally:
        loop.close()


async def _serve(
    app: web.Application,
    *,
    host: str,
    port: int,
    settings: Settings,
    reuse_port: bool,
    announce: Callable[[], None] | None,
) -> None:
    runner = web.AppRunner(
        app,
        access_log=None,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_timeout,
        timeout_ceil_threshold=EXACT_TIMEOUTS_UP_TO,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port, backlog=1024)
    await site.start()
    gc.freeze()  # what startup made lives as long as the process: out of every collection
    gc.set_threshold(*GC_THRESHOLDS)
    if announce is not None:
        announce()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def first_signal() -> None:
        log.info("stopping: finishing requests for up to %ds", settings.shutdown_timeout)
        stop.set()
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, _exit_now)

    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, first_signal)
    try:
        await stop.wait()
        await _drain(app, runner, settings.shutdown_timeout)
    finally:
        await runner.cleanup()
    log.info("stopped")


async def _drain(app: web.Application, runner: web.AppRunner, seconds: float) -> None:
    """Stop accepting, close WebSockets (1001), let in-flight requests finish.

    aiohttp's own shutdown stops reading from every connection first, so a request still
    receiving its body (an upload) could never finish; connections stay open here until the
    requests on them are done, and each answer during the drain closes its connection.
    """
    activity = app[ACTIVITY]
    activity.draining = True
    for site in list(runner.sites):
        await site.stop()
    await app.shutdown()  # on_shutdown: WebSockets close with 1001
    if not await activity.idle(seconds):
        log.warning("%d request(s) still running after %ss", activity.in_flight, seconds)


def _exit_now() -> None:
    logging.getLogger("ocp.server").warning("second stop signal: exiting at once")
    os._exit(FORCED_EXIT)


def supervise(
    workers: int,
    start: Callable[[int], None],
    *,
    on_exit: Callable[[int], None] | None = None,
) -> int:
    """Fork ``workers`` processes running ``start(slot)``; return this process's exit status.

    ``on_exit(pid)`` runs for each process that ends (the metrics forget its live gauges).
    """
    children: dict[int, int] = {}  # pid -> slot
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            for number in STOP_SIGNALS:
                signal.signal(number, signal.SIG_DFL)
            code = 0
            try:
                start(slot)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:
                log.exception("web process %d crashed", slot)
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        children[pid] = slot

    def on_signal(number: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            for pid in list(children):
                _kill(pid, signal.SIGKILL)
            os._exit(FORCED_EXIT)
        stopping = True
        for pid in list(children):
            _kill(pid, number)

    for number in STOP_SIGNALS:
        signal.signal(number, on_signal)
    for slot in range(workers):
        spawn(slot)
    status = 0
    while children:
        try:
            pid, raw = os.wait()
        except ChildProcessError:
            break
        if pid not in children:
            continue
        slot = children.pop(pid)
        code = os.waitstatus_to_exitcode(raw)
        if on_exit is not None:
            on_exit(pid)
        if stopping:
            status = status or (code if code > 0 else 1 if code < 0 else 0)
            continue
        log.error("web process %d (pid %d) exited with %d; starting another", slot, pid, code)
        time.sleep(RESTART_PAUSE)
        if not stopping:
            spawn(slot)
    return status


def _kill(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)
