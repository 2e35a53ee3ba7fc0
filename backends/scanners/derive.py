"""Derive backends/scanners/checkov-resource-types.json: for every checkov check id, the Terraform
resource types it evaluates. ztc uses it to put a waiver's `#checkov:skip` only on the resources the
check looks at.

Run with the Python of a checkov installation (scripts/install-test-tools.sh makes one):

    .tools/venv-checkov/bin/python backends/scanners/derive.py backends/scanners/checkov-resource-types.json
"""
import json
import pathlib
import sys

import yaml
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.resource.registry import resource_registry
import checkov


def graph_types(node, out):
    """Collect `resource_types` of a graph check definition (all nested conditions)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "resource_types" and isinstance(v, list):
                out.update(t for t in v if isinstance(t, str) and t.startswith("aws_"))
            else:
                graph_types(v, out)
    elif isinstance(node, list):
        for x in node:
            graph_types(x, out)


def main(dest):
    table = {}
    for registry in (resource_registry, data_registry):
        for rtype, checks in registry.checks.items():
            if not rtype.startswith("aws_"):
                continue
            for check in checks:
                table.setdefault(check.id, set()).add(rtype)
    graph_dir = pathlib.Path(checkov.__file__).parent / "terraform" / "checks" / "graph_checks" / "aws"
    for f in sorted(list(graph_dir.glob("*.yaml")) + list(graph_dir.glob("*.json"))):
        doc = yaml.safe_load(f.read_text())  # JSON is YAML
        cid = (doc.get("metadata") or {}).get("id")
        if not cid:
            continue
        types = set()
        graph_types(doc.get("definition"), types)
        if types:
            table.setdefault(cid, set()).update(types)
    out = {k: sorted(v) for k, v in sorted(table.items())}
    pathlib.Path(dest).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"{len(out)} checks -> {dest}")


if __name__ == "__main__":
    main(sys.argv[1])
