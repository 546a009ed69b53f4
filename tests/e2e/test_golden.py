"""Golden outputs for the sample estates: any change in what sovaudit says is deliberate.

Regenerate with `python scripts/update_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import update_golden

CASES = [(s, c) for s in update_golden.samples() for c in update_golden.COMMANDS]


@pytest.mark.parametrize(("sample", "command"), CASES, ids=[f"{s.stem}-{c}" for s, c in CASES])
def test_golden(sample: Path, command: str) -> None:
    golden = update_golden.GOLDEN / f"{sample.stem}.{command}.json"
    assert golden.exists(), f"missing {golden}: run python scripts/update_golden.py"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    actual = update_golden.render(command, sample)
    if actual != expected and os.environ.get("SOVAUDIT_SHOW_GOLDEN_DIFF"):
        print(json.dumps(actual, indent=1, ensure_ascii=False))
    assert actual == expected
