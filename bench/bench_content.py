#!/usr/bin/env python3
"""Precision, recall and speed of the content-sampling detectors on a generated corpus.

    python bench/bench_content.py [--rows 4000] [--seed 7] [--repeat 3]

The corpus (tests/classify/content/generate.py: valid identifiers with correct check digits, no real
person's data) mixes what buckets hold:

- a customer CSV export, every identifier in its labelled column, 1.5% of RFCs failing their
  mod-11 digit as real ones do, plus order numbers, timestamps and 18-digit ids beside them;
- JSON-lines API logs: CURP, phones written with +52, INE keys, among trace ids and lot codes;
- Spanish letters in prose: labelled CLABE, NSS and phones, unlabelled RFCs and e-mails;
- labelled near-misses: wrong check digits, wrong lengths, impossible dates and states;
- look-alike noise only: 11-digit folios (one in ten passes Luhn), 18-digit ids (one in ten
  passes the CLABE digit), Unix times, 10-digit numbers, lot and document codes shaped like
  RFCs (four letters, a date, three characters), role mailboxes, file names with "@".

Ground truth is the multiset of planted values per type; a detection is matched to it by the
detectors' keyed hash (the same process computes both), so precision and recall are exact per
value, not per count. Throughput is measured on the same text, for the detectors alone and for
the whole per-object analysis (identifiers + sensitive terms), best of --repeat runs.
Figures vary with the machine; they are reported, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.classify.content.generate when run as a script

from sovaudit.classify.content.analyse import Analyser  # noqa: E402
from sovaudit.classify.content.detectors import Detectors, fingerprint  # noqa: E402
from sovaudit.classify.content.evidence import IDENTIFIER_TYPES  # noqa: E402
from sovaudit.classify.content.text import extract_text  # noqa: E402
from tests.classify.content import generate as gen  # noqa: E402

Truth = Counter[tuple[str, bytes]]


class Corpus:
    """Documents with the values a perfect detector would report in them."""

    def __init__(self) -> None:
        self.documents: list[tuple[str, str]] = []  # (name, text)
        self.truth: Truth = Counter()
        self.decoys: Counter[str] = Counter()  # near-misses and look-alikes offered, per type

    def plant(self, kind: str, value: str) -> str:
        normalised = value.lower() if kind == "email" else value
        self.truth[(kind, fingerprint(kind, normalised))] += 1
        return value

    def decoy(self, kind: str, value: str) -> str:
        """A value a detector of ``kind`` must reject (counted to show what FP=0 means)."""
        self.decoys[kind] += 1
        return value

    def add(self, name: str, text: str) -> None:
        self.documents.append((name, text))

    @property
    def size(self) -> int:
        return sum(len(text.encode()) for _, text in self.documents)


def _customers(corpus: Corpus, rng: random.Random, rows: int) -> None:
    lines = ["id,nombre,curp,rfc,nss,cuenta_clabe,telefono,email,folio,creado,id_externo"]
    for i in range(rows):
        rfc = gen.rfc_wrong_check(rng) if rng.random() < 0.015 else gen.rfc(rng)
        phone = gen.phone_national(rng)
        lines.append(
            ",".join(
                (
                    str(i),
                    f"{rng.choice(gen.FIRST_NAMES).title()} {rng.choice(gen.SURNAMES).title()}",
                    corpus.plant("curp", gen.curp(rng)),
                    corpus.plant("rfc", rfc),
                    corpus.plant("nss", gen.nss(rng)),
                    corpus.plant("clabe", gen.clabe(rng)),
                    rng.choice(gen.phone_formats(phone)[2:]),  # written without +52
                    corpus.plant("email", gen.email(rng)),
                    corpus.decoy("nss", gen.digits(rng, 11)),
                    gen.unix_time(rng),
                    corpus.decoy("clabe", gen.snowflake(rng)),
                )
            )
        )
        corpus.plant("phone_mx", phone)
    corpus.add("clientes.csv", "\n".join(lines) + "\n")


def _api_log(corpus: Corpus, rng: random.Random, rows: int) -> None:
    lines = []
    for _ in range(rows):
        phone = gen.phone_national(rng)
        corpus.plant("phone_mx", phone)
        event = {
            "ts": int(gen.unix_time(rng)) * 1000 + rng.randint(0, 999),
            "trace_id": corpus.decoy("clabe", gen.snowflake(rng)),
            "order": int(corpus.decoy("nss", gen.digits(rng, 11))),
            "lot": corpus.decoy("rfc", gen.sku(rng)),
            "user": {
                "curp": corpus.plant("curp", gen.curp(rng)),
                "tel": gen.phone_formats(phone)[rng.choice((0, 1))],
                "ine": corpus.plant("ine", gen.ine(rng)),
            },
            "amount": round(rng.uniform(1, 50000), 2),
            "path": "/api/v1/health",
        }
        lines.append(json.dumps(event, ensure_ascii=False))
    corpus.add("eventos.jsonl", "\n".join(lines) + "\n")


def _letters(corpus: Corpus, rng: random.Random, count: int) -> None:
    parts = []
    for _ in range(count):
        phone = gen.phone_national(rng)
        corpus.plant("phone_mx", phone)
        parts.append(
            f"Estimada {rng.choice(gen.FIRST_NAMES).title()}:\n"
            f"Le confirmamos el depósito a su CLABE interbancaria "
            f"{corpus.plant('clabe', gen.clabe(rng))} por el pedido {gen.digits(rng, 11)}.\n"
            f"Factura emitida a {corpus.plant('rfc', gen.rfc(rng))} el "
            f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2025.\n"
            f"Número de seguridad social: {corpus.plant('nss', gen.nss(rng))}.\n"
            f"Para dudas llame al {gen.phone_formats(phone)[2]} o escriba a "
            f"{corpus.plant('email', gen.email(rng))} (no a soporte@example.mx).\n\n"
        )
    corpus.add("cartas.txt", "".join(parts))


def _near_misses(corpus: Corpus, rng: random.Random, count: int) -> None:
    makers: list[tuple[str, str, Callable[[random.Random], str]]] = [
        ("curp", "CURP", gen.curp_wrong_check),
        ("curp", "CURP", gen.curp_bad_date),
        ("curp", "CURP", lambda r: gen.curp(r)[:-1]),
        ("rfc", "RFC", gen.company_rfc),
        ("rfc", "RFC", lambda r: gen.rfc(r)[:-1]),
        ("clabe", "CLABE", gen.clabe_wrong_check),
        ("clabe", "CLABE", gen.clabe_unknown_bank),
        ("clabe", "CLABE", lambda r: gen.clabe(r)[:-1]),
        ("nss", "NSS", gen.nss_wrong_check),
        ("nss", "NSS", lambda r: gen.nss(r) + "4"),
        ("ine", "INE", gen.ine_bad_state),
        ("phone_mx", "Tel", lambda r: "0" + gen.digits(r, 9)),
        ("email", "Correo", lambda r: f"{r.choice(('no-reply', 'info', 'ventas'))}@example.com"),
    ]
    lines = []
    for _ in range(count):
        kind, label, make = rng.choice(makers)
        lines.append(f"{label}: {corpus.decoy(kind, make(rng))}")
    corpus.add("casi.txt", "\n".join(lines) + "\n")


def _document_code(rng: random.Random) -> str:
    """Four letters, an old date, three characters: RFC-shaped, not an RFC."""
    return (
        "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        + gen._date(rng, 1950, 2005).strftime("%y%m%d")
        + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(3))
    )


def _noise(corpus: Corpus, rng: random.Random, rows: int) -> None:
    lines = ["fecha,pedido,folio,id_usuario,lote,referencia,importe,contacto,archivo"]
    for _ in range(rows):
        lines.append(
            ",".join(
                (
                    gen.unix_time(rng),
                    corpus.decoy("phone_mx", gen.digits(rng, 10)),
                    corpus.decoy("nss", gen.digits(rng, 11)),
                    corpus.decoy("clabe", gen.snowflake(rng)),
                    corpus.decoy("rfc", gen.sku(rng)),
                    corpus.decoy("rfc", _document_code(rng)),
                    f"{rng.uniform(1, 99999):.2f}",
                    corpus.decoy(
                        "email",
                        rng.choice(
                            ("info@example.com", "no-reply@example.mx", "ventas@example.com")
                        ),
                    ),
                    corpus.decoy("email", f"icono@{rng.randint(1, 3)}x.png"),
                )
            )
        )
    corpus.add("ruido.csv", "\n".join(lines) + "\n")


def unlabelled(rng: random.Random, count: int) -> tuple[str, Truth]:
    """Valid values in prose with no label: what requiring labels costs in recall.

    Kept out of the main table on purpose: RFC, CLABE, NSS and phones without +52 are not
    reported without a label (docs/content-sampling.md), so these are misses by design.
    """
    truth: Truth = Counter()
    makers: list[tuple[str, Callable[[random.Random], str]]] = [
        ("curp", gen.curp),
        ("rfc", gen.rfc),
        ("clabe", gen.clabe),
        ("nss", gen.nss),
        ("ine", gen.ine),
        ("phone_mx", gen.phone_national),
        ("email", gen.email),
    ]
    lines = []
    for _ in range(count):
        kind, make = rng.choice(makers)
        value = make(rng)
        truth[(kind, fingerprint(kind, value.lower() if kind == "email" else value))] += 1
        lines.append(f"Se registró {value} en el sistema el día de hoy.")
    return "\n".join(lines) + "\n", truth


def build(rows: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    corpus = Corpus()
    _customers(corpus, rng, rows)
    _api_log(corpus, rng, rows)
    _letters(corpus, rng, rows // 4)
    _near_misses(corpus, rng, rows)
    _noise(corpus, rng, rows * 2)
    return corpus


def score(corpus: Corpus, detectors: Detectors) -> dict[str, dict[str, float]]:
    found: Truth = Counter()
    for _, text in corpus.documents:
        found.update((hit.kind, hit.fingerprint) for hit in detectors.find(text))
    table: dict[str, dict[str, float]] = {}
    for kind in IDENTIFIER_TYPES:
        truth = Counter({k: n for k, n in corpus.truth.items() if k[0] == kind})
        seen = Counter({k: n for k, n in found.items() if k[0] == kind})
        tp = sum((truth & seen).values())
        fp = sum(seen.values()) - tp
        fn = sum(truth.values()) - tp
        table[kind] = {
            "planted": sum(truth.values()),
            "found": sum(seen.values()),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
        }
    return table


def throughput(corpus: Corpus, repeat: int) -> dict[str, float]:
    detectors = Detectors()
    analyser = Analyser(detectors)
    texts = [text for _, text in corpus.documents]
    packed = [gzip.compress(text.encode()) for text in texts]
    megabytes = corpus.size / 1e6

    def best(run: Callable[[], object]) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return min(times)

    detect = best(lambda: [list(detectors.find(t)) for t in texts])
    analyse = best(lambda: [analyser.analyse(t) for t in texts])
    limit = 1 << 30
    whole = best(lambda: [analyser.analyse(extract_text(p, max_bytes=limit).text) for p in packed])
    return {
        "MB": megabytes,
        "detectors MB/s": megabytes / detect,
        "analysis MB/s": megabytes / analyse,
        "gunzip+decode+analysis MB/s": megabytes / whole,
    }


def sample_one_bucket(corpus: Corpus) -> tuple[float, int]:
    """The whole sampler on one bucket at the default limits: time, and peak memory it
    allocates (tracemalloc) beyond the bucket's own bytes."""
    from sovaudit.classify.content.sample import Sampler, SamplingLimits
    from tests.classify.content.fake_source import MemorySource

    text = "".join(t for _, t in corpus.documents).encode()
    objects = {f"exports/{i:02d}.csv": text[i * 2**20 % len(text) :][: 2**20] for i in range(20)}
    objects = {key: (data * 2)[: 2**20] for key, data in objects.items()}
    start = time.perf_counter()
    Sampler(SamplingLimits()).sample(MemorySource(objects))
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second run: tracing slows Python down several times
    Sampler(SamplingLimits()).sample(MemorySource(objects))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    corpus = build(args.rows, args.seed)
    table = score(corpus, Detectors())
    print(
        f"corpus: {len(corpus.documents)} documents, {corpus.size / 1e6:.1f} MB, seed {args.seed}"
    )
    print(
        f"{'detector':<10}{'planted':>9}{'decoys':>9}{'found':>9}{'TP':>8}{'FP':>6}{'FN':>6}"
        f"{'precision':>11}{'recall':>9}"
    )
    for kind, row in table.items():
        print(
            f"{kind:<10}{row['planted']:>9.0f}{corpus.decoys[kind]:>9}{row['found']:>9.0f}"
            f"{row['tp']:>8.0f}{row['fp']:>6.0f}{row['fn']:>6.0f}"
            f"{row['precision']:>11.4f}{row['recall']:>9.4f}"
        )
    text, truth = unlabelled(random.Random(args.seed + 1), args.rows)
    hits = Counter((hit.kind, hit.fingerprint) for hit in Detectors().find(text))
    print("\nwithout any label (misses are by design for rfc, clabe, nss, phone_mx):")
    for kind in IDENTIFIER_TYPES:
        planted = Counter({k: n for k, n in truth.items() if k[0] == kind})
        found = sum((planted & hits).values())
        total = sum(planted.values())
        print(f"{kind:<10}found {found:>5} of {total:>5}  recall {found / max(total, 1):.4f}")
    for name, value in throughput(corpus, args.repeat).items():
        print(f"{name:<30}{value:>10.1f}")
    seconds, peak = sample_one_bucket(corpus)
    print(f"one bucket, default limits (20 x 1 MiB): {seconds:.2f} s, peak {peak / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
