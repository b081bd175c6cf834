"""The teaching visualiser: the world behind the sliders, the page in-process, and the page in a
real browser with the network cut off."""

from __future__ import annotations

import io
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
import PIL.Image
import pytest
import solara
from playwright.sync_api import Page as BrowserPage
from playwright.sync_api import Route, expect, sync_playwright

from negsim.config import ConfigError
from negsim.negotiation.analysis import nash_point, pareto_mask
from negsim.viz.app import TABS, Page, run_to_end, spread, spread_table
from negsim.viz.figures import FIRST, SECOND, ChartsPainter, NetworkPainter, Run, talk_figure
from negsim.viz.world import (
    FADE_MONTHS,
    MIN_ENDED,
    RECENT_FAILURE_MONTHS,
    STATUSES,
    TeachingWorld,
    accumulated_value,
    edge_trust,
    events,
    history,
    readouts,
    status,
    talk_space,
)
from negsim.world.terms import QUADRANT_ORDER
from tests.conftest import ROOT
from tests.viz_student import play_student

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
    assert world.settings["walk_away"] == 0.9 and world.settings["organisations"] == 30
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


@pytest.fixture(scope="module")
def world_at_30() -> TeachingWorld:
    """The classroom world, seed 1, at month 30 (alliances have ended by then)."""
    world = TeachingWorld(seed=1)
    for _ in range(30):
        world.step()
    return world


def test_network_quantities_follow_the_alliance_table(world_at_30: TeachingWorld) -> None:
    """Live edges are the partner pairs of running alliances; trust is bounded; value adds up;
    status follows the alliances."""
    world = world_at_30
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
    st = status(world)
    allied = np.unique(np.concatenate([t.a[rows], t.b[rows]]))
    assert np.all(st[allied] == STATUSES.index("allied"))
    failed = world.failed() & (t.end > world.time - RECENT_FAILURE_MONTHS)
    for i in np.setdiff1d(np.concatenate([t.a[failed], t.b[failed]]), allied).tolist():
        assert st[i] in (
            STATUSES.index("recently failed"),
            STATUSES.index("deal signed, not started"),
        )


def test_readouts_and_history_count_the_alliance_table(world_at_30: TeachingWorld) -> None:
    """The monitors count the table; the failure rate is blank until five alliances ended."""
    world = world_at_30
    r = readouts(world)
    t = world.alliances
    assert r["month"] == 30 and r["negotiations"] == world.negotiations == len(world.talks)
    assert r["deals"] == world.agreements == sum(k.agreed for k in world.talks) == t.size
    assert r["walkouts"] == sum(k.walked >= 0 for k in world.talks) > 0
    assert r["ended"] == int((~t.alive).sum()) >= MIN_ENDED
    assert r["failed"] == int(world.failed().sum()) and r["running"] == world.live_rows().size
    h = history(world)
    assert len(h) == 30 and h["ended"].is_monotonic_increasing
    assert (h["ended"].iloc[-1], h["failed"].iloc[-1]) == (r["ended"], r["failed"])
    shown = h["failure_rate"].notna()
    assert (shown == (h["ended"] >= MIN_ENDED)).all()
    last = h.iloc[-1]
    assert last["failure_rate"] == pytest.approx(r["failed"] / r["ended"])


def test_events_are_the_latest_changes(world_at_30: TeachingWorld) -> None:
    """New: started in the last month; ended: in the last FADE_MONTHS; walk-outs: the last
    search's, each on an edge of the network."""
    world = world_at_30
    ev = events(world)
    t, now = world.alliances, world.time
    assert ev.new.size == int(((t.start > now - 1) & (t.start <= now)).sum())
    assert ev.ended.size == int((~t.alive & (t.end > now - FADE_MONTHS)).sum())
    assert np.all((ev.ended_age >= 0) & (ev.ended_age < FADE_MONTHS))
    window = world.config.world.search_interval
    walks = [k for k in world.talks if k.walked >= 0 and k.time > now - window]
    assert ev.walkouts.size == len(walks)
    for edge, walker in zip(ev.walkouts.tolist(), ev.walkers.tolist(), strict=True):
        assert walker in world.edges[edge].tolist()


def test_each_negotiation_is_kept_with_its_offers_and_quadrants(world_at_30: TeachingWorld) -> None:
    """Classifying the kept offers concession by concession gives the world's own counts (the
    batch path's), and each negotiation's frontier and Nash point are the core's."""
    world = world_at_30
    counts = dict.fromkeys(QUADRANT_ORDER, 0)
    for talk in world.talks:
        space = talk_space(world, talk)
        for q in space.quadrant:
            if q:
                counts[q] += 1
    assert list(counts.values()) == world.concessions.tolist()
    talk = next(k for k in world.talks if k.agreed)
    space = talk_space(world, talk)
    assert set(space.frontier.tolist()) == set(np.flatnonzero(pareto_mask(space.ua, space.ub)))
    assert space.nash == nash_point(space.ua, space.ub, talk.reservation_a, talk.reservation_b)
    assert np.all(np.diff(space.ua[space.frontier]) >= 0)  # ordered along the frontier


