"""``sovaudit diff OLD.json NEW.json``: what a scheduler should tell someone about."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from sovaudit.changes.diff import ScanDiff, diff_scans, diff_to_dict, load_scan
from sovaudit.cli.common import (
    command_body,
    logging_options,
    output_options,
    resolve_output,
)
from sovaudit.cli.settings import config_option
from sovaudit.errors import ExitCode
from sovaudit.i18n import LANGUAGES, Translator, default_language
from sovaudit.output import emit
from sovaudit.report.markdown import table_lines as markdown_table
from sovaudit.report.text_table import format_table

FORMATS = ("table", "markdown", "json")
FAIL_ON = ("critical", "high", "medium", "low", "info", "never")


def _rows(t: Translator, findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (t.severity(f["severity"]), f["rule_id"], f["asset_id"], f["message"]) for f in findings
    ]


def _render(fmt: str, diff: ScanDiff, t: Translator) -> Iterator[str]:
    if fmt == "json":
        yield json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"
        return
    delta = f"{diff.exposure_delta:+.1f}"
    headers = (t("col_severity"), t("col_rule"), t("col_asset"), t("col_finding"))
    markdown = fmt == "markdown"
    yield (f"# {t('diff_title')}\n\n" if markdown else "")
    yield t("diff_exposure", old=diff.old_exposure, new=diff.new_exposure, delta=delta) + "\n"
    for title, findings in ((t("diff_new"), diff.new), (t("diff_resolved"), diff.resolved)):
        yield (
            f"\n## {title} ({len(findings)})\n\n" if markdown else f"\n{title} ({len(findings)})\n"
        )
        if not findings:
            yield t("nothing") + "\n"
        elif markdown:
            yield from markdown_table(headers, _rows(t, findings))
        else:
            yield from format_table(headers, _rows(t, findings), max_cell=90)
    yield "\n" + t("diff_unchanged", count=len(diff.unchanged)) + "\n"


@click.command()
@config_option
@click.argument("old", type=click.Path(path_type=Path), metavar="OLD.json")
@click.argument("new", type=click.Path(path_type=Path), metavar="NEW.json")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="high",
    show_default=True,
    help="Exit 1 when a new open finding is at or above this severity.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the report (default: from the locale).",
)
@output_options(FORMATS)
@logging_options
@command_body
def diff(
    old: Path,
    new: Path,
    fail_on: str,
    lang: str | None,
    fmt: str | None,
    output: Path | None,
    mkdir: bool,
) -> None:
    """What changed between two scan results (scan --format json): new, resolved and
    unchanged findings, and the change in the exposure figure.

    \b
    Example:
      sovaudit diff last-night.json tonight.json --fail-on high
    """
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=mkdir)
    changes = diff_scans(load_scan(old), load_scan(new))
    t = Translator(lang or default_language())
    emit(_render(fmt, changes, t), target)
    if fail_on != "never" and changes.new_at_or_above(fail_on):
        sys.exit(ExitCode.FINDINGS)
