#!/usr/bin/env python3
"""Apply and destroy one generated Terraform root module against moto on 127.0.0.1.

Driven by tests/deploy.rs, run with the interpreter of `.tools/venv-moto` (it needs boto3):

    .tools/venv-moto/bin/python tests/deploy/harness.py PLAN.json

PLAN.json (written by tests/deploy.rs):
  module       the root module: a scratch copy that this script writes into (override, state, .terraform)
  logs         directory for moto.log and one log per terraform step
  terraform    terraform binary; `mirror`: the offline provider mirror
  cache        directory for the endpoint-key list (one `terraform providers schema -json` per provider build)
  providers    [{"alias": null | "audit", "region": "us-east-1" | null, "role_arn_var": null | "audit_deploy_role_arn"}]
  variables    [{"name": ..., "type": "string" | "number" | "bool" | "list(string)"}]: the variables without a default
  seeds        [{"kind": "secret" | "organizational_unit", "var": ..., "alias": null | ...}]: things a data source
               or argument expects to exist already; created in moto before the apply, their id passed as the var
  timeout      seconds per terraform step; `parallelism`: terraform -parallelism
  result       where the result JSON goes
  fault        optional action name (e.g. "DeleteSubnet"): its first request is carried out, then it and its
               retries are answered with HTTP 500, as moto did under load (tests the repeated destroy)

Steps: moto on a free loopback port -> seeds -> `zz_moto_override.tf.json` (local backend; every provider "aws"
configuration, the default and each alias, pointed at moto for every endpoint key of the provider, fake
credentials, skip_* settings, path-style S3, max_retries 2) -> init from the mirror only -> inventory ->
apply -> destroy (also after a failed apply; each run again, twice at most, while it stops on an emulator
HTTP 500) -> `state list` -> inventory, diff -> moto stopped.
Everything is printed as it happens; the verdict is the caller's (from the result JSON). Exit 0 when the
steps ran (whatever their outcome), 3 when the harness itself failed.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ACCESS = ("test", "test")
DEFAULT_ACCOUNT = "123456789012"  # what moto answers for the fake keys above
QUIRK = " # moto quirk: "  # inventory entries carrying this are reported, not counted as leftovers


def log(msg):
    print(msg, flush=True)


# ------------------------------------------------------------------------------------------------ moto


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port):
    """moto's server app (as `moto_server` builds it) on 127.0.0.1:PORT, one connection at a time.

    `moto_server` serves every connection on its own thread with HTTP/1.1 keep-alive. That broke
    runs in two ways: moto's backends are not thread-safe (concurrent DeleteNetworkAclEntry calls on
    one ACL made moto skip an entry: StopIteration, HTTP 500), and on a loaded machine the provider
    now and then did not get the answer to a request moto had carried out (moto logged 200, the SDK
    retried: a delete's retry then fails because the first one worked). Single-threaded, werkzeug
    speaks HTTP/1.0 and closes each connection after its response; seen over repeated runs under
    load, no request is retried any more. Each request's action goes to moto.log."""
    import io
    import urllib.parse

    from werkzeug.serving import run_simple
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    # fault injection for the harness's own test: the first request for this action is carried
    # out, then it and every retry of it are answered with HTTP 500 (what moto did under load)
    fault = {"action": os.environ.get("ZTC_HARNESS_FAULT", ""), "inv": None}

    def logged(environ, start_response):
        # werkzeug's own line shows only "POST / 200": name the query-protocol action, the ids that
        # matter when a step fails, and the SDK's invocation id and attempt number
        action = ""
        if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            ids = [f"{k}={v[0]}" for k, v in sorted(form.items()) if k in (
                "NetworkAclId", "RuleNumber", "Egress", "VpcId", "SubnetId", "RoleName", "PolicyArn")]
            action = " ".join(form.get("Action", [""])[:1] + ids)
        inv = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")[:8]
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "").split(";")[0]
        t = time.monotonic()
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return lambda data: None

        first = fault["action"] and fault["inv"] is None and action.split(" ")[0] == fault["action"]
        retry = bool(inv) and inv == fault["inv"]
        try:
            out = [] if retry else list(app(environ, capture))
            status, headers = seen.get("status"), seen.get("headers")
            if first or retry:
                fault["inv"] = inv
                status, headers, out = "500 INTERNAL SERVER ERROR", [("Content-Length", "0")], []
                action += " -> injected HTTP 500"
        except Exception as e:
            # werkzeug turns an exception into an HTML page with status 500
            print(f"action {action} [{inv} {attempt}] raised {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            if not action.startswith("DeleteNetworkAclEntry "):
                raise
            status, headers, out = "500 INTERNAL SERVER ERROR", [], []
        if action.startswith("DeleteNetworkAclEntry ") and status.startswith("500"):
            # moto looks the entry up with a bare next(): a missing entry is StopIteration (raised,
            # or answered as HTTP 500). AWS answers InvalidNetworkAclEntry.NotFound (400), which the
            # provider takes as deleted.
            status = "400 Bad Request"
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                    "<Code>InvalidNetworkAclEntry.NotFound</Code>"
                    "<Message>The specified network ACL entry does not exist</Message>"
                    "</Error></Errors><RequestID>ztc-harness</RequestID></Response>").encode()
            headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
            out = [body]
            action += " -> InvalidNetworkAclEntry.NotFound"
        start_response(status, headers)
        if action:
            print(f"action {action} [{inv} {attempt}] {status.split()[0]} ({time.monotonic() - t:.2f}s)",
                  file=sys.stderr, flush=True)
        return out

    os.environ.setdefault("MOTO_PORT", str(port))
    run_simple("127.0.0.1", port, logged, threaded=False, request_handler=MotoRequestHandler)


