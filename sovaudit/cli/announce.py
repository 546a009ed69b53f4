"""What a run could not read, and waivers that need attention: also said on stderr.

The result file says it all, but the person reading cron's mail or a CI log sees stderr: a
scan with no credentials used to exit 3 in 0.4 s with nothing there, on a terminal, with -v
and with --log-format json. So every ``errors`` entry is an error line and every waiver
notice a warning line, whatever the output format and ``-q`` (which hides progress only).
Under ``--log-format json`` they are JSON lines carrying the same fields as the result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sovaudit.model import ScanError, WaiverNotice

log = logging.getLogger("sovaudit.scan")


def announce(errors: Iterable[ScanError], notices: Iterable[WaiverNotice] = ()) -> None:
    """One stderr line per unreadable scope, then one per waiver needing attention."""
    for error in errors:
        log.error(
            "could not read %s%s: %s",
            error.provider,
            "" if error.scope in ("", "*") else f" {error.scope}",
            error.message,
            extra={"event": "not_read", "provider": error.provider, "scope": error.scope},
        )
    for notice in notices:
        fields = {
            "event": f"waiver_{notice.problem}",
            "rule": notice.rule,
            "asset": notice.asset,
            "owner": notice.owner,
            "expires": notice.expires,
            "origin": notice.origin,
        }
        if notice.problem == "expired":
            log.warning(
                "%s: the waiver of %s for %s expired on %s (owner %s): its findings are open",
                notice.origin,
                notice.rule,
                notice.asset,
                notice.expires,
                notice.owner,
                extra=fields,
            )
        else:
            log.warning(
                "%s: the waiver of %s for %s matched no finding (owner %s): remove it, or "
                "correct its rule or asset",
                notice.origin,
                notice.rule,
                notice.asset,
                notice.owner,
                extra=fields,
            )
