"""Saved models: `<models_dir>/<version>/{model.json, arrays.npz, meta.json}` and a small registry
of versions.

A model is data, never a pickle (models/datafile.py): loading builds allowlisted objects from
JSON and numpy arrays and runs no code a model file could name, so a tampered folder can change
numbers but cannot run a payload. Before that, a model is trusted only if its folder is inside
`models_dir`, its meta.json is readable, the sha256 of each file matches the one recorded, and
the libraries that built it are the ones installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from errors import IncompatibleModel, ModelError, ModelNotFound

MODEL_FILE, ARRAYS_FILE, META_FILE, REGISTRY_FILE = "model.json", "arrays.npz", "meta.json", "registry.json"
MODEL_FILES = (MODEL_FILE, ARRAYS_FILE)       # models/datafile.py: the object tree and its arrays
CHECKED_LIBRARIES = ("scikit-learn", "numpy", "jieba", "spacy", "joblib")
VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIX = "run `jianbao train` to build a model with the installed libraries"
MODEL_FORMAT = 5     # the shape of the saved TagModel; bumped when its classes change (3: groups, units, roles;
                     # 4: ArticlePreparer in models.preparer, topic cue features, dated aliases;
                     # 5: model.json + arrays.npz instead of a pickle)


def library_versions() -> dict[str, str]:
    """Versions of Python (major.minor) and of the libraries a pickled model depends on."""
    versions = {"python": ".".join(platform.python_version_tuple()[:2])}
    for name in CHECKED_LIBRARIES:
        versions[name] = _dist_info_version(name) or _metadata_version(name)
    return versions


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_version(name: str) -> str | None:
    """The version in the name of the first `<name>-<version>.dist-info` folder on sys.path (the
    folder importlib.metadata would read; pip names it so), None if there is none: importing
    importlib.metadata and reading five METADATA files cost 15-25 ms of a one-file import."""
    wanted = _normal(name)
    for entry in sys.path:
        for folder in _dist_infos(entry or "."):
            dist, _, version = folder[:-len(".dist-info")].partition("-")
            if _normal(dist) == wanted:
                return version or None
    return None


@lru_cache(maxsize=None)
def _dist_infos(entry: str) -> tuple[str, ...]:
    try:
        return tuple(n for n in os.listdir(entry) if n.endswith(".dist-info"))
    except OSError:
        return ()


def _metadata_version(name: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_dir(models_dir: str | Path, version: str) -> Path:
    """The folder of `version`, refused if the name could leave `models_dir`."""
    root = Path(models_dir).resolve()
    if not VERSION_NAME.match(version or ""):
        raise ModelNotFound(f"{version!r} is not a model version name; see `jianbao models`")
    folder = (root / version).resolve()
    if folder.parent != root:
        raise ModelNotFound(f"model {version!r} is not inside {root}")
    return folder


def save_model(model: object, models_dir: str | Path, version: str, meta: dict) -> Path:
    """Write model.json and arrays.npz, then meta.json (with their hashes and the library
    versions); returns the folder."""
    from models.datafile import save_tree

    folder = model_dir(models_dir, version)
    if folder.exists():
        raise ModelError(f"model {version!r} already exists in {folder.parent}")
    folder.mkdir(parents=True)
    save_tree(model, folder / MODEL_FILE, folder / ARRAYS_FILE)
    from models.compact import write_compact
    compact = write_compact(model, folder) if hasattr(model, "topics") else ()
    full = {**meta, "version": version, "format": MODEL_FORMAT,
            "sha256": {name: file_sha256(folder / name) for name in MODEL_FILES},
            "files": {name: file_sha256(folder / name) for name in compact},
            "libraries": library_versions()}
    _write_json(folder / META_FILE, full)
    return folder


def read_meta(models_dir: str | Path, version: str) -> dict:
    """The meta.json of a saved model."""
    path = model_dir(models_dir, version) / META_FILE
    if not path.is_file():
        raise ModelNotFound(f"no model {version!r} in {Path(models_dir)}: {FIX}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IncompatibleModel(f"{path} is unreadable ({exc}): {FIX}") from exc


def check_model(models_dir: str | Path, version: str, files: tuple[str, ...] = MODEL_FILES) -> dict:
    """Verify format, hashes (of `files`, those about to be read) and library versions of a saved
    model without reading it; returns its meta."""
    meta = read_meta(models_dir, version)
    if meta.get("format", 1) != MODEL_FORMAT:
        raise IncompatibleModel(f"model {version!r} is in model format {meta.get('format', 1)}, this jianbao "
                                f"reads format {MODEL_FORMAT}: run `jianbao train`")
    hashes = meta.get("sha256") if isinstance(meta.get("sha256"), dict) else {}
    for name in files:
        path = model_dir(models_dir, version) / name
        if not path.is_file():
            raise ModelNotFound(f"model {version!r} has no {name}: {FIX}")
        if file_sha256(path) != hashes.get(name):
            raise IncompatibleModel(f"{path} does not match the sha256 in its meta.json (changed or corrupt): {FIX}")
    wanted, have = meta.get("libraries", {}), library_versions()
    wrong = [f"{k} {wanted.get(k)} (installed {have[k]})" for k in have if wanted.get(k) != have[k]]
    if wrong:
        raise IncompatibleModel(f"model {version!r} was built with " + ", ".join(wrong) + f": {FIX}")
    return meta


def load_model(models_dir: str | Path, version: str | None = None) -> tuple[object, dict]:
    """Load a checked model (default: the active one) and its meta."""
    from models.datafile import load_tree

    models_dir = Path(models_dir)
    version = version or active_version(models_dir)
    if not version:
        raise ModelNotFound(f"no trained model in {models_dir}: run `jianbao train`")
    meta = check_model(models_dir, version)
    try:
        folder = model_dir(models_dir, version)
        return load_tree(folder / MODEL_FILE, folder / ARRAYS_FILE), meta
    except ModelError:
        raise
    except Exception as exc:     # files that passed the checks but still do not build a model
        raise IncompatibleModel(f"model {version!r} cannot be loaded ({type(exc).__name__}: {exc}): {FIX}") from exc


def load_compact_model(models_dir: str | Path, version: str | None = None) -> tuple[object, dict] | None:
    """The checked model's compact form (models.compact: numpy arrays and JSON, no pickle) and its
    meta; None when the version has none (saved before it existed). The same checks as
    `load_model` pass before anything is read, the sha256 of each compact file (the full model's
    files, not read here, are not hashed)."""
    from models.compact import FILES, read_compact

    models_dir = Path(models_dir)
    version = version or active_version(models_dir)
    if not version:
        raise ModelNotFound(f"no trained model in {models_dir}: run `jianbao train`")
    meta = check_model(models_dir, version, files=())
    recorded = meta.get("files") or {}
    if set(recorded) != set(FILES):
        return None
    folder = model_dir(models_dir, version)
    for name in FILES:
        if not (folder / name).is_file() or file_sha256(folder / name) != recorded[name]:
            raise IncompatibleModel(f"{folder / name} does not match the sha256 in its meta.json "
                                    f"(changed, missing or corrupt): {FIX}")
    try:
        return read_compact(folder), meta
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IncompatibleModel(f"model {version!r} cannot be loaded ({exc}): {FIX}") from exc


def read_registry(models_dir: str | Path) -> dict:
    """The registry: {"versions": [...], "active": str|None, "previous": str|None}."""
    path = Path(models_dir) / REGISTRY_FILE
    empty = {"versions": [], "active": None, "previous": None}
    if not path.is_file():
        return empty
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is unreadable ({exc}); delete it and run `jianbao train`") from exc
    registry = {**empty, **data} if isinstance(data, dict) else None
    if registry is None or not (isinstance(registry["versions"], list) and all(
            isinstance(v, str) for v in registry["versions"]) and all(
            registry[k] is None or isinstance(registry[k], str) for k in ("active", "previous"))):
        raise ModelError(f"{path} is not a model registry ({{\"versions\": [...], \"active\": ...}}); "
                         "delete it and run `jianbao train`")
    return registry


def register_model(models_dir: str | Path, version: str, activate: bool | None = None) -> bool:
    """Add a saved version to the registry; activate it if asked or if none is active. Returns active?"""
    registry = read_registry(models_dir)
    if version not in registry["versions"]:
        registry["versions"].append(version)
    make_active = activate if activate is not None else registry["active"] is None
    if make_active and registry["active"] != version:
        registry["previous"], registry["active"] = registry["active"], version
    _write_json(Path(models_dir) / REGISTRY_FILE, registry)
    return registry["active"] == version


def list_models(models_dir: str | Path) -> tuple[str, ...]:
    """Registered versions, oldest first."""
    return tuple(read_registry(models_dir)["versions"])


def active_version(models_dir: str | Path) -> str | None:
    """The version `load_model` uses by default."""
    return read_registry(models_dir)["active"]


def promote(version: str, models_dir: str | Path) -> str:
    """Make a registered, loadable version the active one; returns it."""
    models_dir = Path(models_dir)
    if version not in list_models(models_dir):
        raise ModelNotFound(f"model {version!r} is not registered in {models_dir}; see `jianbao models`")
    check_model(models_dir, version)
    register_model(models_dir, version, activate=True)
    return version


def rollback(models_dir: str | Path) -> str:
    """Re-activate the previously active version; returns it."""
    models_dir = Path(models_dir)
    previous = read_registry(models_dir)["previous"]
    if not previous:
        raise ModelNotFound(f"no previous model to roll back to in {models_dir}")
    return promote(previous, models_dir)


def _write_json(path: Path, data: dict) -> None:
    """Write JSON atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(tmp, path)
