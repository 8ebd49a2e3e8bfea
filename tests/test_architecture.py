"""Imports between the package's rooms go the ways docs/architecture.md draws.

A room is a subpackage of `keras_i3d` (`video/`, `models/`, `cli/`, ...) or
one of its top-level modules (`conventions`, `preprocessing`, ...). The room
graph is computed from the source with `ast` (no import runs), so these tests
take a second and see every import, also those inside functions.

`ALLOWED` is the table of docs/architecture.md ("The table"); a test checks
that the two say the same. A new import between rooms therefore needs a
change of the table here and on that page, made on purpose.
"""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "keras_i3d"
ARCHITECTURE_PAGE = ROOT / "docs" / "architecture.md"

# Names `keras_i3d/__init__.py` sets before it imports any room, so any room
# may read them (`data/` and `models/` read `IS_CLI_PROCESS` to bind no
# public names in the `keras-i3d` process). Importing them is an edge to the
# pseudo-room "flags", not to the package's public namespace.
FLAGS = ("IS_CLI_PROCESS", "__version__")

# The package's front door (`keras_i3d/__init__.py`, the public names) and
# the `python -m keras_i3d` entry point are rooms of their own.
FRONT_DOOR = "keras_i3d"
ENTRY_POINT = "__main__"

# room -> the rooms it may import. Mirrors the table of docs/architecture.md.
ALLOWED = {
    "flags": set(),
    "conventions": set(),
    "atomic_files": set(),
    "labels": {"conventions"},
    "preprocessing": {"conventions"},
    # The video side: files to model inputs; it never builds a network.
    "video": {"conventions", "labels", "atomic_files"},
    "flow": {"video", "conventions", "labels", "atomic_files"},
    "data": {"flow", "video", "preprocessing", "conventions", "labels", "atomic_files", "flags"},
    # The network side.
    "layers": {"conventions"},
    "weights": {"layers", "conventions", "atomic_files"},
    "models": {"layers", "weights", "preprocessing", "conventions", "flags"},
    # Uses of both sides.
    "tasks": {
        "models",
        "weights",
        # The ONNX Runtime classifier converts with the checked ONNX export.
        "export",
        "data",
        "flow",
        "video",
        "preprocessing",
        "labels",
        "conventions",
        "atomic_files",
        "flags",
    },
    "training": {
        "models",
        "layers",
        "data",
        "flow",
        "video",
        "preprocessing",
        "labels",
        "conventions",
        "atomic_files",
    },
    # Models to SavedModel, ONNX, LiteRT (the [export] extra), checked on a
    # clip from the video side; an I3D is exported as
    # its fused graph (models/fused.py's inference_model).
    "export": {"models", "layers", "data", "preprocessing", "conventions", "atomic_files", "flags"},
    # An optional engine (the [hub] extra): keras-hub presets, a Backbone and
    # a VideoClassifier task over the builders, with weights from weights/.
    "hub": {"models", "weights", "layers", "preprocessing", "conventions"},
    # An optional engine (the [beam] extra): corpus jobs on Apache Beam,
    # through the per-video functions of the video side and the tasks.
    "beam": {"tasks", "data", "flow", "conventions", "atomic_files"},
    # Keras metrics over the tasks (FVD), for `fit` and `evaluate`.
    "metrics": {"tasks", "conventions"},
    "cli": {
        "beam",
        "export",
        "layers",
        "tasks",
        "training",
        "models",
        "weights",
        "data",
        "flow",
        "video",
        "preprocessing",
        "labels",
        "conventions",
        "atomic_files",
        "flags",
    },
    FRONT_DOOR: {"models", "layers", "labels", "preprocessing", "hub"},
    ENTRY_POINT: {"cli"},
}

# Rooms that hold the builders; `weights/` is passed a function that builds
# the reference graph and never imports one.
BUILDER_ROOMS = ("models", "tasks", "training", "cli", FRONT_DOOR)

# Top-level folders of the repository that use the package; the package
# never imports them.
USERS_OF_THE_PACKAGE = ("weights_conversion", "examples", "benchmarks", "tests")

# Third-party modules that one feature needs (Hub downloads, diagnosing a
# file with PyAV, plots): imported inside the function that uses them, so
# `import keras_i3d` does not pay for them.
IMPORTED_WHEN_USED = ("huggingface_hub", "av", "matplotlib")


