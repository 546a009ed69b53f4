"""The AWS provider: every enabled region of one account, or of every account of an Organization.

The work is (account, region, service) scopes read by per-service collectors (scope.py) in a
bounded thread pool; each worker thread has its own guarded session (session.py). S3 is global,
so its collector runs once per account, in ``us-east-1`` when that region is read (S3's home:
GetBucketLocation answers there for every bucket) and otherwise in the account's first region.

A scope that cannot be read (AccessDenied, an opt-in region that is disabled, the network) is an
error entry and the others go on: the scan reports what it read and exits 3. Not being able to
start at all (no boto3, no credentials, the account list or region list unreadable) is a
ProviderError.

With ``content_sampling`` (a ``SamplingLimits``, from ``--sample-content``) every bucket is then
sampled (content.py) in the same pool: its asset carries the ``ContentSample``, and a bucket
whose objects could not be read is an error entry of its own (``ACCOUNT/REGION/s3/BUCKET``).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sovaudit import progress
from sovaudit.deadline import run_scopes
from sovaudit.model import Asset, ScanError
from sovaudit.providers.aws.failures import describe_failure, scope_failures
from sovaudit.providers.aws.scope import AwsScope, Collector
from sovaudit.providers.aws.session import (
    SessionCache,
    SessionSpec,
    assume_credentials,
    caller_identity,
    enabled_regions,
    new_session,
    organization_accounts,
)
from sovaudit.providers.interface import (
    NOT_FINISHED,
    Provider,
    ProviderError,
    SourceOption,
    unexpected_answer,
)

if TYPE_CHECKING:
    from sovaudit.classify.content.sample import Sampler, SamplingLimits
    from sovaudit.providers.aws.content import ClientCache

log = logging.getLogger(__name__)

PROVIDER = "aws"
S3_HOME = "us-east-1"


@dataclasses.dataclass(frozen=True)
class ServiceCollector:
    """A collector with the service it reads.

    ``per_account`` marks a global service (S3), read once per account. ``finish`` runs once
    over everything collected, for links that cross scopes (an EBS snapshot copied from
    another region is a copy of its source).
    """

    service: str
    collect: Collector
    per_account: bool = False
    finish: Callable[[list[Asset]], list[Asset]] | None = None


def default_collectors() -> list[ServiceCollector]:
    """Every service the provider reads. Imported when a scan starts: botocore is needed."""
    from sovaudit.providers.aws import backup, dynamodb, ec2, rds, s3, tagging

    return [
        ServiceCollector("s3", s3.collect, per_account=True),
        ServiceCollector("ec2", ec2.collect, finish=ec2.link_snapshot_copies),
        ServiceCollector("rds", rds.collect),
        ServiceCollector("dynamodb", dynamodb.collect),
        ServiceCollector("backup", backup.collect),
        # Every other tagged resource, of any service; the collectors above win a tie.
        ServiceCollector("tagging", tagging.collect, finish=tagging.merge),
    ]


@dataclasses.dataclass(frozen=True)
class _Account:
    account_id: str
    spec: SessionSpec
    regions: tuple[str, ...]


class AwsProvider(Provider):
    """Reads one account's enabled regions, or every ACTIVE account of an Organization."""

    name = PROVIDER
    samples_content = True
    options = (
        SourceOption(
            "profile",
            "AWS named profile (default: the standard credential chain).",
            metavar="NAME",
        ),
        SourceOption(
            "org_role",
            "Read every account of the AWS Organization by assuming ROLE in each.",
            metavar="ROLE",
        ),
        SourceOption(
            "regions",
            "Only these AWS regions (default: every enabled region); repeatable.",
            multiple=True,
            metavar="REGION",
        ),
    )

    def __init__(
        self,
        profile: str | None = None,
        org_role: str | None = None,
        regions: Sequence[str] = (),
        max_workers: int = 8,
        collectors: Sequence[ServiceCollector] | None = None,
        content_sampling: SamplingLimits | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.profile = profile
        self.org_role = org_role
        self.regions = tuple(regions)
        self.max_workers = max_workers
        self.content_sampling = content_sampling
        self._collectors = list(collectors) if collectors is not None else None
        self._errors: list[ScanError] = []
        self._sessions = SessionCache()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AwsProvider:
        regions = options.get("regions") or ()
        if isinstance(regions, str):
            regions = [r.strip() for r in regions.split(",") if r.strip()]
        return cls(
            profile=options.get("profile") or None,
            org_role=options.get("org_role") or None,
            regions=tuple(regions),
            max_workers=int(options.get("max_workers") or 8),
            content_sampling=options.get("content_sampling") or None,
        )

    @property
    def errors(self) -> list[ScanError]:
        return self._errors

    # --- finding what to read ---------------------------------------------------------------

    def _start(self) -> tuple[Any, str, str]:
        """The caller's session, account and partition; ProviderError if that fails."""
        session = new_session(SessionSpec(profile=self.profile))
        try:
            account, partition = caller_identity(session)
        except scope_failures() as exc:
            raise ProviderError(
                PROVIDER, f"cannot identify the caller: {describe_failure(exc, 'sts')}"
            ) from None
        return session, account, partition

    def probe(self) -> str:
        """GetCallerIdentity through the very session set-up ``collect`` starts with (the
        profile, the guard, the same message for missing credentials): one call, allowed by
        any policy, that proves the credentials work. Roles and regions are not tried."""
        _, account, partition = self._start()
        seen = f"account {account} (partition {partition})"
        if self.org_role:
            seen += f"; organization accounts (role {self.org_role}) not probed"
        return seen

    def _account_ids(self, session: Any, own: str, partition: str) -> list[str]:
        if not self.org_role:
            return [own]
        try:
            members = organization_accounts(session, partition)
        except scope_failures() as exc:
            message = describe_failure(exc, "organizations")
            raise ProviderError(
                PROVIDER, f"cannot list the organization's accounts: {message}"
            ) from None
        return [own, *(a for a in members if a != own)]

    def _prepare(self, own: str, account_id: str, partition: str) -> _Account | ScanError:
        """An account's session spec and regions, or why it cannot be read."""
        caller = SessionSpec(profile=self.profile)
        spec = caller
        service = "sts"
        try:
            if account_id != own:
                assert self.org_role is not None
                credentials = assume_credentials(
                    self._sessions.get(caller), account_id, self.org_role, partition
                )
                spec = SessionSpec(credentials=credentials)
            service = "ec2"
            regions = enabled_regions(self._sessions.get(spec), partition, self.regions)
        except scope_failures() as exc:
            message = describe_failure(exc, service)
            if account_id == own:
                raise ProviderError(
                    PROVIDER, f"cannot list the enabled regions: {message}"
                ) from None
            return ScanError(PROVIDER, f"{account_id}/*", message)
        return _Account(account_id, spec, tuple(regions))

    # --- reading ----------------------------------------------------------------------------

    def _run(
        self, account: _Account, region: str, partition: str, collector: ServiceCollector
    ) -> tuple[list[Asset], ScanError | None]:
        """One scope: what the collector yielded, and the error that stopped it, if any."""
        scope = AwsScope(account.account_id, region, partition, self._sessions.get(account.spec))
        assets: list[Asset] = []
        try:
            assets.extend(collector.collect(scope))
        except scope_failures() as exc:
            where = f"{account.account_id}/{region}/{collector.service}"
            return assets, ScanError(PROVIDER, where, describe_failure(exc, collector.service))
        return assets, None

    def _sample_bucket(
        self, sampler: Sampler, clients: ClientCache, spec: SessionSpec, asset: Asset
    ) -> tuple[Asset, ScanError | None]:
        """One bucket's asset with its content sample, and the error entry if reading failed."""
        from sovaudit.classify.content.outcome import sampled_asset
        from sovaudit.providers.aws.content import S3ObjectSource, bucket_region

        partition = asset.id.split(":")[1]  # arn:PARTITION:s3:::name
        region = bucket_region(asset.region, partition)
        client = clients.get(self._sessions.get(spec), region)
        sample = sampler.sample(S3ObjectSource(client, str(asset.name)))
        return sampled_asset(
            asset,
            sample,
            provider=PROVIDER,
            url=f"s3://{asset.name}",
            scope=f"{asset.account}/{region}/s3/{asset.name}",
        )

    def _sample_buckets(
        self, pool: concurrent.futures.Executor, assets: list[Asset], accounts: Sequence[object]
    ) -> list[Asset]:
        """Every S3 bucket sampled (--sample-content), in the provider's pool."""
        from sovaudit.classify.content.sample import Sampler
        from sovaudit.providers.aws.content import ClientCache

        assert self.content_sampling is not None
        sampler = Sampler(self.content_sampling)  # imports the detectors' libraries
        clients = ClientCache()
        specs = {a.account_id: a.spec for a in accounts if isinstance(a, _Account)}
        futures: dict[int, concurrent.futures.Future[tuple[Asset, ScanError | None]]] = {}
        for index, asset in enumerate(assets):
            if asset.service == "s3" and asset.kind == "object_store" and asset.account in specs:
                spec = specs[str(asset.account)]
                futures[index] = pool.submit(self._sample_bucket, sampler, clients, spec, asset)
        sampled = list(assets)
        try:
            for index, future in futures.items():
                sampled[index], error = future.result()
                if error is not None:
                    log.info("aws: %s: %s", error.scope, error.message)  # announced at the end
                    self._errors.append(error)
        finally:
            for future in futures.values():
                future.cancel()
        return sampled

    def _scopes(
        self, account: _Account, collectors: Sequence[ServiceCollector]
    ) -> Iterator[tuple[str, ServiceCollector]]:
        if not account.regions:
            return
        home = S3_HOME if S3_HOME in account.regions else account.regions[0]
        for collector in collectors:
            if collector.per_account:
                yield home, collector
        for region in account.regions:
            for collector in collectors:
                if not collector.per_account:
                    yield region, collector

    def collect(self) -> Iterator[Asset]:
        session, own, partition = self._start()
        collectors = self._collectors if self._collectors is not None else default_collectors()
        account_ids = self._account_ids(session, own, partition)
        log.info("aws: reading %d account(s)", len(account_ids))
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=self.max_workers, thread_name_prefix="sovaudit-aws"
        ) as pool:
            # Assuming roles and listing regions goes through the pool too: in a large
            # organization that is itself hundreds of calls. Workers build their own sessions;
            # only the credentials AssumeRole returned travel between threads.
            prepared = list(pool.map(lambda a: self._prepare(own, a, partition), account_ids))
            tasks: list[tuple[_Account, str, ServiceCollector]] = []
            for account in prepared:
                if isinstance(account, ScanError):
                    self._errors.append(account)
                    continue
                tasks.extend(
                    (account, region, c) for region, c in self._scopes(account, collectors)
                )
            scopes = [f"{a.account_id}/{region}/{c.service}" for a, region, c in tasks]
            progress.scopes_planned(self.name, len(tasks))
            collected: list[Asset] = []
            # Scopes run on their own threads, so that the --timeout can stop waiting for them.
            outcomes = run_scopes(
                scopes,
                lambda index: self._run(*tasks[index][:2], partition, tasks[index][2]),
                failed=lambda scope, exc: ([], ScanError(PROVIDER, scope, unexpected_answer(exc))),
                workers=self.max_workers,
                deadline=self.deadline,
                thread_name_prefix="sovaudit-aws-scope",
            )
            for scope, outcome in outcomes:
                assets, error = outcome or ([], ScanError(PROVIDER, scope, NOT_FINISHED))
                progress.scope_finished(self.name, scope, len(assets), failed=bool(error))
                if error is not None:
                    # Said once on stderr when the scan ends (sovaudit.cli.announce).
                    log.info("aws: %s: %s", error.scope, error.message)
                    self._errors.append(error)
                collected.extend(assets)
            if self.content_sampling is not None:
                collected = self._sample_buckets(pool, collected, prepared)
        for collector in collectors:
            if collector.finish is not None:
                collected = collector.finish(collected)
        yield from collected
