"""One bucket's worth of objects with planted identifiers, for the S3 and GCS end-to-end tests.

``planted_bucket()`` returns the objects (key -> bytes), the counts a correct sample of them
must report, and every raw value planted (and how it was written), so a test can assert that
none of them reaches any output.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random

from tests.classify.content import generate as gen

BIG_LOG_BYTES = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Planted:
    objects: dict[str, bytes]
    identifiers: dict[str, int]
    categories: dict[str, int]
    skipped: dict[str, int]
    read: int  # objects inspected (text)
    with_hits: int
    values: tuple[str, ...]  # every planted value, as written and normalised


def _noise_log(rng: random.Random, size: int) -> bytes:
    lines = []
    total = 0
    while total < size:
        line = (
            f"{gen.unix_time(rng)} INFO order={gen.digits(rng, 11)} id={gen.snowflake(rng)} "
            f"lot={gen.sku(rng)} ms={gen.digits(rng, 13)} status=200 path=/health\n"
        )
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def planted_bucket(seed: int = 2025) -> Planted:
    rng = random.Random(seed)
    values: list[str] = []

    def keep(*items: str) -> None:
        values.extend(items)

    # 1. a CSV export, every identifier in its labelled column
    rows = ["id,nombre,curp,rfc,nss,cuenta_clabe,telefono,email"]
    for i in range(6):
        person = (gen.curp(rng), gen.rfc(rng), gen.nss(rng), gen.clabe(rng))
        phone, mail = gen.phone_national(rng), gen.email(rng)
        keep(*person, phone, mail)
        rows.append(f"{i},Cliente {i},{','.join(person)},{phone},{mail}")
    clientes = ("\n".join(rows) + "\n").encode()

    # 2. JSON lines of an API log: CURP, phone written with +52, INE voter key
    events = []
    for _ in range(4):
        curp, phone, ine = gen.curp(rng), gen.phone_national(rng), gen.ine(rng)
        written = gen.phone_formats(phone)[0]
        keep(curp, phone, written, ine)
        events.append(json.dumps({"evento": "alta", "curp": curp, "tel": written, "ine": ine}))
    eventos = ("\n".join(events) + "\n").encode()

    # 3. a JSON document of patients: identifiers next to health data -> sensitive
    patients = []
    for _ in range(3):
        curp = gen.curp(rng)
        keep(curp)
        patients.append({"curp": curp, "diagnostico": "hipertension", "tipo_sangre": "O+"})
    consultas = json.dumps(patients, indent=1).encode()

    # 4. a letter in Latin-1, labels in prose; an RFC whose mod-11 digit fails (1.5% do)
    clabe, rfc, nss = gen.clabe(rng), gen.rfc_wrong_check(rng), gen.nss(rng)
    keep(clabe, rfc, nss)
    carta = (
        f"Estimado cliente,\nSu CLABE interbancaria es {clabe}.\nRFC: {rfc}\n"
        f"Número de seguridad social: {nss}\nAtentamente, Atención a clientes\n"
    ).encode("latin-1")

    # 5. a gzip CSV whose NSS column is labelled; folio numbers are 11-digit noise
    history = ["folio,nss"]
    for _ in range(5):
        value = gen.nss(rng)
        keep(value)
        history.append(f"{gen.digits(rng, 11)},{value}")
    historico = gzip.compress(("\n".join(history) + "\n").encode())

    objects = {
        "exports/clientes.csv": clientes,
        "api/eventos.jsonl": eventos,
        "pacientes/consultas.json": consultas,
        "notas/carta.txt": carta,
        "exports/historico.csv.gz": historico,
        "imagenes/ine-frente.jpg": b"\xff\xd8\xff\xe0"
        + bytes(rng.getrandbits(8) for _ in range(512)),
        "modelos/pesos.bin": bytes(rng.getrandbits(8) for _ in range(512)),
        "raw/volcado": b"\x00\x01\x02" + bytes(rng.getrandbits(8) for _ in range(512)),
        "vacio.txt": b"",
        "logs/app.log": _noise_log(rng, BIG_LOG_BYTES),
    }
    return Planted(
        objects=objects,
        identifiers={
            "clabe": 7,
            "curp": 13,
            "email": 6,
            "ine": 4,
            "nss": 12,
            "phone_mx": 10,
            "rfc": 7,
        },
        categories={"health": 6},
        skipped={"binary": 2, "empty": 1, "image": 1},
        read=6,
        with_hits=5,
        values=tuple(values),
    )


def _phone_near_miss(rng: random.Random) -> str:
    """Ten digits no Mexican line has (a leading 0), or a number one digit short."""
    if rng.random() < 0.5:
        return "0" + gen.digits(rng, 9)
    return gen.phone_national(rng)[:-1]


def near_miss_bucket(seed: int = 2026) -> Planted:
    """Files shaped like personal-data exports whose every value is a near-miss.

    The same labelled columns and keys as ``planted_bucket`` (so context cannot be what saves
    them), but each value fails its identifier's check: wrong check digit, wrong length, an
    impossible date or state, an unknown bank, a company RFC, a number no Mexican line has, and
    only role mailboxes. A correct sampler reads them all and finds nothing.
    """
    rng = random.Random(seed)
    near_misses = {
        "curp": (gen.curp_wrong_check, gen.curp_bad_date, lambda r: gen.curp(r)[:-1]),
        "rfc": (gen.company_rfc, lambda r: gen.rfc(r)[:-1]),
        "nss": (gen.nss_wrong_check, lambda r: gen.nss(r)[:-1]),
        "cuenta_clabe": (
            gen.clabe_wrong_check,
            gen.clabe_unknown_bank,
            lambda r: gen.clabe(r)[:-1],
        ),
        "ine": (gen.ine_bad_state, lambda r: gen.ine(r)[:-1]),
        "telefono": (_phone_near_miss,),
    }
    values: list[str] = []
    records = []
    for i in range(30):
        record: dict[str, str] = {"id": str(i), "nombre": f"Cliente {i}"}
        for column, makers in near_misses.items():
            record[column] = rng.choice(makers)(rng)
            values.append(record[column])
        record["email"] = rng.choice(("no-reply@tienda.mx", "facturacion@tienda.mx"))
        records.append(record)
    header = ",".join(records[0])
    csv_text = header + "\n" + "".join(",".join(r.values()) + "\n" for r in records[:15])
    objects = {
        "exports/clientes.csv": csv_text.encode(),
        "api/eventos.jsonl": "".join(json.dumps(r) + "\n" for r in records[15:]).encode(),
        "exports/clientes.json": json.dumps(records[:10], indent=1).encode(),
        "logs/app.log": _noise_log(rng, 64 * 1024),
    }
    return Planted(
        objects=objects,
        identifiers={},
        categories={},
        skipped={},
        read=len(objects),
        with_hits=0,
        values=tuple(values),
    )
