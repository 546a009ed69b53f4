"""The Google Cloud provider: every Cloud Storage bucket of the chosen projects, and where it is.

Projects come from ``--gcp-project`` (options ``projects``), or, when none is given and
google-cloud-resource-manager is installed, from every ACTIVE project the credentials can see.
Each project is one scope, read in a bounded thread pool: a project that cannot be read
(permission denied, the Cloud Storage API disabled, the project gone) is one error entry and
the others go on, so the scan reports what it read and exits 3. Not being able to start at all
(no SDK, no credentials, no project to read) is a ProviderError.

Credentials are Application Default Credentials, asked for with read-only scopes. When
``STORAGE_EMULATOR_HOST`` is set (the SDK's own override) the provider talks to that endpoint
with anonymous credentials, as the SDK itself does, and never consults ADC: a test or an
air-gapped run must not probe the metadata server.

Read-only by construction: the only call made is ``Client.list_buckets`` (everything else is
read from the listed resources, see buckets.py), and the client's HTTP session refuses any
method but GET before a request is sent (``ReadOnlyViolation``), so even a future edit that
calls ``bucket.patch()`` or ``client.create_bucket()`` cannot change an estate being audited.

With ``content_sampling`` (a ``SamplingLimits``, from ``--sample-content``) each listed bucket
is also sampled (content.py: objects.list and ranged object GETs, through the same GET-only
session): its asset carries the ``ContentSample``, and a bucket whose objects could not be
read is an error entry of its own (``PROJECT/BUCKET``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sovaudit import progress
from sovaudit.deadline import run_scopes
from sovaudit.model import Asset, ScanError
from sovaudit.providers.gcp.buckets import PROVIDER, bucket_to_asset
from sovaudit.providers.gcp.failures import ReadOnlyViolation, describe_failure, read_errors
from sovaudit.providers.gcp.scopes import asset_endpoint_url, loopback, scope_name
from sovaudit.providers.interface import (
    NOT_FINISHED,
    Provider,
    ProviderError,
    SourceOption,
    unexpected_answer,
)

if TYPE_CHECKING:
    from sovaudit.classify.content.sample import Sampler, SamplingLimits

log = logging.getLogger(__name__)

MISSING_SDK = "the Google Cloud provider needs google-cloud-storage: pip install 'sovaudit[gcp]'"
NO_PROJECTS = "no Google Cloud project to read: pass --gcp-project PROJECT (or config gcp.projects)"
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
# Read-only OAuth scopes: even credentials whose IAM roles allow writes get a token that does not.
READ_ONLY_SCOPES = (
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/cloud-platform.read-only",
)
ALLOWED_METHODS = frozenset({"GET"})


def _storage() -> Any:
    """The google.cloud.storage module, or the one-line ProviderError saying what to install."""
    try:
        return importlib.import_module("google.cloud.storage")
    except ImportError:
        raise ProviderError(PROVIDER, MISSING_SDK) from None


def _resource_manager() -> Any | None:
    """google.cloud.resourcemanager_v3 when installed: it is optional (project discovery)."""
    try:
        return importlib.import_module("google.cloud.resourcemanager_v3")
    except ImportError:
        return None


@functools.lru_cache(maxsize=1)
def _read_only_session_class() -> type[Any]:
    """An AuthorizedSession that refuses every method but GET, before anything is sent.

    Built on first use so that importing this module does not import google-auth. Token
    refreshes go through the session's separate ``auth_request``, so they are not affected.
    """
    from google.auth.transport.requests import AuthorizedSession

    class ReadOnlySession(AuthorizedSession):
        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            verb = (method.decode() if isinstance(method, bytes) else method).upper()
            if verb not in ALLOWED_METHODS:
                raise ReadOnlyViolation(verb, url.decode() if isinstance(url, bytes) else url)
            return super().request(method, url, *args, **kwargs)

    return ReadOnlySession


def read_only_session_class() -> type[Any]:
    """The read-only AuthorizedSession class (for clients that build their own session)."""
    return _read_only_session_class()


def read_only_session(credentials: Any) -> Any:
    """The HTTP session every storage client of this provider is given."""
    return _read_only_session_class()(credentials)


def emulator_host() -> str | None:
    """The SDK's endpoint override, when set (an emulator or a test stand-in)."""
    return os.environ.get(EMULATOR_ENV) or None


