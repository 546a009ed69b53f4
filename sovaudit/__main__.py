"""``python -m sovaudit``."""

from sovaudit.cli.main import main

main()
