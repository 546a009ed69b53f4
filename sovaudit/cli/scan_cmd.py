"""``sovaudit scan``: the whole pipeline, with findings and an exit code for schedulers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sovaudit.cli.announce import announce
from sovaudit.cli.common import (
    command_body,
    home_option,
    logging_options,
    output_options,
    resolve_output,
)
from sovaudit.cli.content_options import (
    attach_content_sampling,
    content_limits,
    content_options,
)
from sovaudit.cli.delivery_options import delivery_options, history_options, progress_option
from sovaudit.cli.rendering import FORMATS, render_result, wants_colour
from sovaudit.cli.scan_after import AfterScan, after_scan_exit_code
from sovaudit.cli.scan_inputs import load_scan_inputs
from sovaudit.cli.settings import config_option
from sovaudit.cli.sources import Sources, source_options
from sovaudit.i18n import LANGUAGES, default_language
from sovaudit.model import Severity
from sovaudit.output import emit
from sovaudit.pipeline import Stages
from sovaudit.scan import exit_code, run_scan

FAIL_ON = (*(s.value for s in Severity), "never")


@click.command()
@config_option
@source_options
@click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="Extra rule file or folder, added to the built-in rules; repeatable.",
)
@click.option(
    "--no-builtin-rules", is_flag=True, help="Evaluate only the rules given with --rules."
)
@click.option(
    "--waivers",
    "waivers_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="YAML file of accepted risks (rule, asset, reason, owner, expires).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="high",
    show_default=True,
    help="Exit 1 when an open finding is at or above this severity.",
)
@home_option
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of reports, finding titles, messages and remediation (default: from the "
    "locale, es_* gives Spanish, else English).",
)
@content_options
@history_options
@delivery_options
@output_options(FORMATS)
@progress_option
@logging_options
@command_body
def scan(
    sources: Sources,
    fail_on: str,
    home_country: str,
    lang: str | None,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Find personal data outside the home country, and copies that cross borders.

    Collects assets from INVENTORY files (YAML, JSON, CSV, or a previous scan's JSON) and
    providers, places each one and each copy in a country, state and city, evaluates the
    rules, applies waivers, and reports; with a history or a baseline, says what changed, and
    sends findings to syslog or an HTTP event collector. Exit code: 0 nothing at or above
    --fail-on, 1 findings at or above it, 2 bad input, 3 incomplete (something could not be
    read), 5 written but not recorded or not delivered.

    \b
    Examples:
      sovaudit scan sample_inventories/retail_monterrey.yaml
      sovaudit scan estate.yaml --waivers waivers.yaml --fail-on critical -o scan.json
      sovaudit scan --config /etc/sovaudit/sovaudit.yaml
      sovaudit scan estate.yaml --baseline last-night.json --format markdown
      sovaudit scan estate.yaml --syslog tcp://siem.example.com:601 -o scan.json
    """
    sources.require()
    # Everything the user wrote is read and checked before any source is collected,
    # the output target included.
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=params.pop("mkdir", False))
    attach_content_sampling(sources.options, content_limits(params))
    inputs = load_scan_inputs(params)
    lang = lang or default_language()
    stages = Stages.default()
    result = run_scan(
        sources.build(stages.locator),
        locator=stages.locator,
        classifier=stages.classifier,
        rules=inputs.rules,
        waivers=inputs.waivers,
        home=home_country,
        lang=lang,
        deadline=sources.deadline(),
    )
    announce(result.errors, result.waiver_notices)
    code = exit_code(result, None if fail_on == "never" else Severity(fail_on))
    after = AfterScan(result, inputs, lang)
    history = after.read_history()
    colour = wants_colour(fmt, target)
    emit(
        render_result(
            fmt,
            result,
            lang,
            colour,
            changes=after.changes,
            trend=history.trend,
            summary=after.summary,  # summarised once per scan
        ),
        target,
    )
    # Recorded only now that the report is in place: see AfterScan.read_history.
    not_recorded = history.failed or after.record_history(code)
    delivered = after.deliver()
    sys.exit(after_scan_exit_code(code, not_recorded or not delivered))
