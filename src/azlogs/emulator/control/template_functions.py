"""ARM template functions (``concat``, ``format``, ``resourceId``, ``guid`` ...) and what they see, without I/O.

:data:`FUNCTIONS` maps each lower-case function name to its implementation; the evaluator
(:mod:`template_expr`) calls them with evaluated arguments. The functions that need the deployment (``parameters()``, ``resourceId()``, ``reference()`` ...) get
it from an :class:`Env`; ``reference()`` calls back into the caller, so this module never touches state.
Function semantics follow Microsoft Learn's template function reference (azure-resource-manager/
templates/template-functions-*.md); ``guid()`` is the documented UUID v5 over namespace
``11fb06fb-712d-4ddd-98c7-e71bbd588830`` of the arguments joined by ``-``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

GUID_NAMESPACE: Final = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
FUNCTIONS_HELP: Final = "Please see https://aka.ms/arm-functions for usage details."


class TemplateError(Exception):
    """A template ARM refuses before deploying it (``InvalidTemplate``), with ARM-style wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scope:
    """Where a deployment runs: what ``subscription()``, ``resourceGroup()`` and ``deployment()`` return."""

    subscription_id: str
    tenant_id: str
    resource_group: str
    location: str
    deployment_name: str
    subscription_name: str = ""

    @property
    def resource_group_id(self) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"


# reference(resource id, api-version or None, full) -> the resource's properties (or whole document).
Reference = Callable[[str, str | None, bool], Any]


@dataclass
class Env:
    """What an expression can see; ``variables_done``/``evaluating`` are the evaluator's memo of variables."""

    scope: Scope
    parameters: Mapping[str, Any] = field(default_factory=dict)
    raw_variables: Mapping[str, Any] = field(default_factory=dict)
    reference: Reference | None = None
    variables_done: dict[str, Any] = field(default_factory=dict)
    evaluating: set[str] = field(default_factory=set)
    # copy loops: loop name (lower case) -> current index, and the innermost loop's name
    copy_indexes: dict[str, int] = field(default_factory=dict)
    current_loop: str | None = None
    copies_made: int = 0  # property and variable copies expanded so far (bounded: nested loops multiply)


def find_key(obj: Mapping[str, Any], name: str) -> str | None:
    if name in obj:
        return name
    low = name.lower()
    for k in obj:
        if k.lower() == low:
            return k
    return None


# --- helpers shared with the evaluator ---------------------------------------------------------


def json_type(value: Any) -> str:
    """The JSON type name ARM's messages use for ``value``."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, Mapping):
        return "Object"
    return "Null"


def arity(name: str, args: Sequence[Any], low: int, high: int | None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if low == high else f"{low} to {high}" if high is not None else f"at least {low}"
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': function requires {want} "
            f"argument(s) while {len(args)} were provided. {FUNCTIONS_HELP}"
        )


def _wrong_argument(name: str, want: str, value: Any) -> TemplateError:
    return TemplateError(
        f"Unable to evaluate template language function '{name}': the argument must be {want}, "
        f"not '{json_type(value)}'. {FUNCTIONS_HELP}"
    )


def as_str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _wrong_argument(name, "a string", value)
    return value


def as_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _wrong_argument(name, "an integer", value)
    return value


def as_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _wrong_argument(name, "a boolean", value)
    return value


def to_string(value: Any) -> str:
    """``string()``: strings unchanged, booleans ``True``/``False`` (.NET), objects and arrays as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    _check_nodes(value)
    return json.dumps(value, separators=(",", ":"))


MAX_NODES: Final = 100_000


def _check_nodes(value: Any) -> None:
    """Refuse to serialize a value with more than MAX_NODES parts (shared parts count every time)."""
    count, stack = 0, [value]
    while stack:
        v = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise TemplateError(f"The value is too big to convert to a string: more than {MAX_NODES} parts.")
        if isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def resource_id_from(env: Env, name: str, args: Sequence[Any]) -> str:
    """``resourceId([subscriptionId], [resourceGroupName], type, name1, [name2] ...)``."""
    strings = [as_str(name, a) for a in args]
    type_at = next((i for i, s in enumerate(strings) if "/" in s), None)
    if type_at is None or type_at > 2:
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': the resource type must be given as "
            f"'{{namespace}}/{{type}}'. {FUNCTIONS_HELP}"
        )
    before, rtype, names = strings[:type_at], strings[type_at], strings[type_at + 1 :]
    namespace, *types = rtype.split("/")
    if len(types) != len(names) or not names:
        raise TemplateError(
            f"Unable to evaluate template language function '{name}': the type '{rtype}' requires "
            f"{len(types)} resource name argument(s). {FUNCTIONS_HELP}"
        )
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    if name == "tenantresourceid":
        return f"/providers/{namespace}/{tail}"
    sub = env.scope.subscription_id
    if name == "subscriptionresourceid":
        if len(before) > 1:
            raise TemplateError(
                f"Unable to evaluate template language function '{name}': too many arguments."
            )
        sub = before[0] if before else sub
        return f"/subscriptions/{sub}/providers/{namespace}/{tail}"
    rg = env.scope.resource_group
    if len(before) == 2:
        sub, rg = before
    elif len(before) == 1:
        rg = before[0]
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{tail}"


