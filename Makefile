# Frontline Connect. The two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FRONTLINE := $(BIN)/frontline
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: install run test lint worker translations bench clean

LANGS := pl ro ur pa gu so
PO_FILES := $(foreach l,$(LANGS),locales/$(l)/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ 2>/dev/null

install: $(STAMP) $(MO_FILES)

# Extract every translatable string, merge it into the seven catalogs, compile them.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project "Frontline Connect" --copyright-holder "Frontline Connect" \
	  -o locales/messages.pot service
	for l in $(LANGS); do \
	  if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching -i locales/messages.pot -d locales -l $$l; \
	  else $(BIN)/pybabel init -i locales/messages.pot -d locales -l $$l; fi; \
	done
	$(MAKE) --no-print-directory $(MO_FILES)

# Dev mode: keys are generated once into instance/, the phone simulator is on.
run: export FRONTLINE_ENV ?= development
run: export FRONTLINE_DEV_TOOLS ?= true
run: install
	$(FRONTLINE) db upgrade
	$(FRONTLINE) demo --if-empty
	@echo ""
	@echo "  Frontline Connect is starting (web and worker). Ctrl-C stops both."
	@echo "    public page     http://$(HOST):$(PORT)/"
	@echo "    phone simulator http://$(HOST):$(PORT)/dev/phone"
	@echo ""
	@$(FRONTLINE) worker --workers 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FRONTLINE) run --host $(HOST) --port $(PORT) --no-reload

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check service/migrations/versions

# pytest exits 5 when it collects nothing, and make stops on any non-zero exit.
test: lint
	env -u FRONTLINE_TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$FRONTLINE_TEST_DATABASE_URL" ]; then \
	  echo "== the same tests on PostgreSQL =="; \
	  $(BIN)/pytest -q; \
	else echo "FRONTLINE_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped"; fi

# Benchmarks print each figure beside a baseline measured in the same run, and the ratio.
bench: install
	$(BIN)/python bench/run_all.py

worker: install
	$(FRONTLINE) worker

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
