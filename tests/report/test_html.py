"""The HTML report: content, escaping and CSP on the string, then in a real headless Chromium.

The browser tests are the point: only a browser can prove that a hostile asset name does not
run, that the inline script passes the CSP and does its work, and what the page looks like.
They need the Debian ``chromium`` package and fail (never skip) without it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.engine.rules import load_rules
from sovaudit.locate.regions import Locator
from sovaudit.model import ScanError, ScanResult, Waiver, WaiverNotice, evolve
from sovaudit.pipeline import build_sources
from sovaudit.report.html import SCRIPT, render_html
from sovaudit.report.model import Report, build_report
from sovaudit.scan import run_scan
from tests.conftest import ROOT, SAMPLES

RETAIL = SAMPLES / "retail_monterrey.yaml"
ARTIFACTS = ROOT / "test-artifacts"
BROWSER_TIMEOUT = 60  # seconds, per Chromium call

IMG_PAYLOAD = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT_PAYLOAD = "<script>document.title='pwned2'</script>"
ATTR_PAYLOAD = "\"><script>document.title='pwned3'</script>"
EVIL_INVENTORY = """\
assets:
  - id: evil
    name: "<img src=x onerror=\\"document.title='pwned'\\">"
    provider: saas
    classification: personal
    owner: "\\"><script>document.title='pwned3'</script>"
    tags: {x: "<script>document.title='pwned2'</script>"}