def test_figures_draw_every_month_from_start_to_end() -> None:
    """The painters draw month 0, every month and the end (earlier runs behind), as PNGs."""
    world = TeachingWorld(seed=4)
    before = run_to_end(TeachingWorld(seed=5))
    network = NetworkPainter(world)
    charts = ChartsPainter(world, [Run(label="before", history=history(before))])
    frames = {network.paint(), charts.paint()}
    while world.running:
        world.step()
        frames |= {network.paint(), charts.paint()}
    assert all(f.startswith(b"\x89PNG") for f in frames) and len(frames) > 60
    strategy = NetworkPainter(world, colour_by="strategy").paint()
    assert strategy.startswith(b"\x89PNG") and strategy not in frames
    walk = next(k for k in world.talks if k.walked >= 0)
    assert talk_figure(talk_space(world, walk)).axes


# --- the page, rendered in-process (no browser) ----------------------------------------------
def _text(rc: Any, css: str) -> str:
    return " ".join(str(w.widget.children[0]) for w in rc.find(v.Html, class_=css))


def _images(rc: Any) -> list[bytes]:
    return [bytes(w.value) for w in rc.find(widgets.Image).widgets]


def _monitor(rc: Any, label: str) -> str:
    boxes = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    (box,) = [b for b in boxes if "negsim-monitor-label" in b]
    found = re.findall(r'label">([^<]*)</div><div class="negsim-monitor-value">([^<]*)<', box)
    return dict(found)[label]


def _tab(rc: Any, name: str) -> None:
    rc.find(v.Tabs).widget.v_model = TABS.index(name)


def test_page_steps_and_its_readouts_count() -> None:
    """The network is drawn; Step advances a month, redraws it and moves the readouts; the
    settings the world was built with are shown."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    before = _images(rc)
    assert len(before) == 1 and _text(rc, "negsim-caption").startswith(
        "20 organisations · month 0 "
    )
    assert "walk away 0.5" in _text(rc, "negsim-caption")
    assert _monitor(rc, "negotiations") == "0"
    step = rc.find(v.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    assert "month 3 " in _text(rc, "negsim-caption")
    assert _images(rc) != before
    assert int(_monitor(rc, "negotiations")) > 0 and _monitor(rc, "month") == "3 of 60"


def test_slider_values_show_and_reset_keeps_the_run_before() -> None:
    """A slider's value is printed beside it; a changed setting is flagged until Reset, which
    builds the new world and leaves the run before on the charts."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    values = [str(w.children[0]) for w in rc.find(v.Html, class_="negsim-setting-value").widgets]
    assert values == ["0.5", "0.03", "0.03", "1", "20"]
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Slider, label="Organisations").widget.v_model = 30
    assert "30" in [
        str(w.children[0]) for w in rc.find(v.Html, class_="negsim-setting-value").widgets
    ]
    assert "press Reset" in _text(rc, "negsim-pending")
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _text(rc, "negsim-caption").startswith("30 organisations · month 0 ")
    assert not rc.find(v.Html, class_="negsim-pending").widgets
    _tab(rc, "Charts")
    assert "previous run (seed 1: walk away 0.5" in _text(rc, "negsim-earlier")


def test_run_five_seeds_adds_their_lines_and_figures() -> None:
    """ "Run 5 seeds" runs this world's settings from its seed to the horizon, in the background;
    the seed box takes effect on Reset."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    rc.find(v.TextField, label="Seed").widget.v_model = "3"
    assert "seed 3" in _text(rc, "negsim-pending")
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert " seed 3 " in _text(rc, "negsim-caption")
    assert "seeds 3–7" in _text(rc, "negsim-spread-note")
    rc.find(v.Btn, children=["Run 5 seeds"]).widget.click()
    deadline = time.monotonic() + 120
    while "faint blue" not in _text(rc, "negsim-earlier") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "seed 3, seed 4, seed 5, seed 6, seed 7" in _text(rc, "negsim-earlier")
    table = spread_table(spread("classroom", 3, TeachingWorld(seed=3).settings))
    assert table["seed"].tolist() == ["3", "4", "5", "6", "7", "mean"]
    ended = [int(x) for x in table["ended"].iloc[:5]]
    assert float(table["ended"].iloc[-1]) == pytest.approx(np.mean(ended), abs=0.01)


def test_negotiations_tab_explains_the_latest_talks() -> None:
    """The Negotiations tab draws a negotiation and says how it ended and its concessions."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    _tab(rc, "Negotiations")
    for _ in range(2):
        rc.find(v.Btn, children=["Step"]).widget.click()
    summary = _text(rc, "negsim-talk-summary")
    assert "Concessions: costly trade" in summary
    assert summary.startswith(("Deal", "No deal")) or "walked out" in summary
    _tab(rc, "About this model")
    assert "Things to try" in str(rc.find(v.VuetifyTemplate).widgets)


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
    assert found, "the caption shows no month"
    return float(found.group(1))


