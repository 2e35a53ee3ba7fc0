#!/usr/bin/env python3
"""Validate a Pulumi YAML program (runtime: yaml, package aws) with the pulumi-aws Python SDK.

    .tools/venv-pulumi/bin/python tests/pulumi/construct.py DIR/Pulumi.yaml [--json]

No Pulumi CLI, engine or provider plugin: pulumi 3.272.0 + pulumi-aws 7.51.1 under
`pulumi.runtime.set_mocks`. What is checked:

* the file is YAML without duplicate keys, `runtime: yaml`, known top-level keys, config entries
  with a Pulumi config type;
* one namespace for config keys, variables and resources (Pulumi YAML rejects duplicates);
* every string is read with Pulumi YAML's interpolation rule (pulumi-yaml `parseInterpolate`:
  `$$` is one `$`, `${path}` a property access; a string that is exactly one access is the value
  itself), every access names a config key, variable or resource, and every attribute after a
  resource name exists in the SDK's output types (nested types and list indexes included);
* every `type:` token resolves to an SDK class (the registry pulumi_aws/__init__.py carries);
  property names are checked against the SDK's input types, recursively through nested objects
  (the SDK itself does not check nested dicts under mocks): unknown names, missing required ones,
  scalar/enum/list/map/object shapes;
* every `fn::invoke` names an existing function, its arguments are accepted by that function's
  signature and input types, `return:` names a result property, `options.provider` is a provider;
* resource options: `provider` is a provider resource, `dependsOn` lists resources;
* then every resource is constructed by the SDK in dependency order under mocks (the SDK's Args
  reject unknown keyword arguments and missing required ones), and every property must reach the
  mocked engine under its YAML name.

Exit code 0 when there is no error, 1 otherwise, 2 when the file cannot be read. With --json the
report (errors, resources with their evaluated properties and wire inputs, outputs) is printed as
JSON for tests.
"""
import argparse
import collections.abc as cabc
import enum
import importlib
import importlib.util
import inspect
import json
import keyword
import re
import sys
import typing
import warnings

warnings.simplefilter("ignore")
import yaml  # noqa: E402
import pulumi  # noqa: E402
import pulumi._types as ptypes  # noqa: E402
import pulumi.runtime  # noqa: E402

NoneType = type(None)
ERRORS = []


def error(where, msg):
    ERRORS.append(f"{where}: {msg}")


