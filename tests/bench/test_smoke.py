"""Every bench runs at its --smoke size in the services lane: a broken bench fails CI.

The smoke size proves the bench still runs end to end and prints the figures
docs/benchmarks.md is built from; it measures nothing (``make bench`` does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import BENCHES, required_keys

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.services


@pytest.mark.parametrize("name", list(BENCHES))
def test_bench_runs_at_smoke_size_and_reports_its_figures(name, tmp_path):
    out = tmp_path / f"{name}.json"
    env = {**os.environ, "DUET_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, f"bench/{name}.py", "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["run"]["smoke"] is True and data["run"]["load_before"]
    missing = [k for k in required_keys(name) if k not in data["result"]]
    assert not missing, f"{name} did not report {missing}"
    last = result.stdout.strip().splitlines()[-1]
    assert json.loads(last) == data["result"]
