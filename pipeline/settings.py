"""Settings: built once from flags, environment and defaults, then passed down (no globals).

Nothing else in jianbao reads the environment: the CLI and the API build one `Settings` and
hand its fields to the library functions they call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from errors import BadEncoding, InvalidValue, OutputNotWritable, UnreadableInput

LOCAL_HOME = ".jianbao"      # a project folder of its own: used when the working folder has one
SERIES_FILE = "series.txt"   # bulletin series the user added, one name a line (in the home folder)
MAX_SERIES_NAME = 40


@dataclass(frozen=True, slots=True)
class Settings:
    db: Path
    home: Path
    models_dir: Path
    seed: int = 0
    ocr_threads: int | None = None       # None: the OCR engine and OpenCV use every core
    ocr_engine: str | None = None        # None: ingest's measured default (ingest/ocr_options.py)
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    series: tuple[str, ...] = ()         # masthead names recognised besides the bulletin words
    worker_start_s: float | None = None  # a worker's start-up as the importer weighs it (None: measured)

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def default_data_dir() -> Path:
    """The authored training data, installed with the models package (inside the wheel)."""
    return Path(__file__).resolve().parent.parent / "models" / "data"


def default_home(cwd: Path | None = None) -> Path:
    """./.jianbao when the working folder has one (a checkout, `make run`), else the per-user
    data folder (platformdirs), so that `jianbao` finds its model from any folder."""
    local = (cwd or Path.cwd()) / LOCAL_HOME
    if local.is_dir():
        return local
    import platformdirs
    return Path(platformdirs.user_data_dir("jianbao", appauthor=False))


def _int(name: str, value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidValue(f"{name} must be a whole number, not {value!r}") from None


def _seconds(name: str, value: str | None) -> float | None:
    if value in (None, ""):
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise InvalidValue(f"{name} must be a number of seconds (0 or more), not {value!r}")
    return seconds


def _engine(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    from ingest.ocr_options import ENGINES      # imports the ingest package: only when one is named
    if value not in ENGINES:
        raise InvalidValue(f"JIANBAO_OCR_ENGINE must be one of {', '.join(ENGINES)}, not {value!r}")
    return value


def build_settings(db: str | None = None, home: str | None = None, seed: int | None = None,
                   environ: dict | None = None) -> Settings:
    """Flags beat the environment (JIANBAO_DB, JIANBAO_HOME, JIANBAO_MODELS, JIANBAO_SEED,
    JIANBAO_OCR_THREADS, JIANBAO_OCR_ENGINE, JIANBAO_WORKER_START_S), which beats the defaults; series.txt in the home folder adds the
    bulletin series the user configured."""
    env = os.environ if environ is None else environ
    home_dir = Path(home or env.get("JIANBAO_HOME") or default_home())
    return Settings(
        db=Path(db or env.get("JIANBAO_DB") or "jianbao.db"),
        home=home_dir,
        models_dir=Path(env.get("JIANBAO_MODELS") or home_dir / "models"),
        seed=seed if seed is not None else (_int("JIANBAO_SEED", env.get("JIANBAO_SEED")) or 0),
        ocr_threads=_int("JIANBAO_OCR_THREADS", env.get("JIANBAO_OCR_THREADS")),
        ocr_engine=_engine(env.get("JIANBAO_OCR_ENGINE")),
        worker_start_s=_seconds("JIANBAO_WORKER_START_S", env.get("JIANBAO_WORKER_START_S")),
        series=load_series(home_dir),
    )


def load_series(home: Path) -> tuple[str, ...]:
    """The series names in the home folder's series.txt (none if it does not exist)."""
    path = home / SERIES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except UnicodeDecodeError:
        raise BadEncoding(path=path) from None
    except OSError as exc:
        raise UnreadableInput(path=path, detail=exc.strerror or str(exc)) from exc
    names = (line.strip() for line in text.splitlines())
    return tuple(dict.fromkeys(n for n in names if n and not n.startswith("#")))


def add_series(home: Path, name: str) -> tuple[str, ...]:
    """Add a series name to series.txt (written whole, then renamed into place); returns all."""
    name = name.strip()
    if not name or len(name) > MAX_SERIES_NAME or any(ch in name for ch in "\r\n#"):
        raise InvalidValue(f"a series name is 1-{MAX_SERIES_NAME} characters on one line, "
                           f"without '#', not {name!r}")
    names = load_series(home)
    if name in names:
        return names
    names += (name,)
    path = home / SERIES_FILE
    try:
        home.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(n + "\n" for n in names), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise OutputNotWritable(path=path, detail=exc.strerror or str(exc)) from exc
    return names
