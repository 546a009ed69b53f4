"""Amazon Web Services: where every bucket, database, instance and copy really is."""

from sovaudit.providers.aws.provider import AwsProvider

__all__ = ["AwsProvider"]
