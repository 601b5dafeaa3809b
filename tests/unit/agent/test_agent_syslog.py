"""Syslog (RFC 5424, RFC 3164 and real senders' variants) and CEF into Syslog / CommonSecurityLog rows.

The corpus is the RFCs' own examples (RFC 5424 section 6.5, RFC 3164 section 5.4), the forms Linux
daemons and network appliances send, and CEF lines in the shapes of the CEF specification and of
appliance logs. Each expectation is written from the formats' rules, column by column.
"""

from __future__ import annotations

import datetime as dt

import pytest

from azlogs.agent._cef import CEF_KEYS, CefError, cef_row, parse_extension
from azlogs.agent._syslog import FrameError, SyslogError, SyslogFramer, parse_syslog, syslog_row
from azlogs.schema.builtin_tables import builtin_tables
from azlogs.schema.types import ColumnType

UTC = dt.timezone.utc
RECEIVED = dt.datetime(2026, 12, 4, 5, 0, 0, 250000, tzinfo=UTC)


def row(line: bytes, *, peer: str | None = "192.0.2.7") -> dict[str, object]:
    return syslog_row(
        parse_syslog(line, received=RECEIVED), received=RECEIVED, peer=peer, collector="agent-1"
    )


class TestRfc5424:
    def test_rfc_example_1_with_bom(self) -> None:
        """RFC 5424 6.5 example 1: no structured data, a BOM before MSG (dropped), su auth.crit."""
        line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8"
        m = parse_syslog(line.encode(), received=RECEIVED)
        assert (m.facility_name, m.severity_name) == ("auth", "crit")
        assert m.timestamp == dt.datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
        assert (m.hostname, m.app_name, m.procid, m.msgid, m.structured_data) == (
            "mymachine.example.com",
            "su",
            None,
            "ID47",
            None,
        )
        assert m.message == "'su root' failed for lonvick on /dev/pts/8"
        assert m.protocol == "rfc5424"

    def test_rfc_example_2_offset_and_microseconds(self) -> None:
        """Example 2: a -07:00 offset with microseconds becomes UTC; an IP as hostname; PROCID 8710."""
        r = row(
            b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."
        )
        assert r["EventTime"] == "2003-08-24T12:14:15.000003Z"
        assert r["Facility"] == "local4" and r["SeverityLevel"] == "notice"
        assert r["Computer"] == r["HostName"] == "192.0.2.1"
        assert r["ProcessName"] == "myproc" and r["ProcessID"] == 8710
        assert r["SyslogMessage"] == "%% It's time to make the do-nuts."
        assert r["HostIP"] == "192.0.2.7"
        assert r["TimeGenerated"] == "2026-12-04T05:00:00.250000Z"

    def test_rfc_example_3_structured_data_kept_in_front_of_the_message(self) -> None:
        """Example 3: the SD element (with quoted values) is kept, in front of the MSG, nothing dropped."""
        sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'
        line = f"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 {sd} \ufeffAn application event log entry..."
        m = parse_syslog(line.encode(), received=RECEIVED)
        assert m.structured_data == sd
        assert m.message == "An application event log entry..."
        assert row(line.encode())["SyslogMessage"] == f"{sd} An application event log entry..."

    def test_rfc_example_4_two_sd_elements_no_message(self) -> None:
        """Example 4: two SD elements and no MSG at all."""
        sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]'
        m = parse_syslog(
            f"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 {sd}".encode(),
            received=RECEIVED,
        )
        assert m.structured_data == sd and m.message == ""

    def test_escaped_bracket_and_quote_inside_a_value(self) -> None:
        """``\\]`` and ``\\"`` inside a PARAM-VALUE do not end the element."""
        sd = r'[a@1 x="q\"u\]o\\te"]'
        m = parse_syslog(f"<14>1 - - - - - {sd} body".encode(), received=RECEIVED)
        assert m.structured_data == sd and m.message == "body"
        assert m.timestamp is None and m.hostname is None

    def test_nil_timestamp_falls_back_to_the_receive_time(self) -> None:
        """``-`` as TIMESTAMP: EventTime is the time it was received; no hostname: the peer's address."""
        r = row(b"<13>1 - - app - - - hi")
        assert r["EventTime"] == r["TimeGenerated"]
        assert r["Computer"] == "192.0.2.7"

    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            (b"<13>1 2003-10-11T22:14:15.003Z host", "ends before APP-NAME"),
            (b"<13>1 2003-10-11 22:14:15 host app - - - x", "not RFC 3339"),
            (b'<13>1 2003-10-11T22:14:15Z host app - - [unclosed x="1"', "never closed"),
            (b"<13>1 2003-10-11T22:14:15Z host app - - junk msg", "neither '-' nor"),
            (b"<13>1 2003-10-11T22:14:15Z  app - - - x", "HOSTNAME is empty"),
            (b"<192>1 - - - - - - x", "out of range"),
            (b"<013>Oct 11 22:14:15 h x", "out of range"),
            (b"<a>x", "not <digits>"),
            (b"", "empty"),
            (b"<13>1 - h a - - - \xff\xfe", "not UTF-8"),
        ],
    )
    def test_malformed_messages_say_why(self, line: bytes, reason: str) -> None:
        """A malformed message raises SyslogError with the reason (the caller dead-letters it whole)."""
        with pytest.raises(SyslogError, match=reason):
            parse_syslog(line, received=RECEIVED)