"""

Scan = Callable[..., ScanResult]


def fixed_clock() -> datetime.datetime:
    return datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def scan(locator: Locator, classifier: Classifier) -> Scan:
    """Scan inventory files with the built-in rules, at a fixed time."""

    def _scan(*paths: Path, home: str = "MX", lang: str = "en") -> ScanResult:
        return run_scan(
            build_sources(list(paths), [], locator),
            locator=locator,
            classifier=classifier,
            rules=load_rules([], builtin=True),
            home=home,
            lang=lang,
            clock=fixed_clock,
        )

    return _scan


@pytest.fixture
def evil_file(tmp_path: Path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(EVIL_INVENTORY, encoding="utf-8")
    return path


def render(report: Report) -> str:
    return "".join(render_html(report))


def hostile_result(result: ScanResult) -> ScanResult:
    """``result`` plus a waived finding, waiver notices and an error, all carrying payloads."""
    waived = evolve(
        result.findings[0],
        id="waived-rule/0001",
        status="waived",
        waiver=Waiver(reason=SCRIPT_PAYLOAD, expires="2099-01-01", owner=ATTR_PAYLOAD),
    )
    notices = tuple(
        WaiverNotice(
            problem=problem,
            rule="rule-" + problem,
            asset=IMG_PAYLOAD,
            reason=SCRIPT_PAYLOAD,
            owner=ATTR_PAYLOAD,
            expires="2024-01-01",
            origin="waivers.yaml:3",
        )
        for problem in ("expired", "unused")
    )
    error = ScanError(provider="aws", scope=ATTR_PAYLOAD, message=IMG_PAYLOAD)
    return evolve(
        result,
        findings=(*result.findings, waived),
        waiver_notices=notices,
        errors=(error,),
    )


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(document: str) -> Elements:
    parser = Elements()
    parser.feed(document)
    parser.close()
    return parser


# ------------------------------------------------------------------------------ the string


@pytest.mark.parametrize(
    ("lang", "own", "other"),
    [
        ("en", ("Where the data is", "Findings, worst first", "By country"), "Dónde están"),
        ("es", ("Dónde están los datos", "Hallazgos, del más grave", "Por país"), "Where the"),
    ],
)
def test_each_language_has_its_own_headings(
    scan: Scan, lang: str, own: Sequence[str], other: str
) -> None:
    report = build_report(scan(RETAIL, lang=lang), lang)
    document = render(report)
    assert document.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in document
    for heading in own:
        assert html.escape(heading) in document
    assert other not in document
    assert html.escape(report.headline()) in document
    assert html.escape(report.t("roundtable", figure=90)) in document


def test_headline_figure_and_sections(scan: Scan) -> None:
    report = build_report(scan(RETAIL), "en")
    document = render(report)
    assert report.summary["exposure_pct"] == 48.1
    assert '<p class="figure">48.1<span class="pct">%</span></p>' in document
    assert "~90%" in document  # the roundtable bar
    assert document.count('<tr class="finding">') == len(report.open_findings)
    for asset in report.without_home_copy:
        assert html.escape(asset.id) in document
    assert "Generated 2025-06-01 12:00 UTC by sovaudit" in document
    assert "2025-06-01T12:00:00Z" in document  # the exact stamp, in the footer
    assert report.t("incomplete") not in document  # no errors, no warning
    assert document.count("<svg") == 2


def test_every_finding_id_appears(scan: Scan, evil_file: Path) -> None:
    result = hostile_result(scan(RETAIL, evil_file))
    document = render(build_report(result, "en"))
    assert result.findings
    for finding in result.findings:
        assert html.escape(finding.id) in document, finding.id


def test_findings_are_worst_first(scan: Scan) -> None:
    document = render(build_report(scan(RETAIL), "en"))
    ranks = [int(r) for r in re.findall(r'<tr class="finding"><td data-key="(\d)">', document)]
    assert ranks
    assert ranks == sorted(ranks, reverse=True)


def test_no_external_resources(scan: Scan, evil_file: Path) -> None:
    """No attribute that can load anything exists at all, and no CSS that could either."""
    document = render(build_report(hostile_result(scan(RETAIL, evil_file)), "en"))
    parsed = parse(document)
    loaders = {"src", "href", "srcset", "action", "formaction", "poster", "data", "xlink:href"}
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert name not in loaders, (tag, name, value)
            assert not re.search(r"https?://", value or ""), (tag, name, value)
    assert "url(" not in document
    assert "@import" not in document
    assert [t for t, _ in parsed.tags if t in ("link", "img", "iframe", "object", "embed")] == []


def test_hostile_values_render_as_text(scan: Scan, evil_file: Path) -> None:
    result = hostile_result(scan(RETAIL, evil_file, lang="es"))
    document = render(build_report(result, "es"))
    parsed = parse(document)
    assert [tag for tag, _ in parsed.tags].count("script") == 1  # ours, at the end
    assert not [tag for tag, _ in parsed.tags if tag == "img"]
    for tag, attrs in parsed.tags:
        for name, _value in attrs:
            assert not name.startswith("on"), (tag, name)
    text = "".join(parsed.text)
    for payload in (IMG_PAYLOAD, SCRIPT_PAYLOAD, ATTR_PAYLOAD):
        assert payload in text  # shown to the reader, as text
        assert html.escape(payload, quote=True) in document
    assert "x: " + SCRIPT_PAYLOAD in text  # the tag, key and value
    assert result.findings[-1].waiver is not None
    assert result.errors
    assert html.escape(build_report(result, "es").t("incomplete")) in document


def test_csp_pins_the_one_script(scan: Scan) -> None:
    document = render(build_report(scan(RETAIL), "en"))
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', document)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy
    assert "img-src data:" in policy
    assert "'unsafe-eval'" not in policy
    scripts = re.findall(r"<script>(.*?)</script>", document, flags=re.DOTALL)
    assert scripts == [SCRIPT]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


def test_print_styles(scan: Scan) -> None:
    document = render(build_report(scan(RETAIL), "en"))
    print_css = document[document.index("@media print") :]
    assert ".toolbar { display: none !important; }" in print_css
    assert "tr[hidden] { display: table-row !important; }" in print_css
    assert "break-inside: avoid" in print_css


def test_roundtable_only_for_mexico(scan: Scan) -> None:
    report = build_report(scan(RETAIL, home="US"), "en")
    assert not report.show_roundtable
    document = render(report)
    assert "roundtable" not in document.lower()
    assert document.count("<svg") == 1


def test_no_personal_data(scan: Scan, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "assets:\n  - {id: web, provider: aws, region: us-east-1, classification: none}\n",
        encoding="utf-8",
    )
    report = build_report(scan(path), "es")
    document = render(report)
    assert 'class="figure"' not in document
    assert "<code>classification</code>" in document  # `code` in the message, as <code>
    assert html.escape(report.t("nothing")) in document


# ------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if binary is None:
        pytest.fail(
            "Chromium is needed for the HTML report's browser tests and was not found: "
            "install the Debian package `chromium` (apt-get install -y chromium)."
        )
    return binary


def browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run, bounded, with nothing that talks to the network."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Chromium did not finish within {BROWSER_TIMEOUT} s: {command}")
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def write_report(report: Report, path: Path) -> Path:
    path.write_text(render(report), encoding="utf-8")
    return path


def test_browser_dom_after_scripts(
    chromium: str, scan: Scan, evil_file: Path, tmp_path: Path
) -> None:
    result = scan(RETAIL, evil_file)
    report = build_report(result, "en")
    page = write_report(report, tmp_path / "report.html")
    dom = browse(chromium, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout

    title = re.search(r"<title>(.*?)</title>", dom, flags=re.DOTALL)
    assert title is not None
    assert title.group(1) == report.t("report_title")  # no payload ran
    assert "pwned" not in title.group(1)

    figure = re.search(r'<p class="figure">([\d.]+)<span class="pct">%</span></p>', dom)
    assert figure is not None
    assert float(figure.group(1)) == report.summary["exposure_pct"]
    assert report.summary["exposure_pct"] == round(
        100 * report.summary["personal_assets_outside_home"] / report.summary["personal_assets"],
        1,
    )
    assert dom.count('<tr class="finding">') == len(report.open_findings)
    assert len(report.open_findings) == sum(report.summary["findings_by_severity"].values())
    assert any(f.asset_id == "evil" for f in report.open_findings)

    # The payloads are text in the DOM: serialised with &lt;, and no element was made of them.
    assert "&lt;img src=x onerror=\"document.title='pwned'\"&gt;" in dom
    assert "&lt;script&gt;document.title='pwned2'&lt;/script&gt;" in dom
    assert "<img" not in dom
    assert dom.count("<script") == 1

    # The script ran under the CSP: the filter box is shown and the headers became buttons.
    assert 'id="findings-toolbar" hidden' not in dom
    assert 'id="findings-toolbar"' in dom
    assert dom.count('<button type="button" class="sort">') == 5


def screenshot(chromium: str, report: Report, tmp_path: Path, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    page = write_report(report, tmp_path / f"{name}.html")
    shutil.copyfile(page, ARTIFACTS / f"{name}.html")
    target = ARTIFACTS / f"{name}.png"
    target.unlink(missing_ok=True)
    browse(
        chromium,
        tmp_path / "profile",
        f"--screenshot={target}",
        "--window-size=1280,2200",
        page.as_uri(),
    )
    assert target.exists(), f"Chromium wrote no screenshot to {target}"
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a rendered page, not a blank one
    return target


@pytest.mark.parametrize(
    ("sample", "lang", "name"),
    [
        (RETAIL, "en", "html-report"),
        (RETAIL, "es", "html-report-es"),
        (SAMPLES / "fintech_cdmx.json", "en", "html-report-fintech"),
    ],
)
def test_browser_screenshot(
    chromium: str, scan: Scan, tmp_path: Path, sample: Path, lang: str, name: str
) -> None:
    # The English retail screenshot is the README's docs/images/html-report.png: refresh it
    # from test-artifacts/ by hand when the report's look changes.
    screenshot(chromium, build_report(scan(sample, lang=lang), lang), tmp_path, name)
