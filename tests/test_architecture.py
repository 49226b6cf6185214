"""The import graph, read from the source (every import, at module level or inside a function):
`jianbao -> pipeline -> corpus, models, ingest -> errors`, no edge upward or sideways between
the stages, no cycle between modules, and the product never imports the test fixtures."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("errors", "ingest", "models", "corpus", "pipeline", "jianbao")
ALLOWED = {
    "errors": set(),
    "ingest": {"errors"},
    "models": {"errors"},
    "corpus": {"errors"},
    "pipeline": {"errors", "ingest", "models", "corpus"},
    "jianbao": {"errors", "ingest", "models", "corpus", "pipeline"},
    "fixtures": {"errors", "ingest"},
}
OURS = set(PRODUCT) | {"fixtures", "bench", "tests", "scripts"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def iter_modules():
    yield ROOT / "errors.py"
    for package in PRODUCT[1:] + ("fixtures",):
        yield from sorted((ROOT / package).rglob("*.py"))


def imports_of(path: Path, modules: set[str] = frozenset()) -> set[str]:
    """Every module of ours that `path` imports, wherever the import statement is; `from pkg
    import x` is an edge to pkg.x when that is a module (in `modules`), else to pkg."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                     for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in OURS)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in iter_modules()}
    edges = {}
    for name, path in modules.items():
        edges[name] = (imports_of(path, set(modules)) & set(modules)) - {name}
    return edges


def test_every_import_points_down():
    wrong = []
    for module, targets in graph().items():
        top = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != top and other not in ALLOWED[top]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against jianbao -> pipeline -> corpus, models, ingest -> errors:\n" + \
        "\n".join(sorted(wrong))


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("package", ["models", "corpus"])
def test_models_and_corpus_know_no_other_stage(package):
    """The acceptance line of the architecture issue, spelled out: models imports no ingest."""
    bad = {t for m, ts in graph().items() if m.split(".")[0] == package for t in ts
           if t.split(".")[0] in {"ingest", "models", "corpus", "pipeline", "jianbao"} - {package}}
    assert not bad


def test_the_graph_is_read_from_function_bodies_too(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from pipeline.importer import import_paths\n", encoding="utf-8")
    assert "pipeline.importer" in imports_of(probe)


def test_only_the_adapters_import_their_libraries():
    """Third-party types stop at their adapter (STYLE.md): pdfplumber (and its pdfminer) in
    ingest/plumber_reader.py, pypdfium2 in ingest/pdfium_reader.py (and ingest/ocr_sources.py,
    which rasterises pages for OCR with it, and ingest/pagecount.py, which counts pages for the
    progress display), rapidocr in ingest/ocr.py, jieba in
    models/tokenize.py, sqlite3 in corpus/."""
    owners = {"pdfplumber": {"ingest.plumber_reader"}, "pdfminer": {"ingest.plumber_reader"},
              "pypdfium2": {"ingest.pdfium_reader", "ingest.ocr_sources", "ingest.pagecount"},
              "rapidocr": {"ingest.ocr"}, "jieba": {"models.tokenize"}}
    wrong = []
    for path in iter_modules():
        name = module_name(path)
        if name.startswith("fixtures"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for mod in mods:
                lib = mod.split(".")[0]
                if lib in owners and name not in owners[lib]:
                    wrong.append(f"{name} imports {lib}")
                # corpus/ owns the database; models.wordfreq keeps jieba's dictionary in a SQLite
                # file of its own (a cache read word by word, no corpus rows)
                if lib == "sqlite3" and not name.startswith("corpus") and name != "models.wordfreq":
                    wrong.append(f"{name} imports sqlite3")
    assert not wrong, wrong


def test_every_import_of_ours_resolves():
    """A name moved between modules leaves no stale import behind, even inside a function that
    no other test happens to run."""
    import importlib
    import importlib.util
    stale = []
    for path in list(iter_modules()) + sorted((ROOT / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    and node.module.split(".")[0] in OURS):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name) and not _is_module(f"{node.module}.{alias.name}"):
                    stale.append(f"{module_name(path)}: from {node.module} import {alias.name}")
    assert not stale, stale


def _is_module(name: str) -> bool:
    import importlib.util
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:          # the parent is a module, not a package
        return False