# ---------------------------------------------------------------------------------------- YAML


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys (PyYAML keeps the last one silently)."""


def _mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=deep)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", k_node.start_mark)
        out[key] = loader.construct_object(v_node, deep=deep)
    return out


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


# ---------------------------------------------------------------------------------------- interpolation
# Pulumi YAML's rule, as pulumi-yaml's ast.parseInterpolate / parsePropertyAccess implement it.


class Access:
    def __init__(self, root, steps):
        self.root = root
        self.steps = steps  # str (property) or int (index) or ("key", str)

    def __repr__(self):
        out = self.root
        for s in self.steps:
            out += f"[{s}]" if isinstance(s, int) else (f'["{s[1]}"]' if isinstance(s, tuple) else f".{s}")
        return out


def parse_access(text, where):
    """Parse the inside of `${...}` up to the closing brace: (Access, rest) or raise."""
    accessors = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "}":
            if not accessors:
                raise ValueError("empty interpolation")
            root, steps = accessors[0], accessors[1:]
            if not isinstance(root, str):
                root = root[1] if isinstance(root, tuple) else None
                if root is None:
                    raise ValueError("the root of a property access must be a name")
            return Access(root, steps), text[i + 1:]
        if c == ".":
            i += 1
        elif c == "[":
            if i + 1 < len(text) and text[i + 1] == '"':
                j, key = i + 2, []
                while True:
                    if j >= len(text):
                        raise ValueError("missing closing quote in property name")
                    if text[j] == '"':
                        j += 1
                        break
                    if text[j] == "\\" and j + 1 < len(text) and text[j + 1] == '"':
                        key.append('"')
                        j += 2
                    else:
                        key.append(text[j])
                        j += 1
                if j >= len(text) or text[j] != "]":
                    raise ValueError("missing closing bracket in property access")
                accessors.append(("key", "".join(key)))
                i = j + 1
            else:
                j = text.find("]", i)
                if j < 0:
                    raise ValueError("missing closing bracket in list index")
                if not accessors:
                    raise ValueError("the root property must be a string subscript or a name")
                accessors.append(int(text[i + 1:j]))
                i = j + 1
        else:
            j = i
            while j < len(text) and text[j] not in ".[}":
                j += 1
            accessors.append(text[i:j])
            i = j
    raise ValueError("unterminated interpolation")


def parse_interpolation(s, where):
    """[str | Access] parts of a Pulumi YAML string."""
    parts, buf, rest = [], [], s
    while rest:
        if rest.startswith("$$"):
            buf.append("$")
            rest = rest[2:]
        elif rest.startswith("${"):
            acc, rest = parse_access(rest[2:], where)
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(acc)
        else:
            buf.append(rest[0])
            rest = rest[1:]
    if buf:
        parts.append("".join(buf))
    return parts


# ---------------------------------------------------------------------------------------- SDK views


def registry():
    spec = importlib.util.find_spec("pulumi_aws")
    src = open(spec.origin, encoding="utf-8").read()
    reg = {}
    for block in re.findall(r'resource_(?:modules|packages)="""(.*?)"""', src, re.S):
        for e in json.loads(block):
            if "classes" in e:
                for tok, cls in e["classes"].items():
                    reg[tok] = (e["fqn"], cls)
            elif "token" in e:
                reg[e["token"]] = (e["fqn"], e["class"])
    return reg


REG = None


def resource_class(token):
    global REG
    if REG is None:
        REG = registry()
    if token not in REG:
        return None
    fqn, name = REG[token]
    return getattr(importlib.import_module(fqn), name)


def args_class(cls):
    mod = sys.modules[cls.__module__]
    for n in getattr(mod, "__all__", []):
        c = getattr(mod, n, None)
        if n.endswith("Args") and isinstance(c, type) and ptypes.is_input_type(c):
            return c
    return getattr(mod, cls.__name__ + "Args", None)


def function(token):
    """(python function, {pulumi arg name: python param}, result class) of an invoke token."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    mod = parts[1].split("/")[0]
    modname = "pulumi_aws" if mod == "index" else f"pulumi_aws.{mod + '_' if keyword.iskeyword(mod) else mod}"
    try:
        module = importlib.import_module(modname)
    except ImportError:
        return None
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", parts[2]).lower()
    fn = getattr(module, snake, None)
    if fn is None or not callable(fn):
        return None
    src = inspect.getsource(fn)
    if f"invoke('{token}'" not in src:
        return None
    names = dict(re.findall(r"__args__\['([^']+)'\] = (\w+)", src))
    fmod = inspect.getmodule(fn)
    result = None
    for n in getattr(fmod, "__all__", []):
        c = getattr(fmod, n, None)
        if n.endswith("Result") and not n.startswith("Awaitable") and isinstance(c, type):
            result = c
    return fn, names, result


def alternatives(tp):
    origin = typing.get_origin(tp)
    if origin is typing.Union or type(tp).__name__ == "UnionType":
        out = []
        for a in typing.get_args(tp):
            out += alternatives(a)
        return out
    if tp is NoneType or origin is cabc.Awaitable or origin is pulumi.Output or tp is pulumi.Output:
        return []
    if isinstance(tp, typing.ForwardRef) or typing.is_typeddict(tp):
        return []  # the *ArgsDict TypedDict twins of input types
    return [tp]


def is_obj(tp):
    return isinstance(tp, type) and (ptypes.is_input_type(tp) or ptypes.is_output_type(tp))


def obj_fields(tp):
    return ptypes.input_type_types(tp) if ptypes.is_input_type(tp) else ptypes.output_type_types(tp)


def seq_of(tp):
    if typing.get_origin(tp) in (cabc.Sequence, list, typing.Sequence):
        a = typing.get_args(tp)
        return a[0] if a else typing.Any
    return None


def map_of(tp):
    if typing.get_origin(tp) in (cabc.Mapping, dict, typing.Mapping):
        a = typing.get_args(tp)
        return a[1] if len(a) == 2 else typing.Any
    return None


# ---------------------------------------------------------------------------------------- type checks

UNKNOWN = object()  # a value known only at deployment


def check_value(val, tp, path):
    if val is None or val is UNKNOWN:
        return
    alts = alternatives(tp)
    if not alts:
        return
    errs_per = []
    for a in alts:
        e = []
        check_one(val, a, path, e)
        if not e:
            return
        errs_per.append(e)
    best = min(errs_per, key=len)
    for e in best:
        ERRORS.append(e)


