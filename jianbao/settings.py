"""Settings: built once from flags and environment, then passed down (no globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path
    home: Path
    seed: int = 0

    @property
    def models_dir(self) -> Path:
        return Path(os.environ.get("JIANBAO_MODELS") or self.home / "models")

    @property
    def data_dir(self) -> Path:
        """The repo's training data, installed with the models package."""
        return Path(__file__).resolve().parent.parent / "models" / "data"


def build_settings(db: str | None = None) -> Settings:
    """Flags beat environment (JIANBAO_DB, JIANBAO_HOME, JIANBAO_SEED), which beats defaults."""
    return Settings(
        db=Path(db or os.environ.get("JIANBAO_DB") or "jianbao.db"),
        home=Path(os.environ.get("JIANBAO_HOME") or ".jianbao"),
        seed=int(os.environ.get("JIANBAO_SEED", "0")),
    )