def module_name(path, package_root):
    """`keras_i3d/data/clips.py` -> `keras_i3d.data.clips`."""
    parts = path.relative_to(package_root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_submodule(package_root, name):
    folder = package_root / name
    return (package_root / f"{name}.py").is_file() or (folder / "__init__.py").is_file()


def room_of(module, package_root):
    """The room of an absolute module name, or None outside the package.

    `keras_i3d.data.clips` -> `data`; `keras_i3d.IS_CLI_PROCESS` -> `flags`;
    `keras_i3d` and its public names (`keras_i3d.I3D`) -> the front door.
    """
    parts = module.split(".")
    if parts[0] != package_root.name:
        return None
    if len(parts) == 1:
        return FRONT_DOOR
    if parts[1] in FLAGS:
        return "flags"
    if not _is_submodule(package_root, parts[1]):
        return FRONT_DOOR
    return parts[1]


def imported_modules(node, importer, is_package):
    """The absolute module names one import statement reads.

    `from keras_i3d import data` reads `keras_i3d.data`; `from keras_i3d
    import IS_CLI_PROCESS` reads `keras_i3d.IS_CLI_PROCESS` (see `FLAGS`).
    """
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = importer.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module
    return [f"{module}.{alias.name}" for alias in node.names]


def import_edges(package_root=PACKAGE):
    """`(from_room, to_room, "file:line", module)` for every import in the
    package of a module of another room, in file order."""
    package_root = pathlib.Path(package_root)
    edges = []
    for path in sorted(package_root.rglob("*.py")):
        importer = module_name(path, package_root)
        source_room = room_of(importer, package_root)
        is_package = path.name == "__init__.py"
        where = str(path.relative_to(package_root.parent))
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for module in imported_modules(node, importer, is_package):
                target_room = room_of(module, package_root)
                if target_room and target_room != source_room:
                    edges.append((source_room, target_room, f"{where}:{node.lineno}", module))
    return edges


def find_cycle(graph):
    """One cycle of `graph` (room -> rooms) as a list of rooms, or None."""
    visiting, done = [], set()

    def visit(room):
        if room in visiting:
            return visiting[visiting.index(room) :] + [room]
        if room in done:
            return None
        visiting.append(room)
        for target in sorted(graph.get(room, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        visiting.pop()
        done.add(room)
        return None

    for room in sorted(graph):
        cycle = visit(room)
        if cycle:
            return cycle
    return None


def room_graph(edges):
    graph = {}
    for source, target, _, _ in edges:
        graph.setdefault(source, set()).add(target)
    return graph


def edges_not_allowed(edges, allowed):
    """`"file:line: room -> room (module)"` for each edge not in `allowed`."""
    return [
        f"{where}: {source} -> {target} ({module})"
        for source, target, where, module in edges
        if target not in allowed.get(source, ())
    ]


def documented_table(page=ARCHITECTURE_PAGE):
    """room -> rooms it may import, read from the page's "The table"."""
    text = page.read_text()
    section = text.split("### The table", 1)[1].split("\n#", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        room = cells[0].strip("`").rstrip("/")
        table[room] = {name.rstrip("/") for name in re.findall(r"`([^`]+)`", cells[1])}
    return table


# The real package.


def test_every_room_is_in_the_table():
    rooms = {room_of(module_name(path, PACKAGE), PACKAGE) for path in PACKAGE.rglob("*.py")}
    assert rooms - set(ALLOWED) == set(), (
        "a new room: add it to ALLOWED and to docs/architecture.md"
    )


def test_rooms_import_each_other_without_cycles():
    assert find_cycle(room_graph(import_edges())) is None


def test_every_import_between_rooms_is_allowed():
    offenders = edges_not_allowed(import_edges(), ALLOWED)
    assert offenders == [], (
        "imports between rooms that docs/architecture.md does not allow "
        "(change the code, or the table there and ALLOWED here):\n" + "\n".join(offenders)
    )


def test_the_allowed_table_has_no_cycle():
    assert find_cycle(ALLOWED) is None


def test_the_allowed_table_is_the_documented_one():
    assert documented_table() == ALLOWED


def test_weights_imports_no_builder():
    offenders = [
        f"{where}: {module}"
        for source, target, where, module in import_edges()
        if source == "weights" and target in BUILDER_ROOMS
    ]
    assert offenders == [], (
        "weights/ imports a builder; pass it a function that builds the "
        "reference graph instead:\n" + "\n".join(offenders)
    )


def test_the_package_never_imports_its_users():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module]
                )
                offenders += [
                    f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                    for name in names
                    if name.split(".")[0] in USERS_OF_THE_PACKAGE
                ]
    assert offenders == []


def module_level_imports(tree):
    """Import statements that run when the module is imported (at the top,
    or in a top-level `if`/`try`), not inside a function or class."""
    statements, pending = [], list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            statements.append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)
    return statements


def test_single_feature_engines_are_imported_only_when_used():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in module_level_imports(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                for name in names
                if name.split(".")[0] in IMPORTED_WHEN_USED
            ]
    assert offenders == []


# Outside the CLI, the package reads no argv, prints nothing and exits with
# no status. The exceptions: the front door reads `sys.argv[0]` to know it
# runs in the `keras-i3d` process, and `python -m keras_i3d` exits with the
# CLI's status.
PROCESS_ACCESS_EXCEPTIONS = {
    ("keras_i3d/__init__.py", "sys.argv"),
    ("keras_i3d/__main__.py", "sys.exit"),
}


def process_access(path):
    """`(name, line)` of each `sys.argv`, `sys.exit`, `sys.stdout`,
    `sys.stderr` and `print(...)` in the code of `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "sys"
            and node.attr in ("argv", "exit", "stdout", "stderr")
        ):
            found.append((f"sys.{node.attr}", node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("print", "exit")
        ):
            found.append((f"{node.func.id}()", node.lineno))
    return found


def test_only_the_cli_knows_argv_stdout_and_exit_codes():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative.startswith("keras_i3d/cli/"):
            continue
        offenders += [
            f"{relative}:{line}: {name}"
            for name, line in process_access(path)
            if (relative, name) not in PROCESS_ACCESS_EXCEPTIONS
        ]
    assert offenders == []


# The checks find what they look for.


def _write_package(root, files):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "keras_i3d"


def test_import_edges_resolve_absolute_relative_and_flag_imports(tmp_path):
    package = _write_package(
        tmp_path,
        {
            "keras_i3d/__init__.py": "IS_CLI_PROCESS = False\nfrom keras_i3d import models\n",
            "keras_i3d/conventions.py": "",
            "keras_i3d/layers/__init__.py": "from ..conventions import X\n",
            "keras_i3d/models/__init__.py": "from keras_i3d import IS_CLI_PROCESS\n"
            "from . import i3d\n",
            "keras_i3d/models/i3d.py": "def build():\n    import keras_i3d.layers.unit3d\n",
        },
    )

    assert import_edges(package) == [
        ("keras_i3d", "models", "keras_i3d/__init__.py:2", "keras_i3d.models"),
        ("layers", "conventions", "keras_i3d/layers/__init__.py:1", "keras_i3d.conventions.X"),
        ("models", "flags", "keras_i3d/models/__init__.py:1", "keras_i3d.IS_CLI_PROCESS"),
        ("models", "layers", "keras_i3d/models/i3d.py:2", "keras_i3d.layers.unit3d"),
    ]


def test_an_edge_against_the_table_is_named_by_file_and_line(tmp_path):
    package = _write_package(
        tmp_path,
        {
            "keras_i3d/__init__.py": "",
            "keras_i3d/weights/__init__.py": "",
            "keras_i3d/weights/loading.py": "import numpy\n\n"
            "from keras_i3d.models.i3d import I3D\n",
            "keras_i3d/models/__init__.py": "",
            "keras_i3d/models/i3d.py": "",
        },
    )
    edges = import_edges(package)

    offender = "keras_i3d/weights/loading.py:3: weights -> models (keras_i3d.models.i3d.I3D)"
    assert edges_not_allowed(edges, ALLOWED) == [offender]
    assert find_cycle(room_graph(edges)) is None


def test_find_cycle_names_the_rooms_of_a_cycle():
    graph = {"data": {"flow"}, "flow": {"video", "data"}, "video": set()}

    assert find_cycle(graph) == ["data", "flow", "data"]
    assert find_cycle({"data": {"flow"}, "flow": {"video"}}) is None


def test_process_access_finds_print_and_argv(tmp_path):
    path = tmp_path / "module.py"
    path.write_text(
        '"""print(x) in a docstring is text."""\nimport sys\ndef main():\n    print(sys.argv)\n'
    )

    assert sorted(process_access(path)) == [("print()", 4), ("sys.argv", 4)]
