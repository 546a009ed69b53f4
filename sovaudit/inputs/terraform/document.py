"""The resource instances a Terraform or OpenTofu plan or state describes.

Four shapes, all JSON: ``terraform show -json PLANFILE`` (``resource_changes`` with each
instance's planned values and the ``configuration``), the same without ``resource_changes``
(only ``planned_values``), ``terraform show -json`` of a state (``values``), and a state file
itself (``version: 4``, ``resources[].instances[]``). Each becomes the same ``Instance``:
what will exist once the plan is applied (or exists now, for a state), with its address,
values, what is not known until apply, and the configuration that made it.

Data sources are not assets, and neither is an instance the plan deletes or forgets: the
question a pull request asks is where the data *will* be.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sovaudit.errors import InputError

# Actions after which the instance no longer exists under this configuration.
GONE = frozenset({"delete", "forget"})
_INDEX = re.compile(r"\[[^\]]*\]$")
_QUOTED_PROVIDER = re.compile(r'provider\["([^"]+)"\]')


@dataclasses.dataclass(frozen=True)
class ConfigResource:
    """What the configuration says of a resource: its provider and its own arguments."""

    provider_key: str | None
    expressions: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Instance:
    """One resource instance that will exist: ``module.a["k"].aws_s3_bucket.b[0]``."""

    address: str
    module: str  # "" for the root module; with instance keys (module.a["k"])
    type: str
    name: str
    provider: str  # the Terraform provider's type: aws, google, azurerm, oci, random...
    values: Mapping[str, Any]
    unknown: Any  # after_unknown: True, or a structure of True where values are unknown
    action: str  # create, update, replace, no-op; "state" for a state
    config: ConfigResource | None = None
    # after_sensitive / sensitive_values: True, or a structure of True where values are
    # sensitive. The plan holds them in clear; sovaudit never reads or writes them.
    sensitive: Any = None

    def known(self, key: str) -> Any:
        """The attribute's value, or None when unset, known only at apply, or sensitive
        (a map with some sensitive entries comes without them)."""
        if _is_unknown(self.unknown, key) or _is_unknown(self.sensitive, key):
            return None
        value = self.values.get(key)
        hidden = self.sensitive.get(key) if isinstance(self.sensitive, Mapping) else None
        if isinstance(value, Mapping) and isinstance(hidden, Mapping):
            return {k: v for k, v in value.items() if hidden.get(k) is not True}
        return value

    def is_unknown(self, key: str) -> bool:
        return _is_unknown(self.unknown, key)

    def references(self, key: str) -> list[str]:
        """What the configuration's argument refers to (``aws_s3_bucket.a.arn``...)."""
        if self.config is None:
            return []
        expression = self.config.expressions.get(key)
        if not isinstance(expression, Mapping):
            return []
        return [r for r in expression.get("references") or () if isinstance(r, str)]

    def configured(self, key: str) -> bool:
        """Whether the configuration sets this argument (as opposed to a provider default)."""
        return self.config is not None and key in self.config.expressions


def _is_unknown(unknown: Any, key: str) -> bool:
    if unknown is True:
        return True
    return isinstance(unknown, Mapping) and unknown.get(key) is True


def config_module_path(module: str) -> list[str]:
    """``module.a["k"].module.b[0]`` -> ``["a", "b"]``: the module calls, without instances."""
    names = []
    for part in re.split(r"\.?module\.", module):
        if part:
            names.append(_INDEX.sub("", part.split("[", 1)[0]))
    return names


def resource_address_in_module(address: str, module: str) -> str:
    """``module.a.aws_s3_bucket.b[0]`` -> ``aws_s3_bucket.b``: the configuration's address."""
    local = address[len(module) + 1 :] if module and address.startswith(module + ".") else address
    return _INDEX.sub("", local)


class Configuration:
    """The ``configuration`` block: providers, module calls, and each resource's arguments."""

    def __init__(self, configuration: Mapping[str, Any] | None) -> None:
        configuration = configuration if isinstance(configuration, Mapping) else {}
        providers = configuration.get("provider_config")
        self.providers: Mapping[str, Any] = providers if isinstance(providers, Mapping) else {}
        root = configuration.get("root_module")
        self.root: Mapping[str, Any] = root if isinstance(root, Mapping) else {}
        self.present = bool(configuration)
        self._resources: dict[tuple[str, ...], dict[str, ConfigResource]] = {}

    def module(self, path: list[str]) -> Mapping[str, Any] | None:
        """The configuration of the module at this call path."""
        module: Mapping[str, Any] = self.root
        for name in path:
            call = _mapping(module.get("module_calls")).get(name)
            module = _mapping(_mapping(call).get("module"))
            if not module:
                return None
        return module

    def call(self, path: list[str]) -> Mapping[str, Any]:
        """The ``module_calls`` entry that instantiates the module at this path."""
        parent = self.module(path[:-1]) if path else None
        return _mapping(
            _mapping(parent and parent.get("module_calls")).get(path[-1] if path else "")
        )

    def resource(self, module: str, address: str) -> ConfigResource | None:
        path = tuple(config_module_path(module))
        resources = self._resources.get(path)
        if resources is None:
            resources = self._resources[path] = self._index(list(path))
        return resources.get(resource_address_in_module(address, module))

    def _index(self, path: list[str]) -> dict[str, ConfigResource]:
        """A module's resources by address, built once (a plan has thousands per module)."""
        config_module = self.module(path) or {}
        index: dict[str, ConfigResource] = {}
        for resource in config_module.get("resources") or ():
            if isinstance(resource, Mapping) and isinstance(resource.get("address"), str):
                key = resource.get("provider_config_key")
                index.setdefault(
                    resource["address"],
                    ConfigResource(
                        key if isinstance(key, str) else None,
                        _mapping(resource.get("expressions")),
                    ),
                )
        return index


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def provider_type(provider_name: str) -> str:
    """``registry.terraform.io/hashicorp/aws`` -> ``aws``, and a state file's spellings:
    ``provider["registry.terraform.io/hashicorp/aws"].alias`` (0.13+), ``provider.aws``
    and ``module.x.provider.aws.alias`` (0.12)."""
    quoted = _QUOTED_PROVIDER.search(provider_name)
    if quoted:
        return quoted.group(1).rsplit("/", 1)[-1]
    if "provider." in provider_name:
        return provider_name.split("provider.", 1)[1].split(".", 1)[0]
    return provider_name.rsplit("/", 1)[-1]