class TestRfc3164:
    def test_rfc_example_1(self) -> None:
        """RFC 3164 5.4 example 1: ``<34>Oct 11 22:14:15 mymachine su: ...``; the year is the nearest one."""
        r = row(b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")
        assert r["EventTime"] == "2026-10-11T22:14:15.000000Z"
        assert (r["Computer"], r["ProcessName"], r["ProcessID"]) == ("mymachine", "su", None)
        assert (r["Facility"], r["SeverityLevel"]) == ("auth", "crit")
        assert r["SyslogMessage"] == "'su root' failed for lonvick on /dev/pts/8"

    def test_december_message_read_in_january_is_last_years(self) -> None:
        """A timestamp without a year is not taken as months ahead: a December line read in January is last year's."""
        jan = dt.datetime(2027, 1, 1, 0, 0, 30, tzinfo=UTC)
        m = parse_syslog(b"<13>Dec 31 23:59:59 h app: x", received=jan)
        assert m.timestamp == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)

    def test_sender_clock_ahead_across_new_year_is_next_years(self) -> None:
        """A January line read on December 31 (the sender's clock is ahead) is next year's, not eleven months old."""
        dec = dt.datetime(2026, 12, 31, 23, 59, 0, tzinfo=UTC)
        m = parse_syslog(b"<13>Jan  1 00:00:05 h app: x", received=dec)
        assert m.timestamp == dt.datetime(2027, 1, 1, 0, 0, 5, tzinfo=UTC)

    def test_space_padded_day_and_pid(self) -> None:
        """``Feb  5`` (space-padded day) and ``sshd[1234]:`` give the day, ProcessName and ProcessID."""
        r = row(
            b"<38>Feb  5 17:32:18 bastion sshd[1234]: Accepted publickey for ops from 10.0.0.5 port 50022 ssh2"
        )
        assert r["EventTime"] == "2026-02-05T17:32:18.000000Z"
        assert (r["Computer"], r["ProcessName"], r["ProcessID"]) == ("bastion", "sshd", 1234)
        assert r["Facility"] == "auth" and r["SeverityLevel"] == "info"

    def test_timezone_of_the_input(self) -> None:
        """RFC 3164 times carry no zone: the input's timezone applies (here UTC+2)."""
        tz = dt.timezone(dt.timedelta(hours=2))
        m = parse_syslog(b"<13>Jun  1 12:00:00 h app: x", received=RECEIVED, tz=tz)
        assert m.timestamp is not None and m.timestamp.astimezone(UTC).hour == 10

    def test_rsyslog_forward_format_iso_timestamp(self) -> None:
        """rsyslog's forwarding format: an RFC 3339 timestamp in place of ``Mmm dd hh:mm:ss``."""
        r = row(b"<30>2026-12-04T04:59:58.123456+01:00 web-01 nginx[77]: GET / 200")
        assert r["EventTime"] == "2026-12-04T03:59:58.123456Z"
        assert (r["Computer"], r["ProcessName"], r["ProcessID"]) == ("web-01", "nginx", 77)
        assert r["Facility"] == "daemon" and r["SyslogMessage"] == "GET / 200"

    def test_network_device_with_year_and_no_hostname(self) -> None:
        """A Cisco ASA-style header: a year after the day, a colon after the time, no hostname."""
        r = row(
            b"<166>Jan 05 2026 12:00:00: %ASA-6-302013: Built outbound TCP connection 1 for outside:203.0.113.9/443"
        )
        assert r["EventTime"] == "2026-01-05T12:00:00.000000Z"
        assert r["Facility"] == "local4" and r["SeverityLevel"] == "info"
        assert r["ProcessName"] == "%ASA-6-302013"
        assert r["Computer"] == "192.0.2.7"  # no hostname in the message: the sender's address
        assert r["SyslogMessage"] == "Built outbound TCP connection 1 for outside:203.0.113.9/443"

    def test_fractional_seconds(self) -> None:
        """``Mmm dd hh:mm:ss.fff`` keeps the milliseconds."""
        m = parse_syslog(b"<13>Mar  3 01:02:03.456 h kernel: x", received=RECEIVED)
        assert m.timestamp == dt.datetime(2026, 3, 3, 1, 2, 3, 456000, tzinfo=UTC)

    def test_no_pri_is_user_notice(self) -> None:
        """RFC 3164 4.3.3 (example 2 of 5.4, ``Use the BFG!``): no PRI is user.notice, all of it the message."""
        r = row(b"Use the BFG!")
        assert (r["Facility"], r["SeverityLevel"]) == ("user", "notice")
        assert r["SyslogMessage"] == "Use the BFG!" and r["ProcessName"] == ""

    def test_pri_without_header_is_all_message(self) -> None:
        """A PRI with no timestamp: the rest is the message, untouched."""
        m = parse_syslog(b"<0>kernel panic: not syncing", received=RECEIVED)
        assert (m.facility_name, m.severity_name, m.message) == ("kern", "emerg", "kernel panic: not syncing")

    def test_invalid_date_is_refused(self) -> None:
        """``Feb 30`` is no date: refused with the reason."""
        with pytest.raises(SyslogError, match="not a date"):
            parse_syslog(b"<13>Feb 30 01:02:03 2026 h app: x".replace(b" 2026", b""), received=RECEIVED)


