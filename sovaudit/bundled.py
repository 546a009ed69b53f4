"""The YAML files sovaudit ships (sovaudit/data), read with libyaml where PyYAML has it.

These files are ours, so they need none of the care users' files get (lines, aliases,
duplicate keys: sovaudit.inputs.documents); they are read on every run, and the pure-Python
parser took a fifth of a small scan's time on messages.yaml alone.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_yaml(name: str) -> Any:
    """The parsed contents of ``sovaudit/data/<name>``."""
    text = (resources.files("sovaudit") / "data" / name).read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
