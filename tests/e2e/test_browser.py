"""The whole pipeline through the web pages in real headless Chromium (Debian `chromium`).

A merchant logs in, submits an idea, looks at a variant in 3D and picks one; a planner finds
the plan in the review queue, looks at the Gantt and approves it, then records the first
factory day on the plan page's form; the factory's MES reports the rest through the API; the
dashboard, left open, shows the idea's trend-to-shipment lead time as
it arrives over server-sent events. Screenshots go to test-artifacts/browser/.

Needs /usr/bin/chromium (`apt-get install chromium`); skipped without it unless
TRENDFORGE_REQUIRE_BROWSER=1 (CI sets it, so CI fails instead of skipping).
"""

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.helpers.apps import make_app
from tests.helpers.people import TEST_PASSWORD
from tests.helpers.temporal import running_workers
from tests.helpers.tools import skip_unless_installed
from trendforge.temporal import free_port

pytestmark = [pytest.mark.db, pytest.mark.browser]

CHROMIUM = os.environ.get("TRENDFORGE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SHOTS = Path("test-artifacts/browser")


def _chromium_or_skip() -> str:
    found = Path(CHROMIUM).is_file() or shutil.which(CHROMIUM) is not None
    skip_unless_installed(found, CHROMIUM, "TRENDFORGE_REQUIRE_BROWSER", "apt-get install chromium")
    return CHROMIUM


async def _until(page, expression: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a JavaScript expression until it is true.

    Not `page.wait_for_function`: its poller runs the expression through the page's own
    `eval`, which our Content-Security-Policy (no 'unsafe-eval') refuses whenever the first
    check is not already true. `page.evaluate` goes through the DevTools protocol, which the
    page's CSP does not govern, so the pages keep their strict policy under test.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.evaluate(expression):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true after {timeout:.0f} s: {expression}")
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def _serving(app) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The app over HTTP (uvicorn) on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def site(dev_env, engine, tmp_path, jwt_secret) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The real stack (dev server, workers, API over HTTP on a free port); yields its base URL."""
    async with running_workers(dev_env.client, engine, tmp_path) as (queue, config):
        app = make_app(
            engine,
            jwt_secret,
            dev_env.client,
            pipeline=config,
            task_queue=queue,
            uploads_dir=tmp_path / "up",
        )
        async with _serving(app) as url:
            yield url


async def _login(page, base: str, user: str, password: str, then: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(base + then)
    await page.wait_for_url(f"**/login?next={then}")
    await page.fill("#username", user)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(base + then)


async def test_merchant_planner_and_dashboard_in_chromium(site: str, auth_headers) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright, expect

    chromium = _chromium_or_skip()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:6]
    merchant, planner, viewer = f"m-{tag}", f"li-{tag}", f"vic-{tag}"
    for name, role in ((merchant, "merchant"), (planner, "planner"), (viewer, "viewer")):
        auth_headers(name, role)  # a real user with the password TEST_PASSWORD
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            contexts = [
                await browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)
            ]
            m, p, d = [await c.new_page() for c in contexts]
            for pg in (m, p, d):
                pg.on("pageerror", lambda exc: errors.append(str(exc)))
                # the Content-Security-Policy must let the pages (and model-viewer) work
                pg.on(
                    "console",
                    lambda msg: (
                        errors.append(msg.text) if "Content Security Policy" in msg.text else None
                    ),
                )

            # the dashboard stays open the whole time: it must update by itself
            await _login(d, site, viewer, TEST_PASSWORD, "/")

            # merchant: log in, submit, wait for the gallery, look in 3D, pick
            await _login(m, site, merchant, TEST_PASSWORD, "/app/ideas")
            text = f"viral crying horse plushie {tag}"
            await m.fill("#text", text)
            await m.fill("#expected_volume", "2400")
            await m.fill("#due_in_days", "10")
            await m.click("#idea-form button[type=submit]")
            await m.wait_for_url("**/app/ideas/*")
            idea_id = int(m.url.rsplit("/", 1)[1])
            await expect(m.locator(".variant")).to_have_count(6, timeout=90_000)
            await m.screenshot(path=SHOTS / "1-merchant-gallery.png", full_page=True)
            await m.locator(".variant").first.locator("button", has_text="3D").click()
            viewer_dialog = m.locator("dialog#viewer")
            await expect(viewer_dialog).to_be_visible()
            mv = viewer_dialog.locator("model-viewer")
            assert (await mv.get_attribute("src") or "").endswith("/model.glb")
            await _until(m, "document.querySelector('dialog#viewer model-viewer').loaded === true")
            await m.screenshot(path=SHOTS / "2-merchant-3d-viewer.png")
            await viewer_dialog.locator("button", has_text="Close").click()
            second = m.locator(".variant").nth(1)
            await second.locator("button.pick").click()
            await expect(m.locator("#idea-stage")).not_to_have_text(
                "awaiting_selection", timeout=30_000
            )

            # planner: the plan arrives in the queue by itself; Gantt; approve
            await _login(p, site, planner, TEST_PASSWORD, "/app/plans")
            row = p.locator("#review-queue tr", has_text=tag)  # this idea's plan, not others'
            link = row.locator("a", has_text="plan")
            await expect(link.first).to_be_visible(timeout=120_000)
            await link.first.click()
            await expect(p.locator(".gantt-bar").first).to_be_visible()
            await p.screenshot(path=SHOTS / "3-planner-gantt.png", full_page=True)
            await p.click("#review-form button[value=true]")
            await expect(p.locator("#plan-status")).to_have_text("approved", timeout=30_000)
            plan_url = p.url

            # the factory view: this idea's approved plan holds own lines (firm, not tentative)
            await p.goto(site + "/app/factory")
            await expect(p.locator(".gantt-bar").first).to_be_visible()
            assert f"idea {idea_id}" in await p.content()
            await p.screenshot(path=SHOTS / "3b-planner-factory.png", full_page=True)

            # the lines page, from the navigation: the held line shows booked days; a rate of
            # 0 (a plain form post, no script) comes back refused with the reason
            await p.click("header.top a[href='/app/factory/lines']")
            await expect(p.locator("#lines td.num", has_text=" d").first).to_be_visible()
            first = p.locator("#lines tr[id^=row-]").first
            await first.locator("input[name=rate_units_per_day]").fill("0")
            await first.locator("button", has_text="Save").click()
            await expect(p.locator("#refused")).to_contain_text("must be above 0")
            await p.goto(plan_url)

            # the run starts and the plan page offers the factory-day form: the planner
            # records the first day's finishing lines as planned (the page follows by itself)
            shift = p.locator("#shift-form")
            await expect(shift).to_be_visible(timeout=60_000)
            # a live refresh on its way while the planner types must not wipe the fields: the
            # page's catch-up refresh after a reload is held back until they are filled in
            asked, release = asyncio.Event(), asyncio.Event()

            async def held(route):  # type: ignore[no-untyped-def]
                asked.set()
                await release.wait()
                await route.continue_()

            await p.route("**/app/fragments/plans/*", held)
            await p.reload()
            await asyncio.wait_for(asked.wait(), 30)
            first_day = await p.locator("#shift-day").input_value()
            fields = shift.locator("input[data-line]")
            assert await fields.count() >= 1
            typed = []
            for i in range(await fields.count()):
                field = fields.nth(i)
                typed.append(await field.get_attribute("placeholder") or "0")
                await field.fill(typed[-1])
            async with p.expect_response("**/app/fragments/plans/*"):
                release.set()
            await p.unroute("**/app/fragments/plans/*")
            await p.wait_for_timeout(300)  # the answer is handled (or, wrongly, pasted in)
            assert [await fields.nth(i).input_value() for i in range(len(typed))] == typed
            await p.screenshot(path=SHOTS / "4-planner-factory-day.png", full_page=True)
            await shift.locator("button[type=submit]").click()
            await expect(p.locator("#shift-day")).not_to_have_value(first_day, timeout=30_000)

            # the factory's MES reports the rest through the API (the first day again: it
            # counts once); the merchant's page follows along
            await _report_all_output(site, auth_headers, idea_id)
            await expect(m.locator("#idea-stage")).to_have_text("shipped", timeout=60_000)
            await m.screenshot(path=SHOTS / "5-merchant-shipped.png", full_page=True)

            await expect(d.locator("#worker-banner")).to_be_hidden()  # the workers are up
            row = d.locator(f'tr[data-idea-row="{idea_id}"]')
            await expect(row.locator(".stage")).to_have_text("shipped", timeout=30_000)
            lead = (await row.locator(".leadtime").inner_text()).strip()
            assert lead not in ("", "—") and lead[0].isdigit(), lead
            await d.screenshot(path=SHOTS / "6-dashboard.png", full_page=True)
        finally:
            await browser.close()
    assert not errors, errors


async def _report_all_output(site: str, auth_headers, idea_id: int) -> None:  # type: ignore[no-untyped-def]
    """A factory MES posting each planned line-day's output until the run ships."""
    mes = auth_headers(f"mes-{idea_id}", "machine")
    planner = auth_headers(f"li-mes-{idea_id}", "planner")
    async with httpx.AsyncClient(base_url=site, timeout=30) as c:
        run = None
        for _ in range(200):
            run = (await c.get(f"/ideas/{idea_id}", headers=planner)).json().get("run")
            if run:
                break
            await asyncio.sleep(0.1)
        assert run, "the production run never started"
        plan = (await c.get(f"/plans/{run['plan_id']}", headers=mes)).json()
        for d in sorted(plan["daily"], key=lambda d: d["day"]):
            r = await c.post(f"/runs/{run['id']}/progress", json=d, headers=mes)
            assert r.status_code == 202, r.text


async def test_a_merchant_prototypes_their_own_model_in_chromium(
    site: str, auth_headers, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The form's own-model choices reach the pipeline: a tray in inches with a hole becomes
    the only variant, is picked, and its prototype card shows the units and the repair."""
    from playwright.async_api import async_playwright, expect

    from tests.api.test_own_model import _tray_in_inches

    chromium = _chromium_or_skip()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:6]
    merchant = f"m-own-{tag}"
    auth_headers(merchant, "merchant")
    model = tmp_path / "tray.stl"
    model.write_bytes(_tray_in_inches())
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            m = await (
                await browser.new_context(viewport={"width": 1280, "height": 900})
            ).new_page()
            m.on("pageerror", lambda exc: errors.append(str(exc)))
            await _login(m, site, merchant, TEST_PASSWORD, "/app/ideas")
            await m.fill("#text", f"replacement shelf bracket {tag}")
            await m.set_input_files("#mesh", str(model))
            await m.select_option("#use_as", "design")
            await m.select_option("#alternatives", "false")
            await m.select_option("#units", "inch")
            await m.select_option("#printer", "bambu_x1c")
            await m.screenshot(path=SHOTS / "7-merchant-own-model-form.png", full_page=True)
            await m.click("#idea-form button[type=submit]")
            await m.wait_for_url("**/app/ideas/*")
            try:
                await expect(m.locator(".variant")).to_have_count(1, timeout=90_000)
            finally:
                await m.screenshot(path=SHOTS / "7b-merchant-own-model-idea.png", full_page=True)
            await expect(m.locator("#own-model")).to_contain_text("made as it is")
            await m.locator(".variant button.pick").click()
            await expect(m.locator("#prototype-units")).to_contain_text("inches", timeout=90_000)
            shots = m.locator(".repair-shots img")
            await expect(shots).to_have_count(2)
            for i in range(2):  # the pictures load (same origin, allowed by the CSP)
                await _until(
                    m, f"document.querySelectorAll('.repair-shots img')[{i}].naturalWidth > 0"
                )
            await m.screenshot(path=SHOTS / "8-merchant-own-model-prototype.png", full_page=True)
        finally:
            await browser.close()
    assert not errors, errors


@pytest.fixture
async def idle_site(dev_env, engine, tmp_path, jwt_secret) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The API over HTTP on the dev server with no worker polling its queues."""
    queue = f"idle-{uuid.uuid4().hex[:6]}"
    app = make_app(engine, jwt_secret, dev_env.client, task_queue=queue, uploads_dir=tmp_path)
    async with _serving(app) as url:
        yield url


async def test_the_dashboard_says_when_no_worker_takes_the_work(
    idle_site: str, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright, expect

    chromium = _chromium_or_skip()
    viewer = f"vic-idle-{uuid.uuid4().hex[:6]}"
    auth_headers(viewer, "viewer")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = await (await browser.new_context()).new_page()
            await _login(page, idle_site, viewer, TEST_PASSWORD, "/")
            banner = page.locator("#worker-banner")
            await expect(banner).to_be_visible(timeout=20_000)
            await expect(banner).to_contain_text("no worker polls")
        finally:
            await browser.close()
