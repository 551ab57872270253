"""Dependencies run one way: each package of stance imports only from packages in layers below its own
(lazy imports inside functions included), so the packages' import graph has no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stance"
# Lowest first; a package may import its own modules and those of any lower layer, nothing else.
LAYERS = [
    {"errors"},
    {"core"},
    {"io"},
    {"extract", "model"},
    {"training"},
    {"evaluation", "classify"},
    {"distributed", "about", "suggest", "report"},
    {"cli"},
    {"__main__"},
]
LAYER_OF = {name: depth for depth, names in enumerate(LAYERS) for name in names}


def imports_of(path: Path) -> set[str]:
    """The top-level stance packages (or modules) that ``path`` imports, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "stance" and node.level == 0:
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:  # from stance import cli (a package), or __version__ (an attribute of the root, not a layer)
                found |= {alias.name for alias in node.names if alias.name in LAYER_OF}
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("stance.")}
    return found


def test_every_package_is_placed_in_a_layer() -> None:
    present = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()
               if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()}
    assert present == set(LAYER_OF), "place each new package or module in LAYERS"


def test_no_package_imports_one_above_or_beside_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py") if len(relative.parts) > 1 or relative.stem != "__init__" else None
        if own is None:  # stance/__init__.py: the lazy public API over every layer
            continue
        for imported in imports_of(path) - {own}:
            if LAYER_OF[imported] >= LAYER_OF[own]:
                wrong.append(f"{relative} imports stance.{imported}")
    assert not wrong, "dependencies must point down the layers:\n" + "\n".join(wrong)


BENCHMARKS = PACKAGE.parent / "scripts"


def benchmark_imports(path: Path) -> set[str]:
    """The modules of the benchmarks package (``scripts``) that ``path`` imports, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "scripts":
            found.add(node.module.split(".")[1] if "." in node.module else "__init__")
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("scripts.")}
    return found


def test_the_package_never_imports_the_benchmarks() -> None:
    assert not [path for path in PACKAGE.rglob("*.py") if benchmark_imports(path)]


def test_the_benchmarks_import_one_another_as_a_package() -> None:
    """``from shared_data import ...`` works only where scripts/ is on the path; ``scripts.shared_data`` always."""
    siblings = {path.stem for path in BENCHMARKS.glob("*.py")}
    flat = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            flat += [f"{path.name} imports {name}" for name in names if name.split(".")[0] in siblings]
    assert not flat, "import the benchmarks' modules as scripts.NAME:\n" + "\n".join(flat)


def test_the_benchmarks_import_one_another_without_a_cycle() -> None:
    graph = {path.stem: benchmark_imports(path) for path in BENCHMARKS.glob("*.py")}
    assert graph["shared_data"] == set(), "the shared helpers sit at the bottom of the benchmarks"
    visiting, done = set(), set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in visiting, "import cycle: " + " -> ".join((*trail, module))
        if module in done:
            return
        visiting.add(module)
        for imported in graph.get(module, ()):
            visit(imported, (*trail, module))
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, ())