def check_one(val, tp, path, errs):
    if tp is typing.Any or tp is object:
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        allowed = [e.value for e in tp]
        if val not in allowed:
            errs.append(f"{path}: {val!r} is not one of {allowed}")
        return
    if tp is str:
        if not isinstance(val, str):
            errs.append(f"{path}: expected a string, got {type(val).__name__} {val!r}")
        return
    if tp is bool:
        if not isinstance(val, bool):
            errs.append(f"{path}: expected a boolean, got {type(val).__name__} {val!r}")
        return
    if tp in (int, float):
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            errs.append(f"{path}: expected a number, got {type(val).__name__} {val!r}")
        elif tp is int and isinstance(val, float) and not val.is_integer():
            errs.append(f"{path}: expected an integer, got {val!r}")
        return
    el = seq_of(tp)
    if el is not None:
        if not isinstance(val, list):
            errs.append(f"{path}: expected a list, got {type(val).__name__}")
            return
        for i, v in enumerate(val):
            check_value(v, el, f"{path}[{i}]")
        return
    vt = map_of(tp)
    if vt is not None:
        if not isinstance(val, dict):
            errs.append(f"{path}: expected a map, got {type(val).__name__}")
            return
        for k, v in val.items():
            check_value(v, vt, f"{path}.{k}")
        return
    if is_obj(tp):
        if not isinstance(val, dict):
            errs.append(f"{path}: expected an object ({tp.__name__}), got {type(val).__name__}")
            return
        check_object(val, tp, path)
        return
    # assets, archives, resources: accepted


def check_object(props, cls, path):
    fields = obj_fields(cls)
    required = ptypes._required_property_names(cls) if ptypes.is_input_type(cls) else set()
    for k, v in props.items():
        if k not in fields:
            error(path, f"unknown property {k!r} (known: {', '.join(sorted(fields))})")
            continue
        check_value(v, fields[k], f"{path}.{k}")
    for r in sorted(set(required) - {k for k, v in props.items() if v is not None}):
        error(path, f"missing required property {r!r}")


def to_python(val, tp):
    """camelCase YAML value -> SDK keyword value (snake_case keys of input types)."""
    if val is None or val is UNKNOWN:
        return None
    for a in alternatives(tp):
        if is_obj(a) and isinstance(val, dict):
            fields = obj_fields(a)
            names = {p: py for py, p in ptypes.input_type_py_to_pulumi_names(a).items()} \
                if ptypes.is_input_type(a) else {}
            return {names.get(k, k): to_python(v, fields.get(k, typing.Any)) for k, v in val.items()}
        el = seq_of(a)
        if el is not None and isinstance(val, list):
            return [to_python(v, el) for v in val]
        vt = map_of(a)
        if vt is not None and isinstance(val, dict):
            return {k: to_python(v, vt) for k, v in val.items()}
    return val


# ---------------------------------------------------------------------------------------- mock values


def mock_value(tp, label, depth=0):
    """A deployment-time value of an output type: strings are labels, lists have 3 elements."""
    if depth > 8:
        return None
    alts = alternatives(tp)
    if not alts:
        return None
    tp = alts[0]
    if tp is str:
        return f"mock-{label}"
    if tp is bool:
        return False
    if tp in (int, float):
        return 1
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return list(tp)[0].value
    el = seq_of(tp)
    if el is not None:
        return [mock_value(el, f"{label}[{i}]", depth + 1) for i in range(3)]
    if map_of(tp) is not None:
        return {}
    if is_obj(tp):
        return {k: mock_value(t, f"{label}.{k}", depth + 1) for k, t in obj_fields(tp).items()}
    return None


def mock_state(cls, name, inputs):
    state = {k: mock_value(t, f"{name}.{k}") for k, t in ptypes.resource_types(cls).items()}
    for k, v in inputs.items():
        if v is not None:
            state[k] = v
    return state


WIRE = {}


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        WIRE[args.name] = json.loads(json.dumps(dict(args.inputs), default=str))
        return [f"{args.name}-id", {}]

    def call(self, args):
        return {}


# ---------------------------------------------------------------------------------------- program

KNOWN_TOP = {"name", "runtime", "description", "config", "variables", "resources", "outputs",
             "backend", "options", "template", "plugins", "packages", "main", "author", "license",
             "website", "stackConfigDir"}
