"""The HTML report's stylesheet and script are the package data files, and the CSP pins the
script's hash as computed from that file, never a copy that could go stale."""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

from sovaudit.report import html, html_assets

FOLDER = resources.files("sovaudit") / "data" / "html"


def inline(name: str) -> str:
    """A data file as the page holds it: after the tag, on a line of its own."""
    return "\n" + (FOLDER / name).read_text("utf-8")


def test_the_inline_style_and_script_are_the_data_files() -> None:
    css, script = inline("report.css"), inline("report.js")
    assert css == html_assets.CSS
    assert script == html_assets.SCRIPT
    assert html.CSS is html_assets.CSS
    assert html.SCRIPT is html_assets.SCRIPT


def test_the_policy_pins_the_script_file() -> None:
    script = inline("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert digest == html_assets.SCRIPT_HASH
    assert f"script-src 'sha256-{digest}';" in html_assets.CSP
    assert html_assets.CSP.startswith("default-src 'none';")
