# Frontline Connect. The commands a newcomer needs: `make run`, `make test` (minutes, before every
# change) and `make check` (everything, before a release; CI runs it).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FRONTLINE := $(BIN)/frontline
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: install test-tools run cluster test check clock-matrix lint worker translations bench bench-scale clean kiosk-hpke kiosk-keyboard

# System packages from Debian: Noto fonts for every script the service writes (print packs
# embed them; the kiosk shows them), and for the tests Chromium (the kiosk), poppler-utils
# (PDF text, fonts and pages as PNG), zbar-tools (reading the posters' QR codes back), and
# systemd and nginx, whose own checks verify the files in deploy/; and wrk, the HTTP load
# generator `make bench` drives the webhooks with.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NOTO := /usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/pdftoppm /usr/bin/zbarimg $(NOTO) \
  /usr/bin/systemd-analyze /usr/sbin/nginx /usr/bin/wrk
NODE_STAMP := node_modules/.installed

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

$(SYSTEM_TOOLS):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	  chromium fonts-noto-core poppler-utils zbar-tools systemd nginx wrk

# axe-core, the accessibility checker the browser tests inject into each page.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-tools: $(SYSTEM_TOOLS) $(NODE_STAMP)

# Extract every translatable string, merge it into the seven catalogs, compile them; then
# write which strings need native review first (locales/priorities.toml, docs/translations.md).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
	  --project "Frontline Connect" --copyright-holder "Frontline Connect" \
	  -o locales/messages.pot service kiosk print_templates
	for l in $(LANGS); do \
	  if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching -i locales/messages.pot -d locales -l $$l; \
	  else $(BIN)/pybabel init -i locales/messages.pot -d locales -l $$l; fi; \
	done
	$(MAKE) --no-print-directory $(MO_FILES)
	$(FRONTLINE) translation-review

# Dev mode: keys are generated once into instance/, the phone simulator is on.
run: export FRONTLINE_ENV ?= development
run: export FRONTLINE_DEV_TOOLS ?= true
run: install
	$(FRONTLINE) db upgrade
	$(FRONTLINE) demo --if-empty
	@echo ""
	@echo "  Frontline Connect is starting (web and worker). Ctrl-C stops both."
	@echo "    public page     http://$(HOST):$(PORT)/"
	@echo "    depot kiosk     http://$(HOST):$(PORT)/kiosk/eastfield-depot/"
	@echo "    phone simulator http://$(HOST):$(PORT)/dev/phone"
	@echo "    console         http://$(HOST):$(PORT)/console/  (first: FRONTLINE_ENV=development $(FRONTLINE) create-manager --email you@example.org)"
	@echo ""
	@$(FRONTLINE) worker --workers 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FRONTLINE) run --host $(HOST) --port $(PORT) --no-reload

# At scale: 2 gunicorn web processes and 2 workers on the local PostgreSQL (database
# frontline_cluster, created if missing) and Redis (db 1); bench/cluster.py says how.
cluster: export FRONTLINE_ENV ?= development
cluster: export FRONTLINE_DEV_TOOLS ?= true
cluster: install
	PORT=$(PORT) $(BIN)/python bench/cluster.py

# ruff, then the import contracts in pyproject.toml (channels above the core, no cycles).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Two tiers of tests (pyproject.toml's markers; tests/conftest.py gives them out).
# `make test`: every test not marked slow, on SQLite, on both cores, at the suite's fixed
# moment (FRONTLINE_TEST_NOW), hypothesis at ten examples. Under 4 minutes: run it before
# every change. pytest exits 5 when it collects nothing, and make stops on any non-zero exit.
PYTEST := $(BIN)/pytest -q -n 2 --dist loadgroup
FAST_TESTS := env -u FRONTLINE_TEST_DATABASE_URL $(PYTEST) -m "not slow"
test: lint test-tools
	$(FAST_TESTS)

# `make check`: everything. `make test`; then the slow tier on SQLite (the browser tests, the
# reliability cluster, the fuzzers at their full 100,000 examples, the installed wheel); then
# the suite on PostgreSQL when FRONTLINE_TEST_DATABASE_URL is set: the tests marked `database`
# (tests/conftest.py marks those whose fixtures reach the run's database), less the browser,
# reliability, fuzz and package ones (the first two bring databases of their own); a test that
# never touches a database, or only a SQLite file of its own, would run the same twice; then
# `make test`'s tests again (not its lint, which no moment changes) at a moment drawn at random,
# printed so a failure can be replayed, with hypothesis at each test's full count of fresh
# examples.
# The slow tier waits more than it computes (browsers, the cluster, processes starting): with
# two workers the load stayed near 1.3 on two cores, so it takes a third, and says which of its
# tests took longest.
SLOW_TESTS := $(BIN)/pytest -q -n 3 --dist loadgroup --durations=15
check: test
	@echo "== the slow tier: browser, reliability, fuzzing (HYPOTHESIS_PROFILE=check), package =="
	env -u FRONTLINE_TEST_DATABASE_URL HYPOTHESIS_PROFILE=check $(SLOW_TESTS) -m slow
	@if [ -n "$$FRONTLINE_TEST_DATABASE_URL" ]; then \
	  echo "== on PostgreSQL: the tests that reach a database, but the browser, reliability, fuzz and package ones =="; \
	  $(PYTEST) -m "database and not (browser or reliability or fuzz or package)"; \
	else echo "FRONTLINE_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped"; fi
	@now=$$($(BIN)/python -m tests.support.clock random); \
	  echo "== make test at a random moment: replay with FRONTLINE_TEST_NOW=$$now make test =="; \
	  FRONTLINE_TEST_NOW=$$now HYPOTHESIS_PROFILE=check $(FAST_TESTS)

