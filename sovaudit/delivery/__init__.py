"""SIEM delivery: findings as RFC 5424 syslog (UDP, TCP, TLS) and Splunk HEC events.

    targets = [parse_syslog_url("tls://siem.example.com"), HecTarget(url, token=token)]
    for outcome in deliver(findings, summary_event, targets): ...

See docs/siem.md for the message format and how to set up the receiving side.
"""

from __future__ import annotations

from sovaudit.delivery.deliver import Target, deliver
from sovaudit.delivery.events import DeliveryOutcome
from sovaudit.delivery.targets import HecTarget, SyslogTarget, parse_syslog_url

__all__ = [
    "DeliveryOutcome",
    "HecTarget",
    "SyslogTarget",
    "Target",
    "deliver",
    "parse_syslog_url",
]
