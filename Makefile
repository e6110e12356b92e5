# Every target builds what it needs: a fresh machine needs only `make run` or `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: setup browser run test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Debian's Chromium and its driver, for the browser tests (root; no downloads of our own).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

run: setup
	$(BIN)/python app.py

test: setup browser
	SE_OFFLINE=true SE_AVOID_STATS=true $(BIN)/pytest --headless -n 2 -p no:cacheprovider

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) data screenshots benchmarks/results.json