def _format(env: Env, args: list[Any]) -> str:
    arity("format", args, 1, None)
    pattern = as_str("format", args[0])
    values = args[1:]

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        i = int(m.group(1))
        if i >= len(values):
            raise TemplateError(
                "Unable to evaluate template language function 'format': index (zero based) must be "
                "greater than or equal to zero and less than the size of the argument list."
            )
        return to_string(values[i])

    return re.sub(r"\{\{|\}\}|\{(\d+)(?::[^}]*)?\}", sub, pattern)


def unique_string(*parts: str) -> str:
    """13 lowercase base32 characters, stable for the same arguments (not ARM's own hash: differences.md)."""
    digest = hashlib.sha256("-".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:13]


def _concat(env: Env, args: list[Any]) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [x for a in args for x in a]
    return "".join(to_string(a) for a in args)


def _contains(env: Env, args: list[Any]) -> bool:
    arity("contains", args, 2, 2)
    container, item = args
    if isinstance(container, str):
        return to_string(item).lower() in container.lower()
    if isinstance(container, Mapping):
        return find_key(container, to_string(item)) is not None
    if isinstance(container, list):
        return item in container
    raise TemplateError("Unable to evaluate template language function 'contains': wrong argument type.")


def _empty(env: Env, args: list[Any]) -> bool:
    arity("empty", args, 1, 1)
    value = args[0]
    return value is None or (isinstance(value, str | list | Mapping) and len(value) == 0)


def _length(env: Env, args: list[Any]) -> int:
    arity("length", args, 1, 1)
    if isinstance(args[0], str | list | Mapping):
        return len(args[0])
    raise TemplateError("Unable to evaluate template language function 'length': wrong argument type.")


def _parameters(env: Env, args: list[Any]) -> Any:
    arity("parameters", args, 1, 1)
    name = as_str("parameters", args[0])
    key = find_key(env.parameters, name)
    if key is None:
        raise TemplateError(f"The template parameter '{name}' is not found. {FUNCTIONS_HELP}")
    return env.parameters[key]


def _reference(env: Env, args: list[Any]) -> Any:
    arity("reference", args, 1, 3)
    target = as_str("reference", args[0])
    api_version = as_str("reference", args[1]) if len(args) > 1 else None
    full = len(args) > 2 and as_str("reference", args[2]).lower() == "full"
    if env.reference is None:
        raise TemplateError(
            "The template function 'reference' is not expected at this location. It can only be used in "
            "resource properties and outputs."
        )
    if not target.startswith("/"):
        # A name or 'type/name' in this resource group.
        parts = target.split("/")
        if len(parts) >= 3:
            target = resource_id_from(env, "resourceid", ["/".join(parts[:2]), *parts[2:]])
    return env.reference(target, api_version, full)


def _copy_index(env: Env, args: list[Any]) -> int:
    """``copyIndex([loopName], [offset])``: the iteration of a copy loop."""
    arity("copyIndex", args, 0, 2)
    loop = env.current_loop
    offset = 0
    if args and isinstance(args[0], str):
        loop = args[0].lower()
        args = args[1:]
    if args:
        offset = as_int("copyIndex", args[0])
    if loop is None or loop not in env.copy_indexes:
        raise TemplateError(
            "The template function 'copyIndex' is not expected at this location. It can only be used within "
            "a resource, property or variable copy loop."
        )
    return env.copy_indexes[loop] + offset


def _replace(env: Env, args: list[Any]) -> str:
    arity("replace", args, 3, 3)
    return as_str("replace", args[0]).replace(as_str("replace", args[1]), as_str("replace", args[2]))


