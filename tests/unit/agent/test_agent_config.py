"""The agent's TOML config: what is read, what is inherited, and errors that name the key."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from azlogs._exceptions import ConfigError
from azlogs.agent import load_config
from azlogs.agent._config import parse_size

DCR = "dcr-0123456789abcdef0123456789abcdef"
GOOD = f"""
[agent]
state_dir = "state"
drain_timeout = 12
http_port = 9464

[spool]
max_size = "64MiB"
segment_size = "1MiB"

[sender]
workers = 2

[defaults]
endpoint = "https://dce.example.ingest.monitor.azure.com"
dcr = "{DCR}"
fields = {{ Computer = "${{HOSTNAME}}", Env = "prod" }}
id_column = "AzlogsId"

[[inputs]]
name = "app"
paths = ["logs/*.log"]
exclude = ["*.gz"]
stream = "Custom-App"
fields = {{ Env = "test" }}

[[inputs]]
name = "web"
paths = ["/var/log/nginx/access.log"]
parser = "regex"
pattern = '^(?P<Host>\\S+) (?P<Status>\\d+)'
stream = "Custom-Web"
source = "arc"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(text)
    return path


class TestReading:
    def test_full_config(self, tmp_path: Path) -> None:
        """Every section is read; relative paths are anchored at the config file's directory."""
        cfg = load_config(write(tmp_path, GOOD), env={})
        assert cfg.state_dir == tmp_path / "state"
        assert cfg.drain_timeout == 12
        assert cfg.http_port == 9464
        assert cfg.spool.max_bytes == 64 * 2**20
        assert cfg.sender.workers == 2
        app = cfg.input("app")
        assert app.type == "file"
        assert app.paths == (str(tmp_path / "logs" / "*.log"),)
        assert app.exclude == ("*.gz",)
        assert app.dcr == DCR
        assert app.id_column == "AzlogsId"
        web = cfg.input("web")
        assert web.parser == "regex"
        assert web.source == "arc"

    def test_fields_merge_with_defaults_and_expand_hostname(self, tmp_path: Path) -> None:
        """Input fields override defaults key by key; ${HOSTNAME} falls back to the host name."""
        cfg = load_config(write(tmp_path, GOOD), env={})
        assert dict(cfg.input("app").fields) == {"Computer": socket.gethostname(), "Env": "test"}
        assert dict(cfg.input("web").fields) == {"Computer": socket.gethostname(), "Env": "prod"}

    def test_environment_expansion(self, tmp_path: Path) -> None:
        """${NAME} takes the environment's value."""
        cfg = load_config(write(tmp_path, GOOD), env={"HOSTNAME": "web-07"})
        assert dict(cfg.input("app").fields)["Computer"] == "web-07"

    def test_stdin_input(self, tmp_path: Path) -> None:
        """An input without paths reads stdin."""
        text = f'[[inputs]]\nname = "pipe"\nstream = "Custom-X"\ndcr = "{DCR}"\nendpoint = "https://e.example"\nparser = "text"\n'
        cfg = load_config(write(tmp_path, text), env={})
        assert cfg.inputs[0].type == "stdin"
        assert cfg.inputs[0].parser == "text"

    @pytest.mark.parametrize(
        ("text", "size"),
        [("512", 512), ("64k", 64000), ("64KiB", 65536), ("2GB", 2 * 10**9), ("1.5MiB", 1572864), (10, 10)],
    )
    def test_sizes(self, text: str | int, size: int) -> None:
        """Sizes take SI and binary units."""
        assert parse_size(text, "x") == size


