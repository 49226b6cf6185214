"""jianbao's classifiers: topics and companies of an article, trained from labelled JSONL and saved with checks.

Importing this package loads no model, no dictionary and no library: each name is imported from
its module on first use (PEP 562), so `from models.tokenize import ...` or `from models import
label_keys` costs what that module costs, not scikit-learn, SciPy and spaCy.
"""

from importlib import import_module

_WHERE = {
    "models.companies": ("Entity", "Mention"),
    "models.persist": ("active_version", "list_models", "load_model", "promote", "read_meta", "rollback",
                       "save_model"),
    "models.tagger": ("Prediction", "TagModel", "Tagger", "Tags"),
    "models.taxonomy": ("Company", "Place", "Taxonomy", "Topic", "label_keys", "label_names", "load_taxonomy",
                        "resolve_label"),
    "models.train": ("EvalReport", "Evaluation", "Example", "LabelScore", "Miss", "ModelInfo", "Scores",
                     "evaluate_file", "evaluation_to_text", "info_to_text", "load_examples", "report_to_text",
                     "split_examples", "train_models"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
