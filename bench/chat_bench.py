"""The browser chat's turn at the server: a button press to the next question rendered, with 50
auditors at once. Target: p99 <= 50 ms.

Run by hand (never at the same time as another benchmark on a small machine):
  flock /tmp/maa-bench.lock .venv/bin/python bench/chat_bench.py [--auditors 50] [--turns 20]

Three processes, as deployed: the collector (SQLite, `create_app`), the browser chat
(`bot.chatweb.create_chat_app`, as `maa chat-web` runs it) and this one, which runs the load:
every auditor a coroutine with its own cookie jar, pressing about once a second (`--think`, far
quicker than anyone reads a question; `--think 0` is a closed loop that finds the saturation
point instead: there latency is auditors / throughput, whatever the code). Each auditor
signs in with a one-time link, opens its case and then answers by buttons: the choice question
and the three grade questions; at the first narrative it sends /back and presses a grade again,
so every measured turn is a button answer stored through the collector.

A turn is the POST of the pressed button (which stores the answer through the collector and
redirects) plus the GET of the page that shows the next question: the same two requests a
browser makes. "At the server" is the sum of the two requests' times inside the chat process,
stamped by a middleware around everything else (CSRF, the engine, the collector call, the
template); the client's view (loopback, both requests) is printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api_bench import wait_up
from bench.bot_bench import SERVICE_TOKEN, collector_process, free_port, machine, seed
from collector.auth import SYSTEM
from collector.db import Database
from collector.services import desk_auth
from models.settings import Settings

TURN = "X-Bench-Turn"
OFFERED = re.compile(
    r'<li class="line bot now"[^>]*>.*?name="on" value="(\d+)"(.*?)</form>', re.DOTALL
)
BUTTON = re.compile(r'name="data" value="([^"]+)"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NEWEST = re.compile(r'<li class="line bot now"[^>]*>(.*?)</li>', re.DOTALL)


def newest(page: str) -> str:
    """The text of the newest turn's messages from the chat (what the person reads next)."""
    return " ".join(NEWEST.findall(page))


# ---- the browser chat, in its own process ----------------------------------------------------
def chat_process(port: int, collector_url: str, out: str) -> None:
    from bot.chatweb import create_chat_app

    settings = Settings(
        public_url=collector_url,
        service_token=SERVICE_TOKEN,
        chat_listen=f"127.0.0.1:{port}",
        _env_file=None,
    )
    app = create_chat_app(settings)
    stamps: list[tuple[str, str, float]] = []

    @web.middleware
    async def timing(request: web.Request, handler):  # outermost: everything is inside
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            turn = request.headers.get(TURN)
            if turn:
                stamps.append((turn, request.method, time.perf_counter() - started))

    async def dump(app: web.Application) -> None:
        await asyncio.to_thread(Path(out).write_text, json.dumps(stamps))

    app.middlewares.insert(0, timing)
    app.on_cleanup.append(dump)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---- the auditors -----------------------------------------------------------------------------
async def links(url: str, auditors: int) -> list[str]:
    """A one-time sign-in link secret for each auditor (members 1..n, made by `seed`)."""
    db = Database(url)
    secrets = []
    for member_id in range(1, auditors + 1):
        async with db.write() as s:
            issued = await desk_auth.issue_link(session=s, actor=SYSTEM, member_id=member_id)
        secrets.append(issued.secret)
    await db.dispose()
    return secrets


async def auditor(
    n: int,
    base: str,
    secret: str,
    turns: int,
    client_ms: list[float],
    start: asyncio.Barrier,
    gate: asyncio.Semaphore,
    think: float,
) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        csrf = ""

        async def say(text: str) -> str:
            async with http.post(f"{base}/chat/say", data={"csrf": csrf, "text": text}) as r:
                return await r.text()

        async with gate:  # signing in is not what is measured: a few at a time
            async with http.post(f"{base}/chat/signin/{secret}") as r:
                page = await r.text()
            found = CSRF.search(page)
            assert found, f"auditor {n}: not signed in"
            csrf = found.group(1)
            page = await say("/audit")
        await start.wait()  # every auditor signed in and on its case list: all go at once
        done = seq = 0
        while done < turns:
            if "Question 5 of 11" in newest(page):
                page = await say("/back")
            found = OFFERED.findall(page)
            assert found, f"auditor {n}: no button offered"
            on, buttons = found[-1]
            data = BUTTON.findall(buttons)[1 if "Question" in newest(page) else 0]  # "Good"
            seq += 1
            answer = data.startswith("a|")  # picking the case first is not a measured turn
            began = time.perf_counter()
            form = {"csrf": csrf, "on": on, "data": data}
            headers = {TURN: f"{n}-{seq}"} if answer else {}
            async with http.post(
                f"{base}/chat/press", data=form, headers=headers, allow_redirects=False
            ) as r:
                assert r.status == 303, r.status
            async with http.get(f"{base}/chat/", headers=headers) as r:
                page = await r.text()
            if answer:
                client_ms.append((time.perf_counter() - began) * 1000)
                done += 1
            if think:  # reading the next question; spread so the auditors do not march in step
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="maa-chat-bench-"))
    url = f"sqlite+aiosqlite:///{work}/bench.db"
    await seed(url, args.auditors)
    secrets = await links(url, args.auditors)
    cport, wport = free_port(), free_port()
    stamps_file = str(work / "stamps.json")
    ctx = multiprocessing.get_context("spawn")
    collector = ctx.Process(target=collector_process, args=(cport, url), daemon=True)
    collector.start()
    await wait_up(f"http://127.0.0.1:{cport}/healthz", tries=2400)  # slow under load
    chat = ctx.Process(
        target=chat_process, args=(wport, f"http://127.0.0.1:{cport}", stamps_file), daemon=True
    )
    chat.start()
    await wait_up(f"http://127.0.0.1:{wport}/chat/", tries=2400)
    base = f"http://127.0.0.1:{wport}"
    client_ms: list[float] = []
    start = asyncio.Barrier(args.auditors + 1)
    gate = asyncio.Semaphore(4)
    tasks = [
        asyncio.create_task(
            auditor(n, base, secrets[n], args.turns, client_ms, start, gate, args.think)
        )
        for n in range(args.auditors)
    ]
    await start.wait()
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - began
    os.kill(chat.pid, 2)  # SIGINT: the chat stops cleanly and writes its stamps
    chat.join(30)
    collector.terminate()
    collector.join(30)

    per_turn: dict[str, float] = {}
    for turn, _method, seconds in json.loads(await asyncio.to_thread(Path(stamps_file).read_text)):
        per_turn[turn] = per_turn.get(turn, 0.0) + seconds * 1000
    server = list(per_turn.values())
    print(f"machine: {machine()}")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(
        f"auditors: {args.auditors}, think time {args.think:.1f} s (mean), "
        f"turns measured: {len(server)} in {wall:.1f} s ({len(server) / wall:.1f} turns/s)"
    )
    for name, values in (("server (POST + GET)", server), ("client, loopback", client_ms)):
        print(
            f"{name:22} p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms  "
            f"p99 {pct(values, 99):6.1f} ms  max {max(values):6.1f} ms  "
            f"mean {statistics.mean(values):6.1f} ms"
        )
    verdict = "met" if pct(server, 99) <= args.target else "NOT met"
    print(f"target p99 <= {args.target:.0f} ms at the server: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20, help="button answers per auditor")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds an auditor takes between presses (0: closed loop, saturation)",
    )
    parser.add_argument("--target", type=float, default=50.0, help="p99 at the server, ms")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
