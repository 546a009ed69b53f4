"""Every tagged resource through the Resource Groups Tagging API (moto's server), once each."""

from __future__ import annotations

import boto3
import pytest

from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.providers.aws import AwsProvider
from sovaudit.providers.aws.tagging import SOURCE

PERSONAL = {"datos-personales": "si"}


@pytest.fixture
def tagged() -> dict[str, str]:
    """Resources of services with no collector of their own, and one that has one."""
    sqs = boto3.client("sqs", region_name="sa-east-1")
    queue = sqs.create_queue(QueueName="altas", tags=PERSONAL)["QueueUrl"]
    kms = boto3.client("kms", region_name="us-east-1")
    key = kms.create_key(Tags=[{"TagKey": "datos-personales", "TagValue": "si"}])["KeyMetadata"][
        "Arn"
    ]
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="avisos", Tags=[{"Key": "pii", "Value": "true"}])["TopicArn"]
    ec2 = boto3.client("ec2", region_name="us-east-1")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "pii", "Value": "true"}]}],
    )["Instances"][0]["InstanceId"]
    queue_arn = boto3.client("sqs", region_name="sa-east-1").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    return {"queue": queue_arn, "key": key, "topic": topic, "instance": instance}


def test_tagged_resources_of_every_service_become_assets_once(tagged: dict[str, str]):
    provider = AwsProvider(regions=["us-east-1", "sa-east-1"])
    assets = list(provider.collect())
    assert provider.errors == []
    by_id = {a.id: a for a in assets}
    locator = Locator(load_catalogue())
    queue = locator.locate_asset(by_id[tagged["queue"]])
    assert (queue.service, queue.kind, queue.region) == ("sqs", "queue", "sa-east-1")
    assert queue.location.countries == ("BR",)
    assert dict(queue.tags) == PERSONAL
    key = by_id[tagged["key"]]
    assert (key.service, key.kind, key.region) == ("kms", "key", "us-east-1")
    assert by_id[tagged["topic"]].kind == "queue"
    from sovaudit.providers.aws import tagging
    from sovaudit.providers.aws.scope import AwsScope
    from sovaudit.providers.aws.session import new_session

    listed = tagging.collect(AwsScope("123456789012", "us-east-1", "aws", new_session()))
    assert any(a.id.endswith(f"instance/{tagged['instance']}") for a in listed)  # both saw it
    instances = [a for a in assets if a.id.endswith(f"instance/{tagged['instance']}")]
    assert len(instances) == 1  # the EC2 collector's asset; the tag listing's is dropped
    assert instances[0].attributes.get("source") != SOURCE
    assert len(by_id) == len(assets)  # no id twice
