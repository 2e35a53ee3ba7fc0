#!/usr/bin/env python3
"""Derive the Pulumi printer's lookup tables (types.json, properties.json) from two schemas.

    python3 backends/pulumi/derive.py PULUMI_DIGEST TF_SCHEMA [OUT_DIR] [--report]

PULUMI_DIGEST  a schema digest of the pulumi-aws package (JSON, optionally gzipped). The digest is
               produced from the pulumi-aws Python package itself by `backends/pulumi/digest.py`
               (run with `.tools/venv-pulumi/bin/python`, pulumi-aws 7.51.1); the committed copy is
               `backends/pulumi/pulumi-aws-7.51.1.digest.json.gz`. The smaller oracle digest
               `{token: {python, inputs, required, outputs}}` (pulumi-aws-schema.json.gz) is accepted
               too: it has no nested types and no functions, so nested names then fall back to the
               bridge's naming rule (camelCase, lists pluralised, MaxItems=1 blocks flattened) and
               data sources are not mapped.
TF_SCHEMA      `terraform providers schema -json` of hashicorp/aws (gzipped or not), e.g.
               aws-provider-5.100.0-schema.json.gz: the vocabulary of ztc's IR.
OUT_DIR        where to write types.json and properties.json (default: this script's folder).
--report       print unmatched types and names on stderr.
--lower=DIR    the lowering sources whose `"aws_*"` literals must be in properties.json
               (default: <repo>/src/lower).

Standard library only; the output is deterministic (sorted keys, no timestamps).

How a Terraform type finds its token. pulumi-aws is bridged from terraform-provider-aws: a token
`aws:<module>/<member>:<Name>` usually spells the Terraform type without `aws_` and underscores,
either as module+member (`aws_kms_key` -> `aws:kms/key:Key`) or, for types without a service
prefix, as the member alone (`aws_vpc` -> `aws:ec2/vpc:Vpc`). Several tokens can match (aliases kept
for compatibility, e.g. `aws:alb/...` and `aws:lb/...`, `s3/bucketV2`): the candidate whose property
names cover the Terraform attribute names best wins, deprecated tokens lose ties. Types whose tokens
are irregular are listed in OVERRIDES (each checked to exist in the digest). Data sources map to
functions `aws:<module>/get<Member>:get<Member>` the same way.

How a Terraform name finds its Pulumi property. At every level (top-level attributes and blocks,
then recursively into nested blocks and object-typed attributes) the Terraform name is camelCased;
if the Pulumi level has no such property its plural forms are tried (the bridge pluralises lists:
`subnet_mapping` -> `subnetMappings`, `rule` -> `rules`, `filter` -> `filters`,
`firewall_status` -> `firewallStatuses`). Whether a Terraform list block is a list or a single
object in Pulumi comes from the Pulumi type (MaxItems=1 blocks are flattened: `versioning_configuration`
-> object `versioningConfiguration`).

Output
  types.json       {"resource": {tf_type: token}, "data": {tf_type: function_token},
                    "deprecated": {token: message}, "provider": "pulumi:providers:aws"}
  properties.json  {"resource": {tf_type: LEVEL}, "data": {tf_type: LEVEL}, "provider": LEVEL}
                   for the types ztc emits and PROPERTY_PREFIXES (a type absent here is not derived;
                   present with {} it has only plain names).
                   LEVEL = {tf_name: ENTRY}, listing only the names that are not a plain
                   snake->camel rename or that need a shape:
                   ENTRY = {"name": pulumiName | null (no such property in pulumi-aws),
                            "kind": "list" | "object" | "map" (blocks and object-typed attributes),
                            "tf": "list" | "set" | "single" | "map" | "object" (Terraform shape),
                            "props": LEVEL (nested names; omitted when empty),
                            "option": "customTimeouts" (`timeouts` blocks: a resource option)}
                   `id` is never listed: it is the resource id (`${res.id}`) in both tools.
"""
import gzip
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Terraform types whose pulumi-aws token does not spell the Terraform name (checked against the
# digest: a missing token aborts the run).
OVERRIDES = {
    "resource": {
        "aws_account_alternate_contact": "aws:account/alternativeContact:AlternativeContact",
        "aws_alb": "aws:alb/loadBalancer:LoadBalancer",
        "aws_api_gateway_deployment": "aws:apigateway/deployment:Deployment",
        "aws_api_gateway_gateway_response": "aws:apigateway/response:Response",
        "aws_cloudtrail": "aws:cloudtrail/trail:Trail",
        "aws_db_instance": "aws:rds/instance:Instance",
        "aws_dx_lag": "aws:directconnect/linkAggregationGroup:LinkAggregationGroup",
        "aws_ec2_host": "aws:ec2/dedicatedHost:DedicatedHost",
        "aws_lb": "aws:lb/loadBalancer:LoadBalancer",
        "aws_network_interface_sg_attachment":
            "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment",
        "aws_s3_bucket_replication_configuration": "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "aws_s3_object": "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws_vpc_endpoint_security_group_association": "aws:ec2/securityGroupAssociation:SecurityGroupAssociation",
        "aws_vpc_endpoint_service_allowed_principal":
            "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple",
        "aws_vpc_peering_connection_options": "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions",
    },
    "data": {
        "aws_api_gateway_api_key": "aws:apigateway/getKey:getKey",
        "aws_eip": "aws:ec2/getElasticIp:getElasticIp",
        "aws_vpc_ipam_preview_next_cidr": "aws:ec2/getIpamPreviewNextCidr:getIpamPreviewNextCidr",
    },
}

PROVIDER_TOKEN = "pulumi:providers:aws"

# properties.json covers the types ztc's lowering emits (the `"aws_*"` literals under src/lower,
# found with --lower DIR, default <repo>/src/lower) and these common services; types.json covers
# every type that maps.
PROPERTY_PREFIXES = (
    "aws_accessanalyzer_", "aws_acm_", "aws_alb", "aws_ami", "aws_api_gateway_", "aws_apigatewayv2_",
    "aws_availability_zone", "aws_backup_", "aws_caller_identity", "aws_cloudfront_", "aws_cloudtrail",
    "aws_cloudwatch_", "aws_config_", "aws_db_", "aws_default_", "aws_dynamodb_", "aws_ebs_", "aws_ec2_",
    "aws_ecr_", "aws_ecs_", "aws_efs_", "aws_egress_only_internet_gateway", "aws_eip", "aws_eks_",
    "aws_elasticache_", "aws_flow_log", "aws_guardduty_", "aws_iam_", "aws_inspector2_", "aws_instance",
    "aws_internet_gateway", "aws_key_pair", "aws_kms_", "aws_lambda_", "aws_launch_template", "aws_lb",
    "aws_macie2_", "aws_nat_gateway", "aws_network_", "aws_networkfirewall_", "aws_organizations_",
    "aws_partition", "aws_rds_", "aws_region", "aws_route", "aws_s3_", "aws_secretsmanager_",
    "aws_security_group", "aws_securityhub_", "aws_sns_", "aws_sqs_", "aws_ssm_", "aws_subnet",
    "aws_vpc", "aws_wafv2_",
)
# Left out of properties.json: their statement schemas nest 1.2 MB deep; the printer falls back to the
# bridge's naming rule for them (and says so).
PROPERTY_EXCLUDE = ("aws_wafv2_web_acl", "aws_wafv2_rule_group")


# ------------------------------------------------------------------------------------------- io


def load(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def write(path, doc):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")


# ------------------------------------------------------------------------------------------- names


def camel(snake):
    parts = snake.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def plurals(name):
    out = [name + "s", name + "es"]
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        out.append(name[:-1] + "ies")
    if name.endswith("ex") or name.endswith("ix"):
        out.append(name[:-2] + "ices")
    if name.endswith("s"):
        out.append(name + "es")
    if name.endswith("f"):
        out.append(name[:-1] + "ves")
    return out


def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


# ------------------------------------------------------------------------------------------- digest view


class Digest:
    def __init__(self, doc):
        if "resources" in doc and isinstance(doc.get("resources"), dict):
            self.rich = True
            self.resources = doc["resources"]
            self.functions = doc.get("functions", {})
            self.types = doc.get("types", {})
            self.version = doc.get("package", {}).get("version", "")
        else:  # oracle digest: {token: {python, inputs: [names], required, outputs: [names]}}
            self.rich = False
            self.resources = {
                tok: {
                    "inputs": {n: "any" for n in v.get("inputs", [])},
                    "outputs": {n: "any" for n in v.get("outputs", [])},
                    "required": v.get("required", []),
                    "deprecated": "",
                }
                for tok, v in doc.items()
            }
            self.functions = {}
            self.types = {}
            self.version = ""

    def level(self, ins, outs):
        """{pulumiName: (input descriptor | None, output descriptor | None)}"""
        lv = {}
        for n, d in (ins or {}).items():
            lv[n] = (d, None)
        for n, d in (outs or {}).items():
            lv[n] = (lv.get(n, (None, None))[0], d)
        return lv

    @staticmethod
    def unwrap(d):
        """(kind, inner descriptor): list/map wrappers peeled once."""
        if isinstance(d, dict):
            if "list" in d:
                return "list", d["list"]
            if "map" in d:
                return "map", d["map"]
            if "ref" in d:
                return "object", d
        return "scalar", d

    def props_of(self, d):
        """The property dict of an object descriptor reached through lists/maps, or None."""
        while isinstance(d, dict) and ("list" in d or "map" in d):
            d = d.get("list", d.get("map"))
        if isinstance(d, dict) and "ref" in d:
            return self.types.get(d["ref"], {})
        return None

    def sub_level(self, pair):
        pi = self.props_of(pair[0]) if pair[0] is not None else None
        po = self.props_of(pair[1]) if pair[1] is not None else None
        if pi is None and po is None:
            return None
        return self.level(pi, po)


# ------------------------------------------------------------------------------------------- terraform view


def tf_type_level(t):
    """Nested names of a Terraform type expression: {name: ("attr", type)} or None for scalars."""
    while isinstance(t, list) and t[0] in ("list", "set", "map"):
        t = t[1]
    if isinstance(t, list) and t[0] == "object":
        return {n: ("attr", sub) for n, sub in t[1].items()}
    return None


def tf_type_shape(t):
    if isinstance(t, list):
        if t[0] in ("list", "set"):
            return t[0] if tf_type_level(t[1]) is not None else None
        if t[0] == "map":
            return "map" if tf_type_level(t[1]) is not None else None
        if t[0] == "object":
            return "object"
    return None


def tf_block_level(block):
    lv = {}
    for n, a in block.get("attributes", {}).items():
        lv[n] = ("attr", a.get("type"))
    for n, b in block.get("block_types", {}).items():
        lv[n] = ("block", b)
    return lv


# ------------------------------------------------------------------------------------------- mapping


# Properties the bridge renamed beyond the rules below ((section, tf_type, tf_name) -> pulumi name).
PROPERTY_OVERRIDES = {
    ("resource", "aws_lambda_function", "filename"): "code",
    ("resource", "aws_lambda_layer_version", "filename"): "code",
}


def find_name(tf_name, plevel, want_list, tf_names=()):
    c = camel(tf_name)
    if c in plevel:
        return c
    for p in plurals(c):
        if p in plevel:
            return p
    # A plural Terraform name whose Pulumi twin is singular (a MaxItems=1 list): `rules` -> `rule`
    if not want_list and c.endswith("s") and c[:-1] in plevel:
        return c[:-1]
    # The bridge drops an `_id` suffix where the property takes the resource (`rest_api_id` -> `restApi`)
    if c.endswith("Id") and c[:-2] in plevel:
        return c[:-2]
    # ... and `_arn` / `_name` suffixes (`topic_arn` -> `topic`, `log_group_name` -> `logGroup`)
    for suffix in ("Arn", "Name"):
        if c.endswith(suffix) and c[: -len(suffix)] in plevel:
            return c[: -len(suffix)]
    # `<noun>_name` of a resource without `name` is Pulumi's `name` (`function_name` -> `name`)
    if c.endswith("Name") and "name" in plevel and "name" not in tf_names:
        return "name"
    return None


def map_level(dg, tf_level, plevel, report, where, key=None):
    """LEVEL entries for one Terraform level against one Pulumi level (None: unknown)."""
    out = {}
    for n in sorted(tf_level):
        kind, spec = tf_level[n]
        if n == "id":
            continue  # the resource id: `${res.id}` in Pulumi, never an input
        if kind == "block":
            tf_shape = spec.get("nesting_mode", "list")
            nested_tf = tf_block_level(spec.get("block", {}))
        else:
            tf_shape = tf_type_shape(spec)
            nested_tf = tf_type_level(spec)
        entry = {}
        is_list = tf_shape in ("list", "set")
        if n == "timeouts" and kind == "block":
            out[n] = {"name": None, "tf": tf_shape, "option": "customTimeouts"}
            continue
        if plevel is None:
            # no Pulumi information at this level: the bridge's naming rule
            pname = camel(n)
            if is_list and kind == "block" and spec.get("max_items") == 1:
                pkind = "object"
            elif is_list and not pname.endswith("s"):
                pname = plurals(pname)[0]
                pkind = "list"
            else:
                pkind = {"list": "list", "set": "list", "single": "object", "map": "map",
                         "object": "object", "group": "object"}.get(tf_shape)
            sub = None
        else:
            pname = PROPERTY_OVERRIDES.get((key or ("", ""))[:2] + (n,)) if key else None
            pname = pname or find_name(n, plevel, is_list, tf_level)
            if pname is None:
                report.append(f"{where}.{n}: no Pulumi property")
                out[n] = {"name": None}
                if tf_shape:
                    out[n]["tf"] = tf_shape
                continue
            pair = plevel[pname]
            d = pair[0] if pair[0] is not None else pair[1]
            pkind, _ = Digest.unwrap(d)
            sub = dg.sub_level(pair) if dg.rich else None
        if pname != camel(n):
            entry["name"] = pname
        if kind == "block" or tf_shape:
            entry["name"] = pname
            entry["tf"] = tf_shape or "single"
            entry["kind"] = pkind if pkind in ("list", "object", "map") else "object"
        if nested_tf:
            props = map_level(dg, nested_tf, sub, report, f"{where}.{n}")
            if props:
                entry["props"] = props
        if entry:
            out[n] = entry
    return out


def candidates_resource(tf_type, tokens):
    t = norm(tf_type[4:])
    full, member_only = [], []
    for tok in tokens:
        parts = tok.split(":")
        if len(parts) != 3 or "/" not in parts[1]:
            continue
        mod, member = parts[1].split("/", 1)
        if norm(mod + member) == t:
            full.append(tok)
        elif norm(member) == t:
            member_only.append(tok)
    return full or member_only


def fallback_resource(tf_type, tokens, get=False):
    """Irregular tokens: the member spells a suffix of the Terraform name under another module
    (`aws_dx_connection` -> `aws:directconnect/connection:Connection`), or the module spells the
    whole name (`aws_codepipeline` -> `aws:codepipeline/pipeline:Pipeline`)."""
    words = tf_type[4:].split("_")
    # the suffix must keep at least half of the words after the service prefix
    suffixes = {norm("".join(words[k:])) for k in range(1, len(words)) if len(words) - k >= (len(words) - 1) / 2}
    whole = norm(tf_type[4:])
    out = []
    for tok in tokens:
        parts = tok.split(":")
        if len(parts) != 3 or "/" not in parts[1]:
            continue
        mod, member = parts[1].split("/", 1)
        if get:
            if not member.startswith("get"):
                continue
            member = member[3:]
        if norm(member) in suffixes or norm(mod) == whole:
            out.append(tok)
    return out


def candidates_function(tf_type, tokens):
    t = norm(tf_type[4:])
    full, member_only = [], []
    for tok in tokens:
        parts = tok.split(":")
        if len(parts) != 3 or "/" not in parts[1]:
            continue
        mod, member = parts[1].split("/", 1)
        if not member.startswith("get"):
            continue
        m = member[3:]
        if norm(mod + m) == t:
            full.append(tok)
        elif norm(m) == t:
            member_only.append(tok)
    return full or member_only


def overlap(dg_entry, tf_block):
    names = set((dg_entry.get("inputs") or {})) | set((dg_entry.get("outputs") or {}))
    tf = [n for n in tf_block_level(tf_block) if n not in ("id", "timeouts")]
    if not tf:
        return 0.0
    hit = 0
    for n in tf:
        c = camel(n)
        if c in names or any(p in names for p in plurals(c)) or (c.endswith("s") and c[:-1] in names):
            hit += 1
    return hit / len(tf)


# Terraform service prefixes whose pulumi-aws module has another name.
SERVICE_MODULES = {
    "db": "rds", "dx": "directconnect", "ce": "costexplorer", "prometheus": "amp", "macie2": "macie",
    "cloudcontrolapi": "cloudcontrol", "serverlessapplicationrepository": "serverlessrepository",
    "resourceexplorer2": "resourceexplorer", "route53recoverycontrolconfig": "route53recoverycontrol",
    "osis": "opensearchingest", "bcmdataexports": "bcmdata", "appintegrations": "appconfig",
    "config": "cfg", "cloudwatch": "cloudwatch", "lb": "lb", "load": "elb", "elb": "elb",
}


def module_rank(tf_type, tok):
    """0: the token's module is the Terraform service, 1: related by prefix, 2: unrelated."""
    first = tf_type[4:].split("_")[0]
    mod = norm(tok.split(":")[1].split("/")[0])
    if mod == SERVICE_MODULES.get(first, norm(first)):
        return 0
    if mod.startswith(norm(first)[:3]) or norm(first).startswith(mod[:3]):
        return 1
    return 2


def choose(tf_type, cands, pool, tf_block, threshold=0.5):
    if not cands:
        return None
    scored = sorted(
        cands,
        key=lambda tok: (module_rank(tf_type, tok), -overlap(pool[tok], tf_block),
                         1 if pool[tok].get("deprecated") else 0,
                         0 if tok.split(":")[1].split("/")[0] == "ec2" else 1, tok),
    )
    for best in scored:
        if overlap(pool[best], tf_block) >= threshold:
            return best
    return None


def lowered_types(lower_dir):
    found = set()
    if lower_dir and os.path.isdir(lower_dir):
        for root, _, files in os.walk(lower_dir):
            for f in files:
                if f.endswith(".rs"):
                    with open(os.path.join(root, f), encoding="utf-8") as fh:
                        found.update(re.findall(r'"(aws_[a-z0-9_]+)"', fh.read()))
    return found


def write_properties(path, doc):
    """One type per line: diffs stay readable, the file stays small."""
    lines = ["{"]
    sections = sorted(doc)
    for i, sec in enumerate(sections):
        val = doc[sec]
        comma = "," if i + 1 < len(sections) else ""
        if isinstance(val, dict) and sec in ("resource", "data"):
            lines.append(f" {json.dumps(sec)}: {{")
            keys = sorted(val)
            for j, k in enumerate(keys):
                c = "," if j + 1 < len(keys) else ""
                body = json.dumps(val[k], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                lines.append(f"  {json.dumps(k)}: {body}{c}")
            lines.append(f" }}{comma}")
        else:
            body = json.dumps(val, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            lines.append(f" {json.dumps(sec)}: {body}{comma}")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    report_on = "--report" in argv
    lower_dir = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src", "lower")
    for a in argv:
        if a.startswith("--lower="):
            lower_dir = a.split("=", 1)[1]
    wanted = lowered_types(lower_dir)
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    dg = Digest(load(args[0]))
    tf = load(args[1])
    out_dir = args[2] if len(args) > 2 else HERE
    aws = tf["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
    report = []

    types = {"resource": {}, "data": {}, "deprecated": {}, "provider": PROVIDER_TOKEN}
    props = {"resource": {}, "data": {}}

    for section, schemas, pool, cand_fn in (
        ("resource", aws["resource_schemas"], dg.resources, candidates_resource),
        ("data", aws["data_source_schemas"], dg.functions, candidates_function),
    ):
        tokens = sorted(pool)
        for tf_type in sorted(schemas):
            block = schemas[tf_type]["block"]
            override = OVERRIDES[section].get(tf_type)
            if override:
                if override not in pool:
                    if pool:
                        raise SystemExit(f"override {tf_type} -> {override}: no such token in the digest")
                    continue
                tok = override
            else:
                tok = choose(tf_type, cand_fn(tf_type, tokens), pool, block)
                if tok is None:
                    fb = [t for t in fallback_resource(tf_type, tokens, get=(section == "data"))
                          if module_rank(tf_type, t) <= 1]
                    tok = choose(tf_type, fb, pool, block, threshold=0.9)
                    if tok is not None:
                        report.append(f"{section} {tf_type}: irregular token {tok}")
            if tok is None:
                report.append(f"{section} {tf_type}: no token")
                continue
            types[section][tf_type] = tok
            if pool[tok].get("deprecated"):
                types["deprecated"][tok] = pool[tok]["deprecated"]
            entry = pool[tok]
            plevel = dg.level(entry.get("inputs"), entry.get("outputs"))
            lv = map_level(dg, tf_block_level(block), plevel, report, f"{section} {tf_type}", (section, tf_type))
            if tf_type in wanted or (tf_type.startswith(PROPERTY_PREFIXES) and tf_type not in PROPERTY_EXCLUDE):
                props[section][tf_type] = lv

    prov = dg.resources.get(PROVIDER_TOKEN)
    if prov is not None:
        plevel = dg.level(prov.get("inputs"), prov.get("outputs"))
        props["provider"] = map_level(dg, tf_block_level(aws["provider"]["block"]), plevel, report, "provider")

    types["pulumi_aws_version"] = dg.version
    props["pulumi_aws_version"] = dg.version
    os.makedirs(out_dir, exist_ok=True)
    write(os.path.join(out_dir, "types.json"), types)
    write_properties(os.path.join(out_dir, "properties.json"), props)
    print(f"types.json: {len(types['resource'])} resources, {len(types['data'])} data sources; "
          f"properties.json: {len(props['resource'])} + {len(props['data'])} types with entries; "
          f"{len(report)} unmatched names/types", file=sys.stderr)
    if report_on:
        for line in report:
            print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
