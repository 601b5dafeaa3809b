"""Unit conversions: ``convert_length``, ``convert_mass``, ``convert_speed``, ``convert_volume``,
``convert_energy``, ``convert_force``, ``convert_angle``, ``convert_temperature``.

From the Kusto pages (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/convert-*-function.md):
``convert_X(value, from, to)`` converts between the listed units (the UnitsNet names) and gives null for
a unit it does not know. The factors below are the exact definitions of the units (the international
foot and pound, the thermochemical calorie, the IT BTU ...). Each page lists more units than this
table holds (a few astronomical and typographic ones are left out); those give null here, a documented
difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from azlogs.kql._registry import register

__all__: list[str] = []

_INCH = 0.0254
_FOOT = 0.3048
_YARD = 0.9144
_MILE = 1609.344
_HOUR = 3600.0

# Each unit's size in the quantity's SI unit (meter, kilogram, meter per second, cubic meter, joule,
# newton) or, for angles, in degrees.
_FACTORS: dict[str, dict[str, float]] = {
    "length": {
        "Angstrom": 1e-10,
        "AstronomicalUnit": 1.495978707e11,
        "Centimeter": 1e-2,
        "Chain": 20.1168,
        "Decameter": 10.0,
        "Decimeter": 0.1,
        "DtpPica": _INCH / 6,
        "DtpPoint": _INCH / 72,
        "Fathom": 1.8288,
        "Foot": _FOOT,
        "Hand": 0.1016,
        "Hectometer": 100.0,
        "Inch": _INCH,
        "Kilometer": 1e3,
        "LightYear": 9.46073047258e15,
        "Meter": 1.0,
        "Microinch": _INCH * 1e-6,
        "Micrometer": 1e-6,
        "Mil": _INCH * 1e-3,
        "Mile": _MILE,
        "Millimeter": 1e-3,
        "Nanometer": 1e-9,
        "NauticalMile": 1852.0,
        "Parsec": 3.08567758128e16,
        "PrinterPica": _INCH / 6.0225,
        "PrinterPoint": _INCH / 72.27,
        "Shackle": 27.432,
        "Twip": _INCH / 1440,
        "UsSurveyFoot": 1200 / 3937,
        "Yard": _YARD,
    },
    "mass": {
        "Centigram": 1e-5,
        "Decagram": 1e-2,
        "Decigram": 1e-4,
        "Grain": 6.479891e-5,
        "Gram": 1e-3,
        "Hectogram": 0.1,
        "Kilogram": 1.0,
        "Kilopound": 453.59237,
        "Kilotonne": 1e6,
        "LongTon": 1016.0469088,
        "Megapound": 453592.37,
        "Megatonne": 1e9,
        "Microgram": 1e-9,
        "Milligram": 1e-6,
        "Nanogram": 1e-12,
        "Ounce": 0.028349523125,
        "Pound": 0.45359237,
        "ShortTon": 907.18474,
        "Slug": 14.593902937206364,
        "Stone": 6.35029318,
        "Tonne": 1e3,
    },
    "speed": {
        "CentimeterPerHour": 1e-2 / _HOUR,
        "CentimeterPerMinute": 1e-2 / 60,
        "CentimeterPerSecond": 1e-2,
        "FootPerHour": _FOOT / _HOUR,
        "FootPerMinute": _FOOT / 60,
        "FootPerSecond": _FOOT,
        "InchPerHour": _INCH / _HOUR,
        "InchPerMinute": _INCH / 60,
        "InchPerSecond": _INCH,
        "KilometerPerHour": 1e3 / _HOUR,
        "KilometerPerMinute": 1e3 / 60,
        "KilometerPerSecond": 1e3,
        "Knot": 1852.0 / _HOUR,
        "MeterPerHour": 1 / _HOUR,
        "MeterPerMinute": 1 / 60,
        "MeterPerSecond": 1.0,
        "MilePerHour": _MILE / _HOUR,
        "MillimeterPerHour": 1e-3 / _HOUR,
        "MillimeterPerMinute": 1e-3 / 60,
        "MillimeterPerSecond": 1e-3,
        "YardPerHour": _YARD / _HOUR,
        "YardPerMinute": _YARD / 60,
        "YardPerSecond": _YARD,
    },
    "volume": {
        "AcreFoot": 1233.48183754752,
        "Centiliter": 1e-5,
        "CubicCentimeter": 1e-6,
        "CubicDecimeter": 1e-3,
        "CubicFoot": _FOOT**3,
        "CubicInch": _INCH**3,
        "CubicKilometer": 1e9,
        "CubicMeter": 1.0,
        "CubicMillimeter": 1e-9,
        "CubicYard": _YARD**3,
        "Deciliter": 1e-4,
        "Hectoliter": 0.1,
        "ImperialGallon": 0.00454609,
        "ImperialOunce": 2.84130625e-5,
        "Kiloliter": 1.0,
        "Liter": 1e-3,
        "Megaliter": 1e3,
        "Milliliter": 1e-6,
        "OilBarrel": 0.158987294928,
        "UsGallon": 0.003785411784,
        "UsOunce": 2.95735295625e-5,
        "UsPint": 4.73176473e-4,
        "UsQuart": 9.46352946e-4,
        "UsTablespoon": 1.478676478125e-5,
        "UsTeaspoon": 4.92892159375e-6,
    },
    "energy": {
        "BritishThermalUnit": 1055.05585262,
        "Calorie": 4.184,
        "ElectronVolt": 1.602176634e-19,
        "Erg": 1e-7,
        "FootPound": 1.3558179483314004,
        "Gigajoule": 1e9,
        "GigawattHour": 3.6e12,
        "Joule": 1.0,
        "Kilocalorie": 4184.0,
        "Kilojoule": 1e3,
        "KilowattHour": 3.6e6,
        "Megajoule": 1e6,
        "MegawattHour": 3.6e9,
        "Millijoule": 1e-3,
        "WattHour": _HOUR,
    },
    "force": {
        "Decanewton": 10.0,
        "Dyn": 1e-5,
        "KilogramForce": 9.80665,
        "Kilonewton": 1e3,
        "KilopoundForce": 4448.2216152605,
        "Meganewton": 1e6,
        "Micronewton": 1e-6,
        "Millinewton": 1e-3,
        "Nanonewton": 1e-9,
        "Newton": 1.0,
        "OunceForce": 0.27801385095378125,
        "PoundForce": 4.4482216152605,
        "Poundal": 0.138254954376,
        "ShortTonForce": 8896.443230521,
        "TonneForce": 9806.65,
    },
    "angle": {
        "Arcminute": 1 / 60,
        "Arcsecond": 1 / 3600,
        "Centiradian": 180 / math.pi / 100,
        "Deciradian": 180 / math.pi / 10,
        "Degree": 1.0,
        "Gradian": 0.9,
        "Microdegree": 1e-6,
        "Microradian": 180 / math.pi * 1e-6,
        "Millidegree": 1e-3,
        "Milliradian": 180 / math.pi * 1e-3,
        "Nanodegree": 1e-9,
        "Nanoradian": 180 / math.pi * 1e-9,
        "NatoMil": 360 / 6400,
        "Radian": 180 / math.pi,
        "Revolution": 360.0,
    },
}

# Temperature: (to kelvin, from kelvin) per unit.
_TEMPERATURE: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "Kelvin": (lambda x: x, lambda k: k),
    "DegreeCelsius": (lambda x: x + 273.15, lambda k: k - 273.15),
    "MillidegreeCelsius": (lambda x: x / 1000 + 273.15, lambda k: (k - 273.15) * 1000),
    "DegreeFahrenheit": (lambda x: (x + 459.67) * 5 / 9, lambda k: k * 9 / 5 - 459.67),
    "DegreeRankine": (lambda x: x * 5 / 9, lambda k: k * 9 / 5),
    "DegreeDelisle": (lambda x: 373.15 - x * 2 / 3, lambda k: (373.15 - k) * 3 / 2),
    "DegreeNewton": (lambda x: x * 100 / 33 + 273.15, lambda k: (k - 273.15) * 33 / 100),
    "DegreeReaumur": (lambda x: x * 5 / 4 + 273.15, lambda k: (k - 273.15) * 4 / 5),
    "DegreeRoemer": (lambda x: (x - 7.5) * 40 / 21 + 273.15, lambda k: (k - 273.15) * 21 / 40 + 7.5),
    "SolarTemperature": (lambda x: x * 5778, lambda k: k / 5778),
}


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _linear(quantity: str) -> Callable[[Any, Any, Any], float | None]:
    table = _FACTORS[quantity]

    def convert(value: Any, source: Any, target: Any) -> float | None:
        v = _number(value)
        a = table.get(source) if isinstance(source, str) else None
        b = table.get(target) if isinstance(target, str) else None
        if v is None or a is None or b is None:
            return None
        return v * a / b

    convert.__doc__ = f"A {quantity} from one unit to another; null for an unknown unit."
    return convert


for _quantity in _FACTORS:
    register(f"convert_{_quantity}", 3, 3, "real", "query")(_linear(_quantity))


@register("convert_temperature", 3, 3, "real", "query")
def convert_temperature(value: Any, source: Any, target: Any) -> float | None:
    """A temperature from one unit to another; null for an unknown unit."""
    v = _number(value)
    a = _TEMPERATURE.get(source) if isinstance(source, str) else None
    b = _TEMPERATURE.get(target) if isinstance(target, str) else None
    if v is None or a is None or b is None:
        return None
    return b[1](a[0](v))
