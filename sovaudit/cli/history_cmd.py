"""``sovaudit history``: how the exposure figure moved over the recorded scans."""

from __future__ import annotations

from pathlib import Path

import click

from sovaudit.cli.common import command_body, logging_options, output_options, resolve_output
from sovaudit.cli.settings import config_option
from sovaudit.history import HistoryStore
from sovaudit.history.render import render_changes, render_runs
from sovaudit.i18n import LANGUAGES, Translator, default_language
from sovaudit.output import emit

FORMATS = ("table", "json")


@click.command()
@config_option
@click.option(
    "--history",
    "history",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="The history database that scans record into (config: `history:`).",
)
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Only the newest N runs.")
@click.option(
    "--changes",
    is_flag=True,
    help="List the new and resolved findings of the latest run instead of the runs.",
)
@click.option(
    "--run",
    "run_id",
    type=click.IntRange(min=1),
    metavar="ID",
    help="List the new and resolved findings of run ID (implies --changes).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the table (default: from the locale).",
)
@output_options(FORMATS)
@logging_options
@command_body
def history(
    history: Path | None,
    limit: int | None,
    changes: bool,
    run_id: int | None,
    lang: str | None,
    fmt: str | None,
    output: Path | None,
    mkdir: bool,
) -> None:
    """The recorded scans, oldest first: exposure, open findings, and what each run found
    new or resolved since the one before; then how the exposure moved.

    \b
    Examples:
      sovaudit history --history /var/lib/sovaudit/history.sqlite --limit 30
      sovaudit history --config sovaudit.yaml --changes
      sovaudit history --config sovaudit.yaml --format json | jq '.[-1].summary'
    """
    if history is None:
        raise click.UsageError(
            "no history database: give --history PATH or set `history:` in the config file"
        )
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=mkdir)
    t = Translator(lang or default_language())
    with HistoryStore(history, read_only=True) as store:
        if changes or run_id is not None:
            found = store.changes(run_id)
            chunks = list(render_changes(fmt, found, store.run(found.run_id), t))
        else:
            chunks = list(render_runs(fmt, store.runs(limit), t))
    emit(chunks, target)
