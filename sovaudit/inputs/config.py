"""The configuration file of a scheduled run (``sovaudit.yaml``), read into option values.

A config file is another way to give the command-line options, not a second set of
settings: each key becomes the value of one option (its parameter name), which the CLI
hands to click as the command's ``default_map``. So precedence falls out of click itself:
command line > ``SOVAUDIT_*`` environment variables > this file > the option's default.

Layout (CONTRACT.md fixes ``home_country``, ``sources``, ``rules``, ``waivers``, ``fail_on``
and ``history``; docs/configuration.md documents the rest). Relative paths are relative to
the file, so a schedule works whatever directory cron starts in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import LineFinder, load_mapping
from sovaudit.inputs.validation import load_schema, validate

SCHEMA = "config.schema.json"
ENV_PREFIX = "SOVAUDIT_"
CONFIG_ENV = "SOVAUDIT_CONFIG"


@dataclasses.dataclass(frozen=True)
class Setting:
    """One option's value from the file, and where it was written (for messages)."""

    value: Any
    line: int | None


@dataclasses.dataclass(frozen=True)
class Config:
    """A validated config file: option values by parameter name, for every command."""

    path: Path
    settings: Mapping[str, Setting]
    commands: Mapping[str, Mapping[str, Setting]]

    def default_map(
        self, command: str, params: Sequence[str], keys: Mapping[str, str]
    ) -> dict[str, Any]:
        """The values for one command: the shared keys it has, then its own section.

        ``keys`` maps the names a ``commands.<command>`` section may use (option names such
        as ``format``) to parameter names; unknown keys are the caller's to report.
        """
        wanted = set(params)
        values = {name: s.value for name, s in self.settings.items() if name in wanted}
        for key, setting in self.commands.get(command, {}).items():
            if key in keys:
                values[keys[key]] = setting.value
        return values

    def line_of(self, command: str, key: str) -> int | None:
        """The line of a command's own key, else of the shared setting of that name."""
        found = self.commands.get(command, {}).get(key) or self.settings.get(key)
        return found.line if found else None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


class _Reader:
    """Turns the validated document into option values, resolving paths against the file."""

    def __init__(self, path: Path, document: Mapping[str, Any], find_line: LineFinder) -> None:
        self.path = path
        self.base = path.parent
        self.document = document
        self.find_line = find_line
        self.settings: dict[str, Setting] = {}

    def lookup(self, keys: Sequence[str]) -> Any:
        node: Any = self.document
        for key in keys:
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        return node

    def put(self, param: str, keys: Sequence[str], convert: Callable[[Any], Any]) -> None:
        value = self.lookup(keys)
        if value is None:
            return
        try:
            converted = convert(value)
        except ValueError as exc:
            raise InputError(
                str(self.path), str(exc), line=self.find_line(list(keys)), field=".".join(keys)
            ) from None
        self.settings[param] = Setting(converted, self.find_line(list(keys)))

    def path_value(self, value: Any) -> str:
        """``~`` expanded; relative paths anchored at the config file's folder."""
        expanded = Path(str(value)).expanduser()
        return str(expanded if expanded.is_absolute() else self.base / expanded)

    def paths(self, value: Any) -> list[str]:
        return [self.path_value(item) for item in _as_list(value)]

    def strings(self, value: Any) -> list[str]:
        return [str(item) for item in _as_list(value)]


# Each key of the file (a path of keys), the option it feeds, and how its value is read.
# Kept as one table so that `config check` and docs/configuration.md can list them.
def _as_is(value: Any) -> Any:
    return value


def _mapping(reader: _Reader) -> list[tuple[str, tuple[str, ...], Callable[[Any], Any]]]:
    path, paths, strings = reader.path_value, reader.paths, reader.strings
    return [
        ("home_country", ("home_country",), lambda v: str(v).upper()),
        ("lang", ("lang",), _as_is),
        ("inventories", ("sources", "inventory"), paths),
        *_source_keys(reader),
        ("rule_paths", ("rules",), paths),
        ("no_builtin_rules", ("builtin_rules",), lambda v: not v),
        ("waivers_path", ("waivers",), path),
        ("fail_on", ("fail_on",), _as_is),
        ("strict", ("strict",), _as_is),
        ("timeout", ("timeout",), float),
        ("baseline", ("baseline",), path),
        ("history", ("history",), path),
        ("history_keep_days", ("history_retention", "days"), int),
        ("history_keep_runs", ("history_retention", "runs"), int),
        ("syslog_urls", ("delivery", "syslog", "url"), strings),
        ("syslog_ca_file", ("delivery", "syslog", "ca_file"), path),
        ("syslog_facility", ("delivery", "syslog", "facility"), _as_is),
        ("hec_url", ("delivery", "hec", "url"), _as_is),
        ("hec_token_env", ("delivery", "hec", "token_env"), _as_is),
        ("hec_index", ("delivery", "hec", "index"), _as_is),
        ("hec_ca_file", ("delivery", "hec", "ca_file"), path),
        ("progress", ("progress",), _as_is),
        ("log_format", ("log_format",), _as_is),
    ]


