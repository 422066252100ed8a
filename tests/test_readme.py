"""The README is a contract: its test command is what CI runs, and its examples run as written."""
from __future__ import annotations

import doctest
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    commands = [line for block in bash_blocks(README) for line in block.splitlines() if "pytest" in line]
    assert len(commands) == 1, "the README should give exactly one test command"
    assert commands[0].strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_python_examples_run_as_written():
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for number, block in enumerate(re.findall(r"```python\n(.*?)```", README, flags=re.S)):
        test = parser.get_doctest(block, {}, f"README block {number}", "README.md", 0)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_readme_python_scripts_run_as_written(tmp_path, monkeypatch):
    """Blocks without a `>>>` prompt are scripts: each runs on its own, in a scratch directory."""
    monkeypatch.chdir(tmp_path)
    scripts = [b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if ">>>" not in b]
    assert scripts, "the README should show at least one script"
    for number, block in enumerate(scripts):
        exec(compile(block, f"README script {number}", "exec"), {"__name__": "__readme__"})
