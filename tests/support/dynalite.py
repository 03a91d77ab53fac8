"""A real DynamoDB-compatible server for tests: dynalite (npm), pinned in tests/node.

`Dynalite` runs ``node dynalite`` on a free loopback port, keeping its data in a LevelDB
directory (``--path``), so a server stopped and restarted on the same port keeps its tables and
items. Tables are ACTIVE at once (``--createTableMs 0`` and friends).

Test modules take a fixture from `dynalite_fixture`::

    from tests.support.dynalite import dynalite_fixture

    dynalite = dynalite_fixture()  # module-scoped fixture named "dynalite"

    def test_something(dynalite):
        store = DynamoDbStore("t", endpoint_url=dynalite.endpoint_url, create_table=True)

While the fixture is active the environment holds dummy AWS credentials and region us-east-1
(and no profile, session token or endpoint override), so boto3 never looks elsewhere.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
CLI = NODE_DIR / "node_modules" / "dynalite" / "cli.js"
HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
AWS_ENV_REMOVED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
)


def unavailable() -> str | None:
    """Why dynalite cannot run here (node missing, or npm while it is not installed yet), or
    None. (`scripts/setup.sh --dev` installs both.)"""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup.sh --dev installs it)"
    if not CLI.exists() and shutil.which("npm") is None:
        return "npm is not installed to install dynalite (scripts/setup.sh --dev installs it)"
    return None


def install() -> Path:
    """Install the pinned dynalite (``npm ci`` from package-lock.json) unless already there;
    the test is skipped where it cannot run."""
    why_not = unavailable()
    if why_not is not None:
        pytest.skip(why_not)
    if not CLI.exists():
        npm = shutil.which("npm")
        assert npm is not None  # unavailable() checked
        subprocess.run(
            [npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return CLI


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Dynalite:
    """A dynalite server process: start, stop, restart (same port, same data), pause."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.log_path = data_dir.with_name(data_dir.name + ".log")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = ["node", str(install()), "--host", HOST, "--port", str(self.port)]
        command += ["--path", str(self.data_dir)]
        command += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_accepting()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a few seconds)."""
        if self._process is None:
            return
        process, self._process = self._process, None
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted, requests never answered."""
        assert self._process is not None, "not running"
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None, "not running"
        self._process.send_signal(signal.SIGCONT)

    def __enter__(self) -> Dynalite:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_until_accepting(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"dynalite exited at start:\n{self.log_path.read_text()}")
            try:
                socket.create_connection((HOST, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"dynalite did not listen on {self.endpoint_url} in {START_TIMEOUT_S} s")


Scope = Literal["session", "package", "module", "class", "function"]


def dynalite_fixture(*, scope: Scope = "module", name: str = "dynalite") -> Any:
    """A pytest fixture (named `name`) giving a running `Dynalite` with a dummy AWS environment."""

    @pytest.fixture(scope=scope, name=name)
    def running_dynalite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dynalite]:
        with pytest.MonkeyPatch.context() as env:
            for variable in AWS_ENV_REMOVED:
                env.delenv(variable, raising=False)
            for variable, value in AWS_TEST_ENV.items():
                env.setenv(variable, value)
            with Dynalite(tmp_path_factory.mktemp("dynalite") / "data") as server:
                yield server

    return running_dynalite
