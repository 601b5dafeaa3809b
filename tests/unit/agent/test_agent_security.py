"""The state directory is the agent's alone: private modes, no planted symlink is ever followed."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azlogs._exceptions import ConfigError
from azlogs.agent import Agent, load_config
from azlogs.agent._checkpoints import atomic_write, private_dir
from azlogs.agent._routes import DeadLetters, RouteTable
from azlogs.agent._tail import FileTailer
from tests.unit.agent.conftest import Running, Sink, credentials, write_config
from tests.unit.agent.test_agent_tail import Clock, drain, texts

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes and symlinks")


@pytest.fixture
def umask_000() -> Iterator[None]:
    """Run with the loosest umask a careless service manager can set."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


class TestAtomicWrite:
    def test_a_symlink_at_the_old_predictable_temporary_name_is_not_followed(self, tmp_path: Path) -> None:
        """A symlink planted at ``.status.json.<pid>.tmp`` leaves its target untouched."""
        victim = tmp_path / "victim"
        victim.write_bytes(b"precious")
        target = tmp_path / "status.json"
        planted = tmp_path / f".status.json.{os.getpid()}.tmp"
        planted.symlink_to(victim)
        atomic_write(target, b'{"state": "running"}', durable=False)
        assert victim.read_bytes() == b"precious"
        assert target.read_bytes() == b'{"state": "running"}'
        assert not target.is_symlink()

    def test_planted_symlinks_at_every_predictable_name_are_not_followed(self, tmp_path: Path) -> None:
        """Symlinks at names built from the pid (any nearby pid) or a counter never receive the data."""
        victim = tmp_path / "victim"
        victim.write_bytes(b"precious")
        names = [f".routes.json.{p}.tmp" for p in range(os.getpid() - 50, os.getpid() + 50)]
        names += [".routes.json.tmp", "routes.json.tmp", ".routes.json.0.tmp"]
        for name in names:
            (tmp_path / name).symlink_to(victim)
        for _ in range(20):
            atomic_write(tmp_path / "routes.json", b"{}")
        assert victim.read_bytes() == b"precious"
        leftovers = {n for n in os.listdir(tmp_path) if n not in names}
        assert leftovers == {"victim", "routes.json"}

    def test_files_are_0600_whatever_the_umask(self, tmp_path: Path, umask_000: None) -> None:
        """status.json, routes.json and dead letters are readable by the agent's user only."""
        atomic_write(tmp_path / "status.json", b"{}", durable=False)
        table = RouteTable(tmp_path / "routes.json")
        table.prune(set())
        table._write()
        dl = DeadLetters(tmp_path / "dead-letter")
        path = dl.write("input-a", [{"raw": "x"}])
        assert _mode(tmp_path / "status.json") == 0o600
        assert _mode(tmp_path / "routes.json") == 0o600
        assert _mode(path) == 0o600

    def test_a_planted_dead_letter_symlink_is_refused(self, tmp_path: Path) -> None:
        """A symlink in place of today's dead-letter file makes the write fail, not follow it."""
        victim = tmp_path / "victim"
        victim.write_bytes(b"precious")
        dl = DeadLetters(tmp_path / "dl")
        dl.directory.mkdir()
        dl.path("input-a").symlink_to(victim)
        with pytest.raises(OSError, match="Too many levels of symbolic links"):
            dl.write("input-a", [{"raw": "x"}])
        assert victim.read_bytes() == b"precious"


