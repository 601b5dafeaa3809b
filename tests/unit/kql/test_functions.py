"""Edge cases of the scalar functions added for the documentation's examples (issue 14): nulls, input
out of the domain, result types, the run's caller and ``set`` statements they read."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from azlogs._exceptions import KqlError
from azlogs.kql import MemoryProvider, run_query

CLOCK = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
USER = {"oid": "u-oid", "tid": "t1", "upn": "ann@contoso.com", "name": "Ann", "amr": ["pwd", "mfa"]}
APP = {"idtyp": "app", "appid": "app-1", "oid": "app-oid", "tid": "t1", "groups": ["G-1"]}


def _run(query: str, principal: Any = None) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    table = run_query(query, MemoryProvider(), clock=lambda: CLOCK, principal=principal).tables[0]
    return table.columns, table.rows


def _one(query: str, principal: Any = None) -> Any:
    return _run(query, principal)[1][0][0]


class TestBeta:
    def test_values_of_known_closed_forms(self) -> None:
        """I_x(2, 3) is a polynomial (0.3483 at 0.3); I_x(1/2, 1/2) is (2/pi) asin(sqrt(x))."""
        assert _one("print beta_cdf(0.3, 2, 3)") == pytest.approx(0.3483, rel=1e-12)
        assert _one("print beta_cdf(0.1, 0.5, 0.5)") == pytest.approx(2 / math.pi * math.asin(math.sqrt(0.1)))
        assert _one("print beta_pdf(0.5, 2, 2)") == pytest.approx(1.5)
        assert _one("print beta_inv(beta_cdf(0.42, 3, 7), 3, 7)") == pytest.approx(0.42, rel=1e-9)

    def test_domain_ends(self) -> None:
        """The cdf is 0 at 0 and 1 at 1; outside [0, 1] or with a shape out of (0, 10000] it is NaN."""
        row = _run(
            "print beta_cdf(0, 2, 3), beta_cdf(1, 2, 3), beta_cdf(0.5, 10001, 3), beta_cdf(0.5, 0, 3)"
        )[1][0]
        assert row[:2] == [0.0, 1.0]
        assert all(math.isnan(v) for v in row[2:])

    def test_only_the_cdf_caps_the_shapes(self) -> None:
        """beta_cdf's page caps alpha and beta at 10000; beta_pdf's and beta_inv's do not."""
        row = _run("print beta_pdf(0.5, 20000, 20000), beta_inv(0.5, 20000, 20000)")[1][0]
        assert row[0] == pytest.approx(159.5759148, rel=1e-6)
        assert row[1] == pytest.approx(0.5)

    def test_pdf_is_nan_at_the_ends(self) -> None:
        """The density is defined for 0 < x < 1 only (the page's notes)."""
        assert all(math.isnan(v) for v in _run("print beta_pdf(0, 2, 3), beta_pdf(1, 2, 3)")[1][0])

    def test_inv_outside_the_probabilities_is_null(self) -> None:
        """A probability below 0 or above 1 gives null, as the page's example prints; a bad shape NaN."""
        row = _run("print beta_inv(-0.1, 2, 3), beta_inv(1.5, 2, 3), beta_inv(0.5, -1, 3)")[1][0]
        assert row[:2] == [None, None]
        assert math.isnan(row[2])

    def test_non_numbers_give_null_and_the_type_is_real(self) -> None:
        columns, rows = _run(
            "print a = beta_cdf('x', 2, 3), b = beta_pdf(real(null), 2, 3), c = beta_inv(0.5, 2, 3)"
        )
        assert [t for _, t in columns] == ["real", "real", "real"]
        assert rows[0][:2] == [None, None]


class TestPunycodeDomains:
    def test_ascii_labels_are_kept_and_others_encoded(self) -> None:
        """Only labels with a non-ASCII character are encoded; labels join with '.'."""
        assert _one("print punycode_domain_to_string('www.académie.fr')") == "www.xn--acadmie-eya.fr"
        assert _one("print punycode_domain_to_string('plain.example.com')") == "plain.example.com"

    def test_round_trip_keeps_case(self) -> None:
        assert (
            _one("print punycode_domain_from_string(punycode_domain_to_string('Gáe.Bulg.edu'))")
            == "Gáe.Bulg.edu"
        )

    def test_invalid_punycode_gives_empty(self) -> None:
        """A label that does not decode makes the whole answer empty (the page: an empty result)."""
        assert _one("print punycode_domain_from_string('xn--ab\u00e9.com')") == ""


