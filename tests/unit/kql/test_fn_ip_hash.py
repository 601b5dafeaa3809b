"""IPv4/IPv6 and hash functions beyond the documented examples: invalid input, types, the algorithm."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from azlogs import KqlError
from azlogs.kql import MemoryProvider, check, parse, run_query
from azlogs.kql._fn_hash import xxh64
from tests.unit.kql._helpers import FIXED_NOW


def scalar(expr: str) -> Any:
    """Evaluate ``print r = expr`` and return r."""
    return run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW).tables[0].rows[0][0]


def rtype(expr: str) -> str:
    """The static KQL type of ``expr``."""
    return run_query(f"print r = {expr}", MemoryProvider(), clock=lambda: FIXED_NOW).tables[0].columns[0][1]


class TestInvalidAddresses:
    """Text that is not an address answers as each page's Returns section says."""

    @pytest.mark.parametrize(
        "expr",
        [
            "parse_ipv4('256.1.1.1')",
            "parse_ipv4('10.1.1')",
            "parse_ipv4('10.1.1.1/33')",
            "parse_ipv4_mask('10.1.1.1', 33)",
            "ipv4_is_private('not an ip')",
            "ipv4_is_in_range('10.1.1.1', '10.1.1')",
            "ipv4_compare('10.1.1.1', 'x')",
            "ipv4_is_match('x', '10.1.1.1')",
            "ipv4_compare('10.1.1.1', '10.1.1.1', 40)",
            "ipv4_netmask_suffix('10.1.1.1/')",
            "ipv6_compare('fe80::1', 'fe80::zz')",
            "ipv6_is_match('fe80::1', 'fe80::1', 129)",
            "ipv6_is_in_range('fe80::1', 'fe80::/129')",
            "ipv4_is_in_any_range('10.1.1.1', 'x', '192.168.0.0/16')",
        ],
    )
    def test_predicates_and_comparisons_give_null(self, expr: str) -> None:
        """Predicates and comparisons are null (not false) when an address does not parse."""
        assert scalar(expr) is None

    @pytest.mark.parametrize(
        "expr",
        [
            "format_ipv4('10.1.1')",
            "format_ipv4_mask('x', 24)",
            "parse_ipv6('fe80::zz')",
            "parse_ipv6_mask('::1', 200)",
        ],
    )
    def test_text_results_give_empty_string(self, expr: str) -> None:
        """format_ipv4*, parse_ipv6* give the empty string on input that is not an address."""
        assert scalar(expr) == ""

    @pytest.mark.parametrize(
        "expr",
        [
            "has_ipv4('from 10.1.1.1', '10.1.1.1/24')",
            "has_ipv4('from 1.2.3.4.5', '1.2.3.4')",
            "has_ipv4('x10.1.1.1 y', '10.1.1.1')",
            "has_ipv4_prefix('from 10.1.1.1', '10.1')",
            "has_any_ipv4('from 10.1.1.1', dynamic([]))",
        ],
    )
    def test_text_search_gives_false(self, expr: str) -> None:
        """has_*ipv4* are false (never null) for an invalid needle or an address not delimited."""
        assert scalar(expr) is False

    def test_in_any_range_matches_despite_an_invalid_range(self) -> None:
        """A match among the ranges is true even when another range does not parse."""
        assert scalar("ipv4_is_in_any_range('10.1.1.1', 'x', '10.0.0.0/8')") is True
        assert scalar("ipv6_is_in_any_range('fe80::1', dynamic(['x', 'fe80::/64']))") is True


class TestAddressSemantics:
    """What the pages' prose says beyond their tables."""

    def test_text_search_delimiters(self) -> None:
        """Punctuation delimits an address; a sentence-ending dot does too."""
        assert scalar(
            "has_ipv4('These requests came from: 192.168.1.1, 10.1.1.115 and 10.1.1.201.', '10.1.1.201')"
        )
        assert scalar("has_any_ipv4_prefix('src=[10.20.30.40]', '10.20.')") is True

    def test_compare_orders_addresses(self) -> None:
        """ipv4_compare and ipv6_compare give -1 and 1 by address value."""
        assert scalar("ipv4_compare('10.0.0.1', '9.255.255.255')") == 1
        assert scalar("ipv6_compare('::1', '::2')") == -1

    def test_in_range_uses_the_range_prefix(self) -> None:
        """An address is in a range when it shares the range's prefix; a wider network is not."""
        assert scalar("ipv4_is_in_range('10.1.2.3', '10.1.0.0/16')") is True
        assert scalar("ipv4_is_in_range('10.0.0.0/8', '10.1.0.0/16')") is False

    def test_private_ranges_are_rfc1918(self) -> None:
        """172.16.0.0/12 ends at 172.31.255.255."""
        assert scalar("ipv4_is_private('172.31.255.255')") is True
        assert scalar("ipv4_is_private('172.32.0.0')") is False

    def test_format_ipv4_takes_a_number(self) -> None:
        """format_ipv4 reads a long in big-endian order."""
        assert scalar("format_ipv4(3232235777)") == "192.168.1.1"
        assert scalar("format_ipv4_mask(parse_ipv4('10.1.2.3'), 8)") == "10.0.0.0/8"

    def test_parse_ipv4_mask(self) -> None:
        """parse_ipv4_mask masks to the given prefix."""
        assert scalar("parse_ipv4_mask('127.0.0.1', 24)") == 2130706432


