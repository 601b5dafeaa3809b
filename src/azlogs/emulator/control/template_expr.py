"""ARM template expressions: ``"[concat('a', parameters('b'))]"`` parsed and evaluated, without I/O.

A string value that starts with ``[`` and ends with ``]`` is an expression; ``[[`` escapes a literal
``[``. The grammar is ARM's: function calls (names case-insensitive), single-quoted strings (``''``
is a quote), integers, and property access on any value (``.name``, ``['name']``, ``[0]``).
Property names compare case-insensitively, as ARM's do. The functions themselves are in
:mod:`template_functions`; ``if()`` (only the chosen branch runs) and ``variables()`` (each variable
evaluated once, on first use) are here because they evaluate expressions themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from azlogs.emulator.control.template_functions import (
    FUNCTIONS,
    FUNCTIONS_HELP,
    Env,
    Scope,
    TemplateError,
    arity,
    as_bool,
    as_str,
    find_key,
    json_type,
)

__all__ = ["Env", "Scope", "TemplateError", "evaluate", "is_expression", "json_type", "parse", "referenced"]


def variable(env: Env, name: str) -> Any:
    """``variables(name)``: evaluated on first use, then remembered; a variable using itself is refused."""
    key = find_key(env.raw_variables, name)
    if key is None or key == "copy":
        return _copied_variable(env, name)
    if key in env.variables_done:
        return env.variables_done[key]
    if key in env.evaluating:
        raise TemplateError(f"The template variable '{key}' refers to itself.")
    env.evaluating.add(key)
    try:
        value = evaluate(env.raw_variables[key], env)
    finally:
        env.evaluating.discard(key)
    env.variables_done[key] = value
    return value


# --- parsing ------------------------------------------------------------------------------------

_TOKEN: Final = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[().,\[\]]))"
)

Node = tuple[Any, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None:
                raise TemplateError(
                    f"The template language expression '{text}' is not valid: unexpected character "
                    f"'{text[pos:].lstrip()[:1]}' at position {pos}. {FUNCTIONS_HELP}"
                )
            kind = m.lastgroup or "op"
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (op is not None and tok != ("op", op)):
            want = f"'{op}'" if op else "a value"
            raise TemplateError(
                f"The template language expression '{self.text}' is not valid: expected {want}. {FUNCTIONS_HELP}"
            )
        self.i += 1
        return tok

    def expression(self) -> Node:
        kind, value = self.take()
        node: Node
        if kind == "str":
            node = ("lit", value[1:-1].replace("''", "'"))
        elif kind == "num":
            node = ("lit", int(value))
        elif kind == "name":
            if self.peek() != ("op", "("):
                raise TemplateError(
                    f"The template language expression '{self.text}' is not valid: '{value}' must be a "
                    f"function call or a quoted string. {FUNCTIONS_HELP}"
                )
            self.take("(")
            args: list[Node] = []
            if self.peek() != ("op", ")"):
                args.append(self.expression())
                while self.peek() == ("op", ","):
                    self.take(",")
                    args.append(self.expression())
            self.take(")")
            node = ("call", value.lower(), tuple(args))
        else:
            raise TemplateError(
                f"The template language expression '{self.text}' is not valid: unexpected '{value}'. "
                f"{FUNCTIONS_HELP}"
            )
        while (tok := self.peek()) in (("op", "."), ("op", "[")):
            assert tok is not None
            self.take()
            if tok[1] == ".":
                kind, value = self.take()
                if kind != "name":
                    raise TemplateError(
                        f"The template language expression '{self.text}' is not valid: expected a property "
                        f"name after '.'. {FUNCTIONS_HELP}"
                    )
                node = ("index", node, ("lit", value))
            else:
                index = self.expression()
                self.take("]")
                node = ("index", node, index)
        return node


def parse(text: str) -> Node:
    """The syntax tree of one expression (the text between the brackets)."""
    p = _Parser(text)
    node = p.expression()
    if p.peek() is not None:
        raise TemplateError(
            f"The template language expression '{text}' is not valid: unexpected '{p.peek()[1]}' "  # type: ignore[index]
            f"after the end of the expression. {FUNCTIONS_HELP}"
        )
    return node


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
        and not value.startswith("[[")
    )


def evaluate(value: Any, env: Env) -> Any:
    """``value`` with every expression string in it (at any depth) replaced by its result."""
    if isinstance(value, str):
        if is_expression(value):
            return _eval(parse(value[1:-1]), env)
        if value.startswith("[["):
            return value[1:]
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        if isinstance(value.get("copy"), list):
            out.update(_property_copies(value["copy"], env))
            value = {k: v for k, v in value.items() if k != "copy"}
        for k, v in value.items():
            key = evaluate(k, env) if is_expression(k) else k
            if not isinstance(key, str):
                raise TemplateError(f"The property name expression '{k}' must evaluate to a string.")
            out[key] = evaluate(v, env)
        return out
    if isinstance(value, list):
        return [evaluate(v, env) for v in value]
    return value


MAX_COPIES: Final = 800  # ARM's limit on a copy loop's count
MAX_RESULT: Final = 4_000_000  # characters of a string, items of an array, one function call may build
# Nested property copies multiply; the emulator stops a template that would expand more than this. [U]
MAX_EXPANDED: Final = 20_000


def copy_count(spec: Any, env: Env, what: str) -> tuple[str, int]:
    """The name and evaluated count of a ``copy`` object, checked as ARM does (0 to 800)."""
    if not isinstance(spec, Mapping):
        raise TemplateError(f"The {what} 'copy' must be an object with 'name' and 'count'.")
    name = evaluate(spec.get("name"), env)
    count = evaluate(spec.get("count"), env)
    if not isinstance(name, str) or not name:
        raise TemplateError(f"The {what} 'copy' needs a 'name'.")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COPIES:
        raise TemplateError(
            f"The {what} copy '{name}' has an invalid count '{count}': it must be an integer from 0 to {MAX_COPIES}."
        )
    return name, count


def in_loop(env: Env, name: str, index: int) -> tuple[dict[str, int], str | None]:
    """Enter iteration ``index`` of loop ``name``; returns what :func:`leave_loop` restores."""
    saved = (dict(env.copy_indexes), env.current_loop)
    env.copy_indexes[name.lower()] = index
    env.current_loop = name.lower()
    return saved


def leave_loop(env: Env, saved: tuple[dict[str, int], str | None]) -> None:
    env.copy_indexes, env.current_loop = saved


def _copied_variable(env: Env, name: str) -> Any:
    """A variable defined by the variables' ``copy`` array (``{name, count, input}``), built on first use."""
    memo = f"copy:{name.lower()}"
    if memo in env.variables_done:
        return env.variables_done[memo]
    specs = env.raw_variables.get("copy")
    for spec in specs if isinstance(specs, list) else []:
        if (
            isinstance(spec, Mapping)
            and isinstance(spec.get("name"), str)
            and spec["name"].lower() == name.lower()
        ):
            if memo in env.evaluating:
                raise TemplateError(f"The template variable '{name}' refers to itself.")
            env.evaluating.add(memo)
            try:
                value = _property_copies([spec], env)[spec["name"]]
            finally:
                env.evaluating.discard(memo)
            env.variables_done[memo] = value
            return value
    raise TemplateError(f"The template variable '{name}' is not found. {FUNCTIONS_HELP}")


