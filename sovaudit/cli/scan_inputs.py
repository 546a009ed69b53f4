"""Everything a scan reads from the user, loaded and checked before any source is collected.

A scheduled run that would fail at its end (a misspelt rule file, an unreachable history
folder, a syslog URL with a typo, a missing HEC token) fails here instead, in a second,
with exit 2 — and ``config check`` runs the very same code without scanning.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sovaudit.engine.rules import Rule, load_rules
from sovaudit.engine.waivers import WaiverRule, load_waivers
from sovaudit.errors import InputError, UsageError


@dataclasses.dataclass(frozen=True)
class HistorySettings:
    path: Path
    keep_days: int | None = None
    keep_runs: int | None = None


@dataclasses.dataclass(frozen=True)
class ScanInputs:
    """The rules, waivers, baseline, history and delivery targets of one scan."""

    rules: list[Rule]
    waivers: list[WaiverRule]
    baseline: Mapping[str, Any] | None = None
    baseline_path: Path | None = None
    history: HistorySettings | None = None
    targets: Sequence[Any] = ()


def _history(params: Mapping[str, Any]) -> HistorySettings | None:
    path = params.get("history")
    if path is None:
        return None
    path = Path(path)
    from sovaudit.history import check_history_path

    check_history_path(path)  # reads only: config check must leave no file behind
    return HistorySettings(path, params.get("history_keep_days"), params.get("history_keep_runs"))


def delivery_targets(params: Mapping[str, Any]) -> list[Any]:
    """The syslog and HEC targets the options name; the HEC token is read from its variable."""
    syslog_urls = params.get("syslog_urls") or ()
    hec_url = params.get("hec_url")
    if not syslog_urls and not hec_url:
        return []
    from sovaudit.delivery import HecTarget, parse_syslog_url

    targets: list[Any] = []
    for url in syslog_urls:
        target = parse_syslog_url(url)
        changes: dict[str, Any] = {"facility": params.get("syslog_facility") or "local0"}
        if params.get("syslog_ca_file") is not None:
            changes["ca_file"] = Path(params["syslog_ca_file"])
        targets.append(dataclasses.replace(target, **changes))
    if hec_url:
        token_env = params.get("hec_token_env") or "SOVAUDIT_HEC_TOKEN"
        token = os.environ.get(token_env, "")
        if not token:
            raise UsageError(
                f"--hec-url needs the HEC token in the environment variable {token_env}"
            )
        ca_file = params.get("hec_ca_file")
        targets.append(
            HecTarget(
                url=hec_url,
                token=token,
                index=params.get("hec_index"),
                ca_file=Path(ca_file) if ca_file is not None else None,
            )
        )
    for target in targets:
        ca = getattr(target, "ca_file", None)
        if ca is not None and not Path(ca).is_file():
            raise InputError(str(ca), "no such file (CA certificates for delivery)")
    return targets


def load_scan_inputs(params: Mapping[str, Any]) -> ScanInputs:
    """Read and check rules, waivers, baseline, history path and delivery targets."""
    rule_paths = tuple(Path(p) for p in params.get("rule_paths") or ())
    if params.get("no_builtin_rules") and not rule_paths:
        raise UsageError("--no-builtin-rules needs at least one --rules PATH")
    rules = load_rules(rule_paths, builtin=not params.get("no_builtin_rules"))
    waivers_path = params.get("waivers_path")
    waivers = load_waivers(Path(waivers_path)) if waivers_path else []
    baseline_path = params.get("baseline")
    baseline = None
    if baseline_path is not None:
        from sovaudit.changes.diff import load_scan

        baseline = load_scan(Path(baseline_path))
    return ScanInputs(
        rules=rules,
        waivers=waivers,
        baseline=baseline,
        baseline_path=Path(baseline_path) if baseline_path is not None else None,
        history=_history(params),
        targets=delivery_targets(params),
    )


def check_scan_files(params: Mapping[str, Any]) -> list[str]:
    """What ``config check`` reads: every file a scan with these options would read."""
    from sovaudit.inputs.readers import FileContext, reader_for

    checked = []
    for path in params.get("inventories") or ():
        reader = reader_for(Path(path), params.get("input_format"))
        assets = list(reader.read(Path(path), FileContext()))
        checked.append(f"{reader.name} {path} ({len(assets)} assets)")
    from sovaudit.cli.sources import sources_from
    from sovaudit.providers.registry import provider_class

    for name, options in sources_from(params).options.items():
        checked.extend(provider_class(name).check_options(options))  # each its own files
    inputs = load_scan_inputs(params)
    checked.append(f"rules ({len(inputs.rules)} rules)")
    if params.get("waivers_path"):
        checked.append(f"waivers {params['waivers_path']} ({len(inputs.waivers)})")
    if inputs.baseline_path is not None:
        checked.append(f"baseline {inputs.baseline_path}")
    if inputs.history is not None:
        checked.append(f"history {inputs.history.path}")
    checked.extend(f"delivery {describe_target(target)}" for target in inputs.targets)
    output = params.get("output")
    if output is not None:
        checked.append(check_output(Path(output), mkdir=bool(params.get("mkdir"))))
    return checked


def check_output(path: Path, *, mkdir: bool) -> str:
    """What ``config check`` says of the output target, creating nothing: a missing folder
    is the documented first-night failure, so it is an error unless --mkdir will create it."""
    from sovaudit.output import missing_folder, prepare_target

    real = Path(os.path.realpath(path))
    if str(path) != "-" and not real.parent.is_dir():
        if mkdir:
            return f"output {path} (its folder {real.parent} will be created: --mkdir)"
        raise missing_folder(path, real.parent)
    target = prepare_target(path)
    return f"output {target.describe()}"


def describe_target(target: Any) -> str:
    """A target as a person reads it, with no secret in it."""
    describe = getattr(target, "describe", None)
    return str(describe()) if callable(describe) else type(target).__name__
