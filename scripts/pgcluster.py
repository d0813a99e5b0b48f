"""A throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.

As root, initdb refuses to run, so the cluster is made and run by the unprivileged `postgres`
user in a temporary directory that user owns. Durability is switched off: it is thrown away.
"""

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> str:
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb) not found; apt-get install postgresql"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def cluster(*, extra_conf: dict | None = None):
    """Starts a cluster and yields its DATABASE_URL; stops and deletes it afterwards."""
    bindir = _bin_dir()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    tmp = tempfile.mkdtemp(prefix="clinicore-pg-")
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable(
                "running as root needs a 'postgres' user to own the cluster"
            ) from exc
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        os.chmod(tmp, 0o700)
        runuser = shutil.which("runuser") or "/sbin/runuser"
        prefix = [runuser, "-u", "postgres", "--"]
    data = os.path.join(tmp, "data")
    port = _free_port()
    user = "clinicore"
    try:
        subprocess.run(
            [
                *prefix,
                f"{bindir}/initdb",
                "-D",
                data,
                "-U",
                user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(port),
            "unix_socket_directories": f"'{tmp}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "shared_buffers": "256MB",
        }
        conf.update(extra_conf or {})
        with open(os.path.join(data, "postgresql.auto.conf"), "a") as fh:
            for key, value in conf.items():
                fh.write(f"{key} = {value}\n")
        if as_root:
            subprocess.run(
                ["chown", "postgres:postgres", os.path.join(data, "postgresql.auto.conf")],
                check=True,
            )
        subprocess.run(
            [
                *prefix,
                f"{bindir}/pg_ctl",
                "-D",
                data,
                "-l",
                os.path.join(tmp, "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable("PostgreSQL did not accept connections") from None
                time.sleep(0.1)
        yield f"postgres://{user}@127.0.0.1:{port}/clinicore"
    except subprocess.CalledProcessError as exc:
        raise PostgresUnavailable((exc.stderr or b"").decode(errors="replace")[-2000:]) from exc
    finally:
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(
                [*prefix, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    # Manual use: prints the URL and keeps the cluster up until Ctrl-C.
    with cluster() as url:
        print(url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
