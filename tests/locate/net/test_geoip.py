"""GeoIP lookups against real MaxMind test databases and small Mexican ones written here.

MaxMind's test data (tests/data/maxmind, see SOURCE.md there) has no network in Mexico, so the
Mexican cases build tiny databases with ``mmdb-writer`` in tmp_path: what matters for sovaudit is
that a real reader, through geoip2's City model, returns MX-JAL/Guadalajara, and the answers
must come from the file, not from our code.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geoip2  # noqa: F401 - the net extra is part of the dev install: fail loudly without it
import pytest

from sovaudit.errors import InputError
from sovaudit.locate.net import geoip
from sovaudit.locate.net.errors import GeoIPError
from sovaudit.locate.net.geoip import GeoIPDatabase, find_database
from sovaudit.locate.net.model import GeoMatch

MAXMIND = Path(__file__).resolve().parent.parent.parent / "data" / "maxmind"
CITY = MAXMIND / "GeoIP2-City-Test.mmdb"
LITE_CITY = MAXMIND / "GeoLite2-City-Test.mmdb"
COUNTRY = MAXMIND / "GeoIP2-Country-Test.mmdb"
LITE_COUNTRY = MAXMIND / "GeoLite2-Country-Test.mmdb"
ASN = MAXMIND / "GeoLite2-ASN-Test.mmdb"
BROKEN = (
    MAXMIND / "GeoIP2-City-Test-Broken-Double-Format.mmdb",
    MAXMIND / "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
)

# 2024-05-01 00:00:00 UTC: a fixed build date for the databases written here.
MX_EPOCH = 1714521600

Record = dict[str, Any]
WriteDb = Callable[..., Path]


def _place(country: str | None, state: str | None, state_name: str, city: str | None) -> Record:
    """A City record shaped as MaxMind writes it (subdivision code without its country)."""
    record: Record = {}
    if country:
        record["country"] = {"iso_code": country, "names": {"en": "Mexico"}}
        record["registered_country"] = {"iso_code": country, "names": {"en": "Mexico"}}
    if state:
        record["subdivisions"] = [{"iso_code": state, "names": {"en": state_name}}]
    if city:
        record["city"] = {"names": {"en": city}}
    return record


MEXICO: dict[str, Record] = {
    "200.57.7.0/24": _place("MX", "JAL", "Jalisco", "Guadalajara"),
    "187.141.0.0/16": _place("MX", "NLE", "Nuevo León", "Monterrey"),
    "2806:2f0::/32": _place("MX", "CMX", "Ciudad de México", "Mexico City"),
    # Registered in Mexico but with no geolocated country: must stay unknown.
    "201.144.0.0/24": {"registered_country": {"iso_code": "MX", "names": {"en": "Mexico"}}},
}


@pytest.fixture
def write_db(tmp_path: Path) -> WriteDb:
    """Write an .mmdb with mmdb-writer: ``write_db(records, database_type=..., ip_version=...)``."""
    import mmdb_writer
    import netaddr

    def _write(
        records: dict[str, Record],
        database_type: str = "GeoLite2-City",
        ip_version: int = 6,
        name: str = "mx.mmdb",
    ) -> Path:
        writer = mmdb_writer.MMDBWriter(
            ip_version=ip_version,
            database_type=database_type,
            languages=["en"],
            description="sovaudit test database",
            ipv4_compatible=ip_version == 6,
        )
        # mmdb-writer stamps build_epoch with the current time; the tests want a known date.
        stamped = writer._build_meta
        writer._build_meta = lambda: {**stamped(), "build_epoch": MX_EPOCH}
        for network, record in records.items():
            writer.insert_network(netaddr.IPSet([network]), record)
        path = tmp_path / name
        writer.to_db_file(str(path))
        return path

    return _write


@pytest.fixture
def city() -> Iterator[GeoIPDatabase]:
    with GeoIPDatabase.open(CITY) as database:
        yield database


# --- real MaxMind test databases -------------------------------------------------------------


@pytest.mark.parametrize("path", [CITY, LITE_CITY], ids=["GeoIP2", "GeoLite2"])
@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("81.2.69.142", (("GB",), "GB-ENG", "London")),
        ("216.160.83.56", (("US",), "US-WA", "Milton")),
        ("2001:480:10::1", (("US",), "US-CA", "San Diego")),
        ("::ffff:81.2.69.142", (("GB",), "GB-ENG", "London")),  # IPv4-mapped IPv6
    ],
)
def test_city_lookup(path: Path, ip: str, expected: tuple[Any, ...]) -> None:
    with GeoIPDatabase.open(path) as database:
        match = database.lookup(ip)
    assert match is not None
    assert (match.countries, match.subdivision, match.city) == expected
    assert match.database == database.description


def test_first_subdivision_is_used_not_the_most_specific(city: GeoIPDatabase) -> None:
    # MaxMind records England then West Berkshire for this network; the catalogue's level is
    # the first one (GB-ENG, as for europe-west2), so GB-WBK must not appear.
    match = city.lookup("2.2.3.1")
    assert match is not None
    assert match.subdivision == "GB-ENG"


def test_registered_country_is_not_a_location(city: GeoIPDatabase) -> None:
    # 81.2.69.142 is geolocated in GB but registered in the US in MaxMind's test data.
    match = city.lookup("81.2.69.142")
    assert match is not None
    assert match.countries == ("GB",)


def test_anycast_record_without_country_is_unknown(city: GeoIPDatabase) -> None:
    # MaxMind's test data has 214.1.1.0/24 as anycast with no country at all.
    assert city.lookup("214.1.1.1") == GeoMatch(
        countries=(), subdivision=None, city=None, database=city.description
    )


@pytest.mark.parametrize(
    ("path", "kind"), [(COUNTRY, "GeoIP2-Country"), (LITE_COUNTRY, "GeoLite2-Country")]
)
def test_country_database_gives_country_only(path: Path, kind: str) -> None:
    with GeoIPDatabase.open(path) as database:
        assert database.database_type == kind
        assert not database.has_city
        london = database.lookup("81.2.69.142")
        milton = database.lookup("216.160.83.56")
    assert london is not None
    assert (london.countries, london.subdivision, london.city) == (("GB",), None, None)
    assert milton is not None
    assert milton.countries == ("US",)


@pytest.mark.parametrize("ip", ["1.1.1.1", "10.0.0.1", "2001:db8::1"])
def test_address_not_in_database_is_none(city: GeoIPDatabase, ip: str) -> None:
    assert city.lookup(ip) is None


@pytest.mark.parametrize("ip", ["", "abc", "1.2.3", "256.1.1.1", "81.2.69.142/32", "::g"])
def test_invalid_ip_is_value_error(city: GeoIPDatabase, ip: str) -> None:
    # libmaxminddb alone would accept "1.2.3" (inet_aton rules): the module must not.
    with pytest.raises(ValueError, match="is not an IPv4 or IPv6 address"):
        city.lookup(ip)


def test_surrounding_spaces_are_tolerated(city: GeoIPDatabase) -> None:
    match = city.lookup(" 81.2.69.142\n")
    assert match is not None
    assert match.city == "London"


def test_description_carries_type_and_build_date(city: GeoIPDatabase) -> None:
    import maxminddb

    with maxminddb.open_database(str(CITY)) as raw:
        epoch = raw.metadata().build_epoch
    day = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).date().isoformat()
    assert city.description == f"GeoIP2-City {day}"
    assert city.build_date.isoformat() == day
    assert city.attribution is None  # the paid database asks for no credit
    assert str(CITY) in repr(city)


def test_geolite2_asks_for_maxmind_attribution() -> None:
    with GeoIPDatabase.open(LITE_CITY) as database:
        assert database.attribution == geoip.BUNDLED_ATTRIBUTION
    assert "GeoLite2 data created by MaxMind" in geoip.BUNDLED_ATTRIBUTION


# --- refusals: one line, the file named, exit 2 ----------------------------------------------


def _one_line(error: GeoIPError, path: Path) -> str:
    message = str(error)
    assert "\n" not in message
    assert "Traceback" not in message
    assert message.startswith(f"{path}: ")
    assert isinstance(error, InputError)
    assert error.exit_code == 2
    return message


def test_asn_database_is_refused_naming_its_type() -> None:
    with pytest.raises(GeoIPError) as caught:
        GeoIPDatabase.open(ASN)
    message = _one_line(caught.value, ASN)
    assert "GeoLite2-ASN" in message
    assert "City or Country" in message


@pytest.mark.parametrize("kind", ["GeoIP2-ISP", "GeoIP2-Anonymous-IP", "GeoIP2-Connection-Type"])
def test_other_non_location_types_are_refused(write_db: WriteDb, kind: str) -> None:
    path = write_db({"200.57.7.0/24": {"isp": "Telmex"}}, database_type=kind)
    with pytest.raises(GeoIPError, match=kind):
        GeoIPDatabase.open(path)


def _open_and_look_up(path: Path, ip: str) -> GeoMatch | None:
    with GeoIPDatabase.open(path) as database:
        return database.lookup(ip)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_databases_raise_geoip_error_naming_the_file(path: Path) -> None:
    # Invalid-Node-Count fails when opened; Broken-Double-Format opens (its metadata is
    # fine) and fails at the first record read. Either way: a GeoIPError, never a traceback.
    with pytest.raises(GeoIPError) as caught:
        _open_and_look_up(path, "81.2.69.142")
    _one_line(caught.value, path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "not a readable MaxMind database"), (b"not an mmdb\n" * 20, "not a readable")],
    ids=["empty", "text"],
)
def test_a_file_that_is_not_a_database(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "GeoLite2-City.mmdb"
    path.write_bytes(content)
    with pytest.raises(GeoIPError, match=expected) as caught:
        GeoIPDatabase.open(path)
    _one_line(caught.value, path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.mmdb"
    with pytest.raises(GeoIPError, match="no such file") as caught:
        GeoIPDatabase.open(path)
    _one_line(caught.value, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(GeoIPError, match="is a directory") as caught:
        GeoIPDatabase.open(tmp_path)
    _one_line(caught.value, tmp_path)


def test_missing_geoip2_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "geoip2.database", None)  # import now fails
    with pytest.raises(GeoIPError, match=r"pip install 'sovaudit\[net\]'") as caught:
        GeoIPDatabase.open(CITY)
    _one_line(caught.value, CITY)


# --- Mexican databases written with mmdb-writer ----------------------------------------------


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("200.57.7.10", (("MX",), "MX-JAL", "Guadalajara")),
        ("187.141.200.3", (("MX",), "MX-NLE", "Monterrey")),
        ("2806:2f0:1234::1", (("MX",), "MX-CMX", "Mexico City")),
    ],
)
def test_mexican_city_database(write_db: WriteDb, ip: str, expected: tuple[Any, ...]) -> None:
    with GeoIPDatabase.open(write_db(MEXICO)) as database:
        assert database.description == "GeoLite2-City 2024-05-01"
        match = database.lookup(ip)
    countries, subdivision, city = expected
    assert match == GeoMatch(countries, subdivision, city, database="GeoLite2-City 2024-05-01")


def test_mexican_database_edges(write_db: WriteDb) -> None:
    with GeoIPDatabase.open(write_db(MEXICO)) as database:
        assert database.lookup("200.57.8.1") is None  # just outside the /24
        # Only a registered_country: geolocation unknown, not "MX".
        unknown = database.lookup("201.144.0.9")
    assert unknown is not None
    assert unknown.countries == ()
    assert unknown.subdivision is None


def test_full_iso_subdivision_code_is_not_doubled(write_db: WriteDb) -> None:
    path = write_db({"200.57.7.0/24": _place("MX", "MX-JAL", "Jalisco", "Guadalajara")})
    with GeoIPDatabase.open(path) as database:
        match = database.lookup("200.57.7.1")
    assert match is not None
    assert match.subdivision == "MX-JAL"


def test_ipv4_only_database_answers_none_for_ipv6(write_db: WriteDb) -> None:
    records = {"200.57.7.0/24": MEXICO["200.57.7.0/24"]}
    with GeoIPDatabase.open(write_db(records, ip_version=4)) as database:
        assert database.lookup("2806:2f0::1") is None
        match = database.lookup("200.57.7.1")
    assert match is not None
    assert match.subdivision == "MX-JAL"


@pytest.mark.parametrize(
    ("kind", "has_city"),
    [("DBIP-City-Lite", True), ("GeoIP2-Enterprise", True), ("DBIP-Country-Lite", False)],
)
def test_other_location_types_are_accepted(write_db: WriteDb, kind: str, has_city: bool) -> None:
    with GeoIPDatabase.open(write_db(MEXICO, database_type=kind)) as database:
        assert database.has_city is has_city
        match = database.lookup("187.141.0.1")
    assert match is not None
    assert match.countries == ("MX",)
    assert match.city == ("Monterrey" if has_city else None)


def test_database_without_type_is_refused(write_db: WriteDb) -> None:
    path = write_db(MEXICO, database_type="")
    with pytest.raises(GeoIPError, match="does not say what type"):
        GeoIPDatabase.open(path)


# --- find_database ---------------------------------------------------------------------------


@pytest.fixture
def system_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two empty stand-ins for the system GeoIP folders, and no bundled package."""
    first, second = tmp_path / "usr-share-GeoIP", tmp_path / "var-lib-GeoIP"
    first.mkdir()
    second.mkdir()
    monkeypatch.setattr(geoip, "SYSTEM_DIRECTORIES", (first, second, tmp_path / "absent"))
    monkeypatch.setattr(geoip, "BUNDLED_PACKAGE", "_sovaudit_test_no_such_package")
    return first, second


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_explicit_beats_configured_beats_system(
    tmp_path: Path, system_dirs: tuple[Path, Path]
) -> None:
    explicit = _touch(tmp_path / "explicit.mmdb")
    configured = _touch(tmp_path / "configured.mmdb")
    system = _touch(system_dirs[0] / "GeoLite2-City.mmdb")
    assert find_database(explicit, configured) == explicit
    assert find_database(None, configured) == configured
    assert find_database(None, None) == system
    assert find_database(None) == system


