"""AWS Config as input: what an organisation's Config aggregator already recorded, offline.

``aws configservice select-resource-config`` and ``select-aggregate-resource-config``
(``{"Results": ["<JSON string>", ...]}``), configuration snapshot and history files
(``{"configurationItems": [...]}``), a Config rule's event (``{"invokingEvent": "<JSON>"}``),
a single configuration item, or a JSON list of them, recognised by content. They go through
sovaudit.providers.aws.config_items.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import parse_json, read_text
from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import FileContext, Reader
from sovaudit.model import Asset

_KEYS = ("configurationItems", "Results", "invokingEvent")


def _is_item(item: Any) -> bool:
    from sovaudit.providers.aws.config_items import is_item

    if isinstance(item, str):
        try:
            item = json.loads(item)
        except (ValueError, RecursionError):
            return False
    return is_item(item)


def items(document: Any) -> Iterator[Any]:
    """Every configuration item of a document, whichever shape it has."""
    if isinstance(document, list):
        for item in document:
            yield from items(item)
        return
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return
        yield from items(document)
        return
    if not isinstance(document, dict):
        return
    if "Results" in document:
        yield from items(document["Results"])
    elif "configurationItems" in document:
        yield from items(document["configurationItems"])
    elif "invokingEvent" in document:
        event = document["invokingEvent"]
        event = json.loads(event) if isinstance(event, str) else event
        if isinstance(event, dict) and "configurationItem" in event:
            yield from items(event["configurationItem"])
    else:
        yield document


class AwsConfigReader(Reader):
    name = "aws-config"

    def detects(self, peek: Peek) -> bool:
        if not any(word in peek.head for word in (b"resourceType", b"QueryInfo", b"invokingEvent")):
            return False  # every item names its resourceType near its start
        keys = peek.json_keys
        if "assets" in keys:
            return False
        if "Results" in keys:  # a select's answer, even one whose fields say too little
            return "QueryInfo" in keys or _is_item(peek.first_item("Results"))
        if "configurationItems" in keys:
            return _is_item(peek.first_item("configurationItems"))
        if "invokingEvent" in keys:
            return True
        if peek.json_array:
            return _is_item(peek.first_item())
        return "resourceType" in keys and ("awsRegion" in keys or "arn" in keys or "ARN" in keys)

    def read(self, path: Path, context: FileContext) -> list[Asset]:
        from sovaudit.providers.aws.config_items import assets_from_items, is_item

        file = str(path)
        document, _ = parse_json(read_text(path), file)
        listed = list(items(document))
        found = [i for i in listed if is_item(i)]
        if not found and isinstance(document, dict) and document.get("Results"):
            raise InputError(
                file,
                "AWS Config results without resourceType: select at least resourceId, "
                "resourceName, resourceType, awsRegion, availabilityZone, tags, configuration "
                "and supplementaryConfiguration (arn too, for ids)",
                line=1,
            )
        if not found and not _empty(document):
            raise InputError(
                file,
                "not an AWS Config export: no configuration item with a resourceType "
                "(make it with `aws configservice select-resource-config` or a snapshot)",
                line=1,
            )
        return assets_from_items(found)


def _empty(document: Any) -> bool:
    if isinstance(document, list):
        return not document
    return isinstance(document, dict) and any(document.get(k) == [] for k in _KEYS)


READER = AwsConfigReader()