CONFIG_TYPES = {"string", "integer", "boolean", "array", "object"}
CONFIG_KEYS = {"type", "description", "default", "secret", "items", "value"}
OPTION_KEYS = {"provider", "dependsOn", "customTimeouts", "protect", "ignoreChanges", "parent",
               "deleteBeforeReplace", "retainOnDelete", "replaceOnChanges", "aliases", "version",
               "additionalSecretOutputs", "import", "deletedWith", "providers", "pluginDownloadURL"}


class Program:
    def __init__(self, doc):
        self.doc = doc
        self.config_decl = doc.get("config") or {}
        self.vars_decl = doc.get("variables") or {}
        self.res_decl = doc.get("resources") or {}
        self.config = {}
        self.vars = {}
        self.var_types = {}
        self.var_stack = []
        self.state = {}   # resource name -> evaluated state (camelCase)
        self.classes = {}  # resource name -> SDK class
        self.objects = {}  # resource name -> SDK object
        self.props = {}   # resource name -> evaluated properties

    # ---- names
    def check_namespace(self):
        seen = {}
        for section, names in (("config", self.config_decl), ("variables", self.vars_decl),
                               ("resources", self.res_decl)):
            for n in names:
                if n in seen:
                    error(f"{section}.{n}", f"name also used in {seen[n]}")
                seen[n] = section

    def load_config(self):
        for k, spec in self.config_decl.items():
            where = f"config.{k}"
            if not isinstance(spec, dict):
                self.config[k] = spec
                continue
            for key in spec:
                if key not in CONFIG_KEYS:
                    error(where, f"unknown config key {key!r}")
            ty = spec.get("type")
            if ty not in CONFIG_TYPES:
                error(where, f"config type {ty!r} is not one of {sorted(CONFIG_TYPES)}")
            if "default" in spec:
                d = spec["default"]
                ok = {"string": isinstance(d, str), "integer": isinstance(d, int) and not isinstance(d, bool),
                      "boolean": isinstance(d, bool), "array": isinstance(d, list),
                      "object": isinstance(d, dict)}.get(ty, True)
                if not ok:
                    error(where, f"default {d!r} is not a {ty}")
                self.config[k] = self.literal(d, where)
            else:
                self.config[k] = {"string": f"cfg-{k}", "integer": 1, "boolean": False,
                                  "array": [], "object": {}}.get(ty, f"cfg-{k}")

    def literal(self, v, where):
        """A config default: strings still follow the interpolation rule (no accesses allowed)."""
        if isinstance(v, str):
            parts = parse_interpolation(v, where)
            if any(isinstance(p, Access) for p in parts):
                error(where, "a config default cannot interpolate")
            return "".join(p for p in parts if isinstance(p, str))
        if isinstance(v, list):
            return [self.literal(x, where) for x in v]
        if isinstance(v, dict):
            return {k: self.literal(x, where) for k, x in v.items()}
        return v

    # ---- evaluation
    def eval(self, node, where):
        if isinstance(node, str):
            return self.eval_string(node, where)
        if isinstance(node, list):
            return [self.eval(x, f"{where}[{i}]") for i, x in enumerate(node)]
        if isinstance(node, dict):
            if len(node) == 1:
                (k, v), = node.items()
                if isinstance(k, str) and k.lower().startswith("fn::"):
                    return self.builtin(k[4:].lower(), v, f"{where}.{k}")
            out = {}
            for k, v in node.items():
                key = self.eval_string(k, f"{where}.<key {k}>") if isinstance(k, str) else k
                if not isinstance(key, str):
                    error(where, f"object key {k!r} does not evaluate to a string")
                    key = str(key)
                out[key] = self.eval(v, f"{where}.{k}")
            return out
        return node

    def eval_string(self, s, where):
        try:
            parts = parse_interpolation(s, where)
        except ValueError as e:
            error(where, f"bad interpolation in {s!r}: {e}")
            return None
        if len(parts) == 1 and isinstance(parts[0], Access):
            return self.resolve(parts[0], where)
        out = []
        for p in parts:
            if isinstance(p, Access):
                v = self.resolve(p, where)
                if v is UNKNOWN:
                    return UNKNOWN
                if isinstance(v, (dict, list)):
                    error(where, f"${{{p}}} interpolates a {type(v).__name__} into a string")
                out.append(json.dumps(v) if isinstance(v, bool) else str(v))
            else:
                out.append(p)
        return "".join(out)

    def resolve(self, acc, where):
        root = acc.root
        if root in self.res_decl:
            if root not in self.classes:
                self.build(root)
            cls = self.classes.get(root)
            if cls is None:
                return UNKNOWN
            if not acc.steps:
                return self.state[root].get("id", f"{root}-id")
            first, rest = acc.steps[0], acc.steps[1:]
            if first in ("id", "urn"):
                return f"{root}-{first}"
            types = ptypes.resource_types(cls)
            if not isinstance(first, str) or first not in types:
                error(where, f"${{{acc}}}: {cls.__name__} has no output property {first!r}")
                return UNKNOWN
            return self.walk(self.state[root].get(first), types[first], rest, acc, where)
        if root in self.vars_decl:
            val = self.variable(root)
            tp = self.var_types.get(root, typing.Any)
            return self.walk(val, tp, acc.steps, acc, where)
        if root in self.config:
            return self.walk(self.config[root], typing.Any, acc.steps, acc, where)
        error(where, f"${{{acc}}}: {root!r} is neither a config key, a variable nor a resource")
        return UNKNOWN

    def walk(self, val, tp, steps, acc, where):
        for s in steps:
            if val is UNKNOWN:
                return UNKNOWN
            alts = alternatives(tp) or [typing.Any]
            t = alts[0]
            if isinstance(s, int):
                el = seq_of(t)
                if el is None and t is not typing.Any:
                    error(where, f"${{{acc}}}: cannot index a {getattr(t, '__name__', t)}")
                    return UNKNOWN
                if not isinstance(val, list) or s >= len(val):
                    error(where, f"${{{acc}}}: index {s} out of range")
                    return UNKNOWN
                val, tp = val[s], (el or typing.Any)
            else:
                name = s[1] if isinstance(s, tuple) else s
                if is_obj(t):
                    fields = obj_fields(t)
                    if name not in fields:
                        error(where, f"${{{acc}}}: {t.__name__} has no property {name!r} "
                                     f"(known: {', '.join(sorted(fields))})")
                        return UNKNOWN
                    tp = fields[name]
                elif map_of(t) is not None:
                    tp = map_of(t)
                elif t is not typing.Any:
                    error(where, f"${{{acc}}}: cannot read {name!r} of a {getattr(t, '__name__', t)}")
                    return UNKNOWN
                if not isinstance(val, dict) or name not in val:
                    if t is typing.Any:
                        error(where, f"${{{acc}}}: no {name!r} in the value")
                    return UNKNOWN
                val = val[name]
        return val

    def variable(self, name):
        if name in self.vars:
            return self.vars[name]
        if name in self.var_stack:
            error(f"variables.{name}", "cycle: " + " -> ".join(self.var_stack + [name]))
            return UNKNOWN
        self.var_stack.append(name)
        node = self.vars_decl[name]
        where = f"variables.{name}"
        if isinstance(node, dict) and len(node) == 1 and next(iter(node)).lower() == "fn::invoke":
            val, tp = self.invoke(next(iter(node.values())), where + ".fn::invoke")
            self.var_types[name] = tp
        else:
            val = self.eval(node, where)
        self.var_stack.pop()
        self.vars[name] = val
        return val

    def builtin(self, fn, arg, where):
        if fn == "invoke":
            return self.invoke(arg, where)[0]
        a = self.eval(arg, where)
        if fn == "tojson":
            return UNKNOWN if has_unknown(a) else json.dumps(a, separators=(",", ":"), ensure_ascii=False)
        if fn == "secret":
            return a
        if fn == "join":
            if not (isinstance(a, list) and len(a) == 2 and isinstance(a[1], list)):
                error(where, "fn::join takes [delimiter, list]")
                return UNKNOWN
            return UNKNOWN if has_unknown(a) else a[0].join(str(x) for x in a[1])
        if fn == "select":
            if not (isinstance(a, list) and len(a) == 2):
                error(where, "fn::select takes [index, list]")
                return UNKNOWN
            if has_unknown(a):
                return UNKNOWN
            return a[1][int(a[0])]
        if fn in ("filearchive", "fileasset", "stringasset", "remoteasset", "remotearchive"):
            return {"fn::" + fn: a}
        error(where, f"builtin fn::{fn} is not supported by this validator")
        return UNKNOWN

    def invoke(self, spec, where):
        if not isinstance(spec, dict):
            error(where, "fn::invoke takes an object")
            return UNKNOWN, typing.Any
        for k in spec:
            if k not in ("function", "arguments", "options", "return"):
                error(where, f"unknown fn::invoke key {k!r}")
        tok = spec.get("function")
        found = function(tok) if isinstance(tok, str) else None
        if found is None:
            error(where, f"unknown function {tok!r}")
            return UNKNOWN, typing.Any
        fn, names, result = found
        args = self.eval(spec.get("arguments") or {}, where + ".arguments")
        hints = typing.get_type_hints(fn, globalns=vars(inspect.getmodule(fn)))
        kwargs = {}
        for k, v in (args or {}).items():
            if k not in names:
                error(f"{where}.arguments", f"{tok} has no argument {k!r} (known: {', '.join(sorted(names))})")
                continue
            tp = hints.get(names[k], typing.Any)
            check_value(v, tp, f"{where}.arguments.{k}")
            kwargs[names[k]] = to_python(v, tp)
        for k, v in (spec.get("options") or {}).items():
            if k not in ("provider", "parent", "version", "pluginDownloadURL", "dependsOn"):
                error(f"{where}.options", f"unknown invoke option {k!r}")
            elif k == "provider":
                self.check_provider(v, f"{where}.options.provider")
        if not has_unknown(kwargs):
            try:
                fn(**kwargs)
            except TypeError as e:
                error(where, f"{tok} rejected its arguments: {e}")
            except Exception:  # noqa: BLE001 - mocks return no values; only the call shape matters
                pass
        if result is None:
            return UNKNOWN, typing.Any
        fields = ptypes.output_type_types(result)
        value = {k: mock_value(t, f"{tok.split(':')[-1]}.{k}") for k, t in fields.items()}
        for k, v in (args or {}).items():
            if k in value and v is not None:
                value[k] = v
        ret = spec.get("return")
        if ret is not None:
            if ret not in fields:
                error(f"{where}.return", f"{tok} returns no {ret!r} (known: {', '.join(sorted(fields))})")
                return UNKNOWN, typing.Any
            return value[ret], fields[ret]
        return value, result

    def check_provider(self, ref, where):
        if not (isinstance(ref, str) and ref.startswith("${") and ref.endswith("}")):
            error(where, f"provider must be a reference to a provider resource, got {ref!r}")
            return None
        name = ref[2:-1]
        decl = self.res_decl.get(name)
        if not isinstance(decl, dict) or not str(decl.get("type", "")).startswith("pulumi:providers:"):
            error(where, f"{ref} is not a provider resource")
            return None
        if name not in self.objects:
            self.build(name)
        return self.objects.get(name)

    # ---- resources
    def refs(self, node, out):
        if isinstance(node, str):
            try:
                for p in parse_interpolation(node, ""):
                    if isinstance(p, Access):
                        out.add(p.root)
            except ValueError:
                pass
        elif isinstance(node, list):
            for x in node:
                self.refs(x, out)
        elif isinstance(node, dict):
            for k, v in node.items():
                self.refs(k, out)
                self.refs(v, out)
        return out

    def build(self, name):
        if name in self.classes:
            return
        self.classes[name] = None
        decl = self.res_decl[name]
        where = f"resources.{name}"
        if not isinstance(decl, dict):
            error(where, "a resource must be an object")
            return
        for k in decl:
            if k not in ("type", "properties", "options", "get", "defaultProvider"):
                error(f"{where}.{k}", "unknown resource key")
        token = decl.get("type")
        cls = resource_class(token) if isinstance(token, str) else None
        if cls is None and token == "pulumi:providers:aws":
            import pulumi_aws
            cls = pulumi_aws.Provider
        if cls is None:
            error(where, f"unknown resource type {token!r}")
            return
        acls = args_class(cls)
        props = self.eval(decl.get("properties") or {}, f"{where}.properties")
        if not isinstance(props, dict):
            error(f"{where}.properties", "properties must be an object")
            props = {}
        fields = ptypes.input_type_types(acls) if acls else {}
        check_object(props, acls, f"{where}.properties") if acls else None
        self.props[name] = props
        opts = self.options(decl.get("options") or {}, f"{where}.options")
        py = {p: pyn for pyn, p in ptypes.input_type_py_to_pulumi_names(acls).items()} if acls else {}
        kwargs = {py.get(k, k): to_python(v, fields.get(k, typing.Any))
                  for k, v in props.items() if v is not None and v is not UNKNOWN and not has_unknown(v)}
        self.classes[name] = cls
        self.state[name] = mock_state(cls, name, props)
        try:
            self.objects[name] = cls(name, opts=opts, **kwargs)
        except TypeError as e:
            error(where, f"the SDK rejected the resource: {e}")
        except Exception as e:  # noqa: BLE001
            error(where, f"the SDK raised {type(e).__name__}: {e}")

    def options(self, opts, where):
        if not isinstance(opts, dict):
            error(where, "options must be an object")
            return None
        o = {}
        for k, v in opts.items():
            if k not in OPTION_KEYS:
                error(f"{where}.{k}", "unknown resource option")
                continue
            if k == "provider":
                p = self.check_provider(v, f"{where}.provider")
                if p is not None:
                    o["provider"] = p
            elif k == "dependsOn":
                deps = []
                for i, d in enumerate(v if isinstance(v, list) else [v]):
                    n = d[2:-1] if isinstance(d, str) and d.startswith("${") and d.endswith("}") else None
                    if n not in self.res_decl:
                        error(f"{where}.dependsOn[{i}]", f"{d!r} is not a resource reference")
                        continue
                    self.build(n)
                    if n in self.objects:
                        deps.append(self.objects[n])
                o["depends_on"] = deps
            elif k == "customTimeouts":
                ct = self.eval(v, f"{where}.customTimeouts")
                bad = set(ct or {}) - {"create", "update", "delete"}
                if bad:
                    error(f"{where}.customTimeouts", f"unknown keys {sorted(bad)}")
                o["custom_timeouts"] = pulumi.CustomTimeouts(**(ct or {}))
            elif k == "protect":
                o["protect"] = bool(v)
        return pulumi.ResourceOptions(**o)


