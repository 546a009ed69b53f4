"""Plans and states others published (``data/published``, with their licences), read as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovaudit.inputs.documents import parse_json
from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.inputs.terraform.document import plan_instances
from sovaudit.inputs.terraform.providers import ProviderSettings
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset

PUBLISHED = Path(__file__).parent / "data" / "published"
FILES = sorted(p for p in PUBLISHED.iterdir() if p.name.startswith("tf-"))


def _read(locator: Locator, name: str) -> dict[str, Asset]:
    path = PUBLISHED / name
    assets = reader_for(path).read(path, FileContext(locator))
    return {asset.id: locator.locate_asset(asset) for asset in assets}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_published_file_is_recognised_as_terraform(path: Path):
    assert reader_for(path).name == "terraform"


def test_grs_storage_account_has_its_secondary_in_the_paired_region(locator):
    [account] = _read(locator, "tf-plan-azurerm-storage-grs-terraform-compliance.json").values()
    assert account.id == "azurerm_storage_account.example"
    assert account.location.countries == ("NL",)  # westeurope
    assert [(c.kind, c.region, c.location.countries) for c in account.copies] == [
        ("secondary", "northeurope", ("IE",))
    ]
    assert account.tags == {"environment": "staging"}


def test_module_vms_whose_location_comes_from_a_data_source_are_unknown(locator):
    assets = _read(locator, "tf-plan-azurerm-vm-modules-terraform-compliance.json")
    assert sorted(assets) == [
        "module.linuxservers-fail.azurerm_virtual_machine.vm-linux[0]",
        "module.windowsservers-pass.azurerm_virtual_machine.vm-windows[0]",
    ]
    for asset in assets.values():
        assert asset.location.countries == ()
        assert "data.azurerm_resource_group" in (asset.location.note or "")


def test_instance_zone_overrides_the_provider_region(locator):
    [vm] = _read(locator, "tf-plan-google-compute-zone-override-checkov.json").values()
    assert (vm.region, vm.zone) == ("us-central1", "us-central1-c")  # provider: europe-west2
    assert vm.location.countries == ("US",)


def test_gke_cluster_location_overrides_the_provider_region(locator):
    [cluster] = _read(locator, "tf-plan-google-gke-conftest.json").values()
    assert cluster.id == "google_container_cluster.primary"
    assert cluster.region == "us-central1"


def test_module_resources_whose_provider_the_plan_does_not_name_are_unknown():
    """Terraform 0.15 writes the short key ``apigw_test_1:aws``, and the module's provider
    entry has no region (it is passed down by the caller, which the JSON does not record)."""
    path = PUBLISHED / "tf-plan-aws-provider-aliases-modules-terraform-compliance.json"
    document, _ = parse_json(path.read_text(encoding="utf-8"), str(path))
    settings = ProviderSettings(document)
    instances = list(plan_instances(document, str(path)))
    assert len(instances) == 23
    places = [settings.place(i) for i in instances if i.config is not None]
    assert places
    assert all(p.region is None for p in places)
    assert any("receives provider 'aws' from its caller" in (p.note or "") for p in places)


def test_module_resources_use_the_root_provider_keys_terraform_resolved():
    path = PUBLISHED / "tf-plan-provider-aliasing-terraform.json"
    document, _ = parse_json(path.read_text(encoding="utf-8"), str(path))
    settings = ProviderSettings(document)
    regions = {i.address: settings.place(i).region for i in plan_instances(document, str(path))}
    assert regions["test_instance.test"] == "somewhere"
    assert regions["module.child.test_instance.test_secondary"] == "elsewhere"
    assert regions["module.child.module.grandchild.test_instance.test_main"] == "somewhere"
    assert len(regions) == 10


def test_states_locate_by_the_region_their_attributes_and_arns_carry(locator):
    tables = _read(locator, "tf-state-v4-aws-dynamodb-table-driftctl.tfstate")
    example = tables["aws_dynamodb_table.example"]
    assert example.region == "us-east-1"  # only the ARN says so
    assert [c.region for c in example.copies] == ["us-east-2", "us-west-2"]
    [database] = _read(locator, "tf-state-v4-aws-db-instance-driftctl.tfstate").values()
    assert (database.region, database.zone) == ("eu-west-3", "eu-west-3c")
    assert database.location.countries == ("FR",)
    buckets = _read(locator, "tf-state-v4-aws-s3-full-driftctl.tfstate")
    assert sorted(buckets) == [
        "aws_s3_bucket.bucket",
        "aws_s3_bucket.bucket2",
        "aws_s3_bucket.bucket3",
    ]
    assert {b.location.countries for b in buckets.values()} == {("FR",)}


def test_google_states(locator):
    [dataset] = _read(locator, "tf-state-v4-google-bigquery-dataset-driftctl.tfstate").values()
    assert dataset.region == "EU"
    assert dataset.account == "cloudskiff-dev-elie"
    assert "DE" in dataset.location.countries
    [disk] = _read(locator, "tf-state-v4-google-compute-disk-driftctl.tfstate").values()
    assert disk.zone == "us-central1-a"
    assert disk.location.countries == ("US",)
    [sql] = _read(locator, "tf-state-v4-google-sql-database-instance-driftctl.tfstate").values()
    assert sql.region == "us-central1"


def test_files_of_fake_or_unmapped_providers_give_no_assets(locator):
    for name in (
        "tf-plan-provider-aliasing-terraform.json",
        "tf-show-state-modules-terraform.json",
        "tf-state-v4-azurerm-network-security-group-driftctl.tfstate",
    ):
        assert _read(locator, name) == {}
