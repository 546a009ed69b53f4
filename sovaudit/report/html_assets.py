"""The HTML report's stylesheet and script, and the Content-Security-Policy that pins them.

They are package data (``sovaudit/data/html/``) so that they can be read, linted and diffed as
CSS and JavaScript; they are read once, when the HTML reporter is first imported, and placed
inline, because the report must be one file that loads nothing.

The policy allows exactly the script it ships: its SHA-256 is computed here from the text
that goes into the page, so editing report.js can never leave a stale hash (a browser would
then silently refuse to run it). Styles stay ``'unsafe-inline'`` as before: the stylesheet
cannot run code, and the reports this module renders are unchanged by its move into a file.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources


def _asset(name: str) -> str:
    """One file of sovaudit/data/html as it goes inline: after a newline, so the tag's content
    starts on a line of its own while the file stays an ordinary text file."""
    return "\n" + (resources.files("sovaudit") / "data" / "html" / name).read_text("utf-8")


def _sha256(text: str) -> str:
    """The CSP's hash-source value: base64 of the SHA-256 of the element's UTF-8 text."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


CSS = _asset("report.css")
SCRIPT = _asset("report.js")
SCRIPT_HASH = _sha256(SCRIPT)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{SCRIPT_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