def start_moto(logdir, fault=None):
    """A fresh moto server on 127.0.0.1 only: (process, endpoint). `fault` names an action whose
    first request fails with HTTP 500 after it was carried out (the harness's own test)."""
    env = dict(os.environ)
    for k in [k for k in env if k.startswith("AWS_") or k == "ZTC_HARNESS_FAULT"]:
        del env[k]
    if fault:
        env["ZTC_HARNESS_FAULT"] = fault
    # attaching AWS-managed policies (service-role/AWS_ConfigRole, ...) needs them to exist
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    err = ""
    for _ in range(3):
        port = free_port()
        out = open(os.path.join(logdir, "moto.log"), "ab")
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(port)], stdout=out,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        out.close()
        ep = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and p.poll() is None:
            try:
                urllib.request.urlopen(ep + "/moto-api/data.json", timeout=2).read()
                return p, ep
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        stop(p)
        err = open(os.path.join(logdir, "moto.log"), errors="replace").read()[-600:]
    raise RuntimeError(f"moto did not start: {err}")


def stop(p):
    """Stop a process group we started (moto, terraform and its provider plugins)."""
    if p is None or p.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(10)
            return
        except subprocess.TimeoutExpired:
            pass


class Aws:
    """boto3 clients against moto, in the default account or in an account reached by AssumeRole."""

    def __init__(self, ep):
        self.ep = ep
        self.creds = {DEFAULT_ACCOUNT: {"aws_access_key_id": ACCESS[0], "aws_secret_access_key": ACCESS[1]}}

    def client(self, service, region, account=DEFAULT_ACCOUNT):
        import boto3
        from botocore.config import Config

        return boto3.client(service, region_name=region, endpoint_url=self.ep, **self.creds[account],
                            config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60))

    def assume(self, role_arn):
        """The account of role_arn, with credentials for it (moto keeps one backend per account)."""
        account = role_arn.split(":")[4]
        if account not in self.creds:
            c = self.client("sts", "us-east-1").assume_role(RoleArn=role_arn, RoleSessionName="ztc-deploy-test")
            c = c["Credentials"]
            self.creds[account] = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                                   "aws_session_token": c["SessionToken"]}
        return account


def pages(cl, op, key, **kw):
    if cl.can_paginate(op):
        for page in cl.get_paginator(op).paginate(**kw):
            yield from page.get(key, [])
    else:
        yield from getattr(cl, op)(**kw).get(key, [])


def state_strings(path):
    """Every string of a Terraform state file, decoded, and the strings inside those that are JSON
    themselves (a `jsonencode`d secret value): Terraform writes `<`, `>` and `&` as \\u escapes, so
    the raw text would hide a password holding them."""
    out = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            out.append(v)
            if v[:1] in "{[":
                try:
                    walk(json.loads(v))
                except ValueError:
                    pass

    if os.path.exists(path):
        walk(json.load(open(path)))
    return out


