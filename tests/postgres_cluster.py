"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl on a temporary folder, reached by its Unix socket.

The cluster is the Debian `postgresql` package's (or any PostgreSQL on PATH): no server is needed beforehand, no
port is opened (listen_addresses is empty, the socket lives in the folder), and nothing survives the session. As
root (a CI container), initdb refuses to run: the cluster then belongs to the `postgres` user, run through runuser,
in a folder made with tempfile.mkdtemp() and handed to that user (pytest's own temporary folders are 0700 root).
"""
from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

# The role the tests connect as: the cluster's superuser, created by initdb (trust authentication on the socket).
USER = "cvdesk"
# Settings of a cluster that is thrown away: durability is not wanted, speed and a small footprint are (two cores
# and many test runs at once on the shared machine).
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "40",
}
START_TIMEOUT_S = 60
# Where the Debian and Ubuntu packages put the server's programs (not on PATH: Debian wraps them in pg_ctlcluster).
DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"


class ClusterUnavailable(Exception):
    """No cluster could be started here; the message says why (a missing package, a refused initdb, its log)."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: CVDESK_PG_BINDIR if set, else PATH, else the newest Debian package."""
    wanted = os.environ.get("CVDESK_PG_BINDIR")
    candidates: list[Path] = [Path(wanted)] if wanted else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    # Newest major version first: /usr/lib/postgresql/15/bin before /usr/lib/postgresql/13/bin.
    debian = sorted(Path("/").glob(DEBIAN_BINARIES.lstrip("/")), key=_major_version, reverse=True)
    candidates.extend(debian)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise ClusterUnavailable("initdb et pg_ctl sont introuvables (ni CVDESK_PG_BINDIR, ni le PATH, ni "
                             f"{DEBIAN_BINARIES}) : installez le paquet Debian « postgresql »")


def _major_version(folder: Path) -> int:
    match = re.search(r"/(\d+)/bin$", folder.as_posix())
    return int(match.group(1)) if match else 0


class PostgresCluster:
    """One running cluster: its folder (data, socket and log), URLs of its databases, creation and removal of them."""

    def __init__(self, binaries: Path, folder: Path, run_as: str | None) -> None:
        self.binaries = binaries
        self.folder = folder
        self.run_as = run_as
        self._names = itertools.count(1)
        self._admin = None
        self._running = False
        self._watchdog: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls) -> PostgresCluster:
        """initdb a new cluster in a fresh temporary folder and start it; ClusterUnavailable says why it cannot."""
        binaries = find_binaries()
        run_as, owner = None, None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("les tests tournent en root et l'utilisateur « postgres » n'existe pas "
                                         "(initdb refuse root) : installez le paquet Debian « postgresql »") from None
            if shutil.which("runuser") is None:
                raise ClusterUnavailable("les tests tournent en root et runuser (util-linux) est introuvable")
            run_as = "postgres"
        folder = Path(tempfile.mkdtemp(prefix="cvdesk-pg-"))
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        cluster = cls(binaries, folder, run_as)
        try:
            cluster._init_and_start()
        except BaseException:
            cluster.stop()
            raise
        atexit.register(cluster.stop)  # a session cut short (Ctrl+C twice) still leaves no server behind
        return cluster

    def _run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / arguments[0]), *arguments[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        # The caller's PG* variables (PGHOST, PGPORT, PGDATA…) must not send pg_ctl to another server.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        return subprocess.run(command, cwd=self.folder, env=environment, capture_output=True, text=True,
                              timeout=START_TIMEOUT_S + 30)

    def _init_and_start(self) -> None:
        data = self.folder / "data"
        made = self._run("initdb", "-D", str(data), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8",
                         "--locale=C.UTF-8")
        if made.returncode != 0:
            raise ClusterUnavailable(f"initdb a échoué : {(made.stderr or made.stdout).strip()[-600:]}")
        options = " ".join(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items())
        started = self._run("pg_ctl", "-D", str(data), "-o", f"-k {self.folder} {options}",
                            "-l", str(self.log), "-t", str(START_TIMEOUT_S), "-w", "start")
        if started.returncode != 0:
            raise ClusterUnavailable(f"pg_ctl start a échoué : {started.stderr.strip()[-300:]} ; "
                                     f"journal du serveur : {self.log_tail()}")
        self._running = True
        self._start_watchdog()

    def _start_watchdog(self) -> None:
        """A shell that stops the server and removes its folder once this test process is gone, however it went
        (a `timeout` or a kill leaves no finaliser and no atexit run: without it the server would run on for ever)."""
        stop = [str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"]
        if self.run_as:
            stop = ["runuser", "-u", self.run_as, "--", *stop]
        script = (f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
                  f"{shlex.join(stop)} >/dev/null 2>&1; rm -rf {shlex.quote(str(self.folder))}")
        self._watchdog = subprocess.Popen(["sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)

    @property
    def log(self) -> Path:
        return self.folder / "log"

    def log_tail(self, characters: int = 600) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:].strip()
        except OSError:
            return "(pas de journal)"

    def url(self, database: str = "postgres") -> str:
        """The URL our program takes (--db, CVDESK_DB) for a database of this cluster: socket folder as host."""
        return f"postgresql://{USER}@/{database}?host={quote(str(self.folder), safe='/')}"

    def connect(self, database: str = "postgres"):
        """A plain psycopg2 connection (autocommit) to a database of this cluster, independent of cvdesk's code."""
        import pg_plain

        return pg_plain.connect(host=str(self.folder), dbname=database, user=USER, autocommit=True)

    def _admin_connection(self):
        if self._admin is None or self._admin.closed:
            self._admin = self.connect("postgres")
        return self._admin

    def new_database_name(self, prefix: str = "t") -> str:
        return f"{prefix}{next(self._names)}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (empty, or a copy of template, which must have no connection open) and give its URL."""
        from psycopg2 import sql

        admin = self._admin_connection()
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        if admin.server_version >= 150000:
            # A copy of the files (a checkpoint, cheap without fsync) rather than PostgreSQL 15's default of writing
            # the whole template through the WAL: 0.2-0.4 s against 0.3-2.7 s for the demo on the shared machine.
            statement = sql.SQL("{} STRATEGY FILE_COPY").format(statement)
        admin.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connection a test left open on it."""
        from psycopg2 import sql

        self._admin_connection().execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server at once (nothing is worth keeping) and remove its folder."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._running:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
            self._running = False
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._watchdog is not None:
            self._watchdog.kill()  # its work is done; it is our own child, ended by its id
            self._watchdog.wait()
            self._watchdog = None


def running_in_ci() -> bool:
    """Whether the tests run in continuous integration, where a PostgreSQL test must fail, never be skipped."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def started_for_tests() -> PostgresCluster:
    """A cluster started for a test (or the session): skipped with the reason where none can start, but a failure
    under CI, where PostgreSQL is required."""
    import pytest

    try:
        return PostgresCluster.start()
    except ClusterUnavailable as exc:
        if running_in_ci():
            pytest.fail(f"PostgreSQL est exigé en intégration continue : {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL indisponible : {exc}")