class GcpProvider(Provider):
    """Reads every Cloud Storage bucket of the given projects (or of every visible project)."""

    name = PROVIDER
    samples_content = True
    options = (
        SourceOption(
            "projects",
            "Google Cloud project to read (default: every project the credentials can list); "
            "repeatable.",
            multiple=True,
            metavar="PROJECT",
        ),
        SourceOption(
            "scopes",
            "Read every resource of organizations/N, folders/N or projects/P through Cloud "
            "Asset Inventory (roles/cloudasset.viewer), instead of each project's buckets; "
            "repeatable.",
            multiple=True,
            metavar="SCOPE",
        ),
        SourceOption(
            "asset_endpoint",
            "Cloud Asset API endpoint (default: cloudasset.googleapis.com; plain http only on "
            "127.0.0.1, for a stand-in, with anonymous credentials).",
            metavar="URL",
            enables=False,
        ),
    )

    def __init__(
        self,
        projects: Sequence[str] = (),
        max_workers: int = 8,
        retry_deadline: float = 60.0,
        content_sampling: SamplingLimits | None = None,
        scopes: Sequence[str] = (),
        asset_endpoint: str | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.projects = tuple(dict.fromkeys(p for p in projects if p))
        self.max_workers = max_workers
        self.retry_deadline = retry_deadline
        self.content_sampling = content_sampling
        self.scopes = tuple(dict.fromkeys(scope_name(s) for s in scopes if s and s.strip()))
        self.asset_endpoint = asset_endpoint_url(asset_endpoint)
        self._errors: list[ScanError] = []

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> GcpProvider:
        """Parse options only; nothing is imported or called until ``collect``."""
        projects = options.get("projects") or ()
        if isinstance(projects, str):
            projects = [p.strip() for p in projects.split(",") if p.strip()]
        scopes = options.get("scopes") or ()
        if isinstance(scopes, str):
            scopes = [s.strip() for s in scopes.split(",") if s.strip()]
        return cls(
            projects=tuple(str(p) for p in projects),
            max_workers=int(options.get("max_workers") or 8),
            content_sampling=options.get("content_sampling") or None,
            scopes=tuple(str(s) for s in scopes),
            asset_endpoint=options.get("asset_endpoint") or None,
        )

    @property
    def errors(self) -> list[ScanError]:
        return self._errors

    # --- starting -----------------------------------------------------------------------------

    def _credentials(self) -> Any:
        """Anonymous for an emulator (as the SDK does); otherwise ADC with read-only scopes."""
        if emulator_host() or (self.asset_endpoint and loopback(self.asset_endpoint)):
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials()
        import google.auth
        from google.auth import exceptions as auth

        try:
            credentials, _ = google.auth.default(scopes=list(READ_ONLY_SCOPES))
        except auth.DefaultCredentialsError:
            raise ProviderError(
                PROVIDER,
                "no Google Cloud credentials: run 'gcloud auth application-default login' "
                "or set GOOGLE_APPLICATION_CREDENTIALS",
            ) from None
        return credentials

    def _project_source(self) -> Any | None:
        """The resource-manager module when projects must be discovered; None when given.

        Checked before any credential is looked up, so a run that cannot know what to read
        says so at once. An emulator has no project API, so there projects must be given.
        """
        if self.projects:
            return None
        manager = _resource_manager()
        if manager is None or emulator_host():
            hint = "" if manager is not None else " or install google-cloud-resource-manager"
            raise ProviderError(PROVIDER, NO_PROJECTS + hint)
        return manager

    def _projects(self, manager: Any | None, credentials: Any) -> list[str]:
        """The projects to read: the given ones, or every ACTIVE project the caller can see."""
        if manager is None:
            return list(self.projects)
        try:
            client = manager.ProjectsClient(credentials=credentials)
            active = manager.Project.State.ACTIVE
            found = [p.project_id for p in client.search_projects() if p.state == active]
        except read_errors() as exc:
            raise ProviderError(
                PROVIDER, f"cannot list projects: {describe_failure(exc)}; pass --gcp-project"
            ) from None
        if not found:
            raise ProviderError(
                PROVIDER, "these credentials can see no active project; pass --gcp-project"
            )
        return sorted(found)

    # --- reading ------------------------------------------------------------------------------

    @staticmethod
    def _client(storage: Any, credentials: Any, project: str) -> tuple[Any, Any]:
        """A storage client for ``project`` on its own GET-only session (close the session)."""
        session = read_only_session(credentials)
        try:
            return storage.Client(project=project, credentials=credentials, _http=session), session
        except BaseException:
            session.close()
            raise

    @contextlib.contextmanager
    def _project_client(self, storage: Any, credentials: Any, project: str) -> Iterator[Any]:
        """``_client`` for one block, its session closed after it."""
        client, session = self._client(storage, credentials, project)
        try:
            yield client
        finally:
            session.close()

    def _list_buckets(self, client: Any, project: str, limit: int | None = None) -> Any:
        """``buckets.list`` for ``project``, retried as long as the provider allows."""
        from google.cloud.storage.retry import DEFAULT_RETRY

        return client.list_buckets(
            project=project,
            max_results=limit,
            retry=DEFAULT_RETRY.with_deadline(self.retry_deadline),
        )

    def _read_project(
        self, storage: Any, credentials: Any, project: str, sampler: Sampler | None = None
    ) -> tuple[list[Asset], list[ScanError]]:
        """One project: its buckets (sampled when asked), and what could not be read."""
        assets: list[Asset] = []
        try:
            with self._project_client(storage, credentials, project) as client:
                for bucket in self._list_buckets(client, project):
                    assets.append(bucket_to_asset(bucket, project))
        except read_errors() as exc:
            return assets, [ScanError(PROVIDER, project, describe_failure(exc))]
        if sampler is None or not assets:
            return assets, []
        from sovaudit.providers.gcp.content import sample_buckets

        return sample_buckets(
            assets, sampler, lambda: self._client(storage, credentials, project), project
        )

    def probe(self) -> str:
        """What ``collect`` reads first, once: the project list when projects are discovered,
        else one bucket of the first project (``storage.buckets.list``, ``maxResults=1``),
        with the same credentials, client and messages as a scan."""
        storage = _storage()
        manager = self._project_source()
        credentials = self._credentials()
        if manager is not None:
            found = self._projects(manager, credentials)
            return f"{len(found)} active project(s) visible; their buckets not probed"
        project = self.projects[0]
        try:
            with self._project_client(storage, credentials, project) as client:
                listed = list(self._list_buckets(client, project, limit=1))
        except read_errors() as exc:
            raise ProviderError(PROVIDER, describe_failure(exc), scope=project) from None
        others = len(self.projects) - 1
        seen = f"project {project}: buckets listed ({'some' if listed else 'none'})"
        return seen + (f"; {others} other project(s) not probed" if others else "")

    def _sampler(self) -> Sampler | None:
        """The content sampler when --sample-content is on (imports the detectors' libraries)."""
        if self.content_sampling is None:
            return None
        from sovaudit.classify.content.sample import Sampler

        return Sampler(self.content_sampling)

    def _collect_scopes(self) -> Iterator[Asset]:
        """--gcp-scope: each organisation, folder or project through Cloud Asset Inventory."""
        from sovaudit.providers.gcp.inventory import require_sdk, scope_assets

        require_sdk()
        credentials = self._credentials()
        scopes = list(self.scopes)
        log.info("gcp: reading %d scope(s) through Cloud Asset Inventory", len(scopes))
        yield from self._run(
            scopes,
            lambda index: scope_assets(credentials, scopes[index], self.asset_endpoint),
            workers=min(self.max_workers, 4),
            prefix="sovaudit-gcp-assets",
        )

    def _run(
        self,
        scopes: list[str],
        read: Callable[[int], tuple[list[Asset], list[ScanError]]],
        *,
        workers: int,
        prefix: str,
    ) -> Iterator[Asset]:
        """Every scope read in the pool; each failure an error entry, the rest reported."""
        progress.scopes_planned(self.name, len(scopes))
        outcomes = run_scopes(
            scopes,
            read,
            failed=lambda scope, exc: ([], [ScanError(PROVIDER, scope, unexpected_answer(exc))]),
            workers=workers,
            deadline=self.deadline,
            thread_name_prefix=prefix,
        )
        for scope, outcome in outcomes:
            assets, errors = outcome or ([], [ScanError(PROVIDER, scope, NOT_FINISHED)])
            progress.scope_finished(self.name, scope, len(assets), failed=bool(errors))
            for error in errors:
                # Said once on stderr when the scan ends (sovaudit.cli.announce).
                log.info("gcp: %s: %s", error.scope, error.message)
                self._errors.append(error)
            yield from assets

    def collect(self) -> Iterator[Asset]:
        if self.scopes:
            yield from self._collect_scopes()
            return
        storage = _storage()
        manager = self._project_source()
        credentials = self._credentials()
        projects = self._projects(manager, credentials)
        sampler = self._sampler()
        log.info("gcp: reading %d project(s)", len(projects))
        yield from self._run(
            projects,
            lambda index: self._read_project(storage, credentials, projects[index], sampler),
            workers=self.max_workers,
            prefix="sovaudit-gcp",
        )