def _source_keys(reader: _Reader) -> list[tuple[str, tuple[str, ...], Callable[[Any], Any]]]:
    """``sources.<provider>.<key>`` for every option every provider declares."""
    from sovaudit.cli.sources import declared_options

    by_kind: dict[tuple[str, bool], Callable[[Any], Any]] = {
        ("path", False): reader.path_value,
        ("path", True): reader.paths,
        ("number", False): float,
    }
    return [
        (
            option.param_for(name),
            ("sources", name, option.key),
            by_kind.get(
                (option.kind, option.multiple), reader.strings if option.multiple else _as_is
            ),
        )
        for name, option in declared_options()
    ]


def _providers(document: Mapping[str, Any]) -> list[str]:
    """A provider section present (even empty: ``aws: {}``) means: read that provider."""
    from sovaudit.providers.registry import declared

    sources = document.get("sources") or {}
    known = declared()
    return [name for name in sources if name in known]  # in the file's order


def config_schema() -> dict[str, Any]:
    """The config file's JSON Schema: the published file, with one ``sources.<provider>``
    section per provider generated from its declared options (plug-ins included)."""
    from sovaudit.cli.sources import declared_options
    from sovaudit.providers.interface import option_schema

    schema = load_schema(SCHEMA)
    sources = schema["properties"]["sources"]["properties"]
    generated: dict[str, dict[str, Any]] = {}
    for name, option in declared_options():
        section = generated.setdefault(
            name, {"type": ["object", "null"], "additionalProperties": False, "properties": {}}
        )
        section["properties"][option.key] = option_schema(option)
    schema["properties"]["sources"]["properties"] = {
        key: value for key, value in sources.items() if key == "inventory"
    } | generated
    # The published file accepts any section (editors cannot know the installed providers);
    # a run knows them, so an unknown section is an error naming its line.
    schema["properties"]["sources"]["additionalProperties"] = False
    return schema


def _content(reader: _Reader) -> None:
    value = reader.lookup(["sample_content"])
    if value is None:
        return
    line = reader.find_line(["sample_content"])
    if isinstance(value, bool):
        reader.settings["sample_content"] = Setting(value, line)
        return
    enabled = bool(value.get("enabled", True))
    reader.settings["sample_content"] = Setting(enabled, line)
    if not enabled:  # the limits stay written down for the day it is turned on
        return
    reader.put("sample_objects", ("sample_content", "objects_per_bucket"), int)
    # Sizes ("64KiB") go to the option as written: its click type converts and checks them.
    reader.put("sample_bytes", ("sample_content", "bytes_per_object"), _as_is)
    reader.put("sample_total", ("sample_content", "total_bytes"), _as_is)


def _commands(reader: _Reader) -> dict[str, dict[str, Setting]]:
    sections = reader.lookup(["commands"]) or {}
    commands: dict[str, dict[str, Setting]] = {}
    for command, options in sections.items():
        own: dict[str, Setting] = {}
        for key, value in options.items():
            name = str(key).replace("-", "_")
            own[name] = Setting(value, reader.find_line(["commands", command, key]))
        commands[str(command).replace("_", "-")] = own
    return commands


def load_config(path: Path) -> Config:
    """Read and validate a config file; InputError (exit 2) names the file, line and key."""
    document, find_line = load_mapping(path, "settings such as 'sources' and 'fail_on'")
    validate(document, str(path), find_line, SCHEMA, build=config_schema)
    reader = _Reader(path, document, find_line)
    for param, keys, convert in _mapping(reader):
        reader.put(param, keys, convert)
    providers = _providers(document)
    if providers:
        reader.settings["providers"] = Setting(providers, find_line(["sources"]))
    _content(reader)
    return Config(path=path, settings=reader.settings, commands=_commands(reader))


def shared_params() -> frozenset[str]:
    """The options a config file sets at its top level, for every command that has them."""
    table = _mapping(_Reader(Path(), {}, lambda path: None))
    content = {"sample_content", "sample_objects", "sample_bytes", "sample_total"}
    return frozenset({param for param, _, _ in table} | {"providers"} | content)


def env_names(command_path: Sequence[str], option: str, *, shared: bool) -> list[str]:
    """``SOVAUDIT_SCAN_FAIL_ON`` (this command only), then ``SOVAUDIT_FAIL_ON`` (any command).

    The second, command-free name exists only for ``shared`` settings (those of the config
    file's top level): a ``SOVAUDIT_OUTPUT`` that every command obeyed would have
    ``history`` overwrite the scan report. ``option`` is the long option name without
    dashes (``fail-on``); the command path leaves out the program (``["rules", "validate"]``).
    """
    stem = option.replace("-", "_").upper()
    scoped = "_".join([*(part.replace("-", "_").upper() for part in command_path), stem])
    return [ENV_PREFIX + scoped, ENV_PREFIX + stem] if shared else [ENV_PREFIX + scoped]
