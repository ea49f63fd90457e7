"""The package's layering, as ARCHITECTURE.md's table states it, checked against every module's imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "audiobuild"


def layers() -> dict[str, list[str]]:
    """ARCHITECTURE.md's "Layers" table, top to bottom: layer -> the layers it may import."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (name := re.fullmatch(r"`(\w+)`", cells[0])):
            rows[name[1]] = re.findall(r"`(\w+)`", cells[2])
    return rows


def layer_of(module: str) -> str:
    """`audiobuild.voice.engines.piper` -> `voice`; `audiobuild.config` -> `config`; `audiobuild` -> ``."""
    parts = module.split(".")
    layer = parts[1] if len(parts) > 1 else ""
    return "cli" if layer == "__main__" else layer  # `python -m audiobuild` is the command line


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every audiobuild import in a module's source, at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(source)
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"line {node.lineno}: a relative import; the layering test reads absolute ones"
            # `from audiobuild import x` imports the module audiobuild.x, or a name of the package itself
            found += [
                (node.lineno, f"{node.module}.{alias.name}" if node.module == "audiobuild" else node.module)
                for alias in node.names
            ]
    return [(line, name) for line, name in found if name.split(".")[0] == "audiobuild"]


def violations(table: dict[str, list[str]], modules: dict[str, str]) -> list[str]:
    """Every import of `modules` (name -> source) that `table` does not allow, as 'module:line: ...'."""
    problems = []
    for name, source in modules.items():
        own = layer_of(name)
        for line, target in imports(source):
            other = layer_of(target)
            if other in ("", "__version__", own) or other in table.get(own, []):
                continue
            problems.append(f"{name}:{line}: `{own}` imports `{target}`")
    return problems


def package_modules() -> dict[str, str]:
    return {module_name(path): path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def test_the_table_orders_the_layers_each_importing_only_layers_above_it():
    table = layers()
    assert len(table) > 10, "ARCHITECTURE.md's Layers table was not found"
    order = list(table)
    for layer, allowed in table.items():
        below = [other for other in allowed if other not in order[: order.index(layer)]]
        assert not below, f"{layer} may import {below}, which are not above it"


def test_every_import_is_one_the_table_allows():
    assert violations(layers(), package_modules()) == []


def test_the_top_of_the_package_holds_only_the_shared_modules_and_the_families():
    table = layers()
    tops = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    families = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert tops | families == set(table)
    assert all((PACKAGE / family / "__init__.py").read_text().startswith('"""') for family in families)


@pytest.mark.parametrize(
    "layer, target",
    [("parse", "audiobuild.voice.casting"), ("audio", "audiobuild.publish.feed"), ("run", "audiobuild.serve.inbox")],
)
def test_an_import_of_a_later_family_is_caught(layer, target):
    """A module importing a family later in the pipeline than its own fails the check, whichever way it imports."""
    table = layers()
    modules = package_modules()
    module, (package, name) = f"audiobuild.{layer}.probe", target.rsplit(".", 1)
    late = f"def f():\n    from {package} import {name}\n"
    for source, line, imported in ((f"import {target}\n", 1, target), (late, 2, package)):
        modules[module] = source
        assert violations(table, modules) == [f"{module}:{line}: `{layer}` imports `{imported}`"]
