"""The teaching visualiser: the world behind the sliders, the page in-process, and the page in a
real browser with the network cut off."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara
from playwright.sync_api import Page as BrowserPage
from playwright.sync_api import Route, expect, sync_playwright

from negsim.config import ConfigError
from negsim.viz.app import Page, TeachingWorld, accumulated_value, alliance_groups, edge_trust
from tests.conftest import ROOT

#: Debian's Chromium (apt-get install chromium): Playwright cannot download its own here.
CHROMIUM = Path(os.environ.get("NEGSIM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MONTH = re.compile(r"month (\d+(?:\.\d+)?)")


# --- the world behind the sliders ----------------------------------------------------------
def test_sliders_set_the_scenario_fields() -> None:
    """Each slider keyword lands in its scenario field; None keeps the scenario's value."""
    world = TeachingWorld(
        organisations=30, walk_away=0.9, trust_growth=0.07, crisis_rate=0.0, meeting_interval=3.0
    )
    s = world.config
    assert (s.world.organisations, world.orgs.n) == (30, 30)
    assert s.organisations.walk_away == 0.9 and s.trust.meeting_deposit == 0.07
    assert s.crises.rate == 0.0 and s.trust.meeting_interval == 3.0
    assert TeachingWorld().config.crises.rate == 0.03  # classroom.toml's own value


def test_a_slider_out_of_range_is_a_config_error() -> None:
    """Values are validated like a scenario file's: the error names the field."""
    with pytest.raises(ConfigError, match=r"organisations\.walk_away"):
        TeachingWorld(walk_away=2.0)


def test_the_world_stops_at_its_horizon() -> None:
    """Mesa's step is a month; the page's Play stops once the scenario's horizon is reached."""
    world = TeachingWorld(seed=3)
    for _ in range(int(world.config.world.horizon)):
        assert world.running
        world.step()
    assert not world.running and world.time == world.config.world.horizon


def test_network_quantities_follow_the_alliance_table() -> None:
    """Live edges are the partner pairs of running alliances; trust is bounded; value adds up."""
    world = TeachingWorld(seed=2)
    for _ in range(18):
        world.step()
    t, rows = world.alliances, world.live_rows()
    trust, live = edge_trust(world)
    pairs = {
        (min(a, b), max(a, b)) for a, b in zip(t.a[rows].tolist(), t.b[rows].tolist(), strict=True)
    }
    drawn = {(min(u, v), max(u, v)) for u, v in world.edges[live].tolist()}
    assert rows.size > 0 and drawn == pairs
    known = trust[~np.isnan(trust)]
    assert np.all(np.abs(known) <= world.trust.bound)
    total = t.realised_a.sum() + t.realised_b.sum()
    assert accumulated_value(world).sum() == pytest.approx(total)
    group = alliance_groups(world)
    allied = np.unique(np.concatenate([t.a[rows], t.b[rows]]))
    assert np.all(group[allied] >= 0) and np.all(np.delete(group, allied) == -1)


# --- the page, rendered in-process (no browser) ----------------------------------------------
def _caption(rc: Any) -> str:
    return str(rc.find(v.Html, class_="negsim-caption").widget.children[0])


def _images(rc: Any) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def test_page_draws_the_network_and_charts_and_steps() -> None:
    """The page shows two figures; Step advances a month and redraws both."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    before = _images(rc)
    assert len(before) == 2 and _caption(rc).startswith("20 organisations · month 0 ")
    step = rc.find(v.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    after = _images(rc)
    assert "month 3 " in _caption(rc)
    assert all(a != b for a, b in zip(after, before, strict=True))


def test_reset_rebuilds_the_world_from_the_sliders() -> None:
    """Moving the Organisations slider and pressing Reset builds a new world of that size."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Slider, label="Organisations").widget.v_model = 30
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _caption(rc).startswith("30 organisations · month 0 ")


# --- the page in a real browser, offline -----------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the viz server exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the viz server did not answer at {url} in {seconds} s:\n{log.read_text()}")


@pytest.fixture
def viz_server(tmp_path: Path) -> Iterator[str]:
    """The app served on a free 127.0.0.1 port, its CDN pointed at a closed local port."""
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "solara_offline.py"), "--check"],
        capture_output=True,
        text=True,
    )
    if check.returncode:
        pytest.fail(
            "Solara's front-end assets are not installed for offline use; run "
            f"`.venv/bin/python tools/solara_offline.py` (setup.sh does):\n{check.stderr}"
        )
    port = _free_port()
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        # A cache miss must fail here, not reach the internet: nothing listens on port 9.
        "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",
    }
    command = [sys.executable, "-m", "negsim", "viz", "classroom", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_for(url, server, log, seconds=90)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _month(page: BrowserPage) -> float:
    found = MONTH.search(page.locator(".negsim-caption").inner_text())
    assert found, "the network caption shows no month"
    return float(found.group(1))


def _drive(page: BrowserPage, url: str, screenshot: Path) -> None:
    """Load the page, step, play, pause and reset it, checking what is drawn."""
    page.goto(url, wait_until="load", timeout=60_000)
    network = page.locator(".negsim-network img")
    charts = page.locator(".negsim-charts img")
    expect(network).to_be_visible(timeout=60_000)
    expect(charts).to_be_visible()
    assert network.evaluate("img => img.complete && img.naturalWidth") > 100
    charts_before = charts.screenshot()
    for month in range(1, 6):
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".negsim-caption")).to_contain_text(f"month {month} ")
    assert charts.screenshot() != charts_before, "the charts did not change after five steps"
    assert network.evaluate("img => img.complete && img.naturalWidth") > 100
    page.screenshot(path=str(screenshot), full_page=True)
    page.get_by_role("button", name="▶").click()
    deadline = time.monotonic() + 60
    while _month(page) < 8 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.get_by_role("button", name="❚❚").click()
    assert _month(page) >= 8, "Play did not advance the world"
    # Mesa's play loop may finish the step it was sleeping on after a pause: let it land, or
    # it lands on the world Reset builds.
    paused = -1.0
    while paused != _month(page) and time.monotonic() < deadline:
        paused = _month(page)
        page.wait_for_timeout(1000)
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".negsim-caption")).to_contain_text("month 0 ")


@pytest.mark.slow
def test_the_page_works_in_a_browser_with_the_network_cut_off(
    viz_server: str, tmp_path: Path
) -> None:
    """Real Chromium: only 127.0.0.1 is reachable; the network and the charts are drawn and
    Step, Play and Reset work; a screenshot is kept."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    blocked: list[str] = []
    failed: list[str] = []
    errors: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    screenshot = tmp_path / "viz.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            browser.route("**/*", local_only)
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: {r.status}"))
            try:
                _drive(page, viz_server, screenshot)
            except AssertionError as exc:  # say what the page lacked, not only what was missing
                pytest.fail(f"{exc}\nfailed: {failed}\nblocked: {blocked}\npage errors: {errors}")
        finally:
            browser.close()
    if target := os.environ.get("NEGSIM_VIZ_SCREENSHOT"):
        shutil.copyfile(screenshot, target)
    assert screenshot.stat().st_size > 20_000
    assert not blocked, f"the page asked for the internet: {blocked}"
    assert not failed, f"requests failed: {failed}"
    assert not errors, f"errors in the page: {errors}"
