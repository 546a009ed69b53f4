"""What one read is given: a subscription, as listed or as configured."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Subscription:
    """A subscription to read. A configured one has only its id; a listed one also has ARM's
    display name (kept on its assets, for people) and state (``Deleted`` ones are skipped)."""

    subscription_id: str
    display_name: str | None = None
    state: str | None = None
