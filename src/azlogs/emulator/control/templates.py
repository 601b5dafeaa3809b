"""ARM deployment templates, without I/O: parameters bound and checked, resources planned in order, outputs.

:func:`plan` reads a template and the deployment's parameter values, checks them as ARM does before
anything is deployed (``InvalidTemplate``: unknown or missing parameters, wrong types, values outside
``allowedValues``/ranges, unknown functions, unknown or circular ``dependsOn``, names that do not fit
their type), and answers a :class:`Plan`: each resource's type, full id, api-version and dependencies,
in an order that honours ``dependsOn``. The resource bodies (``properties`` ...) are evaluated later,
one by one, by :meth:`Plan.body`, because ``reference()`` in them may read a resource deployed just
before. :meth:`Plan.outputs` evaluates ``outputs`` at the end.

Resource ``copy`` loops (``count``, ``copyIndex()``, ``dependsOn`` on the loop's name) and property
and variable ``copy`` arrays are expanded. Not supported, refused with a message that says so:
``languageVersion`` 2.0 templates
(symbolic resource names, ``existing``), nested ``Microsoft.Resources/deployments``, user-defined
``functions``, Key Vault parameter references.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, ParamSpec, TypeVar

from azlogs.emulator.control.template_expr import (
    copy_count,
    evaluate,
    in_loop,
    is_expression,
    leave_loop,
    referenced,
)
from azlogs.emulator.control.template_functions import Env, Reference, Scope, TemplateError, json_type

__all__ = ["Plan", "PlannedResource", "Scope", "TemplateError", "plan", "template_hash"]

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _bounded(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """``fn`` with Python's recursion limit turned into ARM's answer: a template nested too deeply."""

    @functools.wraps(fn)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return fn(*args, **kwargs)
        except RecursionError as exc:
            raise TemplateError("The template or one of its expressions is nested too deeply.") from exc

    return call


# Parameter and output types (folded) -> the spelling ARM answers with in deployment.properties.
TYPES: Final = {
    "string": "String",
    "securestring": "SecureString",
    "int": "Int",
    "bool": "Bool",
    "object": "Object",
    "secureobject": "SecureObject",
    "array": "Array",
}
_SECURE: Final = ("securestring", "secureobject")
_UNSUPPORTED_KEYS: Final = {"functions": "user-defined functions"}


@dataclass(frozen=True)
class PlannedResource:
    """One resource of the template, with everything known before deployment."""

    index: int  # position in the (flattened) template, for messages
    type: str
    name: str
    api_version: str
    resource_id: str
    depends_on: tuple[str, ...]  # resource ids (folded) of template resources this one waits for
    raw: Mapping[str, Any]  # the template's resource object (bodies evaluated later)
    copy: tuple[str, int] | None = None  # (loop name, index) of a resource copy loop


@dataclass
class Plan:
    """A checked template: bound parameters, resources in deployment order, outputs to evaluate."""

    scope: Scope
    parameters: dict[str, tuple[str, Any]]  # name -> (type folded, value)
    resources: list[PlannedResource]  # in an order where every dependency comes first
    raw_outputs: Mapping[str, Any]
    env: Env

    def _resolving(self, reference: Reference) -> Reference:
        """``reference`` that also finds a template resource by ``type/name`` or bare name, as ARM does."""
        ids = {r.resource_id.lower(): r.resource_id for r in self.resources}

        def resolve(target: str, api_version: str | None, full: bool) -> Any:
            if not target.startswith("/"):
                key = _find_dependency(target, ids)
                target = ids[key] if key is not None else target
            return reference(target, api_version, full)

        return resolve

    @_bounded
    def body(self, resource: PlannedResource, reference: Reference) -> dict[str, Any]:
        """The PUT body of ``resource``: its template object without the deployment-only keys, evaluated."""
        self.env.reference = self._resolving(reference)
        saved = in_loop(self.env, *resource.copy) if resource.copy else None
        try:
            out: dict[str, Any] = {}
            for key, value in resource.raw.items():
                if key in _DEPLOYMENT_KEYS:
                    continue
                out[key] = evaluate(value, self.env)
            return out
        finally:
            self.env.reference = None
            if saved is not None:
                leave_loop(self.env, saved)

    @_bounded
    def outputs(self, reference: Reference) -> dict[str, dict[str, Any]]:
        """``outputs`` evaluated, as ARM answers them: ``{name: {"type": "String", "value": ...}}``."""
        self.env.reference = self._resolving(reference)
        try:
            out: dict[str, dict[str, Any]] = {}
            for name, spec in self.raw_outputs.items():
                if not isinstance(spec, Mapping):
                    raise TemplateError(f"The template output '{name}' is not valid: it must be an object.")
                if "condition" in spec and evaluate(spec["condition"], self.env) is False:
                    continue
                kind = str(spec.get("type", "")).lower()
                value = evaluate(spec.get("value"), self.env)
                _check_type(f"output '{name}'", kind, value)
                out[name] = {"type": TYPES[kind], "value": value}
            return out
        finally:
            self.env.reference = None

    def rendered_parameters(self) -> dict[str, dict[str, Any]]:
        """``properties.parameters`` of the deployment: secure values are never shown."""
        out: dict[str, dict[str, Any]] = {}
        for name, (kind, value) in self.parameters.items():
            entry: dict[str, Any] = {"type": TYPES[kind]}
            if kind not in _SECURE:
                entry["value"] = value
            out[name] = entry
        return out


# Keys of a template resource that belong to the deployment, not to the resource's PUT body.
_DEPLOYMENT_KEYS: Final = frozenset(
    {
        "type",
        "apiVersion",
        "name",
        "dependsOn",
        "condition",
        "scope",
        "comments",
        "metadata",
        "resources",
        "copy",
    }
)


def template_hash(template: Any) -> str:
    """A stable decimal hash of the template, shaped like ARM's ``templateHash`` (not ARM's value)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return str(int.from_bytes(digest[:8], "big"))