def test_nothing_anywhere_is_none(system_dirs: tuple[Path, Path]) -> None:
    assert find_database(None, None) is None


@pytest.mark.parametrize("which", ["explicit", "configured"])
def test_a_named_path_that_is_missing_is_an_error(
    tmp_path: Path, system_dirs: tuple[Path, Path], which: str
) -> None:
    _touch(system_dirs[0] / "GeoLite2-City.mmdb")  # must not be used instead
    missing = tmp_path / "typo.mmdb"
    arguments = (missing, None) if which == "explicit" else (None, missing)
    with pytest.raises(GeoIPError, match="no such file") as caught:
        find_database(*arguments)
    _one_line(caught.value, missing)


def test_system_prefers_city_then_paid_across_folders(system_dirs: tuple[Path, Path]) -> None:
    first, second = system_dirs
    _touch(first / "GeoLite2-Country.mmdb")
    lite_city = _touch(second / "GeoLite2-City.mmdb")
    assert find_database(None) == lite_city  # a City anywhere beats a Country
    paid_city = _touch(second / "GeoIP2-City.mmdb")
    assert find_database(None) == paid_city
    _touch(first / "GeoIP2-City.mmdb")
    assert find_database(None) == first / "GeoIP2-City.mmdb"  # folder order breaks the tie


def test_system_dbip_newest_by_name(system_dirs: tuple[Path, Path]) -> None:
    first, _ = system_dirs
    _touch(first / "dbip-city-lite-2025-06.mmdb")
    newest = _touch(first / "dbip-city-lite-2025-07.mmdb")
    _touch(first / "GeoLite2-Country.mmdb")
    assert find_database(None) == newest


def test_bundled_fallback_found_through_importlib(
    tmp_path: Path, system_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site" / "_sovaudit_test_geolite2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setattr(geoip, "BUNDLED_PACKAGE", "_sovaudit_test_geolite2")
    assert find_database(None) is None  # the package without its file is nothing
    bundled = _touch(package / geoip.BUNDLED_DATABASE_NAME)
    assert geoip.bundled_database() == bundled
    assert find_database(None) == bundled
    system = _touch(system_dirs[1] / "GeoLite2-Country.mmdb")
    assert find_database(None) == system  # the bundled file is only the last resort