def _monitor_in(page: BrowserPage, label: str) -> str:
    box = page.locator(".negsim-monitor").filter(
        has=page.locator(".negsim-monitor-label", has_text=re.compile(f"^{label}$"))
    )
    return box.locator(".negsim-monitor-value").inner_text()


def _step(page: BrowserPage, month: int) -> float:
    """Press Step and time it until the page shows ``month`` (seconds)."""
    start = time.perf_counter()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "m => document.querySelector('.negsim-caption').innerText.includes('month ' + m + ' ')",
        arg=month,
        polling="raf",
        timeout=60_000,
    )
    return time.perf_counter() - start


def _colours(png: bytes, *hexes: str, tolerance: int = 40) -> list[int]:
    """How many pixels of the image are close to each colour."""
    pixels = np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    out = []
    for h in hexes:
        rgb = np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)])
        out.append(int((np.abs(pixels - rgb).sum(axis=2) < tolerance).sum()))
    return out


def _shoot(page: BrowserPage, shots: Path, name: str) -> None:
    page.wait_for_timeout(400)  # let the last image paint
    page.screenshot(path=str(shots / name))


def _drive(page: BrowserPage, url: str, shots: Path, log: dict[str, Any]) -> None:
    """The teaching page as a class would use it (see the test's docstring)."""
    page.goto(url, wait_until="load", timeout=60_000)
    network = page.locator(".negsim-network img")
    expect(network).to_be_visible(timeout=60_000)
    assert network.evaluate("img => img.complete && img.naturalWidth") > 100
    # the legend and the About panel
    legend = page.locator(".negsim-legend")
    for words in ("Node colour: status", "walk-out", "trust balance", "node size"):
        expect(legend).to_contain_text(words)
    # every slider shows its value, and says settings wait for Reset
    values = page.locator(".negsim-setting-value")
    expect(values).to_have_count(5)
    assert [values.nth(k).inner_text() for k in range(5)] == ["0.5", "0.03", "0.03", "1", "20"]
    expect(page.get_by_text("Settings take effect when you press Reset")).to_be_visible()
    assert _monitor_in(page, "negotiations") == "0"
    # Steps: the readouts change; latencies logged
    log["first step (s)"] = _step(page, 1)
    later = [_step(page, m) for m in range(2, 26)]
    log["later steps, 20 organisations (s)"] = later
    assert int(_monitor_in(page, "negotiations")) > 0 and int(_monitor_in(page, "deals")) > 0
    assert int(_monitor_in(page, "walk-outs")) > 0, "no walk-out by month 25"
    assert _monitor_in(page, "failed").endswith(f" of {_monitor_in(page, 'ended')}")
    _shoot(page, shots, "viz-network.png")
    # the About panel
    page.get_by_role("tab", name="About this model").click()
    about = page.locator(".negsim-about")
    for words in ("What you are looking at", "Things to notice", "Things to try", "Essay 003"):
        expect(about).to_contain_text(words)
    # a walk-out, in the negotiation view: frontier (near-black) and both offer traces drawn
    page.get_by_role("tab", name="Negotiations").click()
    field = page.locator(".v-select").filter(has=page.locator("label", has_text="Negotiation"))
    field.locator(".v-select__slot").click()
    page.locator(".menuable__content__active").get_by_role("option", name="latest walk-out").click()
    expect(page.locator(".negsim-talk-summary")).to_contain_text("walked out")
    expect(page.locator(".negsim-talk-summary")).to_contain_text("Concessions: costly trade")
    view = page.locator(".negsim-negotiations img")
    expect(view).to_be_visible()
    frontier, offers_a, offers_b = _colours(view.screenshot(), "#222222", FIRST, SECOND)
    assert min(frontier, offers_a, offers_b) > 50, (frontier, offers_a, offers_b)
    _shoot(page, shots, "viz-negotiation.png")
    # a second run: Reset with another setting leaves the first as a faint line
    page.get_by_role("tab", name="Network").click()
    slider = page.locator(".negsim-setting").filter(has_text="Trust growth per meeting")
    slider.get_by_role("slider").focus()
    page.keyboard.press("Home")  # trust growth 0
    expect(slider.locator(".negsim-setting-value")).to_have_text("0")
    expect(page.locator(".negsim-pending")).to_contain_text("press Reset")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".negsim-caption")).to_contain_text("month 0 ")
    expect(page.locator(".negsim-caption")).to_contain_text("trust growth 0 ")
    for month in range(1, 26):
        _step(page, month)
    page.get_by_role("tab", name="Charts").click()
    expect(page.locator(".negsim-earlier")).to_contain_text("previous run (seed 1: walk away 0.5")
    charts = page.locator(".negsim-charts img")
    (faint,) = _colours(charts.screenshot(), "#8C8C8C", tolerance=30)
    assert faint > 200, f"no faint line of the run before ({faint} grey pixels)"
    _shoot(page, shots, "viz-charts.png")
    # Play and pause
    page.get_by_role("button", name="▶").click()
    deadline = time.monotonic() + 60
    while _month(page) < 28 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.get_by_role("button", name="❚❚").click()
    assert _month(page) >= 28, "Play did not advance the world"
    # Mesa's play loop may finish the step it was sleeping on after a pause: let it land, or
    # it lands on the world Reset builds.
    paused = -1.0
    while paused != _month(page) and time.monotonic() < deadline:
        paused = _month(page)
        page.wait_for_timeout(1000)
    # 100 organisations: the later steps' latency
    page.get_by_role("tab", name="Network").click()
    size = page.locator(".negsim-setting").filter(has_text="Organisations")
    size.get_by_role("slider").focus()
    page.keyboard.press("End")
    expect(size.locator(".negsim-setting-value")).to_have_text("100")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".negsim-caption")).to_contain_text("100 organisations · month 0 ")
    _step(page, 1)
    log["later steps, 100 organisations (s)"] = [_step(page, m) for m in range(2, 12)]
    # the world outlives a visit to the other page
    page.get_by_role("button", name="Negotiate against an agent").click()
    result = play_student(page, "boulware")
    log["student against boulware"] = result
    assert result["ended_by"] == "agreement", result
    assert re.fullmatch(
        r"costly trade \d+ · material-yet-symbolic \d+ · unnecessary cost \d+ · low stakes \d+",
        result["quadrant_counts"],
    ), result["quadrant_counts"]
    _shoot(page, shots, "viz-negotiate.png")
    page.get_by_role("button", name="The world").click()
    expect(page.locator(".negsim-caption")).to_contain_text("100 organisations · month 11 ")
    page.get_by_role("button", name="Negotiate against an agent").click()
    expect(page.locator(".negsim-debrief")).to_be_visible()  # the game outlives the visit too


