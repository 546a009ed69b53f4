"""Golden outputs for the sample estates, every format: any change in what sovaudit says is
deliberate. Regenerate with `python scripts/update_golden.py` and review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import update_golden

CASES = [(s, n) for s in update_golden.samples() for n in update_golden.COMMANDS]


@pytest.mark.parametrize(("sample", "name"), CASES, ids=[f"{s.stem}.{n}" for s, n in CASES])
def test_golden(sample: Path, name: str) -> None:
    golden = update_golden.GOLDEN / f"{sample.stem}.{name}"
    assert golden.exists(), f"missing {golden}: run python scripts/update_golden.py"
    assert update_golden.render(name, sample) == golden.read_text(encoding="utf-8")
