"""Run a tutorial script the way a reader does: a fresh Python process, from the command line."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[2] / "tutorials"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class TutorialRun:
    """The finished process: its exit code, its output, its last line, and its output directory."""

    def __init__(self, name: str, completed: subprocess.CompletedProcess, out: Path) -> None:
        self.name = name
        self.returncode = completed.returncode
        self.stdout, self.stderr = completed.stdout, completed.stderr
        self.out = out
        lines = self.stdout.strip().splitlines()
        self.result = lines[-1] if lines else ""

    def assert_succeeded(self) -> None:
        """Exit code 0 and a last line ``NAME: ... (seed S)``."""
        assert self.returncode == 0, f"exit code {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        assert re.fullmatch(rf"{self.name}: .+ \(seed \d+\)", self.result), f"bad result line {self.result!r}"

    def number(self, pattern: str) -> float:
        """The number that ``pattern`` (a regex with one group) finds in the result line."""
        found = re.search(pattern, self.result)
        assert found, f"{pattern!r} not in the result line {self.result!r}"
        return float(found.group(1))

    def assert_pictures(self, *names: str) -> None:
        """Each picture exists and is a real PNG or SVG file, not an empty or half-written one."""
        for name in names:
            path = self.out / name
            assert path.is_file(), f"{name} was not written; stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
            content = path.read_bytes()
            if name.endswith(".png"):
                assert content.startswith(PNG_MAGIC) and len(content) > 1000, f"{name} is not a PNG picture"
            else:
                assert b"<svg" in content and content.rstrip().endswith(b"</svg>"), f"{name} is not an SVG picture"


@pytest.fixture
def run_tutorial(tmp_path):
    """``run_tutorial("circles", "--smoke")``: run tutorials/circles.py quietly into a temporary --out."""

    def run(name: str, *flags: str, quiet: bool = True, timeout: float = 300, env: dict | None = None) -> TutorialRun:
        out = tmp_path / name
        command = [sys.executable, str(TUTORIALS / f"{name}.py"), "--out", str(out), *flags]
        if quiet:
            command.append("--quiet")
        completed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=timeout, env=env)
        return TutorialRun(name, completed, out)

    return run