class TestRegexQuote:
    def test_quoted_text_matches_itself_literally(self) -> None:
        """Every ASCII punctuation is escaped; the result used as a regex matches the text only."""
        assert (
            _one("print regex_quote('a+b (c)? [d] {e} |f| x_1 é')")
            == r"a\+b\ \(c\)\?\ \[d\]\ \{e\}\ \|f\|\ x_1\ é"
        )
        assert (
            _one("print 'a+b' matches regex regex_quote('a+b'), 'aab' matches regex regex_quote('a+b')")
            is True
        )
        assert _run("print 'aab' matches regex regex_quote('a+b')")[1] == [[False]]


class TestDynamicToJson:
    def test_bags_sorted_at_every_level(self) -> None:
        assert (
            _one("print dynamic_to_json(dynamic({'b': [{'z': 1, 'a': 2}], 'a': {}}))")
            == '{"a":{},"b":[{"a":2,"z":1}]}'
        )

    def test_scalars_are_their_text(self) -> None:
        row = _run("print dynamic_to_json(12), dynamic_to_json('x'), dynamic_to_json(dynamic(null))")[1][0]
        assert row == ["12", "x", ""]

    def test_a_dynamic_literal_inside_another(self) -> None:
        """``dynamic({'a': dynamic([1])})``: the inner literal is its value."""
        assert _one("print dynamic({'a': dynamic([1, dynamic({'b': 2})])})") == {"a": [1, {"b": 2}]}


class TestRowWindowSession:
    QUERY = (
        "datatable(t:datetime, k:string)[datetime(2024-01-01 10:00), 'a', datetime(2024-01-01 10:04), 'a',"
        " datetime(null), 'a', datetime(2024-01-01 10:06), 'a', datetime(2024-01-01 10:30), 'a',"
        " datetime(2024-01-01 10:31), 'b']"
        " | serialize s = row_window_session(t, 1h, 5m, k != prev(k))"
    )

    def test_sessions_restart_after_a_gap_a_null_and_the_restart_condition(self) -> None:
        columns, rows = _run(self.QUERY)
        assert columns[-1] == ("s", "datetime")
        starts = [r[2] for r in rows]
        assert starts == [
            datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
            datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
            None,  # a null value has no session; the next value starts one
            datetime(2024, 1, 1, 10, 6, tzinfo=UTC),
            datetime(2024, 1, 1, 10, 30, tzinfo=UTC),  # 24 minutes after its neighbour
            datetime(2024, 1, 1, 10, 31, tzinfo=UTC),  # k changed: restart
        ]

    def test_the_session_length_is_bounded_from_its_first_value(self) -> None:
        """Values 4 minutes apart keep one session only until 10 minutes past its first value."""
        rows = _run(
            "range t from datetime(2024-01-01 10:00) to datetime(2024-01-01 10:12) step 4m"
            " | serialize s = row_window_session(t, 10m, 5m)"
        )[1]
        assert [r[1].minute for r in rows] == [0, 0, 0, 12]


class TestBinAuto:
    def test_needs_the_bin_size(self) -> None:
        with pytest.raises(KqlError, match="query_bin_auto_size"):
            _run("print bin_auto(5)")

    def test_numbers_and_timespans_with_and_without_a_fixed_point(self) -> None:
        assert _run("set query_bin_auto_size=10; print bin_auto(23), bin_auto(-3)")[1] == [[20, -10]]
        assert _run("set query_bin_auto_size=10; set query_bin_auto_at=5; print bin_auto(23)")[1] == [[15]]
        assert _one("set query_bin_auto_size=1h; print bin_auto(90m)").total_seconds() == 3600

    def test_a_value_that_is_not_a_size_is_refused(self) -> None:
        with pytest.raises(KqlError, match="query_bin_auto_size"):
            _run("set query_bin_auto_size='big'; print bin_auto(1)")


class TestAssert:
    def test_true_condition_is_true(self) -> None:
        assert _run("print a = assert(1 < 2, 'never')") == ([("a", "bool")], [[True]])

    def test_a_constant_false_condition_fails_even_with_no_rows(self) -> None:
        """Checked when the query is analysed, as the page's ``where b | where assert(b, ...)`` shows."""
        with pytest.raises(KqlError, match="assert\\(\\) has failed with message: 'Assertion failed'"):
            _run("let b = false; print x = 1 | where b | where assert(b, 'Assertion failed')")

    def test_a_condition_on_a_parameter_is_checked_per_call(self) -> None:
        query = "let f = (n:long) { assert(n > 0, 'positive') and n > 1 }; range x from {N} to 3 step 1 | where f(x)"
        assert _run(query.replace("{N}", "1"))[1] == [[2], [3]]
        with pytest.raises(KqlError, match="'positive'"):
            _run(query.replace("{N}", "0"))

    def test_the_message_must_be_a_constant_string(self) -> None:
        with pytest.raises(KqlError, match="constant string"):
            _run("print x = 'm' | extend y = assert(true, x)")


