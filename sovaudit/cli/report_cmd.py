"""``sovaudit report RESULT.json``: a saved scan result rendered as the scan rendered it.

A pipeline scans once and keeps the JSON; every other format (the HTML for people, SARIF
for code scanning, OCSF for the SIEM) is drawn from that file later, and must say what the
scan said: its times, findings, waivers, errors and changes, not a re-evaluation of its
assets by whatever rules and waivers exist today.
"""

from __future__ import annotations

from pathlib import Path

import click

from sovaudit.cli.common import command_body, logging_options, output_options, resolve_output
from sovaudit.cli.rendering import FORMATS, render_result, wants_colour
from sovaudit.cli.settings import config_option
from sovaudit.i18n import LANGUAGES, default_language
from sovaudit.inputs.result_reader import read_result
from sovaudit.output import emit


@click.command()
@config_option
@click.argument("result", type=click.Path(path_type=Path), metavar="RESULT.json")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the report's headings and sentences (default: from the locale); "
    "finding titles and messages stay in the language the scan wrote them in.",
)
@output_options(FORMATS)
@logging_options
@command_body
def report(
    result: Path, lang: str | None, fmt: str | None, output: Path | None, mkdir: bool
) -> None:
    """Render a saved scan result (scan --format json) in any format, exactly as it was.

    Its times, home country, assets and their locations, findings with their waivers,
    errors, waiver notices and changes since a baseline or the history are taken from the
    file: nothing is collected, located or evaluated again (for that, give the file to
    'scan'). Exit code: 0 when the report is written, whatever it says: rendering is not a
    verdict, the scan that wrote the result gave that (--fail-on); 2 bad input (a file that
    is not a scan result, or an invalid one: one line naming file, line and field).

    \b
    Examples:
      sovaudit report scan.json --format html --output report.html
      sovaudit report scan.json --format sarif -o sovaudit.sarif
      sovaudit report scan.json --format markdown --lang es
    """
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=mkdir)
    saved = read_result(result)
    lang = lang or default_language()
    colour = wants_colour(fmt, target)
    emit(render_result(fmt, saved.result, lang, colour, changes=saved.changes), target)