def _substring(env: Env, args: list[Any]) -> str:
    arity("substring", args, 2, 3)
    text = as_str("substring", args[0])
    start = as_int("substring", args[1])
    length = as_int("substring", args[2]) if len(args) > 2 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise TemplateError(
            "Unable to evaluate template language function 'substring': the index and length must refer "
            "to a location within the string."
        )
    return text[start : start + length]


def _subscription(env: Env, args: list[Any]) -> dict[str, Any]:
    arity("subscription", args, 0, 0)
    s = env.scope
    return {
        "id": f"/subscriptions/{s.subscription_id}",
        "subscriptionId": s.subscription_id,
        "tenantId": s.tenant_id,
        "displayName": s.subscription_name,
    }


def _resource_group(env: Env, args: list[Any]) -> dict[str, Any]:
    arity("resourceGroup", args, 0, 0)
    s = env.scope
    return {
        "id": s.resource_group_id,
        "name": s.resource_group,
        "type": "Microsoft.Resources/resourceGroups",
        "location": s.location,
        "properties": {"provisioningState": "Succeeded"},
    }


def _deployment(env: Env, args: list[Any]) -> dict[str, Any]:
    arity("deployment", args, 0, 0)
    return {"name": env.scope.deployment_name, "properties": {"templateLink": None}}


def _not_emulated(name: str) -> Callable[[Env, list[Any]], Any]:
    def fn(env: Env, args: list[Any]) -> Any:
        raise TemplateError(
            f"The template function '{name}' is not supported by the azlogs emulator (it has no keys, "
            "secrets or linked content to give). See docs/control-plane.md."
        )

    return fn


def _compare(name: str, op: Callable[[Any, Any], bool]) -> Callable[[Env, list[Any]], bool]:
    def fn(env: Env, args: list[Any]) -> bool:
        arity(name, args, 2, 2)
        a, b = args
        if type(a) is not type(b) or not isinstance(a, int | str):
            raise TemplateError(
                f"Unable to evaluate template language function '{name}': wrong argument types."
            )
        return op(a, b)

    return fn


def _arith(name: str, op: Callable[[int, int], int]) -> Callable[[Env, list[Any]], int]:
    def fn(env: Env, args: list[Any]) -> int:
        arity(name, args, 2, 2)
        a, b = as_int(name, args[0]), as_int(name, args[1])
        if name in ("div", "mod") and b == 0:
            raise TemplateError(f"Unable to evaluate template language function '{name}': division by zero.")
        return op(a, b)

    return fn


def _one(name: str, fn: Callable[[Any], Any]) -> Callable[[Env, list[Any]], Any]:
    def call(env: Env, args: list[Any]) -> Any:
        arity(name, args, 1, 1)
        return fn(args[0])

    return call


def _json(text: Any) -> Any:
    try:
        return json.loads(as_str("json", text))
    except ValueError as exc:
        raise TemplateError(f"Unable to evaluate template language function 'json': {exc}.") from exc


def _int_of(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"Unable to evaluate template language function 'int': {exc}.") from exc


def _bool_of(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int):
        return value != 0
    raise TemplateError("Unable to evaluate template language function 'bool': wrong argument type.")


def _object(env: Env, args: list[Any]) -> dict[str, Any]:
    if len(args) % 2:
        raise TemplateError(
            "Unable to evaluate template language function 'createObject': odd argument count."
        )
    return {as_str("createObject", args[i]): args[i + 1] for i in range(0, len(args), 2)}


def _union(env: Env, args: list[Any]) -> Any:
    if args and all(isinstance(a, Mapping) for a in args):
        out: dict[str, Any] = {}
        for a in args:
            out.update(a)
        return out
    if args and all(isinstance(a, list) for a in args):
        merged: list[Any] = []
        for a in args:
            merged.extend(x for x in a if x not in merged)
        return merged
    raise TemplateError("Unable to evaluate template language function 'union': wrong argument types.")


def _coalesce(env: Env, args: list[Any]) -> Any:
    return next((a for a in args if a is not None), None)


def _logic(name: str) -> Callable[[Env, list[Any]], bool]:
    def fn(env: Env, args: list[Any]) -> bool:
        arity(name, args, 2, None)
        values = [as_bool(name, a) for a in args]
        return all(values) if name == "and" else any(values)

    return fn


def _split(env: Env, args: list[Any]) -> list[str]:
    arity("split", args, 2, 2)
    text = as_str("split", args[0])
    seps = args[1] if isinstance(args[1], list) else [args[1]]
    pattern = "|".join(re.escape(as_str("split", s)) for s in seps)
    return re.split(pattern, text)