# --- parameters -------------------------------------------------------------------------------


def _check_type(what: str, kind: str, value: Any) -> None:
    if kind not in TYPES:
        raise TemplateError(
            f"The template {what} has an invalid type '{kind}'. The supported types are "
            f"'{', '.join(TYPES.values())}'."
        )
    ok = {
        "string": isinstance(value, str),
        "securestring": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "object": isinstance(value, Mapping),
        "secureobject": isinstance(value, Mapping),
        "array": isinstance(value, list),
    }[kind]
    if not ok:
        raise TemplateError(
            f"Template {what} was provided an invalid value. Expected a value of type '{TYPES[kind]}', "
            f"but received a value of type '{json_type(value)}'. Please see "
            "https://aka.ms/arm-create-parameter-file for usage details."
        )


def _supplied(parameters: Any) -> dict[str, Any]:
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise TemplateError('The deployment parameters must be an object of {name: {"value": ...}}.')
    out: dict[str, Any] = {}
    for name, entry in parameters.items():
        if isinstance(entry, Mapping) and "reference" in entry:
            raise TemplateError(
                f"The template parameter '{name}' is a Key Vault reference; the azlogs emulator has no Key "
                "Vault. Pass the value itself."
            )
        if not isinstance(entry, Mapping) or "value" not in entry:
            raise TemplateError(
                f"The template parameter '{name}' must be given as {{\"value\": ...}}. Please see "
                "https://aka.ms/arm-create-parameter-file for usage details."
            )
        out[name] = entry["value"]
    return out


def _bind_parameters(declared: Any, parameters: Any, scope: Scope) -> dict[str, tuple[str, Any]]:
    if declared is None:
        declared = {}
    if not isinstance(declared, Mapping):
        raise TemplateError("The template 'parameters' must be an object.")
    supplied = _supplied(parameters)
    folded = {k.lower(): k for k in declared}
    extra = [k for k in supplied if k.lower() not in folded]
    if extra:
        listed = ", ".join(declared)
        raise TemplateError(
            f"The template parameters '{', '.join(extra)}' in the parameters file are not valid; they are not "
            "present in the original template and can therefore not be provided at deployment time. The only "
            f"supported parameters for this template are '{listed}'. Please see "
            "https://aka.ms/arm-pass-parameter-values for usage details."
        )
    by_folded = {k.lower(): v for k, v in supplied.items()}
    bound: dict[str, tuple[str, Any]] = {}
    env = Env(scope=scope, parameters={})
    for name, spec in declared.items():
        if not isinstance(spec, Mapping):
            raise TemplateError(f"The template parameter '{name}' is not valid: it must be an object.")
        kind = str(spec.get("type", "")).lower()
        if name.lower() in by_folded:
            value = by_folded[name.lower()]
        elif "defaultValue" in spec:
            # A default may use earlier parameters and resourceGroup()/subscription(), not variables.
            env.parameters = {k: v for k, (_, v) in bound.items()}
            value = evaluate(spec["defaultValue"], env)
        else:
            raise TemplateError(
                f"Deployment template validation failed: 'The value for the template parameter '{name}' is "
                "not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'."
            )
        _check_type(f"parameter '{name}'", kind, value)
        _check_constraints(name, spec, value)
        bound[name] = (kind, value)
    return bound


