"""Every Python package in the source tree is installed: setup.cfg lists packages by name, so a
new folder (a reader, a provider's module family) missing from the list would work from a
checkout and be absent from the wheel."""

from __future__ import annotations

import configparser

from tests.conftest import ROOT

# Source folder -> the package name it is installed as (setup.cfg's package_dir).
ROOTS = {"sovaudit": "sovaudit", "providers": "sovaudit.providers", "rules": "sovaudit.rules"}


def test_setup_cfg_lists_every_package_of_the_source_tree():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    found = set()
    for folder, package in ROOTS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *relative.parts]))
    assert found - listed == set()
    # Data folders are listed for their package data; they hold no Python.
    assert listed - found <= {"sovaudit.data", "sovaudit.data.regions", "sovaudit.schemas"}