# `make test` at each moment where calendars catch code out (tests/support/clock.py says which).
clock-matrix: install test-tools
	$(BIN)/python -m tests.support.clock matrix

# Benchmarks print each figure beside a baseline measured in the same run, and the ratio.
bench: install test-tools
	$(BIN)/python bench/run_all.py

# National scale on the local PostgreSQL (issue 20): a million contacts, 5,000,000 inbound rows
# in database bench_scale (created and filled by bench/scale_data.py, resumably: a second run
# reuses it), each figure beside the same on a demo-sized bench_scale_demo. SCALE=0.01 for a
# quick look; the first full fill takes about ten minutes on two cores.
SCALE ?= 1
bench-scale: install test-tools
	BENCH_SCALE=$(SCALE) $(BIN)/python bench/scale.py

worker: export FRONTLINE_ENV ?= development
worker: install
	$(FRONTLINE) worker

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# The kiosk's HPKE library (RFC 9180), bundled from npm into one static file the kiosk serves
# itself, so sealing works offline. Rebuild only to upgrade it; the bundle is committed.
HPKE_CORE := 1.9.0
ESBUILD := 0.28.2
kiosk-hpke:
	tmp=$$(mktemp -d) && cd $$tmp && npm init -y >/dev/null && \
	npm install --no-audit --no-fund --loglevel=error @hpke/core@$(HPKE_CORE) esbuild@$(ESBUILD) && \
	echo 'export { CipherSuite, DhkemP256HkdfSha256, HkdfSha256, Aes128Gcm } from "@hpke/core";' > entry.js && \
	./node_modules/.bin/esbuild entry.js --bundle --format=iife --global-name=HPKE --target=es2020 \
	  --legal-comments=inline --outfile=$(CURDIR)/kiosk/static/hpke.js \
	  --banner:js="/* @hpke/core $(HPKE_CORE) and @hpke/common (MIT, https://github.com/dajiaji/hpke-js): RFC 9180 HPKE on WebCrypto. Bundled by 'make kiosk-hpke' (esbuild $(ESBUILD)); do not edit. */" && \
	rm -rf $$tmp

# The kiosk's on-screen keyboard: simple-keyboard (MIT, https://github.com/hodgef/simple-keyboard)
# with the layouts simple-keyboard-layouts has for our languages (Polish, Urdu, Punjabi,
# English; Hindi's InScript, which Gujarati InScript shares key for key). Romanian's layout and
# the Gujarati mapping are ours, in kiosk/static/onscreen.js. Run when bumping a version.
SIMPLE_KEYBOARD := 3.8.192
SIMPLE_KEYBOARD_LAYOUTS := 3.4.265
kiosk-keyboard:
	tmp=$$(mktemp -d) && cd $$tmp && npm init -y >/dev/null && \
	npm install --no-audit --no-fund --loglevel=error simple-keyboard@$(SIMPLE_KEYBOARD) \
	  simple-keyboard-layouts@$(SIMPLE_KEYBOARD_LAYOUTS) esbuild@$(ESBUILD) && \
	printf '%s\n' 'export { default as Keyboard } from "simple-keyboard";' \
	  'export { default as english } from "simple-keyboard-layouts/build/layouts/english";' \
	  'export { default as polish } from "simple-keyboard-layouts/build/layouts/polish";' \
	  'export { default as urdu } from "simple-keyboard-layouts/build/layouts/urdu";' \
	  'export { default as punjabi } from "simple-keyboard-layouts/build/layouts/punjabi";' \
	  'export { default as hindi } from "simple-keyboard-layouts/build/layouts/hindi";' > entry.js && \
	./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=SimpleKeyboard \
	  --target=es2020 --legal-comments=inline --outfile=$(CURDIR)/kiosk/static/keyboard.js \
	  --banner:js="/* simple-keyboard $(SIMPLE_KEYBOARD) and simple-keyboard-layouts $(SIMPLE_KEYBOARD_LAYOUTS) (MIT, Francisco Hodge). Bundled by 'make kiosk-keyboard' (esbuild $(ESBUILD)); do not edit. */" && \
	./node_modules/.bin/esbuild node_modules/simple-keyboard/build/css/index.css --minify \
	  --outfile=$(CURDIR)/kiosk/static/keyboard.css \
	  --banner:css="/* simple-keyboard $(SIMPLE_KEYBOARD) (MIT, Francisco Hodge). Bundled by 'make kiosk-keyboard'; do not edit. */" && \
	rm -rf $$tmp