def has_unknown(x):
    if x is UNKNOWN:
        return True
    if isinstance(x, dict):
        return any(has_unknown(v) for v in x.values())
    if isinstance(x, list):
        return any(has_unknown(v) for v in x)
    return False


def plain(x):
    if x is UNKNOWN:
        return "<unknown>"
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [plain(v) for v in x]
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    try:
        with open(a.file, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except (OSError, yaml.YAMLError) as e:
        print(f"cannot load {a.file}: {e}", file=sys.stderr)
        return 2
    if not isinstance(doc, dict):
        print(f"{a.file}: the top level is not a map", file=sys.stderr)
        return 2
    for k in doc:
        if k not in KNOWN_TOP:
            error(k, "unknown top-level key")
    if doc.get("runtime") != "yaml":
        error("runtime", f"expected 'yaml', got {doc.get('runtime')!r}")
    if not doc.get("name"):
        error("name", "missing project name")
    prog = Program(doc)
    prog.check_namespace()
    prog.load_config()
    pulumi.runtime.set_mocks(Mocks(), project=str(doc.get("name", "project")), stack="test", preview=False)
    outputs = {}

    @pulumi.runtime.test
    def run():
        for v in prog.vars_decl:
            prog.variable(v)
        for n in prog.res_decl:
            prog.build(n)
        for k, v in (doc.get("outputs") or {}).items():
            outputs[k] = prog.eval(v, f"outputs.{k}")
        objs = list(prog.objects.values())
        return pulumi.Output.all(*[o.urn for o in objs])

    try:
        run()
    except Exception as e:  # noqa: BLE001
        error("program", f"{type(e).__name__} under mocks: {e}")
    for name, props in prog.props.items():
        if name not in WIRE or prog.classes.get(name) is None:
            continue
        for k, v in props.items():
            if v is not None and v is not UNKNOWN and k not in WIRE[name]:
                error(f"resources.{name}.properties.{k}", f"did not reach the engine (sent: {sorted(WIRE[name])})")
    report = {
        "errors": ERRORS,
        "resources": {n: {"type": (prog.res_decl.get(n) or {}).get("type"),
                          "properties": plain(prog.props.get(n, {})),
                          "wire": WIRE.get(n)} for n in prog.res_decl},
        "variables": {n: plain(v) for n, v in prog.vars.items()},
        "config": plain(prog.config),
        "outputs": plain(outputs),
    }
    if a.json:
        print(json.dumps(report, indent=1, sort_keys=True, default=str))
    else:
        print(f"{a.file}: {len(prog.res_decl)} resources, {len(WIRE)} constructed under mocks")
        for e in ERRORS:
            print("ERROR", e)
        print(f"{len(ERRORS)} errors")
    return 1 if ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
