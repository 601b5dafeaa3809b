"""Real-world syslog and CEF lines, verbatim from public samples, into Syslog and CommonSecurityLog columns.

Sources (one line or two of each, kept as published):
- logpai/loghub ``Linux/Linux_2k.log``: a Linux host's syslog (RFC 3164 without PRI, as a file holds it),
  tags with parentheses (``sshd(pam_unix)[19939]``) and without a PID (``logrotate:``).
- Azure/Azure-Sentinel ``Sample Data/CEF/``: ``RadiflowIsid_RawLogs.txt`` (no PRI, a tag without ``:``),
  ``barracudaWAFCEF.txt`` (``CEF: 0`` with a space, ``msg=lang=en`` with an unescaped ``=``, values with
  spaces, empty values), ``fortiwebwafsamplelog.txt`` (empty vendor/product/version fields, an empty
  severity, an ISO ``rt``), ``CitrixADC.txt`` (CEF with no syslog header, an escaped ``\\=``, a value
  with a leading space, a key CEF does not define).

Each expectation is written from the formats' rules (RFC 3164; the CEF specification; Sentinel's CEF to
CommonSecurityLog mapping), column by column.
"""

from __future__ import annotations

import datetime as dt

import pytest

from azlogs.agent._cef import cef_row
from azlogs.agent._syslog import parse_syslog, syslog_row

RECEIVED = dt.datetime(2026, 12, 4, 5, 0, 0, tzinfo=dt.timezone.utc)

SYSLOG_CASES = [
    (
        b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 "
        b"tty=NODEVssh ruser= rhost=218.188.2.4 ",
        {
            "EventTime": "2026-06-14T15:16:01.000000Z",
            "Computer": "combo",
            "ProcessName": "sshd(pam_unix)",
            "ProcessID": 19939,
            "Facility": "user",
            "SeverityLevel": "notice",
            "SyslogMessage": "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
        },
    ),
    (
        b"Jun 15 04:06:20 combo logrotate: ALERT exited abnormally with [1]",
        {
            "EventTime": "2026-06-15T04:06:20.000000Z",
            "Computer": "combo",
            "ProcessName": "logrotate",
            "ProcessID": None,
            "SyslogMessage": "ALERT exited abnormally with [1]",
        },
    ),
    (
        b"Jun 17 07:07:00 combo ftpd[29504]: connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) "
        b"at Fri Jun 17 07:07:00 2005 ",
        {
            "ProcessName": "ftpd",
            "ProcessID": 29504,
            "SyslogMessage": "connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005 ",
        },
    ),
]

