"""A fitted model as data: `model.json` (the object tree) + `arrays.npz` (numpy arrays).

Loading a pickle runs whatever code the file names, so a model folder anyone could write to was
a way to run code (issue 18). This format holds only data: JSON values, arrays read with
`allow_pickle=False`, and references to classes and functions that must be on an allowlist
(`TRUSTED`); loading builds those objects by setting their recorded state, as pickle would,
but nothing else can be named. A file that names anything else is refused before any object is
built. The idea is skops' (https://skops.readthedocs.io/en/stable/persistence.html), kept to the
few types our models hold.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import types
from pathlib import Path

import numpy as np

from errors import IncompatibleModel, ModelError

# every class a TagModel's tree holds (models/tagger.py, topics.py, companies.py, taxonomy.py)
TRUSTED_CLASSES = frozenset({
    "models.tagger.TagModel", "models.topics.TopicModel", "models.topics.DocField", "models.topics.CueCounts",
    "models.companies.CompanyModel", "models.preparer.ArticlePreparer",
    "models.taxonomy.Taxonomy", "models.taxonomy.Topic", "models.taxonomy.Company",
    "models.taxonomy.Group", "models.taxonomy.Place",
    "sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer", "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression", "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.preprocessing._label.LabelBinarizer",
})
TRUSTED_FUNCTIONS = frozenset({"models.topics.tokens_to_tokens"})
TRUSTED_TYPES = frozenset({"numpy.float32", "numpy.float64", "numpy.int32", "numpy.int64", "numpy.bool",
                           "numpy.bool_"})
TAGS = {"$object": TRUSTED_CLASSES, "$function": TRUSTED_FUNCTIONS, "$type": TRUSTED_TYPES,
        "$scalar": TRUSTED_TYPES}


def save_tree(model: object, tree_path: Path, arrays_path: Path) -> None:
    """Write the model's tree (JSON) and arrays (npz); refuses a type not on the allowlist."""
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(model, arrays)
    Path(tree_path).write_text(json.dumps(tree, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    with open(arrays_path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_tree(tree_path: Path, arrays_path: Path) -> object:
    """The model saved by `save_tree`; nothing is imported or built that is not allowlisted."""
    try:
        tree = json.loads(Path(tree_path).read_text(encoding="utf-8"))
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError) as exc:
        raise IncompatibleModel(f"{Path(tree_path).parent} holds no readable model ({exc}): "
                                "run `jianbao train`") from exc
    _check_names(tree)
    return _decode(tree, arrays)


# ------------------------------------------------------------------ encoding
def _encode(value, arrays: dict):
    if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise ModelError("an object array cannot be saved as data")
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"$array": name}
    if isinstance(value, np.generic):
        return {"$scalar": _name(type(value)), "value": value.item()}
    if isinstance(value, (list, tuple, set, frozenset)):
        tag = {list: "$list", tuple: "$tuple", set: "$set", frozenset: "$frozenset"}[type(value)]
        return {tag: [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]} \
            if not all(isinstance(k, str) for k in value) else {"$map": {k: _encode(v, arrays) for k, v in value.items()}}
    if isinstance(value, type):
        return {"$type": _trusted(_name(value), TRUSTED_TYPES)}
    if isinstance(value, types.FunctionType):
        return {"$function": _trusted(_name(value), TRUSTED_FUNCTIONS)}
    return {"$object": _trusted(_name(type(value)), TRUSTED_CLASSES), "state": _encode(_state(value), arrays)}


def _state(obj) -> dict:
    if dataclasses.is_dataclass(obj):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    state = obj.__getstate__()          # scikit-learn estimators: their __dict__ and version
    if not isinstance(state, dict):
        raise ModelError(f"{_name(type(obj))} has no dict state to save as data")
    return state


def _name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _trusted(name: str, allowed: frozenset) -> str:
    if name not in allowed:
        raise ModelError(f"{name} is not on the model format's allowlist (models/datafile.py)")
    return name


# ------------------------------------------------------------------ decoding
def _check_names(node) -> None:
    """Refuse the whole file if any name in it is off the allowlist, before building anything
    (walked as `_decode` reads it, so a vocabulary word such as "$object" is only a word)."""
    if not isinstance(node, dict) or not node:
        return
    tag, body = next(iter(node.items()))
    if tag in TAGS and body not in TAGS[tag]:
        raise IncompatibleModel(f"the model names {body!r}, which a jianbao model never holds (tampered?): "
                                "run `jianbao train`")
    children = (body if tag in ("$list", "$tuple", "$set", "$frozenset") else
                body.values() if tag == "$map" else [x for pair in body for x in pair] if tag == "$dict" else
                [node["state"]] if tag == "$object" else [])
    for child in children:
        _check_names(child)


def _decode(node, arrays: dict):
    if not isinstance(node, (dict, list)):
        return node
    if isinstance(node, list):
        raise IncompatibleModel("a bare list in model.json (lists are tagged): run `jianbao train`")
    (tag, body), *rest = node.items()
    if tag == "$array":
        return arrays[body]
    if tag in ("$list", "$tuple", "$set", "$frozenset"):
        items = [_decode(v, arrays) for v in body]
        return {"$list": list, "$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](items)
    if tag == "$map":
        return {k: _decode(v, arrays) for k, v in body.items()}
    if tag == "$dict":
        return {_decode(k, arrays): _decode(v, arrays) for k, v in body}
    if tag in ("$type", "$function"):
        return _lookup(body)
    if tag == "$scalar":
        return _lookup(body)(node["value"])
    if tag == "$object":
        return _build(_lookup(body), _decode(node["state"], arrays))
    raise IncompatibleModel(f"unknown entry {tag!r} in model.json: run `jianbao train`")


def _lookup(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def _build(cls, state: dict):
    obj = cls.__new__(cls)
    if dataclasses.is_dataclass(cls):
        for key, value in state.items():
            object.__setattr__(obj, key, value)     # frozen dataclasses: as their __setstate__ does
    else:
        obj.__setstate__(state)
    return obj
