#!/usr/bin/env python3
"""Write a schema digest of the installed pulumi-aws Python package (the input of derive.py).

    .tools/venv-pulumi/bin/python backends/pulumi/digest.py OUT.json[.gz]

Run it with the interpreter of `.tools/venv-pulumi` (made by scripts/install-test-tools.sh:
pulumi 3.272.0 + pulumi-aws 7.51.1). Everything comes from the package itself, nothing is
fetched: the token -> class table that `pulumi_aws/__init__.py` registers, the Args classes
(input property names and type hints), the resource output properties, the functions'
`pulumi.runtime.invoke('<token>', ...)` calls and their result classes.

Format (camelCase Pulumi names everywhere):

    {"package": {"name": "pulumi-aws", "version": "7.51.1"},
     "resources": {token: {"deprecated": "<message>" or "",
                           "python": "pulumi_aws.ec2.Vpc", "inputs": {name: T},
                           "required": [name...], "outputs": {name: T}}},
     "functions": {token: {"deprecated": "<message>" or "",
                           "python": "pulumi_aws.get_partition", "inputs": {name: T},
                           "outputs": {name: T}}},
     "types": {"pulumi_aws.ec2.VpcFooArgs": {name: T}}}

where a type T is "string" | "integer" | "number" | "boolean" | "any" | "asset" | "archive"
| {"list": T} | {"map": T} | {"enum": [values]} | {"ref": "<key of types>"}.

The smaller digest `{token: {python, inputs, required, outputs}}` (resources only, names
without types) that oracles ship is accepted by derive.py too; this one adds nested types and
functions, so derive.py can map nested blocks and data sources exactly.
"""
import collections.abc as cabc
import enum
import gzip
import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import re
import sys
import typing
import warnings

warnings.simplefilter("ignore")
import pulumi  # noqa: E402
import pulumi._types as ptypes  # noqa: E402

NoneType = type(None)
TYPES = {}


def registry():
    spec = importlib.util.find_spec("pulumi_aws")
    src = open(spec.origin, encoding="utf-8").read()
    reg = {}
    m = re.search(r'resource_modules="""(.*?)"""', src, re.S)
    for e in json.loads(m.group(1)):
        for tok, cls in e["classes"].items():
            reg[tok] = (e["fqn"], cls)
    m = re.search(r'resource_packages="""(.*?)"""', src, re.S)
    if m:
        for e in json.loads(m.group(1)):
            reg[e["token"]] = (e["fqn"], e["class"])
    return reg


