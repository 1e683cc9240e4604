"""A real headless Chromium for the desk tests: one browser process per test session, a fresh
context (cookies, storage) per test, axe-core for accessibility, screenshots into artifacts/."""

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from collector.auth import SYSTEM
from collector.services import desk_auth

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
AXE_JS = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


@pytest.fixture(scope="session")
def chromium_endpoint() -> Iterator[str]:
    """Start Chromium once; each test connects to it over the DevTools protocol."""
    profile = tempfile.mkdtemp(prefix="maa-chromium-")
    proc = subprocess.Popen(
        [
            CHROMIUM,
            *FLAGS,
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    endpoint = None
    for line in proc.stderr:
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            endpoint = found.group(1)
            break
    assert endpoint, "Chromium did not start"
    try:
        yield endpoint
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
async def browser(chromium_endpoint: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.connect_over_cdp(chromium_endpoint)
        yield b


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    await ctx.close()


def localhost(url: str) -> str:
    """Passkeys need a host name, not an IP address: the same server as localhost."""
    return url.replace("127.0.0.1", "localhost")


async def new_link(collector: Any, member_id: int) -> str:
    async with collector.db.write() as session:
        issued = await desk_auth.issue_link(session=session, actor=SYSTEM, member_id=member_id)
    return f"{localhost(collector.url)}/desk/signin/{issued.secret}"


async def sign_in(page: Page, collector: Any, member_id: int) -> None:
    await page.goto(await new_link(collector, member_id))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/desk/rounds")


async def axe_check(page: Page) -> None:
    """No serious or critical accessibility violation on the page as it stands."""
    # Evaluated through DevTools, which the page's Content-Security-Policy does not govern.
    await page.evaluate(AXE_JS.read_text())
    result = await page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe on {page.url}:\n" + "\n".join(bad)


async def screenshot(page: Page, name: str) -> None:
    """The page at desktop (1280) and phone (390) width, into artifacts/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=SHOTS / f"{name}-{label}.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