def _property_copies(specs: list[Any], env: Env) -> dict[str, list[Any]]:
    """A ``properties.copy`` array: each entry makes a list property of ``count`` evaluated ``input`` values."""
    out: dict[str, list[Any]] = {}
    for spec in specs:
        name, count = copy_count(spec, env, "property")
        env.copies_made += count
        if env.copies_made > MAX_EXPANDED:
            raise TemplateError(
                f"The template's copy loops expand to more than {MAX_EXPANDED} values; the azlogs emulator "
                "stops there (nested loops multiply their counts)."
            )
        items = []
        for i in range(count):
            saved = in_loop(env, name, i)
            try:
                items.append(evaluate(spec.get("input"), env))
            finally:
                leave_loop(env, saved)
        out[name] = items
    return out


def referenced(value: Any, env: Env) -> list[str]:
    """What the ``reference()`` calls in ``value`` name, where that can be known before deploying.

    ARM makes a resource wait for every template resource its properties ``reference()``; an argument
    that itself needs a deployed resource cannot be known yet and is skipped.
    """
    out: list[str] = []

    def walk(node: Node) -> None:
        if node[0] == "call":
            if node[1] == "reference" and node[2]:
                try:
                    target = _eval(node[2][0], env)
                except TemplateError:
                    target = None
                if isinstance(target, str):
                    out.append(target)
            for arg in node[2]:
                walk(arg)
        elif node[0] == "index":
            walk(node[1])
            walk(node[2])

    def scan(v: Any) -> None:
        if is_expression(v):
            walk(parse(v[1:-1]))
        elif isinstance(v, dict):
            for k, x in v.items():
                scan(k)
                scan(x)
        elif isinstance(v, list):
            for x in v:
                scan(x)

    scan(value)
    return out


# --- evaluation ---------------------------------------------------------------------------------


def _eval(node: Node, env: Env) -> Any:
    if node[0] == "lit":
        return node[1]
    if node[0] == "index":
        return _index(_eval(node[1], env), _eval(node[2], env))
    name, args = node[1], node[2]
    if name == "if":  # only the chosen branch is evaluated
        arity(name, args, 3, 3)
        return _eval(args[1] if as_bool(name, _eval(args[0], env)) else args[2], env)
    if name == "variables":
        arity(name, args, 1, 1)
        return variable(env, as_str(name, _eval(args[0], env)))
    fn = FUNCTIONS.get(name)
    if fn is None:
        raise TemplateError(f"The template function '{name}' is not valid. {FUNCTIONS_HELP}")
    values = [_eval(a, env) for a in args]
    result = fn(env, values)
    if isinstance(result, str | list) and len(result) > MAX_RESULT:
        # Variables that concat themselves double at each step; stop long before memory runs out. [U]
        raise TemplateError(
            f"The template function '{name}' produced more than {MAX_RESULT} characters or items."
        )
    return result


def _index(base: Any, key: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(key, str):
        found = find_key(base, key)
        if found is None:
            names = ", ".join(f"'{k}'" for k in base)
            raise TemplateError(
                f"The language expression property '{key}' doesn't exist, available properties are {names}."
            )
        return base[found]
    if isinstance(base, list) and isinstance(key, int) and not isinstance(key, bool):
        if not -len(base) <= key < len(base):
            raise TemplateError(f"The language expression array index '{key}' is out of bounds.")
        return base[key]
    raise TemplateError(
        f"The language expression property '{key}' cannot be evaluated on a value of type '{json_type(base)}'."
    )