def alternatives(tp):
    origin = typing.get_origin(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        out = []
        for a in typing.get_args(tp):
            out += alternatives(a)
        return out
    if tp is NoneType or origin is cabc.Awaitable or origin is pulumi.Output or tp is pulumi.Output:
        return []
    if isinstance(tp, typing.ForwardRef):
        return []
    return [tp]


def describe(tp):
    alts = alternatives(tp)
    if not alts:
        return "any"
    # Prefer structured alternatives (objects, lists, maps) over scalars; the SDK offers
    # `Union[FooArgs, FooArgsDict]` and `Union[str, SomeEnum]`.
    ranked = sorted(alts, key=lambda a: 0 if _structured(a) else 1)
    return describe_one(ranked[0])


def _structured(tp):
    if isinstance(tp, type) and (ptypes.is_input_type(tp) or ptypes.is_output_type(tp)):
        return True
    return typing.get_origin(tp) in (cabc.Sequence, list, typing.Sequence, cabc.Mapping, dict, typing.Mapping)


def describe_one(tp):
    if tp is typing.Any or tp is object:
        return "any"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": sorted(str(e.value) for e in tp)}
    if tp is str:
        return "string"
    if tp is bool:
        return "boolean"
    if tp is int:
        return "integer"
    if tp is float:
        return "number"
    origin = typing.get_origin(tp)
    if origin in (cabc.Mapping, dict, typing.Mapping):
        args = typing.get_args(tp)
        return {"map": describe(args[1]) if len(args) == 2 else "any"}
    if origin in (cabc.Sequence, list, typing.Sequence):
        args = typing.get_args(tp)
        return {"list": describe(args[0]) if args else "any"}
    if isinstance(tp, type) and (ptypes.is_input_type(tp) or ptypes.is_output_type(tp)):
        key = f"{tp.__module__.replace('._inputs', '').replace('.outputs', '')}.{tp.__name__}"
        if key not in TYPES:
            TYPES[key] = {}
            names = ptypes.input_type_types(tp) if ptypes.is_input_type(tp) else ptypes.output_type_types(tp)
            TYPES[key] = {n: describe(t) for n, t in sorted(names.items())}
        return {"ref": key}
    name = getattr(tp, "__name__", "")
    if name in ("Asset", "FileAsset", "StringAsset", "RemoteAsset"):
        return "asset"
    if name in ("Archive", "FileArchive", "RemoteArchive", "AssetArchive"):
        return "archive"
    if typing.get_origin(tp) is typing.Union:
        return describe(tp)
    return "any"


def args_class(cls):
    """The resource's own Args class (a nested type may own the name <Class>Args, then the
    resource's is <Class>InitArgs): take the one the defining module lists in __all__."""
    mod = sys.modules[cls.__module__]
    for n in getattr(mod, "__all__", []):
        c = getattr(mod, n, None)
        if n.endswith("Args") and isinstance(c, type) and ptypes.is_input_type(c):
            return c
    return getattr(mod, cls.__name__ + "Args", None)


DEPRECATED = re.compile(r'warnings\.warn\("""(.*?)""", DeprecationWarning\)', re.S)


def class_deprecation(cls):
    """The class-level DeprecationWarning message of a resource class ("" when current)."""
    src = inspect.getsource(cls)
    head = src.split("\n    def ", 1)[0]
    m = DEPRECATED.search(head)
    return m.group(1) if m else ""


def resources(reg):
    out = {}
    for tok in sorted(reg):
        fqn, cname = reg[tok]
        cls = getattr(importlib.import_module(fqn), cname)
        acls = args_class(cls)
        inputs = ptypes.input_type_types(acls) if acls else {}
        required = sorted(ptypes._required_property_names(acls)) if acls else []
        outs = ptypes.resource_types(cls)
        out[tok] = {
            "deprecated": class_deprecation(cls),
            "python": f"{fqn}.{cname}",
            "inputs": {n: describe(t) for n, t in sorted(inputs.items())},
            "required": required,
            "outputs": {n: describe(t) for n, t in sorted(outs.items())},
        }
    return out


INVOKE = re.compile(r"pulumi\.runtime\.invoke\('([^']+)'")
ARG = re.compile(r"__args__\['([^']+)'\] = (\w+)")


def functions():
    root = os.path.dirname(importlib.util.find_spec("pulumi_aws").origin)
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("_"))
        for f in sorted(filenames):
            if not (f.startswith("get_") and f.endswith(".py")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), os.path.dirname(root))
            modname = rel[:-3].replace(os.sep, ".")
            try:
                mod = importlib.import_module(modname)
            except Exception:  # noqa: BLE001 - a broken module is left out of the digest
                continue
            fname = f[:-3]
            fn = getattr(mod, fname, None)
            if fn is None:
                continue
            src = inspect.getsource(fn)
            m = INVOKE.search(src)
            if not m:
                continue
            tok = m.group(1)
            hints = typing.get_type_hints(fn, globalns=vars(mod))
            inputs = {}
            for pname, pyname in ARG.findall(src):
                inputs[pname] = describe(hints.get(pyname, typing.Any))
            result = None
            for n in getattr(mod, "__all__", []):
                c = getattr(mod, n, None)
                if n.endswith("Result") and not n.startswith("Awaitable") and isinstance(c, type):
                    result = c
            outputs = {}
            if result is not None and ptypes.is_output_type(result):
                outputs = {n: describe(t) for n, t in sorted(ptypes.output_type_types(result).items())}
            pkg = modname.rsplit(".", 1)[0]
            dep = re.search(r'pulumi\.log\.warn\("""(.*?)"""\)', src.split("__args__", 1)[0], re.S)
            out[tok] = {"deprecated": dep.group(1) if dep else "", "python": f"{pkg}.{fname}", "inputs": dict(sorted(inputs.items())), "outputs": outputs}
    return dict(sorted(out.items()))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    reg = registry()
    doc = {
        "package": {"name": "pulumi-aws", "version": importlib.metadata.version("pulumi-aws")},
        "resources": resources(reg),
        "functions": functions(),
    }
    doc["types"] = dict(sorted(TYPES.items()))
    data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    path = sys.argv[1]
    if path.endswith(".gz"):
        with open(path, "wb") as fh:
            fh.write(gzip.compress(data, mtime=0))
    else:
        with open(path, "wb") as fh:
            fh.write(data)
    print(f"{path}: {len(doc['resources'])} resources, {len(doc['functions'])} functions, "
          f"{len(doc['types'])} types (pulumi-aws {doc['package']['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
