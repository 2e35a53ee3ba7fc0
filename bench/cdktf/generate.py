#!/usr/bin/env python3
"""Write a CDKTF Python program (main.py) that declares the same stack as a cdk.tf.json.

    <venv>/bin/python bench/cdktf/generate.py cdktf.out/stacks/<stack>/cdk.tf.json > main.py

The program is what a CDKTF user writes by hand for that stack: the AWS provider, every
variable, data source, resource and output through the typed classes of the prebuilt provider
package (`cdktf-cdktf-provider-aws`), one construct per block. Each construct gets the
arguments its constructor requires as keyword arguments and every other argument as an
override with the value Terraform reads, so that `cdktf synth` has the whole configuration to
resolve and write. References between blocks are Terraform expressions (`${aws_kms_key.x.arn}`)
with the logical ids of the cdk.tf.json, which the program pins with `override_logical_id`.
"""

import importlib.util
import json
import keyword
import os
import re
import sys


def pascal(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def module_and_class(kind, tf_type):
    """The provider package's submodule for a block type and its construct class: the first
    class the submodule defines (jsii renames some, e.g. `S3BucketLoggingA`)."""
    short = tf_type[len("aws_"):] if tf_type.startswith("aws_") else tf_type
    module = "data_aws_" + short if kind == "data" else short
    spec = importlib.util.find_spec("cdktf_cdktf_provider_aws")
    if spec is None:
        sys.exit("generate.py: run with the python that has cdktf-cdktf-provider-aws installed")
    source = os.path.join(spec.submodule_search_locations[0], module, "__init__.py")
    with open(source) as f:
        m = re.search(r"^class (\w+)\(", f.read(), re.M)
    return module, m.group(1) if m else pascal(module)


def py(value):
    """A Python literal for a JSON value."""
    return repr(value)


def kwarg(name):
    return name + "_" if keyword.iskeyword(name) else name


# Helpers of the generated program. The provider's constructors type-check their arguments:
# blocks are structs (one, or a list of them), numbers are numbers. cdk.tf.json writes every
# block as a list and may hold a reference where a number goes, so required arguments are
# shaped to the declared types first (a reference becomes a token of that type).
RUNTIME = '''
def struct_of(hint):
    """The struct class in a type hint (Union[Struct, Dict[str, Any]] and the like), or None."""
    for arg in typing.get_args(hint):
        if inspect.isclass(arg) and arg.__module__.startswith("cdktf_cdktf_provider_aws"):
            return arg
        found = struct_of(arg)
        if found is not None:
            return found
    return None


def is_sequence(hint):
    origin = typing.get_origin(hint)
    if origin in (list, tuple) or str(origin) == "<class 'collections.abc.Sequence'>":
        return True
    return any(is_sequence(a) for a in typing.get_args(hint))


def wants(hint, t):
    return hint is t or t in typing.get_args(hint)


def shape(value, hint):
    """A value from cdk.tf.json in the form a parameter of type `hint` takes."""
    struct = struct_of(hint)
    if isinstance(value, list):
        if struct is not None and not is_sequence(hint):
            return shape(value[0], hint) if value else None
        if struct is not None:
            return [shape_struct(v, struct) for v in value]
        return value
    if isinstance(value, dict) and struct is not None:
        return shape_struct(value, struct)
    if isinstance(value, str) and value.startswith("${"):
        if wants(hint, int) or wants(hint, float) or "float" in str(hint) or "int" in str(hint):
            return Token.as_number(value)
        if is_sequence(hint):
            return Token.as_list(value)
    return value


def shape_struct(value, struct):
    if not isinstance(value, dict):
        return value
    hints = typing.get_type_hints(struct.__init__)
    return struct(**{k: shape(v, hints.get(k, typing.Any)) for k, v in value.items()})


def declare(scope, cls, construct_id, logical_id, body):
    """One construct of the provider package: its required arguments go to the constructor
    (typed), every other argument is set to its cdk.tf.json value with an override."""
    hints = typing.get_type_hints(cls.__init__)
    params = inspect.signature(cls.__init__).parameters.values()
    need = [p.name for p in params if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
    kwargs = {k: shape(body[k], hints.get(k, typing.Any)) for k in need if k in body}
    construct = cls(scope, construct_id, **kwargs)
    construct.override_logical_id(logical_id)
    for key, value in body.items():
        if key not in kwargs:
            construct.add_override(key, value)
    return construct
'''


def main():
    doc = json.load(open(sys.argv[1]))
    out = []
    w = out.append
    imports = {}
    blocks = []
    for kind in ("data", "resource"):
        for tf_type, named in sorted(doc.get(kind, {}).items()):
            module, cls = module_and_class(kind, tf_type)
            imports[module] = cls
            for name, body in sorted(named.items()):
                body = {k: v for k, v in body.items() if k != "//"}
                blocks.append((kind, tf_type, name, cls, body))

    w("#!/usr/bin/env python3")
    w('"""Generated by bench/cdktf/generate.py from ztc\'s cdk.tf.json: the same stack in CDKTF."""')
    w("import inspect")
    w("import typing")
    w("")
    w("from constructs import Construct")
    w("from cdktf import App, TerraformStack, TerraformVariable, TerraformOutput, Token")
    w("from cdktf_cdktf_provider_aws.provider import AwsProvider")
    for module, cls in sorted(imports.items()):
        w(f"from cdktf_cdktf_provider_aws.{module} import {cls}")
    w("")
    w("")
    w(RUNTIME)
    w("")
    w("")
    w("class Stack(TerraformStack):")
    w("    def __init__(self, scope: Construct, ns: str):")
    w("        super().__init__(scope, ns)")
    for name, providers in sorted(doc.get("provider", {}).items()):
        for i, p in enumerate(providers):
            region = p.get("region", "us-east-1")
            alias = p.get("alias")
            pid = f"aws_{alias}" if alias else "aws"
            w(f"        provider = AwsProvider(self, {py(pid)}, region={py(region)}" + (f", alias={py(alias)})" if alias else ")"))
            for k, v in sorted(p.items()):
                if k not in ("region", "alias"):
                    w(f"        provider.add_override({py(k)}, {py(v)})")
    for name, var in sorted(doc.get("variable", {}).items()):
        w(f"        v = TerraformVariable(self, {py(name)}, type={py(var.get('type', 'string'))})")
        w(f"        v.override_logical_id({py(name)})")
        for k, v in sorted(var.items()):
            if k != "type":
                w(f"        v.add_override({py(k)}, {py(v)})")
    for kind, tf_type, name, cls, body in blocks:
        cid = f"{kind}_{tf_type}_{name}"
        w(f"        declare(self, {cls}, {py(cid)}, {py(name)}, {py(body)})")
    for name, o in sorted(doc.get("output", {}).items()):
        w(f"        o = TerraformOutput(self, {py(name)}, value={py(o['value'])})")
        w(f"        o.override_logical_id({py(name)})")
        for k, v in sorted(o.items()):
            if k != "value":
                w(f"        o.add_override({py(k)}, {py(v)})")
    w("")
    w("")
    stack = doc["//"]["metadata"]["stackName"]
    w("app = App()")
    w(f"Stack(app, {py(stack)})")
    w("app.synth()")
    print("\n".join(out))


if __name__ == "__main__":
    main()