@pytest.mark.slow
def test_the_page_works_in_a_browser_with_the_network_cut_off(
    viz_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real Chromium at a projector's 1280×720, only 127.0.0.1 reachable: the legend, the
    About panel and the slider values are shown; the readouts count after Steps; a walk-out is
    drawn in the negotiation view with its frontier and offers; a second run leaves the first
    as a faint line; Play, pause and Reset work; a scripted student plays the alliance terms
    against ``boulware`` to an agreement and gets a debrief with quadrant counts. Step
    latencies go to the test's output (not asserted: a shared machine's timings are noise);
    screenshots are kept (``NEGSIM_VIZ_SCREENSHOTS``: a folder to copy them to)."""
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

    shots = tmp_path / "shots"
    shots.mkdir()
    log: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 720},
        )
        try:
            browser.route("**/*", local_only)
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url}: {r.status}"))
            try:
                _drive(page, viz_server, shots, log)
            except AssertionError as exc:  # say what the page lacked, not only what was missing
                pytest.fail(f"{exc}\nfailed: {failed}\nblocked: {blocked}\npage errors: {errors}")
        finally:
            browser.close()
            with capsys.disabled():
                print(_report(log))
    if target := os.environ.get("NEGSIM_VIZ_SCREENSHOTS"):
        for shot in shots.iterdir():
            shutil.copyfile(shot, Path(target) / shot.name)
    assert all(shot.stat().st_size > 20_000 for shot in shots.iterdir())
    assert not blocked, f"the page asked for the internet: {blocked}"
    assert not failed, f"requests failed: {failed}"
    assert not errors, f"errors in the page: {errors}"


def _report(log: dict[str, Any]) -> str:
    """The step latencies, in the test's output (median and slowest of the later steps)."""
    lines = ["viz step latencies, click to the page showing the new month:"]
    for key, value in log.items():
        if isinstance(value, list):
            lines.append(
                f"  {key}: median {np.median(value):.3f}, max {max(value):.3f} ({len(value)})"
            )
        elif isinstance(value, float):
            lines.append(f"  {key}: {value:.3f}")
        else:
            lines.append(f"  {key}: {value}")
    return "\n" + "\n".join(lines)
