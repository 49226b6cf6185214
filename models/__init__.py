"""jianbao's classifiers: topics and companies of an article, trained from labelled JSONL and saved with checks.

Importing this package loads no model and no dictionary; jieba and spaCy are loaded on first use.
"""

from models.companies import Entity, Mention
from models.persist import (active_version, list_models, load_model, promote, read_meta,
                            rollback, save_model)
from models.tagger import Prediction, TagModel, Tagger, Tags
from models.taxonomy import Company, Place, Taxonomy, Topic, label_keys, label_names, load_taxonomy, resolve_label
from models.train import (EvalReport, Evaluation, Example, LabelScore, Miss, ModelInfo, Scores, evaluate_file,
                          evaluation_to_text, info_to_text, load_examples, report_to_text, split_examples, train_models)

__all__ = [
    "Company", "Entity", "EvalReport", "Evaluation", "Example", "LabelScore", "Mention", "Miss", "ModelInfo", "Place", "Prediction",
    "Scores", "TagModel", "Tagger", "Tags", "Taxonomy", "Topic",
    "active_version", "evaluate_file", "evaluation_to_text", "info_to_text", "label_keys", "label_names", "list_models", "load_examples",
    "load_model",
    "load_taxonomy", "promote", "resolve_label", "report_to_text", "read_meta", "rollback", "save_model", "split_examples", "train_models",
]
