"""Every Python block of README.md and docs/*.md runs as written.

A page's ```` ```python ```` blocks run in order in one fresh Python process
(later blocks may use what earlier ones defined), with the repository root as
the working directory and `KERAS_I3D_HOME` holding the installed Kinetics-400
weights, so they run on the bundled sample `examples/data/arm_wrestling.mp4`.
The README's blocks run in the default suite, the docs pages' in the `slow` one.
A block whose info string says `python illustration` shows code that cannot
run here (it needs files this project cannot provide); it must still compile.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
ILLUSTRATION = "python illustration"

# Runs the blocks given as JSON [[label, code], ...] on stdin in one
# namespace; a traceback names the page and line of the failing block.
RUNNER = """
import json, sys
namespace = {"__name__": "__main__"}
for label, code in json.load(sys.stdin):
    exec(compile(code, label, "exec"), namespace)
"""


def python_blocks(page):
    """`(info, first_line, code)` of each ```python block of `page`."""
    text = page.read_text()
    blocks = []
    for match in FENCE.finditer(text):
        info = match.group("info").strip()
        if info == "python" or info.startswith(ILLUSTRATION):
            line = text.count("\n", 0, match.start("code")) + 1
            blocks.append((info, line, match.group("code")))
    return blocks


def _padded(code, line):
    """`code` moved down to `line`, so tracebacks give the page's line."""
    return "\n" * (line - 1) + code


def test_the_block_extractor_finds_fenced_python_only(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n```python\na = 1\n```\n```bash\nls\n```\n"
        f"```{ILLUSTRATION} (needs flow weights)\nb = 2\n```\n"
    )
    assert python_blocks(page) == [
        ("python", 3, "a = 1\n"),
        (f"{ILLUSTRATION} (needs flow weights)", 9, "b = 2\n"),
    ]


def test_every_page_is_found_and_the_readme_has_runnable_code():
    assert (ROOT / "docs" / "index.md") in PAGES
    assert any(info == "python" for info, _, _ in python_blocks(PAGES[0]))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_illustrations_compile(page):
    for info, line, code in python_blocks(page):
        if info != "python":
            compile(_padded(code, line), str(page.relative_to(ROOT)), "exec")


def _runnable_pages():
    """The README runs by default; the docs pages build several models and
    compute TV-L1 flow (minutes on 2 CPU cores), so they are `slow`."""
    for page in PAGES:
        if any(info == "python" for info, _, _ in python_blocks(page)):
            marks = () if page.name == "README.md" else (pytest.mark.slow,)
            yield pytest.param(page, marks=marks, id=page.name)


@pytest.mark.parametrize("page", _runnable_pages())
def test_python_blocks_run(page, installed_kinetics400, tmp_path):
    label = str(page.relative_to(ROOT))
    blocks = [
        [label, _padded(code, line)] for info, line, code in python_blocks(page) if info == "python"
    ]
    # `installed_kinetics400` has set KERAS_I3D_HOME in os.environ.
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        TF_CPP_MIN_LOG_LEVEL="2",
        MPLBACKEND="Agg",
        TMPDIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(blocks),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"a Python block of {label} failed:\n{result.stderr[-4000:]}"
    if page.name == "README.md":
        assert "arm wrestling" in result.stdout, result.stdout