class TestErrors:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (("drain_timeout = 12", "drain_timout = 12"), "unknown key drain_timout"),
            (('stream = "Custom-App"', ""), "[[inputs]] 'app'.stream is missing"),
            (('parser = "regex"', 'parser = "xml"'), "'xml' is not one of json, csv, text, regex"),
            (("(?P<Host>\\S+) (?P<Status>\\d+)", "(\\S+)"), "no named groups"),
            (('source = "arc"', 'source = "laptop"'), "'laptop' is not one of"),
            (('max_size = "64MiB"', 'max_size = "lots"'), "expected a size"),
            (('Env = "prod"', 'Env = "prod", "bad name" = 1'), "is not a valid column name"),
            (('name = "web"', 'name = "app"'), "used twice"),
            (('"https://dce', '"http://dce'), "must be an https URL"),
        ],
    )
    def test_mistakes_name_the_key(self, tmp_path: Path, change: tuple[str, str], message: str) -> None:
        """A wrong value fails with a ConfigError naming the file and the key."""
        assert change[0] in GOOD
        path = write(tmp_path, GOOD.replace(change[0], change[1], 1))
        with pytest.raises(ConfigError) as info:
            load_config(path, env={})
        assert message in str(info.value)
        assert str(path) in str(info.value)

    def test_no_inputs(self, tmp_path: Path) -> None:
        """A config without inputs is refused with the fix."""
        with pytest.raises(ConfigError, match="at least one input"):
            load_config(write(tmp_path, "[agent]\n"), env={})

    def test_not_toml(self, tmp_path: Path) -> None:
        """A file that is not TOML is refused, naming the file."""
        with pytest.raises(ConfigError, match="not valid TOML"):
            load_config(write(tmp_path, "[[inputs]\n"), env={})

    def test_unset_variable(self, tmp_path: Path) -> None:
        """${NAME} with no such variable is an error, not an empty string."""
        path = write(tmp_path, GOOD.replace('"prod"', '"${DEPLOY_ENV}"'))
        with pytest.raises(ConfigError, match=r"\$\{DEPLOY_ENV\} is not set"):
            load_config(path, env={})

    def test_missing_file(self, tmp_path: Path) -> None:
        """A config that does not exist is a usage error (exit 2)."""
        with pytest.raises(ConfigError) as info:
            load_config(tmp_path / "nope.toml")
        assert info.value.exit_code == 2


class TestCloudAndEndpointRule:
    def test_cloud_key_reaches_the_input(self, tmp_path: Path) -> None:
        """cloud = "..." in [defaults] is inherited by every input, under the name given."""
        text = GOOD.replace(
            '"https://dce.example.ingest.monitor.azure.com"', '"https://dce.example.ingest.monitor.azure.us"'
        )
        text = text.replace("[defaults]\n", '[defaults]\ncloud = "AzureUSGovernment"\n', 1)
        cfg = load_config(write(tmp_path, text), env={})
        assert {i.cloud for i in cfg.inputs} == {"AzureUSGovernment"}

    def test_cloud_that_contradicts_the_endpoint(self, tmp_path: Path) -> None:
        """A public-cloud endpoint with cloud = "AzureChinaCloud" is refused, naming the key and the right cloud."""
        text = GOOD.replace("[defaults]\n", '[defaults]\ncloud = "AzureChinaCloud"\n', 1)
        with pytest.raises(ConfigError) as info:
            load_config(write(tmp_path, text), env={})
        assert ".cloud" in info.value.message and "--cloud AzurePublic" in (info.value.hint or "")

    def test_unknown_cloud(self, tmp_path: Path) -> None:
        """An unknown cloud name is refused with the known names."""
        text = GOOD.replace("[defaults]\n", '[defaults]\ncloud = "Mars"\n', 1)
        with pytest.raises(ConfigError) as info:
            load_config(write(tmp_path, text), env={})
        assert "AzureUSGovernment" in (info.value.hint or "")

    def test_loopback_http_like_the_client(self, tmp_path: Path) -> None:
        """The agent accepts what the client sends to (plain http to loopback only), one rule for both."""
        text = GOOD.replace('"https://dce.example.ingest.monitor.azure.com"', '"http://127.0.0.1:8080"')
        cfg = load_config(write(tmp_path, text), env={})
        assert cfg.inputs[0].endpoint == "http://127.0.0.1:8080"
