"""What the HR back office's browser tests share: Debian's Chromium through chromedriver
(headless, pt-BR), a first HR account made on the command line, waiting on the page,
and full-page screenshots at a desktop and a phone width (into PONTOVOZ_SCREENSHOTS when set:
docs/screenshots/central, else the test's tmp dir), with what spills sideways on the phone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.app_cli import run_app

PASSWORD = "senha-de-teste-1"
PHONE = (390, 844)

needs_chromium = pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

# What spills: the page wider than the window, or a card whose content is wider than the card.
OVERFLOW_JS = """
const out = [];
if (document.documentElement.scrollWidth > window.innerWidth + 1)
  out.push('página ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
for (const el of document.querySelectorAll('.card, table.cards tr, ul.names li')) {
  if (el.scrollWidth > el.clientWidth + 1)
    out.push((el.id || el.tagName) + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
}
return out;
"""


def add_hr_user(db: str, username: str, name: str) -> None:
    """An HR account (perfil RH) made on the command line, as ``central.sh`` makes the first."""
    made = run_app("central", "users", "add", "--database-url", db, "--username", username,
               "--name", name, PONTOVOZ_HR_PASSWORD=PASSWORD)  # fmt: skip
    assert made.returncode == 0, made.stderr


def browser(profile: Path, downloads: Path) -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--lang=pt-BR",
                f"--user-data-dir={profile}", "--window-size=1366,900"):  # fmt: skip
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "plugins.always_open_pdf_externally": True,
        "intl.accept_languages": "pt-BR",
    })  # fmt: skip
    env = {**os.environ, "LANGUAGE": "pt_BR", "LANG": "pt_BR.UTF-8"}  # date inputs as dd/mm/aaaa
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=opts)


def wait_for(predicate, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


class Shots:
    """Full-page PNGs at a desktop and the phone width; on the phone, what spills sideways
    (``OVERFLOW_JS``) is kept in ``spills`` by page name."""

    def __init__(
        self, driver: webdriver.Chrome, folder: Path, desktop: tuple[int, int], tallest: int
    ) -> None:
        self.driver, self.folder, self.saved = driver, folder, []
        self.desktop, self.tallest = desktop, tallest
        self.spills: dict[str, list[str]] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> None:
        """Both widths, each as tall as the page (up to ``tallest``), then back to desktop."""
        d = self.driver
        for label, (w, h) in (("desktop", self.desktop), ("celular", PHONE)):
            d.set_window_size(w, h)
            if label == "celular":
                spill = d.execute_script(OVERFLOW_JS)
                if spill:
                    self.spills[name] = spill
            height = d.execute_script("return document.documentElement.scrollHeight")
            d.set_window_size(w, min(max(h, height + 120), self.tallest))
            path = self.folder / f"{name}-{label}.png"
            d.save_screenshot(str(path))
            self.saved.append(path)
        d.set_window_size(*self.desktop)


def open_browser(
    tmp_path: Path, desktop: tuple[int, int], tallest: int
) -> tuple[webdriver.Chrome, Shots, Path]:
    """A fresh Chromium (own profile, downloads into the returned folder) and its `Shots`."""
    shots_dir = Path(os.environ.get("PONTOVOZ_SCREENSHOTS", tmp_path / "shots"))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    d = browser(tmp_path / "profile", downloads)
    return d, Shots(d, shots_dir, desktop, tallest), downloads
