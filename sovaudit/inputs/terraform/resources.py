"""From a Terraform resource instance to an asset: what it is, where it will be, its copies.

Each cloud's module (aws, google, azurerm, oci) maps the resource types that hold or serve
data to a ``Spec``: the sovaudit service and kind, which arguments say where it is, which of
its own blocks declare copies (a DynamoDB ``replica``, a Cosmos DB ``geo_location``), and a
``link`` step for copies another resource declares (an S3 replication configuration, an RDS
read replica, a SQL failover group). Types with no spec are counted and skipped, never an
error: a plan is mostly IAM, networking and DNS.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sovaudit.inputs.terraform.document import Instance
from sovaudit.inputs.terraform.providers import Place
from sovaudit.model import Copy, unknown_location
from sovaudit.providers.aws.scope import arn_region
from sovaudit.providers.gcp.assets import zone_region as gcp_zone_region

if TYPE_CHECKING:
    from sovaudit.locate.regions import Locator

# aws: us-east-1a, us-east-1-qro-1a (a Local Zone in Querétaro); google: us-central1-c.
_AWS_ZONE = re.compile(r"^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)")
_REFERENCE = re.compile(r"^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)([a-z][a-z0-9_]*)\.([^.\[]+)")


@dataclasses.dataclass(frozen=True)
class Spec:
    """How one resource type becomes an asset."""

    service: str
    kind: str
    # Arguments that say where it is, first known wins: ("region", name), ("zone", name) or
    # ("arn", name): a state knows the ARN, whose fourth part is the region.
    where: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = ("name",)
    uses_provider_region: bool = True  # else (azurerm) an unknown location is unknown
    default_region: str | None = None  # where the cloud puts it when nothing says (BigQuery: US)
    inherit: str | None = None  # an argument referring to the resource whose place it takes
    copies: Callable[[Draft, Context], Iterable[Copy]] | None = None
    data_locations: Callable[[Instance], tuple[str, ...]] | None = None


@dataclasses.dataclass
class Draft:
    """An asset being built: linking adds copies other resources declare."""

    instance: Instance
    spec: Spec
    provider: str
    name: str | None
    region: str | None
    zone: str | None
    note: str | None
    tags: dict[str, str]
    account: str | None = None
    data_locations: tuple[str, ...] = ()
    copies: list[Copy] = dataclasses.field(default_factory=list)

    @property
    def address(self) -> str:
        return self.instance.address

    def copy_to(self, kind: str, other: Draft) -> None:
        """A copy of this asset's data held by another resource of the plan."""
        if other.region is None and other.zone is None:
            note = f"{other.address}: {other.note or 'its region is not known from the plan'}"
            self.copies.append(
                Copy(kind=kind, target=other.address, location=unknown_location(note))
            )
            return
        region = other.region or zone_region(other.provider, other.zone or "")
        self.copies.append(Copy(kind=kind, region=region, target=other.address))


@dataclasses.dataclass(frozen=True)
class Context:
    """What interpreting a plan may consult: the region catalogue (paired regions)."""

    locator: Locator | None

    def paired_region(self, provider: str, region: str | None) -> str | None:
        return self.locator.paired_region(provider, region) if self.locator is not None else None


