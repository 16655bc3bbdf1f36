"""The committed type stubs are the ones the classes generate."""

import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "stubs.py"


def test_stubs_are_current():
    # The stubs describe the installed package's classes.
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
