"""Where a resource's provider configuration puts it: the region of ``provider "aws"``.

A resource that does not say where it goes is created where its provider configuration
points. The plan's ``configuration`` keeps every provider block by key (``aws``, ``aws.mx``,
``module.red:aws``), and each resource names its key. A region may be a constant, a root
variable (whose value the plan carries) or a module input (whose value the module call
gives, or the module's default). Anything else (a local, a data source, an environment
variable such as ``AWS_REGION``) is known only when Terraform runs: unknown, with a note,
never home.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sovaudit.inputs.terraform.document import Configuration, Instance, config_module_path

# How deep module inputs are followed before giving up (a variable passed down the tree).
MAX_DEPTH = 32


@dataclasses.dataclass(frozen=True)
class Place:
    """What a provider configuration says about where its resources go."""

    region: str | None = None
    zone: str | None = None
    note: str | None = None  # why the region is unknown, when it is
    default_tags: Mapping[str, str] = dataclasses.field(default_factory=dict)


class ProviderSettings:
    """Provider blocks of one plan, evaluated once per key."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.configuration = Configuration(document.get("configuration"))
        variables = document.get("variables")
        self.variables: Mapping[str, Any] = variables if isinstance(variables, Mapping) else {}
        self._places: dict[str, Place] = {}

    def place(self, instance: Instance) -> Place:
        if not self.configuration.present:
            return Place(note="the plan or state carries no provider configuration")
        key = instance.config.provider_key if instance.config is not None else None
        key = key or instance.provider
        place = self._places.get(key)
        if place is None:
            place = self._places[key] = self._evaluate(key, instance.provider)
        return place

    def _entry(self, key: str) -> tuple[str, Mapping[str, Any]] | None:
        providers = self.configuration.providers
        entry = providers.get(key)
        if isinstance(entry, Mapping):
            return key, entry
        module, colon, name = key.rpartition(":")
        if colon and not module.startswith("module."):
            # Terraform before 1.0 writes the short form: "child:aws" for "module.child:aws".
            long = ".".join(f"module.{part}" for part in module.split(".")) + f":{name}"
            entry = providers.get(long)
            if isinstance(entry, Mapping):
                return long, entry
        return None

    def _evaluate(self, key: str, provider: str) -> Place:
        found = self._entry(key)
        if found is None:
            return Place(note=f"provider configuration {key!r} is not in the plan")
        key, entry = found
        expressions = entry.get("expressions")
        expressions = expressions if isinstance(expressions, Mapping) else {}
        module = str(entry.get("module_address") or "")
        path = config_module_path(module)
        tags = _default_tags(expressions)
        if not expressions and module:
            return Place(
                note=f"{module} receives provider {key.rpartition(':')[2]!r} from its caller; "
                "the plan does not say which configuration it is",
                default_tags=tags,
            )
        region, region_note = self.value(expressions.get("region"), path)
        zone, _ = self.value(expressions.get("zone"), path)
        note = None
        if region is None and zone is None:
            note = region_note or (
                f"provider {key!r} sets no region: it comes from the environment "
                f"(such as AWS_REGION) or a profile when Terraform runs"
            )
        return Place(region=region, zone=zone, note=note, default_tags=tags)

    def value(
        self, expression: Any, path: list[str], depth: int = 0
    ) -> tuple[str | None, str | None]:
        """A configuration expression's text value, or None with why it is not known."""
        if not isinstance(expression, Mapping):
            return None, None
        if "constant_value" in expression:
            constant = expression["constant_value"]
            return (constant, None) if isinstance(constant, str) and constant else (None, None)
        references = [r for r in expression.get("references") or () if isinstance(r, str)]
        if not references:
            return None, None
        first = references[0]
        if not first.startswith("var.") or depth > MAX_DEPTH:
            return None, f"set from {first}, known only when Terraform runs"
        name = first.split(".")[1]
        if not path:
            variable = self.variables.get(name)
            if isinstance(variable, Mapping) and isinstance(variable.get("value"), str):
                return variable["value"] or None, None
            return None, f"set from {first}, whose value the plan does not carry"
        call = self.configuration.call(path)
        given = call.get("expressions")
        if isinstance(given, Mapping) and name in given:
            return self.value(given[name], path[:-1], depth + 1)
        module = self.configuration.module(path) or {}
        declared = module.get("variables")
        variable = declared.get(name) if isinstance(declared, Mapping) else None
        if isinstance(variable, Mapping) and isinstance(variable.get("default"), str):
            return variable["default"] or None, None
        return None, f"set from {first} of module.{'.module.'.join(path)}, not known from the plan"


def _default_tags(expressions: Mapping[str, Any]) -> dict[str, str]:
    """The aws provider's ``default_tags { tags = {...} }``, when written as constants."""
    blocks = expressions.get("default_tags")
    tags: dict[str, str] = {}
    for block in blocks if isinstance(blocks, list) else ():
        value = block.get("tags") if isinstance(block, Mapping) else None
        constant = value.get("constant_value") if isinstance(value, Mapping) else None
        if isinstance(constant, Mapping):
            tags.update({str(k): str(v) for k, v in constant.items() if v is not None})
    return tags
