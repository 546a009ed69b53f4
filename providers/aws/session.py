"""Building the boto3 sessions the provider reads with: always guarded, patient, per thread.

Every session comes from ``new_session``, so none can escape the read-only guard. Clients
inherit one default configuration: adaptive retries (an organisation-wide scan throttles itself
instead of failing on ``Throttling``) and timeouts short enough that an unreachable region
becomes an error entry rather than a hung audit. boto3 sessions are not thread-safe, so workers
get their own through ``SessionCache``. Credentials are never logged, printed or stored beyond
the ``SessionSpec`` in memory, whose ``repr`` hides them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any

from sovaudit.providers.aws.guard import attach_guard
from sovaudit.providers.interface import ProviderError

MISSING_BOTO3 = "the AWS provider needs boto3: pip install 'sovaudit[aws]'"
SESSION_NAME = "sovaudit"
# Organizations and IAM live in one region per partition; STS and EC2 answer anywhere.
# Attempts per call, first included; adaptive mode also slows the client down when throttled.
MAX_ATTEMPTS = 8
GLOBAL_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-northwest-1"}


def _boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise ProviderError("aws", MISSING_BOTO3) from None
    return boto3


@dataclasses.dataclass(frozen=True)
class StaticCredentials:
    """Temporary credentials from AssumeRole; hidden from ``repr`` so they never reach a log."""

    access_key: str = dataclasses.field(repr=False)
    secret_key: str = dataclasses.field(repr=False)
    token: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class SessionSpec:
    """How to build a session for one account: a profile or the default chain, or credentials
    obtained by assuming a role. Hashable, so worker threads can cache one session per spec."""

    profile: str | None = None
    credentials: StaticCredentials | None = None


def client_config() -> Any:
    """Adaptive retries for throttling, bounded timeouts, a user agent naming the tool."""
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="sovaudit",
    )


def new_session(spec: SessionSpec = SessionSpec()) -> Any:
    """A boto3 session with the read-only guard attached and the client defaults set."""
    boto3 = _boto3()
    import botocore.exceptions
    import botocore.session

    core = botocore.session.Session()
    core.set_default_client_config(client_config())
    attach_guard(core.get_component("event_emitter"))
    credentials = spec.credentials
    try:
        if credentials is not None:
            return boto3.Session(
                aws_access_key_id=credentials.access_key,
                aws_secret_access_key=credentials.secret_key,
                aws_session_token=credentials.token,
                botocore_session=core,
            )
        return boto3.Session(profile_name=spec.profile, botocore_session=core)
    except botocore.exceptions.ProfileNotFound as exc:
        raise ProviderError("aws", f"AWS profile not found: {exc.kwargs.get('profile')}") from None


class SessionCache:
    """One session per (thread, spec): boto3 sessions must not be shared between threads, and
    building one per call would reload the service models every time."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, spec: SessionSpec) -> Any:
        sessions: dict[SessionSpec, Any] | None = getattr(self._local, "sessions", None)
        if sessions is None:
            sessions = self._local.sessions = {}
        session = sessions.get(spec)
        if session is None:
            session = sessions[spec] = new_session(spec)
        return session


def _home_region(session: Any, partition: str = "aws") -> str:
    return str(session.region_name or GLOBAL_REGION.get(partition, "us-east-1"))


def caller_identity(session: Any) -> tuple[str, str]:
    """The caller's account id and partition (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    identity = session.client("sts", region_name=_home_region(session)).get_caller_identity()
    partition = str(identity["Arn"]).split(":")[1]
    return str(identity["Account"]), partition


def assume_credentials(
    session: Any, account_id: str, role_name: str, partition: str
) -> StaticCredentials:
    """Credentials for ``role_name`` in ``account_id``, from the caller's session."""
    sts = session.client("sts", region_name=_home_region(session, partition))
    answer = sts.assume_role(
        RoleArn=f"arn:{partition}:iam::{account_id}:role/{role_name}",
        RoleSessionName=SESSION_NAME,
    )
    creds = answer["Credentials"]
    return StaticCredentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


def organization_accounts(session: Any, partition: str = "aws") -> list[str]:
    """The ids of every ACTIVE account of the caller's organization (suspended ones are
    unreadable and hold nothing new)."""
    client = session.client("organizations", region_name=_home_region(session, partition))
    accounts: list[str] = []
    for page in client.get_paginator("list_accounts").paginate():
        accounts.extend(
            str(a["Id"]) for a in page["Accounts"] if a.get("Status", "ACTIVE") == "ACTIVE"
        )
    return accounts


def enabled_regions(
    session: Any, partition: str = "aws", configured: Sequence[str] = ()
) -> list[str]:
    """The regions to read: the configured list, else every region enabled for the account
    (DescribeRegions without AllRegions lists opted-in and default regions only)."""
    if configured:
        return list(dict.fromkeys(configured))
    client = session.client("ec2", region_name=_home_region(session, partition))
    regions = client.describe_regions()["Regions"]
    return sorted(str(r["RegionName"]) for r in regions)
