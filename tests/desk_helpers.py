"""Desk test helpers: sign in by link, axe-core checks, screenshots into artifacts/."""

from pathlib import Path
from typing import Any

from playwright.async_api import Page

from collector.auth import SYSTEM
from collector.services import desk_auth

SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
AXE_JS = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


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
