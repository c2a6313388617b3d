"""The library's shape: modules grouped into folders by concern, dependencies pointing one way
(entry points → modes → SDK drivers, services, reports → IDL core and data readers → base), and
no import cycle — read from every import statement, those inside functions included."""

import ast
from pathlib import Path

from flyte_parity.base import paths

PACKAGE = paths.REPO_ROOT / "flyte_parity"
ENTRY_POINTS = {"__init__", "cli", "pytest_plugin", "wrapper_cli"}
LAYERS = {"base": 0, "data": 1, "idl": 1, "sdk": 2, "services": 2, "reports": 2, "values": 2.5, "modes": 3, "reproduce": 3}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The library modules one module imports (a package's submodule when that is what is named)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in modules else base)
    return {m for m in found if m in modules and m != name}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 4) if len(parts) > 1 else 4


def test_the_top_level_holds_only_the_entry_points_and_folders_by_concern():
    files = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert files == ENTRY_POINTS
    assert folders == set(LAYERS)


def test_dependencies_point_one_way():
    modules = _modules()
    upward = [f"{name} imports {target}" for name, path in modules.items()
              for target in _imports(path, name, modules) if _layer(target) > _layer(name)]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycle():
    modules = _modules()
    graph = {name: _imports(path, name, modules) for name, path in modules.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "\n".join(cycles)


def test_the_readmes_list_of_modes_is_the_registrys():
    """The README lists the registered modes as `make readme` writes them (add a mode: run it)."""
    from flyte_parity.cli import MODES_BEGIN, MODES_END
    from flyte_parity.modes import registry

    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(MODES_BEGIN) + len(MODES_BEGIN):readme.index(MODES_END)]
    assert block.strip() == registry.markdown().strip(), "the README's list of modes is stale: run `make readme`"
