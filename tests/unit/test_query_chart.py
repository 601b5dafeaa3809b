"""`azlogs query --chart`: a query result drawn in the terminal as its `| render` asks (azlogs.query.chart)."""

from __future__ import annotations

from azlogs.query.chart import render_kind, terminal_chart


class TestRenderKind:
    def test_the_last_render_of_the_query(self) -> None:
        """The visualization is the query's own (parsed), lower case; none without a render."""
        assert (
            render_kind("T | summarize count() by bin(TimeGenerated, 1h) | render TimeChart") == "timechart"
        )
        assert render_kind("T | take 1") is None

    def test_a_query_the_subset_cannot_parse_still_names_its_chart(self) -> None:
        """A query only Azure runs (syntax this KQL subset lacks) is read for its render by its text."""
        assert render_kind("T | some-operator-nobody-has x | render piechart") == "piechart"


class TestTerminalChart:
    def test_a_timechart_puts_a_mark_per_point_and_labels_the_axes(self) -> None:
        """One series per numeric column, a mark per row, the y range and the first and last time (UTC)."""
        rows = [[f"2026-12-04T04:{m:02d}:00Z", m] for m in range(10)]
        text = terminal_chart(
            [("TimeGenerated", "datetime"), ("Records", "long")], rows, "timechart", width=40
        )
        lines = text.splitlines()
        assert lines[0].startswith("9 ┤")
        assert sum(line.count("●") for line in lines[:-1]) == 10
        assert "04:00" in lines[-2] and "04:09" in lines[-2]
        assert lines[-1] == "● Records (10 points)"

    def test_string_columns_split_the_series(self) -> None:
        """A string column splits a time chart into one series per value."""
        rows = [
            ["2026-12-04T04:00:00Z", "a", 1],
            ["2026-12-04T04:01:00Z", "b", 2],
            ["2026-12-04T04:02:00Z", "a", 3],
        ]
        text = terminal_chart([("t", "datetime"), ("Computer", "string"), ("n", "long")], rows, "timechart")
        assert text.splitlines()[-1] == "● a (2 points)  ■ b (1 points)"

    def test_make_series_arrays_are_one_series_per_row(self) -> None:
        """make-series rows (arrays in dynamic columns) draw as one series each."""
        rows = [["h1", '["2026-12-04T04:00:00Z","2026-12-04T04:01:00Z","2026-12-04T04:02:00Z"]', "[1,0,2]"]]
        text = terminal_chart([("Computer", "string"), ("t", "dynamic"), ("n", "dynamic")], rows, "timechart")
        assert text.splitlines()[-1] == "● h1 (3 points)"

    def test_pie_and_bar_charts_show_each_category_with_its_value(self) -> None:
        """Categories with bars as long as their values; a pie chart adds each share."""
        cols = [("Computer", "string"), ("n", "long")]
        rows = [["a", 1], ["b", 3]]
        pie = terminal_chart(cols, rows, "piechart").splitlines()
        assert pie[0] == "n by Computer"
        assert pie[1].endswith("1  25.0%") and pie[2].endswith("3  75.0%")
        bars = terminal_chart(cols, rows, "barchart", width=71).splitlines()
        assert bars[2].count("█") == 3 * bars[1].count("█")

    def test_an_unknown_visualization_says_what_is_drawn(self) -> None:
        """A render the terminal does not draw is named, with the ones it does."""
        assert "not drawn in the terminal" in terminal_chart([("x", "long")], [[1]], "card")