def _fixed(
    name: str, low: int, high: int | None, fn: Callable[[Env, list[Any]], Any]
) -> Callable[[Env, list[Any]], Any]:
    """``fn`` behind ARM's argument-count check."""

    def call(env: Env, args: list[Any]) -> Any:
        arity(name, args, low, high)
        return fn(env, args)

    return call


def _extension_resource_id(env: Env, a: list[Any]) -> str:
    base = as_str("extensionResourceId", a[0]).rstrip("/")
    return f"{base}/providers/" + resource_id_from(env, "tenantresourceid", a[1:]).removeprefix("/providers/")


def _guid(env: Env, a: list[Any]) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "-".join(as_str("guid", x) for x in a)))


def _unique(env: Env, a: list[Any]) -> str:
    return unique_string(*(as_str("uniqueString", x) for x in a))


def _starts(env: Env, a: list[Any]) -> bool:
    return as_str("startsWith", a[0]).lower().startswith(as_str("startsWith", a[1]).lower())


def _ends(env: Env, a: list[Any]) -> bool:
    return as_str("endsWith", a[0]).lower().endswith(as_str("endsWith", a[1]).lower())


def _constant(value: Any) -> Callable[[Env, list[Any]], Any]:
    return lambda env, a: value


def _edge(last: bool) -> Callable[[Any], Any]:
    def fn(v: Any) -> Any:
        if not isinstance(v, list | str) or not v:
            return None
        return v[-1] if last else v[0]

    return fn


FUNCTIONS: Final[dict[str, Callable[[Env, list[Any]], Any]]] = {
    "parameters": _parameters,
    "resourceid": lambda env, a: resource_id_from(env, "resourceid", a),
    "subscriptionresourceid": lambda env, a: resource_id_from(env, "subscriptionresourceid", a),
    "tenantresourceid": lambda env, a: resource_id_from(env, "tenantresourceid", a),
    "extensionresourceid": _fixed("extensionResourceId", 3, None, _extension_resource_id),
    "subscription": _subscription,
    "resourcegroup": _resource_group,
    "deployment": _deployment,
    "reference": _reference,
    "copyindex": _copy_index,
    "concat": _concat,
    "format": _format,
    "guid": _fixed("guid", 1, None, _guid),
    "uniquestring": _fixed("uniqueString", 1, None, _unique),
    "tolower": _one("toLower", lambda v: as_str("toLower", v).lower()),
    "toupper": _one("toUpper", lambda v: as_str("toUpper", v).upper()),
    "trim": _one("trim", lambda v: as_str("trim", v).strip()),
    "string": _one("string", to_string),
    "int": _one("int", _int_of),
    "bool": _one("bool", _bool_of),
    "json": _one("json", _json),
    "length": _length,
    "empty": _empty,
    "contains": _contains,
    "replace": _replace,
    "substring": _substring,
    "split": _split,
    "startswith": _fixed("startsWith", 2, 2, _starts),
    "endswith": _fixed("endsWith", 2, 2, _ends),
    "first": _one("first", _edge(last=False)),
    "last": _one("last", _edge(last=True)),
    "createarray": lambda env, a: list(a),
    "array": _one("array", lambda v: v if isinstance(v, list) else [v]),
    "createobject": _object,
    "union": _union,
    "coalesce": _coalesce,
    "equals": _fixed("equals", 2, 2, lambda env, a: a[0] == a[1]),
    "not": _one("not", lambda v: not as_bool("not", v)),
    "and": _logic("and"),
    "or": _logic("or"),
    "true": _fixed("true", 0, 0, _constant(True)),
    "false": _fixed("false", 0, 0, _constant(False)),
    "null": _fixed("null", 0, 0, _constant(None)),
    "less": _compare("less", lambda x, y: x < y),
    "lessorequals": _compare("lessOrEquals", lambda x, y: x <= y),
    "greater": _compare("greater", lambda x, y: x > y),
    "greaterorequals": _compare("greaterOrEquals", lambda x, y: x >= y),
    "add": _arith("add", lambda x, y: x + y),
    "sub": _arith("sub", lambda x, y: x - y),
    "mul": _arith("mul", lambda x, y: x * y),
    "div": _arith("div", lambda x, y: int(x / y)),
    "mod": _arith("mod", lambda x, y: x - y * int(x / y)),
    "listkeys": _not_emulated("listKeys"),
    "list": _not_emulated("list"),
    "listsecrets": _not_emulated("listSecrets"),
}