class TestGeoInfo:
    """geo_info_from_ip_address over the emulator's small offline table."""

    def test_unknown_and_invalid(self) -> None:
        """An address outside the table gives {}; text that is not an address gives null."""
        assert scalar("geo_info_from_ip_address('10.0.0.1')") == {}
        assert scalar("geo_info_from_ip_address('not an ip')") is None

    def test_query_only(self) -> None:
        """It is a log-query function: a strict transformation refuses it (geo_location is the DCR one)."""
        with pytest.raises(KqlError):
            check(parse("source | extend g = geo_info_from_ip_address(ip)"), "transformation")


class TestResultTypes:
    """Each function's static result type."""

    @pytest.mark.parametrize(
        ("expr", "typ"),
        [
            ("parse_ipv4('1.2.3.4')", "long"),
            ("parse_ipv4_mask('1.2.3.4', 8)", "long"),
            ("ipv4_is_private('1.2.3.4')", "bool"),
            ("ipv4_is_in_range('1.2.3.4', '1.2.0.0/16')", "bool"),
            ("ipv4_is_in_any_range('1.2.3.4', '1.2.0.0/16')", "bool"),
            ("ipv4_is_match('1.2.3.4', '1.2.3.4')", "bool"),
            ("ipv4_compare('1.2.3.4', '1.2.3.4')", "long"),
            ("ipv4_netmask_suffix('1.2.3.4')", "long"),
            ("ipv4_range_to_cidr_list('1.2.3.4', '1.2.3.5')", "dynamic"),
            ("format_ipv4('1.2.3.4')", "string"),
            ("format_ipv4_mask('1.2.3.4')", "string"),
            ("has_ipv4('a', '1.2.3.4')", "bool"),
            ("has_ipv4_prefix('a', '1.')", "bool"),
            ("has_any_ipv4('a', '1.2.3.4')", "bool"),
            ("has_any_ipv4_prefix('a', '1.')", "bool"),
            ("parse_ipv6('::1')", "string"),
            ("parse_ipv6_mask('::1', 64)", "string"),
            ("ipv6_compare('::1', '::1')", "long"),
            ("ipv6_is_match('::1', '::1')", "bool"),
            ("ipv6_is_in_range('::1', '::/64')", "bool"),
            ("ipv6_is_in_any_range('::1', '::/64')", "bool"),
            ("geo_info_from_ip_address('1.2.3.4')", "dynamic"),
            ("hash('a')", "long"),
            ("hash_xxhash64('a', 10)", "long"),
            ("hash_md5('a')", "string"),
            ("hash_sha1('a')", "string"),
            ("hash_sha256('a')", "string"),
            ("hash_combine(1, 2)", "long"),
            ("hash_many('a', 1)", "long"),
        ],
    )
    def test_result_type(self, expr: str, typ: str) -> None:
        """The column's type is the function's documented return type."""
        assert rtype(expr) == typ


class TestHash:
    """xxHash64 exactly, and the text that the digest functions hash."""

    def test_xxh64_reference_vectors(self) -> None:
        """The reference vectors of xxHash, including inputs past one 32-byte stripe."""
        assert xxh64(b"") == 0xEF46DB3751D8E999
        assert xxh64(b"abc") == 0x44BC2CF5AD770999
        assert xxh64(b"a" * 32) == 0x856E843298F99AD7
        assert xxh64(b"Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1

    def test_datetime_hashes_its_ticks(self) -> None:
        """hash of a datetime is the page's value (hash-function.md, written there as datetime("2015-01-01"))."""
        assert scalar("hash(datetime(2015-01-01))") == 1380966698541616202
        assert scalar("hash_xxhash64(datetime(2015-01-01))") == 1380966698541616202

    def test_null_and_bad_mod(self) -> None:
        """hash(null) is null; a modulus that is not positive gives null; a modulus bounds the result."""
        assert scalar("hash(long(null))") is None
        assert scalar("hash('a', 0)") is None
        assert 0 <= scalar("hash('hello', 7)") < 7

    def test_digest_of_datetime_with_fraction(self) -> None:
        """A datetime with a fraction hashes its seven-digit text."""
        want = hashlib.sha256(b"2020-01-01T10:00:00.1230000Z").hexdigest()
        assert scalar("hash_sha256(datetime(2020-01-01 10:00:00.123))") == want

    def test_hash_many_is_hash_combine_of_hashes(self) -> None:
        """hash_many(a, b) is hash_combine(hash(a), hash(b)), and order matters."""
        assert scalar("hash_many('Hello', 'World')") == scalar("hash_combine(hash('Hello'), hash('World'))")
        assert scalar("hash_many('Hello', 'World')") != scalar("hash_many('World', 'Hello')")
        assert scalar("hash_combine(1, long(null))") is None

    def test_transformation_dialect(self) -> None:
        """hash_sha256 stays allowed in a transformation; hash and the IP functions are query-only."""
        assert check(parse("source | extend h = hash_sha256(s)"), "transformation") == []
        for expr in ("hash(s)", "ipv4_is_private(s)"):
            with pytest.raises(KqlError):
                check(parse(f"source | extend h = {expr}"), "transformation")


class TestDatatableTrailingComma:
    """The documentation's datatable examples end their rows with a comma."""

    def test_trailing_comma_is_accepted(self) -> None:
        """A comma after the last value adds no value; a lone comma is still a syntax error."""
        table = run_query("datatable(a:string)\n[\n 'x',\n 'y', // last\n]", MemoryProvider()).tables[0]
        assert table.rows == [["x"], ["y"]]
        with pytest.raises(KqlError):
            run_query("datatable(a:string)[,]", MemoryProvider())
