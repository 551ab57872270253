"""Headless Chromium through Selenium, for the report's browser tests and its benchmark: Debian's
`chromium` and `chromium-driver` packages (`.ci/run` installs them), never a browser downloaded at run time."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> tuple[str, str] | None:
    """The paths of a Chromium and its driver, or None where either is missing."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def missing_reason() -> str | None:
    """Why no browser test can run here, or None where one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    if find_chromium() is None:
        return "needs Chromium and its driver (apt-get install chromium chromium-driver; .ci/run installs them)"
    return None


@contextmanager
def headless_chromium(width: int = 1100, height: int = 1400) -> Iterator[Any]:
    """A Selenium driver of a headless Chromium that keeps the pages' console messages."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if found is None:
        raise RuntimeError(missing_reason())
    browser, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """The page's console errors and uncaught exceptions so far."""
    logged = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return logged + list(driver.execute_script("return window.reportErrors || []"))
