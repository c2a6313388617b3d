"""The HTML dashboard in a real browser (Debian's Chromium, driven through chromium-driver): the
page loads with no console error, it shows one matrix cell per cell of its matrix, and a click on
a cell opens that cell's details and no other. Run on a matrix made here (every kind of cell, a
failure's text, ledger entries) and on the last parity run's own matrix in reports/ (what the
dashboard of that run shows). Screenshots of each (the page as loaded, and with a cell's details open) go to
reports/html-screenshots/."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.data.ledger import Divergence, load_ledger
from flyte_parity.reports import dashboard
from flyte_parity.reports.matrix import Column, build

LEDGER = paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"
SHOTS = paths.REPO_ROOT / "reports" / "html-screenshots"
# No traffic leaves loopback: every host name fails to resolve, background services are off.
ISOLATED = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-domain-reliability", "--metrics-recording-only",
            "--disable-client-side-phishing-detection", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1400,1000"]


def _made_here() -> dict:
    columns = [Column("idl", "pairs", {"welcome/own-java": ("run", ""), "sum/upstream-java": ("run", ""),
                                       "container/upstream-java": ("n/a", "no such thing on the JVM")}),
               Column("entrypoint", "pairs", {"welcome/own-java": ("run", ""), "sum/upstream-java": ("run", ""),
                                              "container/upstream-java": ("run", "")})]
    outcomes = {(row, mode): ["passed"] for row in ("welcome/own-java", "sum/upstream-java", "container/upstream-java")
                for mode in ("idl", "entrypoint")}
    outcomes[("sum/upstream-java", "entrypoint")] = ["failed"]
    entry = Divergence("welcome/own-java", "idl", 'task["greet"].template.metadata.generates_deck', "generates-deck",
                       "<absent>", "BoolValue(False)", "why", "source")
    return build(columns, outcomes, {("welcome/own-java", "idl"): [entry]}, header="a matrix made by the test.",
                 failures={("sum/upstream-java", "entrypoint"): ["sum/upstream-java [entrypoint]: outputs differ"]})


def _last_run() -> dict:
    """The matrix the latest parity run wrote (reports/, or a version's folder under it)."""
    reports = paths.REPO_ROOT / "reports"
    found = [p for p in [reports / "matrix.json", *reports.glob("versions/*/matrix.json")] if p.is_file()]
    if not found:
        pytest.skip(f"no parity run has written a matrix under {reports}: run `make parity` first")
    return json.loads(max(found, key=lambda p: p.stat().st_mtime).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Chromium and its driver are missing: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="flyte-parity-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*ISOLATED, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield session
    finally:
        session.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("source", ["made-here", "last-run"])
def test_the_dashboard_loads_shows_every_cell_and_opens_the_clicked_ones_details(browser, source, tmp_path):
    from selenium.webdriver.common.by import By
    matrix = _made_here() if source == "made-here" else _last_run()
    index = dashboard.write(tmp_path / "html", matrix, load_ledger(LEDGER).topics, tmp_path)
    browser.get(index.as_uri())
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], f"console errors: {errors}"

    cells = browser.find_elements(By.CSS_SELECTOR, "table.matrix td.cell")
    assert len(cells) == sum(matrix["counts"].values())
    assert not any(d.is_displayed() for d in browser.find_elements(By.CSS_SELECTOR, "section.detail"))

    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{source}-matrix.png"))
    wanted = [c for c in cells if "k-ledger" in c.get_attribute("class")] or cells
    for cell in (wanted[-1], wanted[0]):
        row, mode = cell.get_attribute("data-row"), cell.get_attribute("data-mode")
        cell.find_element(By.TAG_NAME, "a").click()
        shown = [d for d in browser.find_elements(By.CSS_SELECTOR, "section.detail") if d.is_displayed()]
        assert [(d.get_attribute("data-row"), d.get_attribute("data-mode")) for d in shown] == [(row, mode)]
        details = shown[0].text
        assert f"{row} × {mode}" in details
        for entry in matrix["cells"][row][mode].get("entries", []):
            assert entry["topic"] in details and entry["python"] in details
        shown[0].find_element(By.CSS_SELECTOR, "a.close").click()  # the panel lies over the matrix: closed first
        assert not any(d.is_displayed() for d in browser.find_elements(By.CSS_SELECTOR, "section.detail"))
    wanted[0].find_element(By.TAG_NAME, "a").click()
    browser.save_screenshot(str(SHOTS / f"{source}-cell.png"))


def test_a_failed_cell_shows_what_its_tests_said(browser, tmp_path):
    from selenium.webdriver.common.by import By
    index = dashboard.write(tmp_path / "html", _made_here(), load_ledger(LEDGER).topics, tmp_path)
    browser.get(index.as_uri())
    failed = browser.find_element(By.CSS_SELECTOR, "td.k-failed a")
    failed.click()
    shown = [d for d in browser.find_elements(By.CSS_SELECTOR, "section.detail") if d.is_displayed()]
    assert len(shown) == 1 and "outputs differ" in shown[0].text