def _check_constraints(name: str, spec: Mapping[str, Any], value: Any) -> None:
    allowed = spec.get("allowedValues")
    if isinstance(allowed, list):
        candidates = value if isinstance(value, list) else [value]
        bad = [v for v in candidates if v not in allowed]
        if bad:
            listed = ",".join(str(a) for a in allowed)
            raise TemplateError(
                f"Deployment template validation failed: 'The provided value '{bad[0]}' for the template "
                f"parameter '{name}' is not valid. The value must be one of the allowed values: '{listed}'.'."
            )
    for key, sign, word in (
        ("minValue", 1, "less than the minimum"),
        ("maxValue", -1, "greater than the maximum"),
    ):
        limit = spec.get(key)
        if isinstance(limit, int) and isinstance(value, int) and (value - limit) * sign < 0:
            raise TemplateError(
                f"Deployment template validation failed: 'The provided value '{value}' for the template "
                f"parameter '{name}' is {word} value '{limit}'.'."
            )
    for key, sign, word in (
        ("minLength", 1, "shorter than the minimum"),
        ("maxLength", -1, "longer than the maximum"),
    ):
        limit = spec.get(key)
        if isinstance(limit, int) and isinstance(value, str | list) and (len(value) - limit) * sign < 0:
            raise TemplateError(
                f"Deployment template validation failed: 'The provided value for the template parameter "
                f"'{name}' is {word} length '{limit}'.'."
            )


# --- resources --------------------------------------------------------------------------------


