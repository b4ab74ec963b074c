"""Ctrl+C on the run command ends every process it started, with the running scan closed.

The README's first command (scripts/run.sh) runs in its own session on a scratch directory; once a scan of the demo
camera is running, the whole process group gets SIGINT, as a terminal's Ctrl+C sends it.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip() and "<defunct>" not in line]


def _scans(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT id, stopped_at, stop_reason FROM recognition_scan").fetchall()
    except sqlite3.Error:
        return []


@pytest.mark.slow
def test_ctrl_c_ends_every_process_within_15_seconds_and_closes_the_scan(tmp_path):
    var = tmp_path / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "PYTEST_CURRENT_TEST", "SECRET_KEY", "DEBUG"}
    }
    env |= {"OVERSIGHT_VAR_DIR": str(var), "PORT": str(_free_port()), "SCAN_CONCURRENCY": "1", "WEB_CONCURRENCY": "1"}
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    pgid = proc.pid
    db = var / "oversight.sqlite3"
    try:
        deadline = time.monotonic() + 300
        while not any(stopped is None for _, stopped, _ in _scans(db)):
            assert proc.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no scan started within 5 minutes"
            time.sleep(1)
        time.sleep(2)  # the scan is analysing frames

        os.killpg(pgid, signal.SIGINT)
        sent = time.monotonic()
        while _group_alive(pgid) and time.monotonic() - sent < 30:
            proc.poll()  # reap the script itself once it exits (a zombie is not running)
            time.sleep(0.25)
        gone_after = time.monotonic() - sent
        left = _group_alive(pgid)
        assert not left, f"still running {gone_after:.1f} s after Ctrl+C: {left}"
        print(f"every process gone {gone_after:.1f} s after Ctrl+C")
        assert gone_after < 15, f"took {gone_after:.1f} s"
        scans = _scans(db)
        assert scans and all(stopped is not None for _, stopped, _ in scans), scans
        assert scans[-1][2] == "worker_stopping"
    finally:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()