CEF_SPEC = (
    b"<134>Sep 19 08:26:10 host CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|"
    b"src=10.0.0.1 dst=2.1.2.2 spt=1232"
)


class TestCef:
    def test_spec_example(self) -> None:
        """The CEF specification's example: header columns, typed extension columns, Computer from syslog."""
        m = parse_syslog(CEF_SPEC, received=RECEIVED)
        r = cef_row(m, received=RECEIVED, peer="192.0.2.9", collector="agent-1")
        assert r["DeviceVendor"] == "Security" and r["DeviceProduct"] == "threatmanager"
        assert r["DeviceVersion"] == "1.0" and r["DeviceEventClassID"] == "100"
        assert r["Activity"] == "worm successfully stopped" and r["LogSeverity"] == "10"
        assert (r["SourceIP"], r["DestinationIP"], r["SourcePort"]) == ("10.0.0.1", "2.1.2.2", 1232)
        assert r["Computer"] == "host" and r["CollectorHostName"] == "agent-1"
        assert "AdditionalExtensions" not in r

    def test_cef_after_a_tag_and_without_a_hostname(self) -> None:
        """CEF after ``host CEF:`` (AMA's forwarders), after a tag, and right after the time all parse."""
        for line in (
            b"<134>Sep 19 08:26:10 CEF:0|v|p|1|c|n|3|src=1.2.3.4",
            b"<134>Sep 19 08:26:10 fw01 CEF:0|v|p|1|c|n|3|src=1.2.3.4",
            b"<134>Sep 19 08:26:10 fw01 fwd[9]: CEF:0|v|p|1|c|n|3|src=1.2.3.4",
        ):
            r = cef_row(
                parse_syslog(line, received=RECEIVED), received=RECEIVED, peer="192.0.2.1", collector="c"
            )
            assert r["SourceIP"] == "1.2.3.4" and r["DeviceVendor"] == "v", line

    def test_header_escapes(self) -> None:
        """``\\|`` and ``\\\\`` in header fields are a pipe and a backslash."""
        m = parse_syslog(
            rb"CEF:0|Ven\|dor|Pro\\duct|1|sig|Name with \| pipe|5|act=blocked", received=RECEIVED
        )
        r = cef_row(m, received=RECEIVED, peer=None, collector="c")
        assert r["DeviceVendor"] == "Ven|dor" and r["DeviceProduct"] == "Pro\\duct"
        assert r["Activity"] == "Name with | pipe" and r["DeviceAction"] == "blocked"

    def test_extension_values_with_spaces_and_escapes(self) -> None:
        """Values hold spaces; ``\\=``, ``\\\\``, ``\\n`` unescape; the next ``key=`` ends a value."""
        pairs = parse_extension(
            r"msg=Detected a threat. No action needed\n2nd line cs1=a\=b\\c cs1Label=Rule Name"
        )
        assert pairs == [
            ("msg", "Detected a threat. No action needed\n2nd line"),
            ("cs1", "a=b\\c"),
            ("cs1Label", "Rule Name"),
        ]

    def test_custom_labels_numbers_and_unmapped_keys(self) -> None:
        """cs/cn/cfp with labels land in their columns (cn also in FieldDeviceCustomNumber), unknown keys and
        values of the wrong type in AdditionalExtensions, nothing lost."""
        line = (
            b"CEF:0|PaloAltoNetworks|PAN-OS|10.1|end|TRAFFIC|3|rt=Dec 04 2026 04:59:00 GMT "
            b"cn1=42 cn1Label=SessionID cfp1=0.5 cfp1Label=Score PanOSRule=allow-web spt=http "
            b"start=1764824340000 in=1024 out=2048 externalId=77 cat=end"
        )
        r = cef_row(parse_syslog(line, received=RECEIVED), received=RECEIVED, peer=None, collector="c")
        assert r["DeviceCustomNumber1"] == 42 and r["FieldDeviceCustomNumber1"] == 42
        assert r["DeviceCustomNumber1Label"] == "SessionID"
        assert r["DeviceCustomFloatingPoint1"] == 0.5 and r["DeviceCustomFloatingPoint1Label"] == "Score"
        assert r["ReceiptTime"] == "Dec 04 2026 04:59:00 GMT"  # a string column: as sent
        assert r["StartTime"] == "2025-12-04T04:59:00.000000Z"  # epoch milliseconds
        assert (r["ReceivedBytes"], r["SentBytes"]) == (1024, 2048)
        assert (r["ExtID"], r["ExternalID"], r["DeviceEventCategory"]) == ("77", 77, "end")
        assert r["AdditionalExtensions"] == "PanOSRule=allow-web;spt=http"
        assert "SourcePort" not in r

    def test_int_column_out_of_range_is_kept_as_text(self) -> None:
        """A port beyond int32 is not truncated: it goes to AdditionalExtensions."""
        r = cef_row(
            parse_syslog(b"CEF:0|v|p|1|c|n|1|dpt=99999999999", received=RECEIVED),
            received=RECEIVED,
            peer=None,
            collector="c",
        )
        assert "DestinationPort" not in r and r["AdditionalExtensions"] == "dpt=99999999999"

    def test_no_extension(self) -> None:
        """A header with no extension (and no trailing pipe) is still an event."""
        r = cef_row(
            parse_syslog(b"CEF:1|v|p|1|c|n|High", received=RECEIVED),
            received=RECEIVED,
            peer=None,
            collector="c",
        )
        assert r["LogSeverity"] == "High" and r["Activity"] == "n"

    @pytest.mark.parametrize(
        ("line", "reason"),
        [
            (b"<13>Oct 11 22:14:15 h app: just text", "no 'CEF:'"),
            (b"CEF:0|v|p|1|c", "header has 5 fields"),
            (b"CEF:x|v|p|1|c|n|1|a=b", "not a number"),
        ],
    )
    def test_malformed_cef_says_why(self, line: bytes, reason: str) -> None:
        """Not CEF, or a short header: CefError with the reason."""
        with pytest.raises(CefError, match=reason):
            cef_row(parse_syslog(line, received=RECEIVED), received=RECEIVED, peer=None, collector="c")

    def test_every_mapped_key_names_a_real_column(self) -> None:
        """Each CEF key maps onto a column of the CommonSecurityLog table (the table reference's)."""
        columns = {c.name: c.type for c in builtin_tables()["commonsecuritylog"].columns}
        assert set(CEF_KEYS.values()) <= set(columns)
        assert columns["DestinationPort"] is ColumnType.INT and columns["SentBytes"] is ColumnType.LONG


