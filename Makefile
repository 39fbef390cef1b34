# Quick start: `make demo` (sample films -> whole pipeline) and `make test`. Both create/refresh .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE_DIR := data/sample

export PATH := $(abspath $(BIN)):$(PATH)
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install demo test lint bench-extract bench-quality bench-frames bench-analyze bench-identities bench-scenes real-model clean-demo

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(STAMP)
	moviegoer sample --out $(SAMPLE_DIR)
	moviegoer films add $(SAMPLE_DIR)/*.mp4
	dvc repro --keep-going extract
	moviegoer labels import --timeline $(SAMPLE_DIR)/timeline.parquet
	dvc repro --keep-going
	moviegoer labels stats
	moviegoer scenes-list
	@echo "Timelines:  $(abspath reports/films.html) (one page per film: data/scenes/<film>/timeline.html)"
	@echo "Scenes:     data/scenes/<film>/ (scenes.parquet; scenes and shots as .csv, .json; <film>.otio)"
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

bench-scenes: $(STAMP)
	$(BIN)/python benchmarks/scenes.py

bench-identities: $(STAMP)
	$(BIN)/python benchmarks/identities.py

bench-frames: $(STAMP)
	$(BIN)/python benchmarks/frame_speed.py

bench-quality: $(STAMP)
	$(BIN)/python benchmarks/real_quality.py

real-model: $(STAMP)
	$(BIN)/python benchmarks/real_quality.py --final

clean-demo:
	@echo "Removes the sample films' registration, frames and DVC lock from this checkout."
	rm -rf $(SAMPLE_DIR) data/raw data/frames data/labels data/splits reports dvc.lock
	git checkout -- data/films.yaml