def plan_instances(document: Mapping[str, Any], file: str) -> Iterator[Instance]:
    """Every managed resource instance the plan leaves in place or creates."""
    configuration = Configuration(document.get("configuration"))
    changes = document.get("resource_changes")
    if isinstance(changes, list):
        for index, change in enumerate(changes):
            if not isinstance(change, Mapping):
                raise InputError(
                    file, "a resource change is not an object", field=f"resource_changes[{index}]"
                )
            if change.get("mode", "managed") != "managed":
                continue
            detail = _mapping(change.get("change"))
            actions = [a for a in detail.get("actions") or () if isinstance(a, str)]
            if actions and all(a in GONE for a in actions):
                continue
            after = detail.get("after")
            yield _instance(
                change,
                _mapping(after),
                detail.get("after_unknown") or {},
                _action(actions),
                configuration,
                detail.get("after_sensitive"),
            )
        return
    planned = _mapping(document.get("planned_values"))
    yield from _module_instances(_mapping(planned.get("root_module")), "create", configuration)


def state_instances(document: Mapping[str, Any]) -> Iterator[Instance]:
    """Every managed resource instance in a ``terraform show -json`` state."""
    values = _mapping(document.get("values"))
    yield from _module_instances(_mapping(values.get("root_module")), "state", Configuration(None))


def raw_state_instances(document: Mapping[str, Any], file: str) -> Iterator[Instance]:
    """Every managed resource instance of a state file (format version 4)."""
    for index, resource in enumerate(document.get("resources") or ()):
        if not isinstance(resource, Mapping):
            raise InputError(file, "a resource is not an object", field=f"resources[{index}]")
        if resource.get("mode", "managed") != "managed":
            continue
        module = str(resource.get("module") or "")
        kind = str(resource.get("type") or "")
        name = str(resource.get("name") or "")
        base = f"{module}.{kind}.{name}" if module else f"{kind}.{name}"
        provider = provider_type(str(resource.get("provider") or ""))
        for instance in resource.get("instances") or ():
            if not isinstance(instance, Mapping):
                continue
            key = instance.get("index_key")
            address = base + _index_suffix(key)
            yield Instance(
                address=address,
                module=module,
                type=kind,
                name=name,
                provider=provider,
                values=_mapping(instance.get("attributes")),
                unknown={},
                action="state",
                sensitive=_state_sensitive(instance.get("sensitive_attributes")),
            )


def _state_sensitive(paths: Any) -> dict[str, Any]:
    """A state's ``sensitive_attributes`` (a list of paths, each a list of steps such as
    ``{"type": "get_attr", "value": "tags"}``) as the plan's structure of True, two deep."""
    marked: dict[str, Any] = {}
    for path in paths if isinstance(paths, list) else ():
        steps = [_step(step) for step in path] if isinstance(path, list) else []
        if not steps or not isinstance(steps[0], str):
            continue
        if len(steps) == 1 or not isinstance(steps[1], str):
            marked[steps[0]] = True
        elif marked.get(steps[0]) is not True:
            marked.setdefault(steps[0], {})[steps[1]] = True
    return marked


def _step(step: Any) -> Any:
    """A cty path step's name or key: ``{"type": "index", "value": {"value": "k", ...}}``."""
    value = step.get("value") if isinstance(step, Mapping) else None
    return value.get("value") if isinstance(value, Mapping) else value


def _index_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    escaped = str(key).replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


def _action(actions: list[str]) -> str:
    if not actions:
        return "no-op"
    if len(actions) > 1:
        return "replace"
    return actions[0]


def _instance(
    resource: Mapping[str, Any],
    values: Mapping[str, Any],
    unknown: Any,
    action: str,
    configuration: Configuration,
    sensitive: Any = None,
) -> Instance:
    address = str(resource.get("address") or "")
    module = str(resource.get("module_address") or "")
    if not module and address.startswith("module."):
        module = _module_of(address, str(resource.get("type") or ""))
    return Instance(
        address=address,
        module=module,
        type=str(resource.get("type") or ""),
        name=str(resource.get("name") or ""),
        provider=provider_type(str(resource.get("provider_name") or "")),
        values=values,
        unknown=unknown,
        action=action,
        config=configuration.resource(module, address) if configuration.present else None,
        sensitive=sensitive,
    )


def _module_of(address: str, kind: str) -> str:
    """The module part of an address: what comes before ``.TYPE.``."""
    marker = f".{kind}."
    cut = address.rfind(marker)
    return address[:cut] if cut > 0 else ""


def _module_instances(
    module: Mapping[str, Any], action: str, configuration: Configuration
) -> Iterator[Instance]:
    for resource in module.get("resources") or ():
        if isinstance(resource, Mapping) and resource.get("mode", "managed") == "managed":
            values = _mapping(resource.get("values"))
            sensitive = resource.get("sensitive_values")
            yield _instance(resource, values, {}, action, configuration, sensitive)
    for child in module.get("child_modules") or ():
        if isinstance(child, Mapping):
            yield from _module_instances(child, action, configuration)
