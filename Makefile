# Quick start: `make demo` (sample films -> whole pipeline) and `make test`. Both create/refresh .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
SAMPLE_DIR := data/sample

export PATH := $(abspath $(BIN)):$(PATH)
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install lock demo test lint bench-extract bench-quality bench-frames bench-analyze bench-identities bench-scenes bench-review real-model clean-demo

install: $(STAMP)

# Installs exactly the versions in $(LOCK), the ones the suite last passed with: a fresh machine gets what was tested.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[dev]'
	$(BIN)/python -m moviegoer.features.body_models
	@touch $@

# Re-resolves pyproject.toml's ranges against today's registries in a scratch venv and writes $(LOCK). Run it on
# purpose, then `make test` (which reinstalls from the new lock) before committing it.
lock:
	@rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet -e '.[dev]'
	@{ echo "# Exact versions \`make install\` uses (pip constraints). Written by \`make lock\` on $$(date -u +%F) with"; \
	   echo "# $$($(VENV)-lock/bin/python --version), $$(uname -m); refresh on purpose, then run \`make test\`."; \
	   $(VENV)-lock/bin/python -m pip freeze --all --exclude-editable; } > $(LOCK).tmp
	@mv $(LOCK).tmp $(LOCK)
	@rm -rf $(VENV)-lock
	@echo "$(LOCK): $$(grep -c '==' $(LOCK)) pinned packages"

demo: $(STAMP)
	moviegoer sample --out $(SAMPLE_DIR)
	moviegoer films add $(SAMPLE_DIR)/*.mp4
	dvc repro --keep-going extract
	moviegoer labels import --timeline $(SAMPLE_DIR)/timeline.parquet
	dvc repro --keep-going
	moviegoer labels stats
	moviegoer scenes-list
	@echo "Timelines:  $(abspath reports/films.html) (one page per film: data/reviewed/<film>/timeline.html)"
	@echo "Review:     moviegoer review  (the films and their timelines in the browser: http://127.0.0.1:8765/review)"
	@echo "Scenes vs.  reviewed films: reports/scenes/metrics.json (dvc metrics show; once you confirm or add scenes in review)"
	@echo "Exports:    data/reviewed/<film>/ (scenes, characters, shots as .csv, .json; <film>.otio; with your corrections)"
	@echo "Scenes:     data/scenes/<film>/ (as the detector found them: scenes.parquet, .csv, .json, .otio)"
	@echo "Analysis:   data/analysis/<film>/ (shots, samples, faces, characters .parquet; thumbs/, characters/)"
	@echo "Frames:     data/frames/<film>/ (JPEGs + manifest.parquet)"
	@echo "Splits:     data/splits/{train,val,test}/{mcu,non_mcu}/ + split.parquet"
	@echo "Data Docs:  reports/data_docs/labels/index.html, reports/data_docs/split/index.html"
	@echo "EDA plots:  reports/eda/*.png"
	@echo "Report:     $(abspath reports/report.html)  (metrics: dvc metrics show; curves: dvc plots show)"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check moviegoer flows tests benchmarks

bench-extract: $(STAMP)
	$(BIN)/python benchmarks/extract.py

bench-analyze: $(STAMP)
	$(BIN)/python benchmarks/analyze.py

# the real conversation set is rebuilt from its repositories first; clips it cannot get are listed as missing
bench-scenes: $(STAMP)
	-$(BIN)/python benchmarks/conversations/fetch_clips.py
	$(BIN)/python benchmarks/scenes.py

# the review's split on the analyses bench-scenes cached (real conversations, shared real clips, the sample)
bench-review: $(STAMP)
	$(BIN)/python benchmarks/review_split.py

bench-identities: $(STAMP)
	$(BIN)/python benchmarks/identities.py

bench-frames: $(STAMP)
	$(BIN)/python benchmarks/frame_speed.py

# the conversation set's clips are fetched and their labelled frames extracted first (not in git: copyrighted)
bench-quality: $(STAMP)
	$(BIN)/python benchmarks/conversations/fetch_clips.py
	$(BIN)/python benchmarks/real_frames/extract.py
	$(BIN)/python benchmarks/real_quality.py

real-model: $(STAMP)
	$(BIN)/python benchmarks/conversations/fetch_clips.py
	$(BIN)/python benchmarks/real_frames/extract.py
	$(BIN)/python benchmarks/real_quality.py --final

clean-demo:
	@echo "Removes the sample films' registration, frames and DVC lock from this checkout."
	rm -rf $(SAMPLE_DIR) data/raw data/frames data/labels data/splits reports dvc.lock
	git checkout -- data/films.yaml
