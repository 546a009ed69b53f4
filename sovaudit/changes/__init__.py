"""What changed between two runs: the one rule (comparison.py) and `sovaudit diff` (diff.py)."""
