"""Oracle Cloud resource types (oracle/oci): every resource is in its provider's region.

Copies the plan declares: Object Storage replication policies (``destination_region_name``)
on the bucket they replicate.
"""

from __future__ import annotations

from sovaudit.inputs.terraform.resources import Context, Drafts, Spec, text
from sovaudit.model import Copy

PROVIDER = "oci"

TYPES: dict[str, Spec] = {
    "oci_objectstorage_bucket": Spec("objectstorage", "object_store"),
    "oci_database_autonomous_database": Spec("database", "database", names=("db_name",)),
    "oci_database_db_system": Spec("database", "database", names=("display_name",)),
    "oci_mysql_mysql_db_system": Spec("mysql", "database", names=("display_name",)),
    "oci_core_volume": Spec("blockstorage", "disk", names=("display_name",)),
    "oci_core_boot_volume": Spec("blockstorage", "disk", names=("display_name",)),
    "oci_core_instance": Spec("compute", "vm", names=("display_name",)),
    "oci_file_storage_file_system": Spec("filestorage", "file_store", names=("display_name",)),
}
LINKS = frozenset({"oci_objectstorage_replication_policy"})


def link(drafts: Drafts, context: Context) -> None:
    for policy in drafts.links("oci_objectstorage_replication_policy"):
        found = drafts.referenced(
            policy.instance, policy.instance.references("bucket"), "oci_objectstorage_bucket"
        )
        source = (
            found[0]
            if len(found) == 1
            else drafts.named("oci_objectstorage_bucket", text(policy.instance.known("bucket")))
        )
        region = text(policy.instance.known("destination_region_name"))
        if source is not None and region:
            target = text(policy.instance.known("destination_bucket_name"))
            source.copies.append(Copy(kind="replica", region=region, target=target))