def zone_region(provider: str, zone: str) -> str | None:
    """The region a zone belongs to, for the clouds whose zone names contain it."""
    if provider == "aws":
        match = _AWS_ZONE.match(zone)
        return match.group(1) if match else None
    if provider == "gcp":
        return gcp_zone_region(zone)
    return None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def blocks(value: Any) -> list[Mapping[str, Any]]:
    """A nested block's values: Terraform writes ``block {}`` as a list of objects."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def first_block(values: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    found = blocks(values.get(key))
    return found[0] if found else {}


def string_tags(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def draft(instance: Instance, spec: Spec, provider: str, place: Place, context: Context) -> Draft:
    """Where the instance will be: its own arguments first, then its provider's."""
    region, zone, note = _own_place(instance, spec, provider)
    if region is None and zone is None and note is None:
        if spec.default_region is not None:  # the service's own default, not the provider's
            region = spec.default_region
        elif spec.uses_provider_region and (place.region or place.zone):
            region, zone = place.region, place.zone
        elif spec.uses_provider_region:
            note = place.note
        elif spec.inherit is None:
            note = f"{instance.type} sets no location"
    if zone and not region:
        region = zone_region(provider, zone)
    name = next(
        (text(instance.known(key)) for key in spec.names if text(instance.known(key))), None
    )
    built = Draft(
        instance=instance,
        spec=spec,
        provider=provider,
        name=name,
        region=region,
        zone=zone,
        note=note,
        tags={},
    )
    if spec.data_locations is not None:
        built.data_locations = spec.data_locations(instance)
    return built


def _own_place(
    instance: Instance, spec: Spec, provider: str
) -> tuple[str | None, str | None, str | None]:
    """(region, zone, why unknown) from the resource's own arguments; all None when it has
    none of them set, so the provider's configuration decides."""
    for what, key in spec.where:
        value = text(instance.known(key))
        if value is not None and what == "arn":
            value = arn_region(value)  # arn:aws:rds:eu-west-3:123:db:x; S3's has no region
            if value is None:
                continue
        if value is not None:
            if what == "zone":
                return zone_region(provider, value), value, None
            return value, None, None
        if instance.is_unknown(key) and (instance.configured(key) or not spec.uses_provider_region):
            refs = instance.references(key)
            source = f" (set from {refs[0]})" if refs else ""
            return None, None, f"{key} is known only when Terraform applies the plan{source}"
    return None, None, None


class Drafts:
    """The plan's drafts, found by address, by configuration reference or by name."""

    def __init__(self, drafts: Sequence[Draft], links: Sequence[Draft] = ()) -> None:
        self.all = list(drafts)
        self._links: dict[str, list[Draft]] = {}
        for item in links:
            self._links.setdefault(item.instance.type, []).append(item)
        self._by_base: dict[str, list[Draft]] = {}
        self._by_name: dict[tuple[str, str], list[Draft]] = {}
        for item in self.all:
            base = re.sub(r"\[[^\]]*\]$", "", item.address)
            self._by_base.setdefault(base, []).append(item)
            if item.name:
                self._by_name.setdefault((item.instance.type, item.name), []).append(item)

    def links(self, kind: str) -> list[Draft]:
        """The resources of this type that only declare copies of others."""
        return self._links.get(kind, [])

    def of_type(self, *types: str) -> Iterator[Draft]:
        return (item for item in self.all if item.instance.type in types)

    def named(self, kind: str, name: str | None) -> Draft | None:
        found = self._by_name.get((kind, name or ""))
        return found[0] if found and len(found) == 1 else None

    def referenced(self, instance: Instance, references: Iterable[str], *types: str) -> list[Draft]:
        """The drafts a configuration argument of ``instance`` refers to (same module)."""
        prefix = f"{instance.module}." if instance.module else ""
        found: dict[str, Draft] = {}
        for reference in references:
            match = _REFERENCE.match(reference)
            if match is None or match.group(1):
                continue
            kind, name = match.group(2), match.group(3)
            if kind in ("var", "local", "data", "each", "count", "path", "self"):
                continue
            if types and kind not in types:
                continue
            for item in self._by_base.get(f"{prefix}{kind}.{name}", ()):
                found.setdefault(item.address, item)
        return list(found.values())


def nested_references(expressions: Any, *path: str) -> list[str]:
    """The references of an argument inside nested blocks: ``rule.destination.bucket``."""
    nodes: list[Any] = [expressions]
    for key in path:
        following: list[Any] = []
        for node in nodes:
            for block in blocks(node):
                following.append(block.get(key))
        nodes = following
    found: list[str] = []
    for node in nodes:
        for block in blocks(node):
            found.extend(r for r in block.get("references") or () if isinstance(r, str))
    return found