CEF_CASES = [
    (
        b"May 18 16:02:00 radiflow-labs-isid radiflow-labs-isid[1] CEF:0|radiflow|isid|7.0.2.28|2|New Link Detected"
        b"|Medium|cat='Link' id=220 src=172.16.2.41 dst=172.16.8.17 pt=502 PtName=Modbus SrcName=172.16.2.41 "
        b"DstName=172.16.8.17 - 0 SrcMac=00:30:DE:40:D0:8D#012 DstMac=B8:27:EB:11:DE:24 SrcVendor=WAGO "
        b"Kontakttechnik GmbH DstVendor=Raspberry Pi Foundation SrcType=Server DstType=Server SrcVlan=1",
        {
            "Computer": "radiflow-labs-isid",
            "DeviceVendor": "radiflow",
            "DeviceProduct": "isid",
            "DeviceVersion": "7.0.2.28",
            "DeviceEventClassID": "2",
            "Activity": "New Link Detected",
            "LogSeverity": "Medium",
            "DeviceEventCategory": "'Link'",
            "SourceIP": "172.16.2.41",
            "DestinationIP": "172.16.8.17",
            "AdditionalExtensions": "id=220;pt=502;PtName=Modbus;SrcName=172.16.2.41;DstName=172.16.8.17 - 0;"
            "SrcMac=00:30:DE:40:D0:8D#012;DstMac=B8:27:EB:11:DE:24;SrcVendor=WAGO Kontakttechnik GmbH;"
            "DstVendor=Raspberry Pi Foundation;SrcType=Server;DstType=Server;SrcVlan=1",
        },
    ),
    (
        b"Aug  3 10:49:35 Barracuda CEF: 0|BarracudaNetworks|WAAS|BNWAS-1.0|WAF|WAF|4| cat=TR dvc=10.239.1.26 "
        b'duser="-" in=209 out=0 suser="-" src=101.173.234.143 spt=48293 requestCookies="-" dhost=13.86.36.66 '
        b'outcome=302 suid="-" requestMethod=GET app=HTTP msg=lang=en requestContext="-" dst=- dpt=9049 '
        b"rt=1659523775038 request=/pma/index.php requestClientApplication=Mozilla/5.0 (Windows NT 10.0; Win64; "
        b"x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.51 Safari/537.36 dvchost=78d886bfdc-dswq7 "
        b"cs1Label=ClientType cs1=%ct cn1Label=ServicePort cn1=9049 flexNumber1Label=ServerTime(ms) flexNumber1=0 "
        b"BarracudaWafCustomHeader1= BarracudaWafResponseType=INTERNAL destinationServiceName=app18247_561194",
        {
            "Computer": "Barracuda",
            "DeviceVendor": "BarracudaNetworks",
            "DeviceProduct": "WAAS",
            "LogSeverity": "4",
            "DeviceEventCategory": "TR",
            "DeviceAddress": "10.239.1.26",
            "DestinationUserName": '"-"',
            "ReceivedBytes": 209,
            "SentBytes": 0,
            "SourceIP": "101.173.234.143",
            "SourcePort": 48293,
            "DestinationHostName": "13.86.36.66",
            "EventOutcome": "302",
            "RequestMethod": "GET",
            "ApplicationProtocol": "HTTP",
            "Message": "lang=en",
            "DestinationIP": "-",
            "DestinationPort": 9049,
            "ReceiptTime": "1659523775038",
            "RequestURL": "/pma/index.php",
            "RequestClientApplication": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/99.0.4844.51 Safari/537.36",
            "DeviceName": "78d886bfdc-dswq7",
            "DeviceCustomString1Label": "ClientType",
            "DeviceCustomString1": "%ct",
            "DeviceCustomNumber1": 9049,
            "FieldDeviceCustomNumber1": 9049,
            "FlexNumber1Label": "ServerTime(ms)",
            "FlexNumber1": 0,
            "DestinationServiceName": "app18247_561194",
            "AdditionalExtensions": "BarracudaWafCustomHeader1=;BarracudaWafResponseType=INTERNAL",
        },
    ),
    (
        b"Jul 25 09:56:42 syslog.fortiweb-cloud.com syslogng[9] CEF:0||||N/A|URL Access Violation|Substantial|"
        b"cat=attack rt=2022-07-25T04:56:13-05:00 cs1=My App 1 cs1Label=appName src=49.206.123.11 spt=36381 dpt=443 "
        b"act=Monitor cn3=N/A cn3Label=signatureID cs6=A01:2021-Broken Access Control cs6Label=owaspTop10 "
        b"msg=URL Access Violation",
        {
            "Computer": "syslog.fortiweb-cloud.com",
            "DeviceVendor": "",
            "DeviceProduct": "",
            "DeviceVersion": "",
            "DeviceEventClassID": "N/A",
            "Activity": "URL Access Violation",
            "LogSeverity": "Substantial",
            "ReceiptTime": "2022-07-25T04:56:13-05:00",
            "DeviceCustomString1": "My App 1",
            "DeviceCustomString6": "A01:2021-Broken Access Control",
            "DeviceCustomNumber3Label": "signatureID",
            "DeviceAction": "Monitor",
            "Message": "URL Access Violation",
            "AdditionalExtensions": "cn3=N/A",  # not a number: kept as text, not dropped
        },
    ),
    (
        b"Jul 25 10:02:34 syslog.fortiweb-cloud.com syslogng[9] CEF:0|||||IP Protection was configured "
        b"successfully||cat=audit rt=1658743275696 cs3=INFO cs3Label=level msg=IP Protection was configured "
        b"successfully",
        {
            "Activity": "IP Protection was configured successfully",
            "LogSeverity": "",
            "DeviceEventCategory": "audit",
        },
    ),
    (
        b"CEF:0|Citrix|NetScaler|NS13.1|APPFW|APPFW_STARTURL|6|src=10.10.10.10 spt=54711 method=GET "
        b"request=http://test.example.com/css/login_post.html?usr\\=admin msg=Disallow Illegal URL. cn1=405 "
        b"cn2=335 cs1=default cs4=ALERT cs5=2022 act=not blocked",
        {
            "Computer": "192.0.2.50",  # no syslog header: the sender's address
            "DeviceVendor": "Citrix",
            "Activity": "APPFW_STARTURL",
            "LogSeverity": "6",
            "RequestURL": "http://test.example.com/css/login_post.html?usr=admin",
            "Message": "Disallow Illegal URL.",
            "DeviceAction": "not blocked",
            "DeviceCustomString5": "2022",
            "AdditionalExtensions": "method=GET",
        },
    ),
    (
        b"CEF:0|Citrix|NetScaler|NS13.1|APPFW|APPFW_SAFECOMMERCE|6|src=10.10.10.10 spt=48191 method=GET "
        b"request=http://app123.example.com/cc/CreditCardForm.html msg= Maximum no. of potential credit card "
        b"numbers seen cn1=653 act=transformed",
        {"Message": " Maximum no. of potential credit card numbers seen", "DeviceCustomNumber1": 653},
    ),
]


@pytest.mark.parametrize(
    ("line", "expected"), SYSLOG_CASES, ids=[f"syslog{i}" for i in range(len(SYSLOG_CASES))]
)
def test_real_syslog_lines(line: bytes, expected: dict[str, object]) -> None:
    """Each public syslog line gives these Syslog columns exactly."""
    row = syslog_row(
        parse_syslog(line, received=RECEIVED), received=RECEIVED, peer="192.0.2.50", collector="c"
    )
    assert {k: row.get(k) for k in expected} == expected


@pytest.mark.parametrize(("line", "expected"), CEF_CASES, ids=[f"cef{i}" for i in range(len(CEF_CASES))])
def test_real_cef_lines(line: bytes, expected: dict[str, object]) -> None:
    """Each public CEF line gives these CommonSecurityLog columns exactly (nothing of it is dropped)."""
    row = cef_row(parse_syslog(line, received=RECEIVED), received=RECEIVED, peer="192.0.2.50", collector="c")
    assert {k: row.get(k) for k in expected} == expected