class TestUserFunctionArguments:
    F = "let f = (a:long, b:string = 'd', c:long = 10) { strcat(a, '-', b, '-', c) };"

    @pytest.mark.parametrize(
        ("call", "expected"),
        [
            ("f(1)", "1-d-10"),
            ("f(c=3, a=1)", "1-d-3"),
            ("f(b='x', 1)", "1-x-10"),
            ("f(1, c=5)", "1-d-5"),
        ],
    )
    def test_named_arguments_take_their_parameter(self, call: str, expected: str) -> None:
        assert _one(f"{self.F} print {call}") == expected

    def test_an_unknown_name_or_a_missing_argument_is_refused(self) -> None:
        with pytest.raises(KqlError, match="no parameter named 'z'"):
            _run(f"{self.F} print f(z=1)")
        with pytest.raises(KqlError, match="takes 3 argument"):
            _run(f"{self.F} print f(b='x')")

    def test_tabular_functions_take_defaults_and_named_arguments(self) -> None:
        """A function whose body is tabular binds its arguments by the same rule."""
        f = "let f = (T:(x:long), k:long = 1) { T | where x > k };"
        assert _run(f"{f} f(range x from 1 to 3 step 1)")[1] == [[2], [3]]
        assert _run(f"{f} f(k=2, range x from 1 to 3 step 1)")[1] == [[3]]
        with pytest.raises(KqlError, match="takes 2 argument"):
            _run(f"{f} f(k=2)")

    def test_a_let_in_the_body_reads_the_parameters(self) -> None:
        assert _one("let g = (s:string) { let t = strcat(s, '!'); strlen(t) }; print g('abc')") == 4


class TestTheCaller:
    def test_no_caller(self) -> None:
        """A run without a caller: no name, an empty bag, a member of nothing."""
        row = _run(
            "print current_principal(), current_principal_details(), current_principal_is_member_of('aadgroup=g')"
        )[1][0]
        assert row == ["", {}, False]

    def test_a_user_token(self) -> None:
        row = _run("print p = current_principal(), d = current_principal_details()", USER)[1][0]
        assert row[0] == "aaduser=u-oid;t1"
        assert row[1]["UserPrincipalName"] == "ann@contoso.com"
        assert row[1]["Mfa"] == "True"
        assert row[1]["Type"] == "AadUser"
        assert row[1]["ObjectId"] == "u-oid"

    def test_an_app_token_and_its_groups(self) -> None:
        assert _one("print current_principal()", APP) == "aadapp=app-1;t1"
        member = "print current_principal_is_member_of({})"
        assert _one(member.format("'aadgroup=g-1'"), APP) is True  # names compare without case
        assert _one(member.format("'aadgroup=g-1;t1'"), APP) is True
        assert _one(member.format("'aadgroup=g-1;t2'"), APP) is False
        assert _one(member.format("dynamic(['aaduser=x', 'AADAPP=app-1;t1'])"), APP) is True
        assert _one(member.format("'aadgroup=g-2'"), APP) is False

    def test_member_of_takes_literals_only(self) -> None:
        with pytest.raises(KqlError, match="string literals"):
            _run("print x = 'aadgroup=g' | extend y = current_principal_is_member_of(x)")


class TestCursorAndDataSize:
    def test_cursor_is_the_run_clock_in_ticks(self) -> None:
        """An opaque string; here the run's now() in 100 ns ticks since 0001-01-01."""
        columns, rows = _run("print c = cursor_current(), t = tolong(now())")
        assert columns[0] == ("c", "string")
        assert rows[0][0] == str(rows[0][1]) == "638501616000000000"

    def test_sizes_by_type_and_null_is_zero(self) -> None:
        query = (
            "print i = int(1), l = 2, r = 1.5, b = true, s = 'héllo', d = datetime(2024-01-01), g = guid(null)"
            " | extend n = estimate_data_size(*), two = estimate_data_size(i, s)"
        )
        columns, rows = _run(query)
        assert columns[-2:] == [("n", "long"), ("two", "long")]
        assert rows[0][-2:] == [4 + 8 + 8 + 1 + 6 + 8 + 0, 4 + 6]

    def test_a_non_column_argument_is_refused(self) -> None:
        with pytest.raises(KqlError, match="column names"):
            _run("print a = 1 | extend n = estimate_data_size(a + 1)")
