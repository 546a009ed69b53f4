"""Terraform and OpenTofu plans and states as an input: audit the data before it exists.

``terraform show -json PLANFILE`` in a pull request says what ``apply`` will create, where
and with which copies; the same rules, messages and exit codes as the nightly audit then
judge it. Asset ids are resource addresses (``module.analitica.aws_s3_bucket.lake``), and
each asset keeps the file and line it came from for SARIF.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import parse_json, read_text, require_mapping
from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import FileContext, Reader
from sovaudit.inputs.terraform import aws, azurerm, google, oci
from sovaudit.inputs.terraform.document import (
    Instance,
    plan_instances,
    raw_state_instances,
    state_instances,
)
from sovaudit.inputs.terraform.providers import ProviderSettings
from sovaudit.inputs.terraform.resources import Context, Draft, Drafts, Spec, draft, string_tags
from sovaudit.model import Asset, unknown_location

log = logging.getLogger(__name__)

# Terraform provider type -> the module that knows its resource types.
CLOUDS: dict[str, ModuleType] = {
    "aws": aws,
    "google": google,
    "google-beta": google,
    "azurerm": azurerm,
    "oci": oci,
}
_LINK = Spec("link", "link", (("region", "region"),))
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
# Tag-like arguments, weakest first: provider default tags < tags < tags_all.
_TAG_KEYS = ("tags", "tags_all", "labels", "terraform_labels", "freeform_tags")


class TerraformReader(Reader):
    name = "terraform"

    def detects(self, peek: Peek) -> bool:
        if peek.suffix == ".tfstate":
            return True
        keys = peek.json_keys
        if "assets" in keys:
            return False
        return "terraform_version" in keys or "format_version" in keys

    def read(self, path: Path, context: FileContext) -> list[Asset]:
        file = str(path)
        text = read_text(path)
        document, _ = parse_json(text, file)
        document = require_mapping(document, file, "a Terraform plan or state")
        instances = list(_instances(document, file))
        lines = address_lines(text)

        def origin(address: str) -> dict[str, Any]:
            """The file (and line) an asset was read from, for SARIF's physical location."""
            line = lines.get(address)
            return {"source_file": file, **({"source_line": line} if line is not None else {})}

        assets, skipped = interpret(instances, document, Context(context.locator), origin)
        _say_skipped(file, len(instances), skipped)
        return assets


READER = TerraformReader()


def _instances(document: Mapping[str, Any], file: str) -> Iterator[Instance]:
    if "resource_changes" in document or "planned_values" in document:
        return plan_instances(document, file)
    if isinstance(document.get("values"), Mapping):
        return state_instances(document)
    if isinstance(document.get("resources"), list):
        return raw_state_instances(document, file)
    if "format_version" in document or "terraform_version" in document:
        return iter(())  # an empty state: `terraform show -json` writes only its format_version
    raise InputError(
        file,
        "not a Terraform plan or state: no resource_changes, planned_values, values or "
        "resources (make it with `terraform show -json PLANFILE` or `terraform show -json`)",
        line=1,
    )


def interpret(
    instances: Iterable[Instance],
    document: Mapping[str, Any],
    context: Context,
    origin: Callable[[str], Mapping[str, Any]] = lambda address: {},
) -> tuple[list[Asset], Counter[str]]:
    """The assets the instances make, and how many instances of each unmapped type."""
    settings = ProviderSettings(document)
    drafts: list[Draft] = []
    links: list[Draft] = []
    skipped: Counter[str] = Counter()
    for instance in instances:
        cloud = CLOUDS.get(instance.provider)
        spec = cloud.TYPES.get(instance.type) if cloud is not None else None
        if cloud is None or (spec is None and instance.type not in cloud.LINKS):
            skipped[instance.type] += 1
            continue
        place = settings.place(instance)
        made = draft(instance, spec or _LINK, cloud.PROVIDER, place, context)
        made.tags = _tags(instance, place.default_tags)
        (drafts if spec is not None else links).append(made)
    for item in drafts:
        if item.spec.copies is not None:
            item.copies.extend(item.spec.copies(item, context))
    index = Drafts(drafts, links)
    for cloud in dict.fromkeys(CLOUDS.values()):
        cloud.link(index, context)
    return [_asset(item, origin(item.address)) for item in drafts], skipped


def _tags(instance: Instance, defaults: Mapping[str, str]) -> dict[str, str]:
    tags = dict(defaults)
    for key in _TAG_KEYS:
        tags.update(string_tags(instance.known(key)))
    defined = instance.known("defined_tags")  # OCI: {"namespace.key": "value"}
    tags.update(string_tags(defined))
    return tags


def _asset(item: Draft, origin: Mapping[str, Any]) -> Asset:
    instance = item.instance
    located = item.region or item.zone or item.data_locations
    attributes: dict[str, Any] = {
        "terraform_type": instance.type,
        "terraform_action": instance.action,
        **origin,
    }
    return Asset(
        id=instance.address,
        provider=item.provider,
        location=unknown_location(item.note) if not located and item.note else unknown_location(),
        service=item.spec.service,
        kind=item.spec.kind,
        name=item.name,
        account=item.account,
        region=item.region,
        zone=item.zone,
        data_locations=item.data_locations,
        copies=tuple(item.copies),
        tags=MappingProxyType(item.tags) if item.tags else MappingProxyType({}),
        attributes=MappingProxyType(attributes),
    )


def address_lines(text: str) -> dict[str, int]:
    """Each resource address's first line in the file, from ``resource_changes`` on (the
    planned values repeat them earlier; a state has only its ``values``)."""
    start = max(text.find('"resource_changes"'), 0)
    lines: dict[str, int] = {}
    line = text.count("\n", 0, start) + 1
    position = start
    for match in _ADDRESS.finditer(text, start):
        line += text.count("\n", position, match.start())
        position = match.start()
        raw = match.group(1)
        address = json.loads(f'"{raw}"') if "\\" in raw else raw
        lines.setdefault(address, line)
    return lines


def _say_skipped(file: str, total: int, skipped: Counter[str]) -> None:
    if not skipped:
        return
    count = sum(skipped.values())
    listed = ", ".join(f"{kind} ({n})" for kind, n in skipped.most_common())
    log.info(
        "%s: %d of %d resources are of %d types that hold no data sovaudit maps, skipped: %s",
        file,
        count,
        total,
        len(skipped),
        listed,
    )