def secrets_in_state(aws, accounts, regions, state_path):
    """(the secrets moto holds whose password appears in the Terraform state, the secrets that have
    a password): 'account:region:name' each. The password is the `password` of a JSON value, else
    the value; one shorter than 8 characters is not counted."""
    strings = state_strings(state_path)
    found, with_password = [], []
    for acct in accounts:
        for r in regions:
            sm = aws.client("secretsmanager", r, acct)
            for s in pages(sm, "list_secrets", "SecretList"):
                try:
                    value = sm.get_secret_value(SecretId=s["ARN"]).get("SecretString", "")
                except Exception:  # noqa: BLE001 - a secret without a value has nothing to leak
                    continue
                try:
                    parsed = json.loads(value)
                except ValueError:
                    parsed = None
                # a {username, password} value: the password (the user name is no secret and may
                # well appear elsewhere, in an rds-db:connect policy say); else the whole value
                secret = parsed.get("password") if isinstance(parsed, dict) else value
                if not isinstance(secret, str) or len(secret) < 8:
                    continue
                with_password.append(f"{acct}:{r}:{s['Name']}")
                if any(secret in x for x in strings):
                    found.append(f"{acct}:{r}:{s['Name']}")
    return sorted(found), sorted(with_password)


def inventory(aws, accounts, regions):
    """What moto holds that a module could have created: a set of 'account:region:kind:id'.
    Things that AWS itself keeps after a successful delete are not listed (KMS keys pending deletion,
    secrets scheduled for deletion, VPC endpoints / NAT gateways in state deleted)."""
    items, errors = set(), []

    def add(prefix, fn):
        try:
            for x in fn():
                items.add(f"{prefix}:{x}")
        except Exception as e:  # noqa: BLE001 - a list call moto lacks is reported, not fatal
            errors.append(f"{prefix}: {type(e).__name__}: {str(e)[:200]}")

    for acct in accounts:
        for r in regions:
            def c(s, r=r, acct=acct):
                return aws.client(s, r, acct)

            p = f"{acct}:{r}"
            ec2 = c("ec2")
            add(f"{p}:vpc", lambda: (v["VpcId"] for v in pages(ec2, "describe_vpcs", "Vpcs")))
            add(f"{p}:subnet", lambda: (v["SubnetId"] for v in pages(ec2, "describe_subnets", "Subnets")))
            add(f"{p}:security-group", lambda: (v["GroupId"] for v in pages(ec2, "describe_security_groups", "SecurityGroups")))
            add(f"{p}:route-table", lambda: (v["RouteTableId"] for v in pages(ec2, "describe_route_tables", "RouteTables")))

            def nacls(ec2=ec2):
                vpcs = {v["VpcId"] for v in pages(ec2, "describe_vpcs", "Vpcs")}
                for v in pages(ec2, "describe_network_acls", "NetworkAcls"):
                    # moto's DeleteVpc keeps the VPC's default network ACL (AWS deletes it with the VPC)
                    orphan = v.get("IsDefault") and v["VpcId"] not in vpcs
                    yield v["NetworkAclId"] + (f"{QUIRK}default network ACL of deleted {v['VpcId']}" if orphan else "")

            add(f"{p}:network-acl", nacls)
            add(f"{p}:vpc-endpoint", lambda: (v["VpcEndpointId"] for v in pages(ec2, "describe_vpc_endpoints", "VpcEndpoints")
                                              if v.get("State", "").lower() != "deleted"))
            add(f"{p}:flow-log", lambda: (v["FlowLogId"] for v in pages(ec2, "describe_flow_logs", "FlowLogs")))
            add(f"{p}:internet-gateway", lambda: (v["InternetGatewayId"] for v in pages(ec2, "describe_internet_gateways", "InternetGateways")))
            add(f"{p}:nat-gateway", lambda: (v["NatGatewayId"] for v in pages(ec2, "describe_nat_gateways", "NatGateways")
                                             if v.get("State") != "deleted"))
            add(f"{p}:eip", lambda: (v.get("AllocationId") or v["PublicIp"] for v in ec2.describe_addresses()["Addresses"]))
            add(f"{p}:ebs-encryption-by-default", lambda: [str(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])])
            kms = c("kms")

            def keys(kms=kms):
                for k in pages(kms, "list_keys", "Keys"):
                    md = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
                    if md.get("KeyManager") == "CUSTOMER" and md.get("KeyState") != "PendingDeletion":
                        yield k["KeyId"]

            add(f"{p}:kms-key", keys)
            add(f"{p}:kms-alias", lambda: (a["AliasName"] for a in pages(kms, "list_aliases", "Aliases")
                                           if not a["AliasName"].startswith("alias/aws/")))
            logs = c("logs")
            add(f"{p}:log-group", lambda: (g["logGroupName"] for g in pages(logs, "describe_log_groups", "logGroups")))
            add(f"{p}:metric-filter", lambda: (f["filterName"] for f in pages(logs, "describe_metric_filters", "metricFilters")))
            add(f"{p}:alarm", lambda: (a["AlarmName"] for a in pages(c("cloudwatch"), "describe_alarms", "MetricAlarms")))
            add(f"{p}:trail", lambda: (t["TrailARN"] for t in c("cloudtrail").describe_trails()["trailList"]))
            sns = c("sns")
            add(f"{p}:sns-topic", lambda: (t["TopicArn"] for t in pages(sns, "list_topics", "Topics")))
            add(f"{p}:sns-subscription", lambda: (s["SubscriptionArn"] for s in pages(sns, "list_subscriptions", "Subscriptions")))
            add(f"{p}:event-rule", lambda: (x["Name"] for x in pages(c("events"), "list_rules", "Rules")))
            cfg = c("config")
            add(f"{p}:config-recorder", lambda: (x["name"] for x in cfg.describe_configuration_recorders()["ConfigurationRecorders"]))
            add(f"{p}:config-delivery-channel", lambda: (x["name"] for x in cfg.describe_delivery_channels()["DeliveryChannels"]))
            add(f"{p}:config-rule", lambda: (x["ConfigRuleName"] for x in pages(cfg, "describe_config_rules", "ConfigRules")))
            add(f"{p}:guardduty-detector", lambda: pages(c("guardduty"), "list_detectors", "DetectorIds"))
            add(f"{p}:lambda-function", lambda: (x["FunctionName"] for x in pages(c("lambda"), "list_functions", "Functions")))
            # list_secrets leaves out secrets scheduled for deletion unless asked
            add(f"{p}:secret", lambda: (x["Name"] for x in pages(c("secretsmanager"), "list_secrets", "SecretList")))
            ssm = c("ssm")
            add(f"{p}:ssm-parameter", lambda: (x["Name"] for x in pages(ssm, "describe_parameters", "Parameters")))
            add(f"{p}:ssm-document", lambda: (x["Name"] for x in pages(ssm, "list_documents", "DocumentIdentifiers",
                                                                        Filters=[{"Key": "Owner", "Values": ["Self"]}])))
            rds = c("rds")
            add(f"{p}:db-cluster", lambda: (x["DBClusterIdentifier"] for x in pages(rds, "describe_db_clusters", "DBClusters")))
            add(f"{p}:db-instance", lambda: (x["DBInstanceIdentifier"] for x in pages(rds, "describe_db_instances", "DBInstances")))
            add(f"{p}:db-subnet-group", lambda: (x["DBSubnetGroupName"] for x in pages(rds, "describe_db_subnet_groups", "DBSubnetGroups")))
            add(f"{p}:db-cluster-parameter-group", lambda: (
                x["DBClusterParameterGroupName"] for x in pages(rds, "describe_db_cluster_parameter_groups", "DBClusterParameterGroups")
                if not x["DBClusterParameterGroupName"].startswith("default.")))
            add(f"{p}:network-firewall", lambda: (x["FirewallArn"] for x in c("network-firewall").list_firewalls()["Firewalls"]))
        # global services, once per account
        r = regions[0]
        s3 = aws.client("s3", r, acct)
        add(f"{acct}:global:s3-bucket", lambda: (b["Name"] for b in s3.list_buckets()["Buckets"]))
        iam = aws.client("iam", r, acct)
        add(f"{acct}:global:iam-role", lambda: (x["Arn"] for x in pages(iam, "list_roles", "Roles")))
        add(f"{acct}:global:iam-policy", lambda: (x["Arn"] for x in pages(iam, "list_policies", "Policies", Scope="Local")))
        add(f"{acct}:global:iam-user", lambda: (x["Arn"] for x in pages(iam, "list_users", "Users")))
        add(f"{acct}:global:iam-instance-profile", lambda: (x["Arn"] for x in pages(iam, "list_instance_profiles", "InstanceProfiles")))
        org = aws.client("organizations", r, acct)

        def scps(org=org):
            try:
                org.describe_organization()
            except org.exceptions.AWSOrganizationsNotInUseException:
                return
            for x in pages(org, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
                if not x.get("AwsManaged"):
                    yield x["Id"]

        add(f"{acct}:global:organizations-policy", scps)
    return items, errors


# ------------------------------------------------------------------------------------------------ inputs


def variable_values(plan, aws, accounts_by_prefix):
    """Plausible values for the variables without a default (seeded ones come from seed()). Account
    ids are 12 digits, one per name prefix, so that `audit_account_id` and `audit_deploy_role_arn`
    name the same account."""
    vals = {}
    seeds = {s["var"]: s for s in plan["seeds"]}

    def account_for(prefix):
        if prefix not in accounts_by_prefix:
            accounts_by_prefix[prefix] = str(210987654321 + 1111 * len(accounts_by_prefix)).zfill(12)
        return accounts_by_prefix[prefix]

    for v in plan["variables"]:
        n, ty = v["name"], v["type"]
        if n in seeds:
            continue
        if ty == "number":
            vals[n] = 1
        elif ty == "bool":
            vals[n] = False
        elif ty.startswith("list"):
            vals[n] = ["ztc-test"]
        elif n == "environment_suffix":
            vals[n] = "t1"
        elif n.endswith("account_id"):
            vals[n] = account_for(n[: -len("account_id")].rstrip("_"))
        elif n.endswith("role_arn"):
            prefix = re.sub(r"_?(deploy_)?role_arn$", "", n)
            vals[n] = f"arn:aws:iam::{account_for(prefix)}:role/ztc-deploy-t1"
        elif n.endswith("external_id"):
            vals[n] = "ztc-external-id-0123456789"
        elif "email" in n:
            vals[n] = "security-team@example.com"
        else:
            vals[n] = f"ztc-test-{n.replace('_', '-')}"
    return vals


def provider_account(plan, aws, vals, alias):
    prov = next((p for p in plan["providers"] if p["alias"] == alias), None)
    if prov and prov.get("role_arn_var"):
        return aws.assume(vals[prov["role_arn_var"]])
    return DEFAULT_ACCOUNT


def provider_region(plan, alias):
    prov = next((p for p in plan["providers"] if p["alias"] == alias), None)
    return (prov or {}).get("region") or plan["providers"][0].get("region") or "us-east-1"


def seed(plan, aws, vals):
    for s in plan["seeds"]:
        acct = provider_account(plan, aws, vals, s.get("alias"))
        region = provider_region(plan, s.get("alias"))
        if s["kind"] == "secret":
            name = "ztc-t1/existing-db-credentials"
            aws.client("secretsmanager", region, acct).create_secret(
                Name=name, SecretString=json.dumps({"username": "app", "password": "not-a-real-password-0"}))
            vals[s["var"]] = name
            log(f"seed: secret {name} in {acct}/{region} (var.{s['var']}: the module reads an existing secret)")
        elif s["kind"] == "organizational_unit":
            org = aws.client("organizations", region, acct)
            try:
                org.describe_organization()
            except org.exceptions.AWSOrganizationsNotInUseException:
                org.create_organization(FeatureSet="ALL")
            root = org.list_roots()["Roots"][0]["Id"]
            ou = org.create_organizational_unit(ParentId=root, Name="payments")["OrganizationalUnit"]["Id"]
            vals[s["var"]] = ou
            log(f"seed: organization + OU {ou} in {acct} (var.{s['var']}: SCPs attach to an existing OU)")
        else:
            raise RuntimeError(f"unknown seed kind {s['kind']}")


# ------------------------------------------------------------------------------------------------ terraform


def tf_env(plan, cfg):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "TF_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    region = provider_region(plan, None)
    env.update(CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cfg, TF_IN_AUTOMATION="1", TF_INPUT="0",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_REGION=region, AWS_DEFAULT_REGION=region, NO_PROXY="127.0.0.1,localhost",
               no_proxy="127.0.0.1,localhost")
    return env


def run_tf(plan, env, name, args, timeout=None):
    """One terraform step in the module dir, in its own process group (bounded); (exit code, seconds, log)."""
    logf = os.path.join(plan["logs"], f"{name}.log")
    t = time.monotonic()
    if os.environ.get("ZTC_DEPLOY_TF_LOG"):  # e.g. debug: terraform's and the provider's own log per step
        env = dict(env, TF_LOG=os.environ["ZTC_DEPLOY_TF_LOG"], TF_LOG_PATH=os.path.join(plan["logs"], f"{name}.tf.log"))
    with open(logf, "w") as out:
        p = subprocess.Popen([plan["terraform"]] + args, cwd=plan["module"], env=env, stdout=out,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = p.wait(timeout or plan["timeout"])
        except subprocess.TimeoutExpired:
            stop(p)
            out.write(f"\n!! timed out after {timeout or plan['timeout']}s\n")
            rc = 124
    text = open(logf, errors="replace").read()
    return rc, round(time.monotonic() - t, 1), text


def tf_errors(text, limit=8):
    """The `Error:` blocks of a terraform log, one line each."""
    lines, out = text.splitlines(), []
    for i, line in enumerate(lines):
        x = line.strip("│╷╵ ").strip()
        if x.startswith("Error:") or x.startswith("!! timed out"):
            body = []
            for y in lines[i + 1:i + 12]:
                y = y.strip("│╷╵ ").strip()
                if y.startswith("Error:"):
                    break
                if y and not y.startswith(("with ", "on ")):
                    body.append(y)
            out.append(" ".join([x] + body)[:500])
            if len(out) >= limit:
                break
    return out


def endpoint_keys(plan, env):
    """Every key of the provider's `endpoints` block (so no service can fall through to real AWS),
    read once per provider build from `terraform providers schema -json` and cached."""
    lock = open(os.path.join(plan["module"], ".terraform.lock.hcl")).read()
    m = re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock)
    h = re.search(r'"(h1:[^"]+)"', lock[m.end():] if m else lock)
    tag = re.sub(r"[^\w.-]", "_", f"{m.group(1) if m else 'unknown'}-{h.group(1)[3:15] if h else ''}")
    cache = os.path.join(plan["cache"], f"aws-endpoint-keys-{tag}.json")
    if os.path.exists(cache):
        return json.load(open(cache)), f"cached {os.path.basename(cache)}"
    rc, secs, _ = run_tf(plan, env, "providers-schema", ["providers", "schema", "-json"], 300)
    text = open(os.path.join(plan["logs"], "providers-schema.log")).read()
    if rc != 0:
        raise RuntimeError(f"terraform providers schema -json failed: {text[-500:]}")
    doc = json.loads(text)
    p = next(v for k, v in doc["provider_schemas"].items() if k.endswith("hashicorp/aws"))
    keys = sorted(p["provider"]["block"]["block_types"]["endpoints"]["block"]["attributes"])
    os.makedirs(plan["cache"], exist_ok=True)
    tmp = cache + f".{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(keys, f)
    os.replace(tmp, cache)
    os.remove(os.path.join(plan["logs"], "providers-schema.log"))
    return keys, f"read from the provider schema in {secs}s"


def write_override(plan, ep, keys):
    """zz_moto_override.tf.json: local backend; every provider "aws" configuration at moto.
    `assume_role` stays as generated: moto's STS answers AssumeRole, and credentials it issues act in the
    role's account (moto keeps one backend per account), so the aliases really land in their accounts."""
    ov = {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}}
    if keys is not None:
        blocks = []
        for p in plan["providers"]:
            b = {
                "access_key": ACCESS[0], "secret_key": ACCESS[1],
                "skip_credentials_validation": True, "skip_requesting_account_id": True,
                "skip_metadata_api_check": True, "skip_region_validation": True,
                "s3_use_path_style": True, "max_retries": 2,
                "endpoints": [{k: ep for k in keys}],
            }
            if p["alias"]:
                b["alias"] = p["alias"]
            blocks.append(b)
        ov["provider"] = {"aws": blocks}
    with open(os.path.join(plan["module"], "zz_moto_override.tf.json"), "w") as f:
        json.dump(ov, f, indent=1)


