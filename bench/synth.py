"""A synthetic blueprint of N files, in two releases, and a customised service.

Used by the update and fleet benchmarks so the same work can be given to
synctool and to copier. The shape follows a real service: Python modules,
YAML configuration, docs; most files templated with the answers.
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.common import run

COPIER_YML = """\
service_name:
  type: str
  default: orders
port:
  type: int
  default: 8080
_answers_file: .copier-answers.yml
"""
ANSWERS = "# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n"


def _module(i: int, version: int) -> str:
    lines = [
        f'"""Module {i} of {{{{ service_name }}}}."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    for j in range(30):
        lines.append(f"def handler_{j}(value: int) -> int:")
        bump = f" + {version}" if (version == 2 and j == 15 and i % 10 == 0) else ""
        lines.append(f"    return value * {j + 1}{bump}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _config(i: int, version: int) -> str:
    steps = ["checkout", "setup", "test"]
    if version == 2 and i % 8 == 0:
        steps.insert(2, "lint")  # a new CI step in 1 of 2 config files
    body = "\n".join(f"      - name: {s}\n        run: make {s}" for s in steps)
    return f"# config {i}\nname: {{{{ service_name }}}}-{i}\nport: {{{{ port }}}}\njobs:\n  build:\n    steps:\n{body}\n"


def blueprint_files(n: int, version: int) -> dict[str, str]:
    files = {"copier.yml": COPIER_YML, "{{ _copier_conf.answers_file }}.jinja": ANSWERS}
    for i in range(n):
        if version == 2 and i % 100 == 99:
            continue  # 1% of files removed in v2
        if i % 4 == 0:
            files[f"config/service_{i}.yml.jinja"] = _config(i, version)
        elif i % 7 == 0:
            files[f"docs/page_{i}.md"] = f"# Page {i}\n\n" + "Text line.\n" * 20
        else:
            files[f"src/pkg_{i % 13}/module_{i}.py.jinja"] = _module(i, version)
    if version == 2:
        for i in range(max(1, n // 50)):  # 2% new files
            files[f"src/new/added_{i}.py"] = f"# added in v2: {i}\n"
    return files


def write_release(root: Path, files: dict[str, str], tag: str) -> None:
    for path in root.iterdir():
        if path.name != ".git":
            run(["rm", "-rf", str(path)])
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    run(["git", "add", "-A"], cwd=root)
    run(["git", "commit", "-qm", tag], cwd=root)
    run(["git", "tag", tag], cwd=root)


def make_blueprint(root: Path, n: int) -> Path:
    root.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], cwd=root)
    write_release(root, blueprint_files(n, 1), "v1.0.0")
    return root


def release_v2(root: Path, n: int) -> None:
    write_release(root, blueprint_files(n, 2), "v2.0.0")


def customise(service: Path, seed: int = 1) -> None:
    """User edits on ~10% of files: a line appended, a config key changed."""
    rng = random.Random(seed)
    files = sorted(
        p
        for p in service.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and not p.name.startswith((".copier", ".synctool"))
    )
    for path in rng.sample(files, max(1, len(files) // 10)):
        text = path.read_text()
        if path.suffix == ".yml":
            text = text.replace("port:", "replicas: 3\nport:", 1)
        else:
            text += "# local change\n"
        path.write_text(text)
    run(["git", "add", "-A"], cwd=service)
    run(["git", "commit", "-qm", "local changes"], cwd=service)
