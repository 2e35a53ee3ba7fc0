"""The compliance-checker function source against moto's mocked AWS APIs.

Run with the tools venv (scripts/install-test-tools.sh creates it):

    .tools/venv-moto/bin/python tests/functions/test_checker.py [-v]

`ZTC_CHECKER` names the file to test (tests/compute.rs passes the source ztc generated);
without it, the template in backends/functions/compliance-checker/ is tested.
Plain unittest: the exit code is non-zero when a test fails.
"""

import importlib.util
import json
import os
import pathlib
import sys
import unittest
from unittest import mock

# fake credentials and a Region before boto3 is used anywhere
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402

REGION = "us-east-1"
ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = pathlib.Path(
    os.environ.get("ZTC_CHECKER") or ROOT / "backends/functions/compliance-checker/lambda_function.py"
)


def load_checker():
    spec = importlib.util.spec_from_file_location("lambda_function", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = load_checker()


class Account:
    """Misconfigurations of every kind, each with a compliant counterpart."""

    def __init__(self):
        self.s3 = boto3.client("s3", region_name=REGION)
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.logs = boto3.client("logs", region_name=REGION)
        self.sns = boto3.client("sns", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.kms_key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]

        # S3: KMS (compliant, also the report bucket), SSE-S3, no default encryption
        self.reports = "compliance-reports-test"
        for name in (self.reports, "kms-bucket"):
            self.s3.create_bucket(Bucket=name)
            self.s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": self.kms_key,
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
            )
        self.s3.create_bucket(Bucket="sse-s3-bucket")
        self.s3.put_bucket_encryption(
            Bucket="sse-s3-bucket",
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        self.s3.create_bucket(Bucket="plain-bucket")

        # EBS: encrypted and not
        self.encrypted_volume = self.ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=True)[
            "VolumeId"
        ]
        self.plain_volume = self.ec2.create_volume(AvailabilityZone="us-east-1a", Size=8, Encrypted=False)[
            "VolumeId"
        ]

        # VPCs: one with a flow log, one without (the default VPC has none either)
        self.default_vpc = next(v["VpcId"] for v in self.ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault"))
        self.logged_vpc = self.ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        self.unlogged_vpc = self.ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
        self.s3.create_bucket(Bucket="flow-log-bucket")
        self.ec2.create_flow_logs(
            ResourceIds=[self.logged_vpc],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::flow-log-bucket",
        )
        # the flow-log bucket is compliant too
        self.s3.put_bucket_encryption(
            Bucket="flow-log-bucket",
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.kms_key}}
                ]
            },
        )

        # security groups
        def sg(name, perms):
            gid = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=self.logged_vpc)["GroupId"]
            if perms:
                self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms)
            return gid

        self.open_ssh = sg(
            "open-ssh", [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
        self.open_all = sg("open-all", [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        self.open_https_v6 = sg(
            "open-https-v6",
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        )
        self.private_https = sg(
            "private-https",
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
        )

        # log groups
        self.logs.create_log_group(logGroupName="/app/encrypted", kmsKeyId=self.kms_key)
        self.logs.create_log_group(logGroupName="/app/plain")

        # the topic, with a queue subscribed to read what was published
        self.topic = self.sns.create_topic(Name="compliance-alerts")["TopicArn"]
        queue_url = self.sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)
        self.queue_url = queue_url

    def messages(self):
        out = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        return [json.loads(m["Body"]) for m in out.get("Messages", [])]


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.mock = mock_aws()
        self.mock.start()
        self.account = Account()
        self.env = mock.patch.dict(
            os.environ,
            {"REPORTS_BUCKET": self.account.reports, "SNS_TOPIC_ARN": self.account.topic, "AWS_REGION": REGION},
        )
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.mock.stop()

    def run_handler(self):
        return checker.lambda_handler({}, None)

    def findings_by_resource(self, result_findings):
        return {(f["check"], f["resource_id"]): f["severity"] for f in result_findings}

    def test_findings_and_severities(self):
        a = self.account
        findings, errors = checker.run_checks(boto3.session.Session(region_name=REGION), REGION)
        self.assertEqual(errors, [])
        got = self.findings_by_resource(findings)
        expected = {
            ("s3-encryption", "plain-bucket"): "CRITICAL",
            ("s3-encryption", "sse-s3-bucket"): "HIGH",
            ("ebs-encryption", a.plain_volume): "HIGH",
            ("security-group-ingress", a.open_ssh): "CRITICAL",
            ("security-group-ingress", a.open_all): "CRITICAL",
            ("security-group-ingress", a.open_https_v6): "HIGH",
            ("vpc-flow-logs", a.unlogged_vpc): "MEDIUM",
            ("vpc-flow-logs", a.default_vpc): "MEDIUM",
            ("log-group-encryption", "/app/plain"): "LOW",
        }
        self.assertEqual(got, expected)
        # compliant counterparts are not reported
        reported = {rid for (_, rid) in got}
        for ok in (
            a.reports,
            "kms-bucket",
            "flow-log-bucket",
            a.encrypted_volume,
            a.private_https,
            a.logged_vpc,
            "/app/encrypted",
        ):
            self.assertNotIn(ok, reported)
        # sorted by severity
        order = [checker.SEVERITIES.index(f["severity"]) for f in findings]
        self.assertEqual(order, sorted(order))
        # every finding is complete
        for f in findings:
            self.assertEqual(set(f), {"check", "severity", "resource_type", "resource_id", "title", "detail", "region"})
            self.assertEqual(f["region"], REGION)
        ssh = next(f for f in findings if f["resource_id"] == a.open_ssh)
        self.assertIn("SSH", ssh["detail"])
        self.assertIn("0.0.0.0/0", ssh["detail"])
        v6 = next(f for f in findings if f["resource_id"] == a.open_https_v6)
        self.assertIn("::/0", v6["detail"])

    def test_report_written_to_s3(self):
        result = self.run_handler()
        key = result["report_key"]
        self.assertRegex(key, r"^reports/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$")
        listed = [o["Key"] for o in self.account.s3.list_objects_v2(Bucket=self.account.reports).get("Contents", [])]
        self.assertEqual(listed, [key])
        obj = self.account.s3.get_object(Bucket=self.account.reports, Key=key)
        self.assertEqual(obj["ServerSideEncryption"], "aws:kms")
        self.assertEqual(obj["ContentType"], "application/json")
        report = json.loads(obj["Body"].read())
        self.assertEqual(set(report), {"summary", "findings", "errors"})
        s = report["summary"]
        self.assertEqual(s["account"], "123456789012")
        self.assertEqual(s["region"], REGION)
        self.assertEqual(s["total"], 9)
        self.assertEqual(s["by_severity"], {"CRITICAL": 3, "HIGH": 3, "MEDIUM": 2, "LOW": 1})
        self.assertFalse(s["compliant"])
        self.assertEqual(s["failed_checks"], [])
        self.assertEqual(len(report["findings"]), 9)
        self.assertEqual(result["summary"], s)

    def test_summary_published_to_sns(self):
        result = self.run_handler()
        self.assertTrue(result["published"])
        msgs = self.account.messages()
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["TopicArn"], self.account.topic)
        self.assertEqual(m["Subject"], "Compliance scan us-east-1: 3 CRITICAL, 3 HIGH, 2 MEDIUM, 1 LOW")
        self.assertLessEqual(len(m["Subject"]), 100)
        body = m["Message"]
        self.assertIn("Findings: 9 (CRITICAL 3, HIGH 3, MEDIUM 2, LOW 1)", body)
        self.assertIn("[CRITICAL] plain-bucket: S3 bucket has no default encryption", body)
        self.assertIn("s3://%s/%s" % (self.account.reports, result["report_key"]), body)

    def test_a_failing_check_does_not_stop_the_others(self):
        def broken(session, region):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no ec2:DescribeVolumes"}}, "DescribeVolumes")

        checks = tuple((n, broken if n == "ebs-encryption" else f) for n, f in checker.CHECKS)
        with mock.patch.object(checker, "CHECKS", checks):
            result = self.run_handler()
        self.assertEqual([e["check"] for e in result["errors"]], ["ebs-encryption"])
        self.assertIn("AccessDenied", result["errors"][0]["error"])
        s = result["summary"]
        self.assertEqual(s["failed_checks"], ["ebs-encryption"])
        self.assertEqual(s["total"], 8)  # everything but the EBS volume
        self.assertIn("1 check(s) failed", self.account.messages()[0]["Subject"])

    def test_unexpected_exception_is_recorded(self):
        def crash(session, region):
            raise ValueError("boom")

        checks = tuple((n, crash if n == "vpc-flow-logs" else f) for n, f in checker.CHECKS)
        with mock.patch.object(checker, "CHECKS", checks):
            result = self.run_handler()
        self.assertEqual(result["errors"], [{"check": "vpc-flow-logs", "error": "ValueError: boom"}])
        self.assertEqual(result["summary"]["total"], 7)

    def test_pagination(self):
        ec2 = boto3.client("ec2", region_name=REGION)
        for _ in range(7):
            ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
        pages = list(
            checker._pages(
                ec2,
                "describe_volumes",
                "Volumes",
                Filters=[{"Name": "encrypted", "Values": ["false"]}],
                PaginationConfig={"PageSize": 3},
            )
        )
        self.assertEqual(len(pages), 8)  # 7 + the one of the fixture
        findings = checker.check_ebs_encryption(boto3.session.Session(region_name=REGION), REGION)
        self.assertEqual(len(findings), 8)

    def test_without_topic_and_bucket(self):
        with mock.patch.dict(os.environ, {"REPORTS_BUCKET": "", "SNS_TOPIC_ARN": ""}):
            result = self.run_handler()
        self.assertIsNone(result["report_key"])
        self.assertFalse(result["published"])
        self.assertEqual(result["summary"]["total"], 9)
        self.assertEqual(self.account.messages(), [])

    def test_compliant_account(self):
        # remove every misconfiguration
        a = self.account
        a.s3.delete_bucket(Bucket="plain-bucket")
        a.s3.delete_bucket(Bucket="sse-s3-bucket")
        a.ec2.delete_volume(VolumeId=a.plain_volume)
        for gid in (a.open_ssh, a.open_all, a.open_https_v6):
            a.ec2.delete_security_group(GroupId=gid)
        for vpc in (a.unlogged_vpc, a.default_vpc):
            a.ec2.create_flow_logs(
                ResourceIds=[vpc],
                ResourceType="VPC",
                TrafficType="ALL",
                LogDestinationType="s3",
                LogDestination="arn:aws:s3:::flow-log-bucket",
            )
        a.logs.delete_log_group(logGroupName="/app/plain")
        result = self.run_handler()
        self.assertTrue(result["summary"]["compliant"], result["summary"])
        self.assertEqual(a.messages()[0]["Subject"], "Compliance scan us-east-1: no findings")


if __name__ == "__main__":
    print("testing %s" % SOURCE, file=sys.stderr)
    unittest.main()
