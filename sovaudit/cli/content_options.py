"""``--sample-content`` and its limits, for the commands that collect from providers.

``content_options`` adds the options; ``content_limits`` takes their values out of a
command's keyword arguments and returns one ``SamplingLimits`` (one scan's byte budget) or
None; ``attach_content_sampling`` hands it to the providers that can sample.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sovaudit.errors import UsageError

if TYPE_CHECKING:
    from sovaudit.classify.content.sample import SamplingLimits

F = TypeVar("F", bound=Callable[..., Any])

# Mirrors sovaudit.classify.content.sample's defaults (not imported: --help must stay instant).
DEFAULT_OBJECTS = 20
DEFAULT_OBJECT_BYTES = "1MiB"
DEFAULT_TOTAL_BYTES = "256MiB"
MAX_OBJECT_BYTES = 64 * 1024 * 1024  # each sample is held in memory while it is analysed
PARAMS = ("sample_content", "sample_objects", "sample_bytes", "sample_total")

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kib": 1024,
    "kb": 1000,
    "m": 1024**2,
    "mib": 1024**2,
    "mb": 1000**2,
    "g": 1024**3,
    "gib": 1024**3,
    "gb": 1000**3,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``64KiB`` -> 65536; ``1MB`` -> 1000000; ``4096`` -> 4096; ValueError if not a size."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"{text!r} is not a size (a number with an optional unit: B, KiB, MiB, GiB, "
            "KB, MB, GB; K, M, G are binary)"
        )
    return int(float(match.group(1)) * _UNITS[unit])


class ByteSize(click.ParamType):
    """A byte count with an optional unit, for click."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            size = parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if size < 1:
            self.fail(f"{value!r} must be at least one byte", param, ctx)
        return size


def content_options(func: F) -> F:
    """``--sample-content`` and ``--sample-objects/--sample-bytes/--sample-total``."""
    func = click.option(
        "--sample-total",
        type=ByteSize(),
        metavar="BYTES",
        help=f"With --sample-content: bytes the whole scan may read, across every bucket and "
        f"provider (default {DEFAULT_TOTAL_BYTES}).",
    )(func)
    func = click.option(
        "--sample-bytes",
        type=ByteSize(),
        metavar="BYTES",
        help=f"With --sample-content: bytes read from the start of each object, with a ranged "
        f"GET (default {DEFAULT_OBJECT_BYTES}; e.g. 64KiB, 4MiB).",
    )(func)
    func = click.option(
        "--sample-objects",
        type=click.IntRange(min=1),
        metavar="N",
        help=f"With --sample-content: objects inspected per bucket (default {DEFAULT_OBJECTS}).",
    )(func)
    return click.option(
        "--sample-content",
        is_flag=True,
        default=False,
        help="Read a bounded sample of the objects of each S3/GCS bucket and Azure storage "
        "account and classify it as personal or sensitive when it holds Mexican personal "
        "identifiers (CURP, RFC, CLABE, NSS, INE, phones, e-mail). Needs s3:GetObject, "
        "storage.objects.get or Storage Blob Data Reader; reports counts and masked examples, "
        "never values. See docs/content-sampling.md.",
    )(func)


def content_limits(kwargs: MutableMapping[str, Any]) -> SamplingLimits | None:
    """Pop the sampling options from ``kwargs``: the scan's limits, or None when off.

    Checks that the detectors' libraries are installed before anything is collected, so a
    scheduled run without the ``content`` extra fails at once with the extra to install.
    """
    enabled = bool(kwargs.pop("sample_content", False))
    given = {name: kwargs.pop(name, None) for name in PARAMS[1:]}
    if not enabled:
        stray = [f"--{name.replace('_', '-')}" for name, value in given.items() if value]
        if stray:
            raise UsageError(f"{', '.join(stray)} only applies with --sample-content")
        return None
    if given["sample_bytes"] is not None and given["sample_bytes"] > MAX_OBJECT_BYTES:
        raise UsageError("--sample-bytes can be at most 64MiB (each sample is held in memory)")
    from sovaudit.classify.content.detectors import require_dependencies
    from sovaudit.classify.content.sample import SamplingLimits

    require_dependencies()
    changes = {
        "objects_per_bucket": given["sample_objects"],
        "bytes_per_object": given["sample_bytes"],
        "total_bytes": given["sample_total"],
    }
    return SamplingLimits(**{key: value for key, value in changes.items() if value is not None})


def attach_content_sampling(
    options: Mapping[str, MutableMapping[str, Any]], limits: SamplingLimits | None
) -> None:
    """Give ``limits`` to every provider of the run that can sample (the same instance, so
    the byte budget is shared); UsageError when sampling is on but no such provider runs."""
    if limits is None:
        return
    from sovaudit.providers.registry import samplers

    able = samplers()  # the providers that declare samples_content
    targets = [name for name in able if name in options]
    if not targets:
        raise UsageError(
            "--sample-content reads the objects of object stores: add "
            + " or ".join(f"--provider {name}" for name in able)
        )
    for name in targets:
        options[name]["content_sampling"] = limits
