"""Moderation on the desk's return page, over plain HTTP: ask a query, see its thread, close it
with a reason, record a moderated grade beside the agency's. Real collector, both databases."""

import re

from models.enums import Role
from tests.conftest import full_answers, small_round
from tests.test_desk_http import Desk


async def test_the_return_page_moderates(collector):
    await collector.create_round(small_round())
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=2)
    _, ret = await collector.as_member(
        "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C1"}
    )
    rid = ret["id"]
    for key, value in full_answers().items():
        await collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", 2, json={"value": value}
        )
    await collector.as_member("POST", f"/api/returns/{rid}/submit", 2)
    d = await Desk(collector).sign_in(coord)
    status, page = await d.get(f"/desk/returns/{rid}")
    assert status == 200 and "No queries on this return." in page

    asked = {"question": "good_practice", "text": "What <b>changed</b> for the child?"}
    status, page = await d.post(f"/desk/returns/{rid}/queries", asked)
    assert status == 200 and "What &lt;b&gt;changed&lt;/b&gt; for the child?" in page
    assert "pill-open" in page and "asked a moderation query" in page
    qid = re.search(rf"/desk/returns/{rid}/queries/(\d+)/close", page).group(1)
    status, page = await d.post(f"/desk/returns/{rid}/queries/{qid}/close", {"reason": " "})
    assert status == 400 and "Say why the query is closed" in page
    status, page = await d.post(
        f"/desk/returns/{rid}/queries/{qid}/close", {"reason": "Discussed at the panel."}
    )
    assert status == 200 and "Discussed at the panel." in page and "pill-closed" in page

    graded = {"question": "impact", "grade": "inadequate", "reason": "No change for the child."}
    status, page = await d.post(f"/desk/returns/{rid}/moderated-grade", graded)
    assert status == 200
    assert re.search(r">Good</td>\s*<td[^>]*>Inadequate</td>", page)  # side by side
    status, page = await d.post(
        f"/desk/returns/{rid}/moderated-grade", graded | {"question": "good_practice"}
    )
    assert status == 422 and "not a graded question" in page
    _, stored = await collector.as_member("GET", f"/api/returns/{rid}", 2)
    assert stored["answers"]["impact"] == {"grade": "good"}
    await d.close()