# ------------------------------------------------------------------------------------------------ the run


def run_tf_step_counted(plan, env, name, args, verb, total_re):
    """One terraform step: (rc, seconds, text, resources it created or destroyed)."""
    rc, secs, text = run_tf(plan, env, name, args)
    m = re.search(total_re, text)
    return rc, secs, text, int(m.group(1)) if m else len(re.findall(rf": {verb} complete after", text))


def run_repeating(plan, env, step, args, res, verb, total_re):
    """`terraform STEP` (apply or destroy), run again (twice at most) while it stops on an HTTP 500.

    A 500 is moto failing internally (AWS answers a valid request with a 4xx code at worst); the
    errors that caused a repeat go to res[STEP + "_repeated"], the summed time to res["times"][STEP]
    and the summed count to res["applied"|"destroyed"]. Returns (rc, every run's text, last text)."""
    count_key = "applied" if step == "apply" else "destroyed"
    rc, res["times"][step], text, res[count_key] = run_tf_step_counted(plan, env, step, [step] + args, verb, total_re)
    every = text
    res[step + "_repeated"] = []
    for again in (2, 3):
        if rc == 0 or "StatusCode: 500" not in text:
            break
        res[step + "_repeated"] += [e for e in tf_errors(text) if "StatusCode: 500" in e]
        log(f"{step} hit an emulator HTTP 500; repeating: {res[step + '_repeated']}")
        rc, secs, text, n = run_tf_step_counted(plan, env, f"{step}-{again}", [step] + args, verb, total_re)
        res["times"][step] = round(res["times"][step] + secs, 1)
        res[count_key] += n
        every += text
    return rc, every, text