def _flatten(resources: Any, parent: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """Template resources with nested child ``resources`` lifted to the top (type and name joined)."""
    if resources is None:
        return []
    if not isinstance(resources, list):
        raise TemplateError("The template 'resources' must be an array.")
    out: list[dict[str, Any]] = []
    for raw in resources:
        if not isinstance(raw, Mapping):
            raise TemplateError("Each template resource must be an object.")
        res = dict(raw)
        if parent is not None:
            res["type"] = f"{parent[0]}/{res.get('type')}"
            res["name"] = _join_name(parent[1], res.get("name"))
            res["dependsOn"] = [*res.get("dependsOn", []), _join_name(parent[0], parent[1])]
        out.append(res)
        children = res.get("resources")
        if children:
            out.extend(_flatten(children, (str(res.get("type")), str(res.get("name")))))
    return out


def _join_name(parent: str, child: Any) -> str:
    if is_expression(parent) or is_expression(child):
        p = parent[1:-1] if is_expression(parent) else "'" + parent.replace("'", "''") + "'"
        c = child[1:-1] if is_expression(child) else "'" + str(child).replace("'", "''") + "'"
        return f"[format('{{0}}/{{1}}', {p}, {c})]"
    return f"{parent}/{child}"


def _resource_id(scope: Scope, rtype: str, name: str, extension_scope: str | None, where: str) -> str:
    namespace, _, rest = rtype.partition("/")
    types = rest.split("/") if rest else []
    names = name.split("/")
    if not types or len(types) != len(names) or not all(names):
        raise TemplateError(
            f"Deployment template validation failed: 'The template resource '{name}' for type '{rtype}' at "
            f"{where} has incorrect segment lengths. A nested resource type must have identical number of "
            "segments as its resource name. A root resource type must have segment length one greater than "
            "its resource name.'."
        )
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    if extension_scope is not None:
        return f"{extension_scope}/providers/{namespace}/{tail}"
    return f"{scope.resource_group_id}/providers/{namespace}/{tail}"


def _extension_scope(scope: Scope, value: str) -> str:
    """A resource's ``scope``: a full id, or ``Namespace/type/name`` relative to the resource group."""
    if value.startswith("/"):
        return value.rstrip("/")
    parts = value.split("/")
    if len(parts) < 3 or len(parts) % 2 == 0:
        raise TemplateError(
            f"The resource scope '{value}' is not valid: give a resource id or 'Namespace/type/name'."
        )
    namespace, *rest = parts
    return f"{scope.resource_group_id}/providers/{namespace}/" + "/".join(rest)


def _candidates(dep: str, ids: dict[str, str]) -> list[str]:
    low = dep.lower().rstrip("/")
    if low in ids:
        return [low]
    # 'Namespace/type/name' or a bare name: suffix match, as ARM resolves them.
    return [k for k in ids if k.endswith("/" + low) or k.rsplit("/", 1)[-1] == low]


def _find_dependency(dep: str, ids: dict[str, str]) -> str | None:
    """The folded id of the one template resource ``dep`` names, or None."""
    found = _candidates(dep, ids)
    return found[0] if len(found) == 1 else None


def _match_dependencies(dep: str, ids: dict[str, str], loops: dict[str, list[str]], where: str) -> list[str]:
    """The folded ids a ``dependsOn`` entry names: a copy loop's name means all of its resources."""
    if dep.lower() in loops and _find_dependency(dep, ids) is None:
        return loops[dep.lower()]
    return [_match_dependency(dep, ids, where)]


def _match_dependency(dep: str, ids: dict[str, str], where: str) -> str:
    """The folded id of the template resource that a ``dependsOn`` entry names."""
    found = _candidates(dep, ids)
    if len(found) == 1:
        return found[0]
    if not found:
        raise TemplateError(
            f"Deployment template validation failed: 'The resource '{dep}' is not defined in the template. "
            "Please see https://aka.ms/arm-syntax for usage details.'."
        )
    raise TemplateError(
        f"Deployment template validation failed: 'The resource '{dep}' named in 'dependsOn' of {where} is "
        "ambiguous; use its full resource id.'."
    )


def _order(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Resources with every dependency first, otherwise in template order; cycles are refused."""
    by_id = {r.resource_id.lower(): r for r in resources}
    done: set[str] = set()
    out: list[PlannedResource] = []
    state: dict[str, int] = {}

    def visit(r: PlannedResource, path: list[str]) -> None:
        key = r.resource_id.lower()
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            cycle = " -> ".join([*path, r.resource_id])
            raise TemplateError(
                f"Deployment template validation failed: 'Circular dependency detected on resource: "
                f"'{r.resource_id}'. The dependency chain is {cycle}. Please see https://aka.ms/arm-syntax "
                "for usage details.'."
            )
        state[key] = 1
        for dep in r.depends_on:
            visit(by_id[dep], [*path, r.resource_id])
        state[key] = 2
        done.add(key)
        out.append(r)

    for r in resources:
        visit(r, [])
    return out


def _plan_one(
    res: Mapping[str, Any],
    i: int,
    where: str,
    env: Env,
    scope: Scope,
    ids: dict[str, str],
    copy: tuple[str, int] | None,
) -> tuple[PlannedResource, list[str]] | None:
    """One resource (one copy of it) planned: its id and raw ``dependsOn``; None when its condition is false."""
    if "condition" in res:
        cond = evaluate(res["condition"], env)
        if not isinstance(cond, bool):
            raise TemplateError(f"The template resource at {where} has a 'condition' that is not a boolean.")
        if not cond:
            return None
    rtype = evaluate(res.get("type"), env)
    name = evaluate(res.get("name"), env)
    api_version = evaluate(res.get("apiVersion"), env)
    for value, key in ((rtype, "type"), (name, "name"), (api_version, "apiVersion")):
        if not isinstance(value, str) or not value:
            raise TemplateError(
                f"Deployment template validation failed: 'The template resource at {where} is missing "
                f"its '{key}' (a non-empty string).'."
            )
    ext = evaluate(res.get("scope"), env)
    if ext is not None and not isinstance(ext, str):
        raise TemplateError(f"The template resource '{name}' has a 'scope' that is not a string.")
    ext_scope = _extension_scope(scope, ext) if ext else None
    rid = _resource_id(scope, rtype, name, ext_scope, where)
    if rid.lower() in ids:
        raise TemplateError(
            f"Deployment template validation failed: 'The resource '{rid}' is defined multiple times in a "
            "template. Please see https://aka.ms/arm-syntax-resources for usage details.'."
        )
    ids[rid.lower()] = rid
    raw_deps = res.get("dependsOn", [])
    if not isinstance(raw_deps, list):
        raise TemplateError(f"The template resource '{name}' has a 'dependsOn' that is not an array.")
    deps = [evaluate(d, env) for d in raw_deps]
    if not all(isinstance(d, str) for d in deps):
        raise TemplateError(f"The template resource '{name}' has a 'dependsOn' entry that is not a string.")
    return PlannedResource(i, rtype, name, api_version, rid, (), res, copy), deps


@_bounded
def plan(template: Any, parameters: Any, scope: Scope) -> Plan:
    """Check ``template`` with ``parameters`` for a resource-group deployment and plan its resources.

    Raises:
        TemplateError: what ARM answers ``InvalidTemplate`` for, in ARM's words where they are known.
    """
    if not isinstance(template, Mapping):
        raise TemplateError("The request content must contain a template object in 'properties.template'.")
    if "languageVersion" in template:
        raise TemplateError(
            f"The template's languageVersion '{template['languageVersion']}' is not supported by the azlogs "
            "emulator: it deploys classic templates (resources as an array). Build Bicep without symbolic "
            "names, or use the template that `azlogs schema infer --format arm` writes."
        )
    for key, what in _UNSUPPORTED_KEYS.items():
        if template.get(key):
            raise TemplateError(
                f"The template uses {what} ('{key}'), which the azlogs emulator does not support."
            )
    bound = _bind_parameters(template.get("parameters"), parameters, scope)
    variables = template.get("variables") or {}
    if not isinstance(variables, Mapping):
        raise TemplateError("The template 'variables' must be an object.")
    if "copy" in variables and not isinstance(variables["copy"], list):
        raise TemplateError("The template variables' 'copy' must be an array of {name, count, input}.")
    env = Env(scope=scope, parameters={k: v for k, (_, v) in bound.items()}, raw_variables=variables)

    planned: list[PlannedResource] = []
    pending_deps: list[list[str]] = []
    ids: dict[str, str] = {}
    loops: dict[str, list[str]] = {}
    for i, res in enumerate(_flatten(template.get("resources"))):
        where = f"resources[{i}]"
        for key, what in _UNSUPPORTED_KEYS.items():
            if res.get(key):
                raise TemplateError(
                    f"The template resource at {where} uses {what} ('{key}'), which the azlogs emulator does "
                    "not support."
                )
        if "existing" in res:
            raise TemplateError(
                f"The template resource at {where} uses 'existing', which needs languageVersion 2.0."
            )
        if "copy" not in res:
            one = _plan_one(res, i, where, env, scope, ids, None)
            if one is not None:
                planned.append(one[0])
                pending_deps.append(one[1])
            continue
        loop, count = copy_count(res["copy"], env, f"resource at {where}")
        if loop.lower() in loops:
            raise TemplateError(f"The copy name '{loop}' is used more than once in the template.")
        loops[loop.lower()] = []
        for n in range(count):
            saved = in_loop(env, loop, n)
            try:
                one = _plan_one(res, i, f"{where} (copy {n})", env, scope, ids, (loop, n))
            finally:
                leave_loop(env, saved)
            if one is not None:
                planned.append(one[0])
                pending_deps.append(one[1])
                loops[loop.lower()].append(one[0].resource_id.lower())
    resolved = []
    for r, deps in zip(planned, pending_deps, strict=True):
        explicit = [x for d in deps for x in _match_dependencies(d, ids, loops, f"'{r.name}'")]
        # reference() of a template resource in the body is an implicit dependency, as in ARM.
        body = {k: v for k, v in r.raw.items() if k not in _DEPLOYMENT_KEYS}
        in_copy = in_loop(env, *r.copy) if r.copy else None
        try:
            implicit = [_find_dependency(t, ids) for t in referenced(body, env)]
        finally:
            if in_copy is not None:
                leave_loop(env, in_copy)
        own = r.resource_id.lower()
        order = [d for d in (*explicit, *implicit) if d is not None and d != own]
        resolved.append(
            PlannedResource(
                r.index,
                r.type,
                r.name,
                r.api_version,
                r.resource_id,
                tuple(dict.fromkeys(order)),
                r.raw,
                r.copy,
            )
        )
    outputs = template.get("outputs") or {}
    if not isinstance(outputs, Mapping):
        raise TemplateError("The template 'outputs' must be an object.")
    return Plan(scope=scope, parameters=bound, resources=_order(resolved), raw_outputs=outputs, env=env)
