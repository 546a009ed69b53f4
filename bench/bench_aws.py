#!/usr/bin/env python3
"""AWS inventory wall time: the provider's thread pool against one worker, and moto's ceiling.

    python bench/bench_aws.py [--buckets 500] [--instances 200] [--workers 8] [--delay 0]

An estate of --buckets S3 buckets over six regions (a third replicated, half tagged) and
--instances EC2 instances is created in moto's server, which runs in its own process (so
that it does not compete with the client for the interpreter lock) on 127.0.0.1. The same
inventory (every collector, six regions) is then timed with --workers threads and with one.
moto's ceiling is what the same calls cost in a tight loop on one raw boto3 client, and on
--workers raw clients in parallel: no provider could go faster against this server. --delay
adds that many seconds before each answer, to model the round trip to a real AWS endpoint
(50-150 ms from Mexico); at 0, loopback is so fast that the figures mostly measure Python.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import multiprocessing
import os
import socket
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = ("mx-central-1", "us-east-1", "us-west-2", "sa-east-1", "eu-west-1", "ca-central-1")
ACCOUNT = "123456789012"


def _serve(port: int, delay: float) -> None:
    """moto's WSGI app behind a threaded werkzeug server, waiting ``delay`` per request."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)

    def delayed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if delay:
            time.sleep(delay)
        return app(environ, start_response)

    make_server("127.0.0.1", port, delayed, threaded=True).serve_forever()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("moto server did not start")


def build_estate(buckets: int, instances: int) -> None:
    import boto3

    for i in range(buckets):
        region = REGIONS[i % len(REGIONS)]
        client = boto3.client("s3", region_name=region)
        name = f"bench-{i:04d}-{region}"
        if region == "us-east-1":
            client.create_bucket(Bucket=name)
        else:
            client.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": region}
            )
        if i % 2 == 0:
            client.put_bucket_tagging(
                Bucket=name,
                Tagging={"TagSet": [{"Key": "data-classification", "Value": "personal"}]},
            )
        if i % 3 == 0 and i >= len(REGIONS):
            target = f"bench-{i - len(REGIONS) + 1:04d}-{REGIONS[(i + 1) % len(REGIONS)]}"
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            client.put_bucket_replication(
                Bucket=name,
                ReplicationConfiguration={
                    "Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
                    "Rules": [
                        {
                            "Status": "Enabled",
                            "Prefix": "",
                            "Destination": {"Bucket": f"arn:aws:s3:::{target}"},
                        }
                    ],
                },
            )
    per_region = instances // len(REGIONS)
    for index, region in enumerate(REGIONS):
        count = per_region + (instances % len(REGIONS) if index == 0 else 0)
        ec2 = boto3.client("ec2", region_name=region)
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count)


def inventory(workers: int) -> tuple[float, int, Counter[str]]:
    from sovaudit.providers.aws import AwsProvider, guard, s3

    s3.BUCKET_WORKERS = workers  # "one worker" means no thread anywhere
    with guard.recording() as calls:
        start = time.perf_counter()
        provider = AwsProvider(regions=REGIONS, max_workers=workers)
        assets = list(provider.collect())
        elapsed = time.perf_counter() - start
    if provider.errors:
        raise SystemExit(f"inventory incomplete: {provider.errors[:3]}")
    return elapsed, len(assets), Counter(calls)


def ceiling(buckets: list[tuple[str, str]], threads: int, rounds: int) -> float:
    """Calls per second of GetBucketLocation + GetBucketTagging on raw boto3 clients."""
    import boto3
    from botocore.exceptions import ClientError

    def loop(part: list[tuple[str, str]]) -> int:
        session = boto3.Session()
        clients = {r: session.client("s3", region_name=r) for r in REGIONS}
        calls = 0
        for _ in range(rounds):
            for name, region in part:
                clients[region].get_bucket_location(Bucket=name)
                with contextlib.suppress(ClientError):
                    clients[region].get_bucket_tagging(Bucket=name)
                calls += 2
        return calls

    parts = [buckets[i::threads] for i in range(threads)]
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(loop, parts))
    return total / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=500)
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = multiprocessing.Process(target=_serve, args=(port, args.delay), daemon=True)
    server.start()
    _wait(url)
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    os.environ.pop("AWS_PROFILE", None)
    try:
        start = time.perf_counter()
        build_estate(args.buckets, args.instances)
        print(
            f"estate: {args.buckets} buckets, {args.instances} instances over "
            f"{len(REGIONS)} regions, built in {time.perf_counter() - start:.1f}s"
        )
        inventory(args.workers)  # warm-up: imports, service models, moto's caches
        pooled, assets, calls = inventory(args.workers)
        sequential, _, _ = inventory(1)
        total = sum(calls.values())
        print(
            f"inventory: {assets} assets, {total} API calls "
            f"({', '.join(f'{k} {v}' for k, v in calls.most_common(4))}, ...)"
        )
        print(f"  {args.workers} workers: {pooled:6.2f}s  ({total / pooled:7.0f} calls/s)")
        print(f"  1 worker : {sequential:6.2f}s  ({total / sequential:7.0f} calls/s)")
        print(f"  speed-up: {sequential / pooled:.2f}x")
        names = [
            (f"bench-{i:04d}-{REGIONS[i % len(REGIONS)]}", REGIONS[i % len(REGIONS)])
            for i in range(args.buckets)
        ]
        rounds = 1 if args.delay else 2
        one = ceiling(names, 1, rounds)
        many = ceiling(names, args.workers, rounds)
        print(
            f"moto ceiling (GetBucketLocation+GetBucketTagging, raw boto3): "
            f"1 thread {one:.0f} calls/s, {args.workers} threads {many:.0f} calls/s"
        )
        print(
            f"  provider at {args.workers} workers reaches {total / pooled / many:.0%} of the "
            f"{args.workers}-thread ceiling; 1 worker reaches {total / sequential / one:.0%} "
            "of the 1-thread ceiling"
        )
    finally:
        server.terminate()
        server.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