class TestFramer:
    def test_octet_counting_split_anywhere(self) -> None:
        """RFC 6587 octet counting: frames come out whole however the bytes are split."""
        msgs = [b"<13>1 - h a - - - one", b"<13>1 - h a - - - two\nwith a newline"]
        stream = b"".join(b"%d %s" % (len(m), m) for m in msgs)
        for cut in range(1, len(stream)):
            f = SyslogFramer(1024)
            assert f.feed(stream[:cut]) + f.feed(stream[cut:]) + f.close() == msgs

    def test_lf_framing_and_a_last_line_without_lf(self) -> None:
        """Newline framing; CRLF trimmed; a last line without LF still counts at the end of the stream."""
        f = SyslogFramer(1024)
        assert f.feed(b"<13>a\r\n<13>b\n\n<13>c") == [b"<13>a", b"<13>b"]
        assert f.close() == [b"<13>c"]

    def test_mixed_framing_per_frame(self) -> None:
        """Each frame is read by its first byte: octet counting and LF frames may alternate."""
        f = SyslogFramer(1024)
        assert f.feed(b"5 <13>x<13>y\n3 abc") == [b"<13>x", b"<13>y", b"abc"]

    def test_oversized_frames_are_reported_and_skipped_in_bounded_memory(self) -> None:
        """A frame over the limit is a FrameError with its first bytes; the stream goes on after it."""
        f = SyslogFramer(16)
        big = b"x" * 100
        out = f.feed(b"100 " + big[:50])
        out += f.feed(big[50:] + b"<13>ok\n")
        assert (
            isinstance(out[0], FrameError)
            and out[0].length == 100
            and "over the input's limit" in out[0].reason
        )
        assert out[1:] == [b"<13>ok"]
        out = f.feed(b"y" * 40)
        assert isinstance(out[0], FrameError)
        assert f.feed(b"yyyy\n<13>next\n") == [b"<13>next"]

    def test_truncated_octet_frame_at_end_of_stream(self) -> None:
        """The stream ends inside an octet-counted frame: reported, not taken as a message."""
        f = SyslogFramer(1024)
        assert f.feed(b"20 <13>short") == []
        (err,) = f.close()
        assert isinstance(err, FrameError) and "ended inside" in err.reason