class TestPrivateDir:
    def test_new_directories_are_0700_whatever_the_umask(self, tmp_path: Path, umask_000: None) -> None:
        """A directory the agent creates is 0700 even under umask 000."""
        private_dir(tmp_path / "state", "state directory")
        assert _mode(tmp_path / "state") == 0o700

    @pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o720])
    def test_a_directory_writable_by_group_or_others_is_refused(self, tmp_path: Path, mode: int) -> None:
        """An existing state directory that group or others may write is refused, naming the fix."""
        state = tmp_path / "state"
        state.mkdir()
        state.chmod(mode)
        with pytest.raises(ConfigError, match="writable by group or others") as err:
            private_dir(state, "state directory")
        assert f"chmod 700 {state}" in str(err.value)

    def test_a_readable_directory_is_used_with_a_warning(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """0755 (readable, not writable, by others) is used, with a warning that says so."""
        state = tmp_path / "state"
        state.mkdir()
        state.chmod(0o755)
        private_dir(state, "state directory")
        assert "readable by group or others" in caplog.text

    def test_a_file_in_place_of_the_directory_is_refused(self, tmp_path: Path) -> None:
        """A file where the directory should be is a clear error."""
        (tmp_path / "state").write_bytes(b"")
        with pytest.raises(ConfigError, match="not a directory"):
            private_dir(tmp_path / "state", "state directory")

    def test_a_directory_owned_by_another_user_is_refused(self, tmp_path: Path) -> None:
        """A directory owned by someone else is refused, naming the owner's uid."""
        if os.geteuid() == 0:
            state = tmp_path / "state"
            state.mkdir(mode=0o700)
            os.chown(state, 4242, 4242)
            owner = 4242
        else:
            state, owner = Path("/"), 0
        with pytest.raises(ConfigError, match=f"owned by uid {owner}"):
            private_dir(state, "state directory")


class TestAgentStateDir:
    def _agent(self, tmp_path: Path, sink: Sink) -> Agent:
        log = tmp_path / "app.log"
        log.write_bytes(b"")
        cfg = write_config(tmp_path, f'[[inputs]]\nname = "app"\npaths = ["{log}"]\n')
        return Agent(load_config(cfg, env={}), transport=sink.transport(), credentials=credentials)

    @pytest.mark.parametrize("sub", ["", "spool", "dead-letter", "checkpoints"])
    def test_agent_refuses_a_world_writable_state_dir(self, tmp_path: Path, sink: Sink, sub: str) -> None:
        """The agent does not start on a state, spool, dead-letter or checkpoint dir others may write."""
        state = tmp_path / "state"
        (state / sub).mkdir(parents=True, exist_ok=True)
        state.chmod(0o700)
        (state / sub).chmod(0o777)
        agent = self._agent(tmp_path, sink)
        try:
            with pytest.raises(ConfigError, match="writable by group or others"):
                agent.start()
        finally:
            if agent.spool is not None:
                agent.spool.close()

    def test_agent_creates_private_directories(
        self, tmp_path: Path, sink: Sink, run_agent: Callable[..., Running], umask_000: None
    ) -> None:
        """Under umask 000 every directory the agent creates is 0700 and every file 0600."""
        log = tmp_path / "app.log"
        log.write_bytes(b'{"a": 1}\n')
        cfg = write_config(tmp_path, f'[[inputs]]\nname = "app"\npaths = ["{log}"]\n')
        running = run_agent(cfg)
        running.stop()
        state = tmp_path / "state"
        for root, dirs, files in os.walk(state):
            for d in dirs:
                assert _mode(Path(root) / d) == 0o700, d
            for f in files:
                assert _mode(Path(root) / f) & 0o077 == 0, f
        assert _mode(state) == 0o700


class TestSymlinkedPaths:
    def _tailer(self, pattern: Path, **kw: Any) -> FileTailer:
        return FileTailer([str(pattern)], glob_interval=0.0, clock=Clock(), **kw)

    def test_a_symlink_is_not_read_by_default(self, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
        """A matched path that is a symlink (here to a secret) is skipped, counted and logged once."""
        secret = tmp_path / "secret"
        secret.write_bytes(b"root:hash\n")
        logs = tmp_path / "logs"
        logs.mkdir()
        (logs / "app.log").write_bytes(b"line\n")
        (logs / "evil.log").symlink_to(secret)
        t = self._tailer(logs / "*.log")
        assert sorted(texts(drain(t))) == [b"line"]
        drain(t)
        assert t.symlinks_skipped == 1
        assert caplog.text.count("evil.log is a symlink") == 1
        assert "follow_symlinks = true" in caplog.text

    def test_follow_symlinks_reads_the_target_and_follows_a_retarget(self, tmp_path: Path) -> None:
        """With follow_symlinks, the target is read; pointing the link elsewhere is a rotation."""
        one, two = tmp_path / "one.log", tmp_path / "two.log"
        one.write_bytes(b"a1\n")
        two.write_bytes(b"b1\n")
        link = tmp_path / "current.log"
        link.symlink_to(one)
        clock = Clock()
        t = FileTailer([str(link)], glob_interval=0.0, clock=clock, follow_symlinks=True, rotate_wait=1.0)
        assert texts(drain(t, clock)) == [b"a1"]
        tmp = tmp_path / "next"
        tmp.symlink_to(two)
        os.replace(tmp, link)
        with open(one, "ab") as f:
            f.write(b"a2\n")
        assert sorted(texts(drain(t, clock))) == [b"a2", b"b1"]
        assert t.rotations == 1

    def test_the_input_setting_reaches_the_tailer(self, tmp_path: Path, sink: Sink) -> None:
        """follow_symlinks is an input key (false by default); a non-boolean is a config error."""
        base = '[[inputs]]\nname = "app"\npaths = ["/x/*.log"]\n'
        assert load_config(write_config(tmp_path, base), env={}).inputs[0].follow_symlinks is False
        on = load_config(write_config(tmp_path, base + "follow_symlinks = true\n"), env={})
        assert on.inputs[0].follow_symlinks is True
        with pytest.raises(ConfigError, match="expected true or false"):
            load_config(write_config(tmp_path, base + 'follow_symlinks = "yes"\n'), env={})
