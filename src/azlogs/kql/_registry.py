"""The function registry: per function its arity, aliases, result type and dialect profile, as data.

Profiles:
  ``dcr``        listed in "Supported KQL features in Azure Monitor transformations";
  ``dcr-doc``    not listed, but used by Microsoft's own transformation samples (``iff``,
                 ``replace_string``, deprecated ``replace``): accepted with a warning;
  ``dcr-only``   transformation-only special functions (``parse_cef_dictionary``, ``geo_location``);
  ``query``      log queries only (and transformations in loose mode);
  ``aggregate``  summarize aggregates (log queries only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

TypeRule = Callable[[Sequence[str]], str]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class FunctionSpec:
    """One scalar or aggregate function."""

    name: str
    min_args: int
    max_args: int  # -1 for variadic
    result: str | TypeRule
    profile: str
    impl: Callable[..., Any] | None = None
    aliases: tuple[str, ...] = ()
    # The DCR spelling to suggest when this spelling is refused in a transformation.
    dcr_replacement: str | None = None
    # Evaluated once per query/batch, not per row (now, ago): the compiler treats it specially.
    special: bool = False
    doc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def result_type(self, arg_types: Sequence[str]) -> str:
        """The static KQL result type for the given argument types."""
        if isinstance(self.result, str):
            return self.result
        return self.result(arg_types)


REGISTRY: dict[str, FunctionSpec] = {}
_ALIASES: dict[str, str] = {}


def register(
    name: str,
    min_args: int,
    max_args: int,
    result: str | TypeRule,
    profile: str,
    *,
    aliases: Sequence[str] = (),
    dcr_replacement: str | None = None,
    special: bool = False,
) -> Callable[[F], F]:
    """Decorator: register ``impl`` under ``name`` (and ``aliases``)."""

    def deco(impl: F) -> F:
        spec = FunctionSpec(
            name,
            min_args,
            max_args,
            result,
            profile,
            impl,
            tuple(aliases),
            dcr_replacement,
            special,
            (impl.__doc__ or "").strip(),
        )
        REGISTRY[name] = spec
        for alias in aliases:
            _ALIASES[alias] = name
        return impl

    return deco


def register_alias_spec(alias: str, target: str, profile: str, dcr_replacement: str | None = None) -> None:
    """An alias with its own profile (``column_ifexists`` is refused in DCRs, ``columnifexists`` is not)."""
    base = REGISTRY[target]
    REGISTRY[alias] = FunctionSpec(
        alias,
        base.min_args,
        base.max_args,
        base.result,
        profile,
        base.impl,
        (),
        dcr_replacement,
        base.special,
        base.doc,
    )


def lookup(name: str) -> FunctionSpec | None:
    """The spec for a function name as written (names are case-sensitive in KQL)."""
    spec = REGISTRY.get(name)
    if spec is not None:
        return spec
    target = _ALIASES.get(name)
    if target is None:
        return None
    base = REGISTRY[target]
    return base


def arity_text(spec: FunctionSpec) -> str:
    """Human text for the accepted number of arguments."""
    if spec.max_args == -1:
        return f"at least {spec.min_args}"
    if spec.min_args == spec.max_args:
        return str(spec.min_args)
    return f"{spec.min_args} to {spec.max_args}"


# --------------------------------------------------------------------------- type rules


def same_as(i: int) -> TypeRule:
    """Result type is that of argument ``i``."""
    return lambda ts: ts[i] if len(ts) > i else "dynamic"


def numeric_promote(ts: Sequence[str]) -> str:
    """long/int + real -> real; decimal wins; dynamic stays dynamic."""
    s = set(ts)
    if "dynamic" in s:
        return "real"
    if "decimal" in s:
        return "decimal"
    if "real" in s:
        return "real"
    if s <= {"int"}:
        return "int"
    return "long"


def common_type(ts: Sequence[str]) -> str:
    """The type of a value chosen among arguments (iff/case/coalesce/min_of)."""
    known = [t for t in ts if t != "dynamic"]
    if not known:
        return "dynamic"
    if all(t in ("int", "long", "real", "decimal") for t in known) and len(set(known)) > 1:
        return numeric_promote(known)
    return known[0]


# Functions whose unnamed result column is named after their first argument, drilling through
# (``bin(T, 1h)`` -> ``T``, ``buildschema(todynamic(tostring(x)))`` -> ``schema_x``): Kusto.Language's
# ResultNameKind.FirstArgument (src/Kusto.Language/Functions.cs).
FIRST_ARGUMENT_NAMED: frozenset[str] = frozenset(
    {
        "abs", "acos", "asin", "atan", "atan2", "bin", "bin_at", "bin_auto", "binary_and", "binary_not", "binary_or",
        "binary_shift_left", "binary_shift_right", "binary_xor", "bitset_count_ones", "ceiling", "cos",
        "erf", "erfc", "exp", "exp10", "exp2", "floor", "format_bytes", "format_datetime",
        "format_timespan", "gamma", "log", "log10", "log2", "loggamma", "parse_csv", "parse_json",
        "parse_xml", "parsejson", "pow", "rand", "round", "series_fill_backward", "series_fill_const",
        "series_fill_forward", "series_fill_linear", "series_fir", "series_iir", "series_outliers", "sin",
        "split", "sqrt", "startofday", "tan", "tobool", "toboolean", "todatetime", "todecimal",
        "todouble", "todynamic", "toguid", "tohex", "toint", "tolong", "toobject", "toreal", "tostring",
        "totime", "totimespan",
    }
)  # fmt: skip
