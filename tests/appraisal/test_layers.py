"""The package boundaries docs/architecture.md promises, checked on the source."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def test_only_adapters_import_the_engines():
    offenders = []
    for path in sorted((ROOT / "appraisal").rglob("*.py")):
        if "adapters" in path.parts:
            continue
        engines = {m for m in imported_modules(path) if m.split(".")[0] in {"optimise", "agents"}}
        if engines:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(engines)}")
    assert offenders == []


def test_engines_know_nothing_of_appraisal():
    offenders = []
    for engine in ("optimise", "agents"):
        for path in sorted((ROOT / engine).rglob("*.py")):
            if any(m.split(".")[0] == "appraisal" for m in imported_modules(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
