# Every target builds what it needs: a fresh machine needs only `make run` or `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: setup browser run test bench cachesim load clean

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

# The plan against the status quo is simulated once (then served from data/cache), so that
# Overblik opens with the simulated savings and their 5-95 % band, not only the expected values.
run: setup
	$(BIN)/python -m sim compare --baseline status-quo --scenario plan --replications 30 --seed 1 \
	  --out data/plan-vs-status-quo.csv
	$(BIN)/python app.py

test: setup browser
	SE_OFFLINE=true SE_AVOID_STATS=true $(BIN)/pytest --headless -n 2 -p no:cacheprovider

bench: setup
	$(BIN)/python -m benchmarks

# The instructions and simulated L2 misses of one replication, the real city against the one ten times
# as large (benchmarks/cachesim.py: counted, repeating within 0.2 %; some five minutes). Debian's valgrind.
cachesim: setup
	@command -v valgrind >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	$(BIN)/python -m benchmarks.cachesim

# Twenty users for five minutes against gunicorn -w 2 --threads 16 on loopback (LOAD_USERS, LOAD_TIME to
# change, e.g. `make load LOAD_TIME=1m`); Locust goes into .venv from the `load` extra.
# Report: benchmarks/load/results.json.
LOAD_USERS ?= 20
LOAD_TIME  ?= 5m
load: setup
	test -x $(BIN)/locust || $(BIN)/pip install --quiet -e ".[load]"
	$(BIN)/python -m benchmarks.load --users $(LOAD_USERS) --time $(LOAD_TIME)

clean:
	rm -rf $(VENV) data screenshots benchmarks/results.json benchmarks/cachesim.json benchmarks/load/results.json