def main(plan_path):
    plan = json.load(open(plan_path))
    res = {"secrets_in_state": [], "secrets_with_password": [], "apply": "not run", "destroy": "not run", "applied": 0, "destroyed": 0, "gone_on_refresh": [], "state_left": [],
           "leftovers": [], "quirks": [], "inventory_errors": [], "errors": [], "notimplemented": [], "times": {}, "vars": {}}
    t0 = time.monotonic()
    moto = None
    os.makedirs(plan["logs"], exist_ok=True)
    try:
        moto, ep = start_moto(plan["logs"], plan.get("fault"))
        res["times"]["moto_start"] = round(time.monotonic() - t0, 1)
        log(f"moto pid {moto.pid} on {ep} (up in {res['times']['moto_start']}s)")
        aws = Aws(ep)
        accounts_by_prefix = {}
        vals = variable_values(plan, aws, accounts_by_prefix)
        seed(plan, aws, vals)
        accounts = [DEFAULT_ACCOUNT] + sorted({aws.assume(vals[p["role_arn_var"]]) for p in plan["providers"]
                                               if p.get("role_arn_var")})
        regions = sorted({p["region"] for p in plan["providers"] if p.get("region")} or {"us-east-1"})
        res["vars"] = {k: ("(sensitive)" if k in plan.get("sensitive", []) else v) for k, v in vals.items()}
        log(f"variables: {json.dumps(res['vars'], sort_keys=True)}")
        res["accounts"], res["regions"] = accounts, regions
        log(f"accounts: {' '.join(accounts)}; regions: {' '.join(regions)}")

        cfg = os.path.join(plan["logs"], "..", "cli.tfrc")
        with open(cfg, "w") as f:
            f.write('provider_installation {\n  filesystem_mirror {\n    path    = %s\n'
                    '    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n' % json.dumps(plan["mirror"]))
        env = tf_env(plan, cfg)
        write_override(plan, ep, None)
        rc, res["times"]["init"], text = run_tf(plan, env, "init", ["init", "-input=false", "-no-color"], 300)
        if rc != 0:
            res["errors"] = ["init: " + e for e in tf_errors(text)] or [f"init exit {rc}: {text[-400:]}"]
            return res
        keys, how = endpoint_keys(plan, env)
        write_override(plan, ep, keys)
        log(f"init ok in {res['times']['init']}s; {len(keys)} endpoint keys ({how}) -> {ep}")

        t = time.monotonic()
        before, _ = inventory(aws, accounts, regions)
        res["times"]["inventory_before"] = round(time.monotonic() - t, 1)

        varargs = []
        for k, v in sorted(vals.items()):
            varargs.append(f"-var={k}={v if isinstance(v, str) else json.dumps(v)}")
        par = f"-parallelism={plan.get('parallelism', 10)}"
        tf_args = ["-auto-approve", "-input=false", "-no-color", par] + varargs
        rc, text, last = run_repeating(plan, env, "apply", tf_args, res, "Creation", r"Apply complete! Resources: (\d+) added")
        created = set(re.findall(r"^(\S+): Creation complete after", text, re.M))
        res["apply"] = "ok" if rc == 0 else "FAIL"
        log(f"apply: {res['apply']} in {res['times']['apply']}s, {res['applied']} resources created")
        # which secret values the apply wrote into the state (write-only arguments keep them out)
        try:
            res["secrets_in_state"], res["secrets_with_password"] = secrets_in_state(
                aws, accounts, regions, os.path.join(plan["module"], "terraform.tfstate"))
        except Exception as e:  # noqa: BLE001
            res["errors"].append(f"secrets in state: {type(e).__name__}: {e}")
        log(f"secrets with a password: {res.get('secrets_with_password')}; "
            f"passwords in the state: {res.get('secrets_in_state')}")
        if rc != 0:
            res["errors"] += ["apply: " + e for e in tf_errors(last)] or [f"apply exit {rc}"]
        # destroy also after a failed apply: whatever was created must go
        rc, text_destroy, text = run_repeating(plan, env, "destroy", tf_args, res, "Destruction",
                                               r"Destroy complete! Resources: (\d+) destroyed")
        res["destroy"] = "ok" if rc == 0 else "FAIL"
        log(f"destroy: {res['destroy']} in {res['times']['destroy']}s, {res['destroyed']} resources destroyed")
        if rc != 0:
            res["errors"] += ["destroy: " + e for e in tf_errors(text)] or [f"destroy exit {rc}"]
        rc, _, text = run_tf(plan, env, "state-list", ["state", "list"], 120)
        res["state_left"] = [x for x in text.split() if x and not x.startswith("data.")] if rc == 0 else [f"(state list exit {rc})"]
        if res["destroy_repeated"]:
            # a delete moto carried out before failing leaves the state on the second run's refresh,
            # with no "Destruction complete" line: name each such resource
            done = set(re.findall(r"^(\S+): Destruction complete after", text_destroy, re.M))
            res["gone_on_refresh"] = sorted(created - done - set(res["state_left"]))
            for x in res["gone_on_refresh"]:
                log(f"  gone before the repeated destroy (its failed delete had been carried out): {x}")

        t = time.monotonic()
        after, inv_errors = inventory(aws, accounts, regions)
        res["times"]["inventory_after"] = round(time.monotonic() - t, 1)
        destroyed = set(re.findall(r"Destroying\.\.\. \[id=([^\]]+)\]", text_destroy))
        for x in sorted(after - before):
            _, _, kind, ident = x.split(":", 3)
            if kind == "trail" and ident in destroyed:
                # the provider deletes a trail by ARN; moto 5.2.5's DeleteTrail looks the name up only,
                # answers 200 and keeps it
                x += f"{QUIRK}DeleteTrail by ARN is a no-op in moto (terraform destroyed it)"
            if QUIRK in x:
                res["quirks"].append(x)
            else:
                res["leftovers"].append(x)
        res["inventory_errors"] = inv_errors
        for x in res["leftovers"]:
            log(f"  leftover in moto: {x}")
        for x in res["quirks"]:
            log(f"  not counted: {x}")
        for x in inv_errors:
            log(f"  inventory call failed: {x}")
    finally:
        stop(moto)
        if os.path.exists(os.path.join(plan["logs"], "moto.log")):
            ni = sorted(set(re.findall(r"NotImplementedError: (.+)",
                                       open(os.path.join(plan["logs"], "moto.log"), errors="replace").read())))
            res["notimplemented"] = [x.strip() for x in ni]
            # requests the SDK sent again (moto answered the first attempt, or never got it)
            mlog = open(os.path.join(plan["logs"], "moto.log"), errors="replace").read()
            res["retried"] = sorted(set(re.findall(r"^action (.*) \[\w* attempt=[2-9]\]", mlog, re.M)))
            # moto 500s answered with AWS's NotFound code instead (see serve())
            res["translated"] = sorted(set(re.findall(r"^action (.* -> [\w.]+) \[", mlog, re.M)))
            res["injected"] = sorted(set(re.findall(r"^action (.*) -> injected HTTP 500 \[", mlog, re.M)))
        res["times"]["total"] = round(time.monotonic() - t0, 1)
        with open(plan["result"], "w") as f:
            json.dump(res, f, indent=1)
    return res


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
        sys.exit(0)
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1])
    except Exception as e:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        print(f"harness error: {type(e).__name__}: {e}", flush=True)
        sys.exit(3)
