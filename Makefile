# Two commands do all set-up on a fresh machine:  make run  and  make test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jianbao
DB     ?= jianbao.db
export JIANBAO_HOME ?= $(CURDIR)/.jianbao

.PHONY: run test bench lint model clean examples

# The venv is rebuilt only when pyproject.toml changes (stamp files), so the second run is fast.
$(VENV)/.stamp-base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The default model is trained from the repo's data, reproducibly (fixed seeds), and retrained
# only when the data, the taxonomy or the model code change.
$(JIANBAO_HOME)/.model-stamp: $(VENV)/.stamp-base models/taxonomy.toml $(wildcard models/data/*.jsonl) $(wildcard models/*.py) errors.py
	$(JB) --db $(DB) train --quiet --activate
	mkdir -p $(JIANBAO_HOME) && touch $@

model: $(JIANBAO_HOME)/.model-stamp

run: model
	$(JB) --db $(DB) ingest examples/
	$(JB) --db $(DB) stats

test: $(VENV)/.stamp-dev
	$(PY) -m pytest -q

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check errors.py ingest models corpus pipeline jianbao fixtures bench tests

bench: $(VENV)/.stamp-dev model
	$(PY) -m bench all

examples: $(VENV)/.stamp-dev
	$(PY) -m fixtures.render_bulletin --all

clean:
	rm -rf $(VENV) $(JIANBAO_HOME) $(DB) $(DB)-wal $(DB)-shm
