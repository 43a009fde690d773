# concord: set-up, tests, the demo and the benchmarks, one command each.
# A fresh machine of this kind needs nothing done by hand: `make test` creates .venv,
# installs what it needs (apt + pip) and runs the notebook tests and pytest.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FMNIST_DIR ?= /usr/share/datasets/fashion-mnist
# The apt step before the set-up; `make docs SYSDEPS=` skips it where there is no root (the docs workflow).
SYSDEPS ?= sysdeps
# Tests and the demo never touch a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export MPLBACKEND := Agg
export PYTHONUNBUFFERED := 1

.PHONY: lab mathjax mini-world test-golden demo demo-spread bench bench-dsco bench-ipc bench-order bench-arch bench-quick bench-speed bench-tradeoff own-world-run figures figures-full readme setup test test-nbs test-py test-slow export clean-nbs sysdeps clean docs docs-check sidebar have-quarto

setup: $(STAMP)

# System packages: Fashion-MNIST as IDX files (Debian package dataset-fashion-mnist), headless
# Chromium with its WebDriver for the docs' browser test (tests/test_docs_browser.py), and node's npm
# for the docs pages' MathJax (`make mathjax`).
sysdeps:
	@pkgs=""; \
	[ -f $(FMNIST_DIR)/train-images-idx3-ubyte.gz ] || pkgs="$$pkgs dataset-fashion-mnist"; \
	[ -x /usr/bin/chromium ] || pkgs="$$pkgs chromium"; \
	[ -x /usr/bin/chromedriver ] || pkgs="$$pkgs chromium-driver"; \
	command -v npm >/dev/null 2>&1 || pkgs="$$pkgs nodejs npm"; \
	if [ -n "$$pkgs" ]; then \
	  echo "installing$$pkgs with apt"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs; \
	fi

# torch/torchvision are pinned to the versions checked on this kind of machine: torch 2.14.1 with torchvision 0.29.1
# run on the CPU unmodified; torchvision for torch 2.13.0 fails to import on the CPU build.
$(STAMP): setup.py settings.ini | $(SYSDEPS)
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>&1 | { grep -v 'is ignored' || true; }
	$(PY) -m pip install -q torch==2.14.1 torchvision==0.29.1 2>&1 | { grep -v 'is ignored' || true; }
	$(PY) -m pip install -q -e ".[dev]" 2>&1 | { grep -v 'is ignored' || true; }
	$(PY) -c "import torch, torchvision, diffusers, open_clip, nbdev, concord" 
	touch $(STAMP)

# The README's first command: notebooks (fast cells only), the docs pages, then pytest (which opens the
# pages that docs-check built in headless Chromium).
test: $(STAMP)
	$(MAKE) test-nbs docs-check test-py

# Two notebooks at a time, one thread each: two multi-threaded torch processes on two cores spin on
# each other's OpenMP barriers and run many times slower than one thread each.
test-nbs: $(STAMP)
	cd nbs && OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 ../$(BIN)/nbdev_test --path . --n_workers 2 --timing

test-py: $(STAMP)
	$(BIN)/pytest -q tests

# Every method's small set against the SHA-256 recorded in tests/golden/sets.json, the heavy cases included (~12 min).
test-golden: $(STAMP)
	CONCORD_GOLDEN=all $(BIN)/pytest -q tests/test_golden.py

# The mini world rebuilt from scratch by the project's own code (concord.mini.train_mini_world: teacher, VAE, DiT, grounded
# mini-CLIP, Minimax fine-tune, the bank's validity scores, the manifest), resumable: rerun to continue. Then every file is
# compared with the shipped manifest's SHA-256 and, where they differ, the quality gates run on the rebuilt world (exit 1 if
# one fails). MINI_OUT=concord/assets/mini replaces the shipped checkpoints. About 75 min on 2 cores.
MINI_OUT ?= runs/mini-world
mini-world: $(STAMP)
	$(PY) tools/mini_world.py $(MINI_OUT)

# Heavy notebook cells (flagged `#| slow`) run only on request.
test-slow: $(STAMP)
	cd nbs && ../$(BIN)/nbdev_test --path . --flags slow --n_workers 1 --timing

# JupyterLab on the notebooks (nbs/) in the project's .venv, reachable from this machine only (127.0.0.1); it prints the
# URL with its token. `make lab LAB_PORT=9999` for another port (taken: the next free one); LAB_TOKEN= fixes the token.
LAB_PORT ?= 8888
LAB_TOKEN ?=
lab: $(STAMP)
	@echo "make lab: JupyterLab on nbs/ at http://127.0.0.1:$(LAB_PORT)/lab (the URL with its token follows; Ctrl-C twice stops it)"
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=nbs \
	  $(if $(LAB_TOKEN),--IdentityProvider.token=$(LAB_TOKEN)) $(if $(filter 0,$(shell id -u)),--allow-root)

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

clean:
	rm -rf $(VENV) _proc _docs _docs_check _vendor

# The docs site (GitHub Pages: .github/workflows/docs.yaml runs this). nbdev_docs processes the notebooks
# (show_doc entries for every exported definition) and renders them with Quarto into _docs/.
# README.md is touched first: it is written by tools/make_readme.py, and nbdev_docs would otherwise
# re-render it with Quarto when nbs/index.ipynb looks newer.
docs: have-quarto $(STAMP)
	touch README.md
	$(BIN)/nbdev_docs

have-quarto:
	@command -v quarto >/dev/null 2>&1 || { echo "make docs: Quarto is not installed (nbdev_docs renders the site with it; get it from quarto.org); 'make docs-check' builds and checks the pages without it" >&2; exit 1; }

# The pages without Quarto: nbdev's processing, nbconvert HTML in _docs_check/site/, and checks that every
# public function and class shows its docstring, that links and images resolve and that no page shows
# an error (tools/docs_check.py). Part of `make test`.
docs-check: $(STAMP) mathjax
	$(PY) tools/docs_check.py

# MathJax 4 for the docs pages, from the npm registry into the git-ignored _vendor/node_modules: docs_check.py copies
# it into the site and the pages load it by a relative path (the template's MathJax comes from a CDN, unreachable here).
MATHJAX_VERSION := 4.1.3
MATHJAX_STAMP := _vendor/.mathjax-$(MATHJAX_VERSION)
mathjax: $(MATHJAX_STAMP)

$(MATHJAX_STAMP): | $(SYSDEPS)
	npm install --prefix _vendor --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
	  mathjax@$(MATHJAX_VERSION) @mathjax/mathjax-newcm-font@$(MATHJAX_VERSION)
	touch $@

# nbs/sidebar.yml (the site's sections: Guides, Method, Real scale, Analysis) from the notebooks in nbs/.
sidebar:
	python3 tools/docs_sidebar.py

# README.md is generated from nbs/index.ipynb (nbdev_readme needs Quarto, which is not installable here); the guide
# pages of nbs/guides/ (the results tables, made from results/*/bench.json) are executed with it, so their outputs are current.
readme: $(STAMP)
	cd nbs && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace index.ipynb guides/*.ipynb
	for nb in nbs/index.ipynb nbs/guides/*.ipynb; do $(BIN)/nbdev_clean --fname $$nb || exit 1; done
	$(PY) tools/make_readme.py

# The main job on the mini world: CONCORD at IPC 10 (lambda DEMO_LAM, the value chosen on the validation split by
# bench/lambda_grid.py with every step guided, so the demo guides every step: --guidance paper; `concord distill` alone uses
# --guidance fast since issue 18: x0_only through the tiny decoder on the late half), next to the same DiT without informing and to random real images at IPC 10, each evaluated by
# training a fresh ConvNet-3 on it alone (soft-label protocol: 300 epochs x DEMO_EPOCHS_SCALE). DEMO_SEED seeds the three
# sets and the students alike (`make demo-spread` repeats the demo for seeds 0-2). The three evaluations run side by side,
# one thread each, every line of their progress prefixed with the set's name; the summary is also written as JSON.
DEMO_DIR ?= distilled
DEMO_EPOCHS_SCALE ?= 1.0
DEMO_LAM ?= 16
DEMO_SEED ?= 0
DEMO_IPC ?= 10
DEMO_METHODS := concord dit random
demo: $(STAMP)
	$(BIN)/concord distill --lam $(DEMO_LAM) --guidance paper --seed $(DEMO_SEED) --ipc $(DEMO_IPC) --out $(DEMO_DIR)/fmnist-concord-ipc$(DEMO_IPC)
	$(BIN)/concord distill --method dit --seed $(DEMO_SEED) --ipc $(DEMO_IPC) --out $(DEMO_DIR)/fmnist-dit-ipc$(DEMO_IPC)
	$(BIN)/concord distill --method random --seed $(DEMO_SEED) --ipc $(DEMO_IPC) --out $(DEMO_DIR)/fmnist-random-ipc$(DEMO_IPC)
	pids=""; for m in $(DEMO_METHODS); do \
	  ( OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/concord evaluate $(DEMO_DIR)/fmnist-$$m-ipc$(DEMO_IPC) --epochs_scale $(DEMO_EPOCHS_SCALE) \
	      --seeds $(DEMO_SEED) --json_out $(DEMO_DIR)/fmnist-$$m-ipc$(DEMO_IPC).eval.json 2>&1 | sed -u "s/^/[$$m] /" ) & pids="$$pids $$!"; done; \
	  for p in $$pids; do wait $$p || exit 1; done
	@DEMO_IPC=$(DEMO_IPC) $(PY) bench/demo_summary.py $(DEMO_DIR) $(DEMO_METHODS)

# The demo's run-to-run spread: `make demo` for DEMO_SEED = 0, 1, 2 (new sets and new students each time), each into
# runs/demo-spread/WORLD-ipcN-lamL/seed-S (WORLD: the shipped models' manifest hash and sampling CFG, so that runs of another
# world or lambda are never reused; a finished seed is skipped: rerun to continue), then the mean and SD of each number over the
# runs in results/demo/demo_spread.json (IPC 10: the README's demo table; other IPCs: demo_spread_ipcN.json).
# About 3 x 7 min on 2 cores at IPC 10.
SPREAD_SEEDS ?= 0 1 2
SPREAD_OUT = results/demo/demo_spread$(if $(filter 10,$(DEMO_IPC)),,_ipc$(DEMO_IPC)).json
demo-spread: $(STAMP)
	key=$$($(PY) -c "from concord.bench import mini_world_key; print(mini_world_key())") || exit 1; \
	for s in $(SPREAD_SEEDS); do \
	  d=runs/demo-spread/$$key-ipc$(DEMO_IPC)-lam$(DEMO_LAM)/seed-$$s; [ -f $$d/demo_summary.json ] && continue; t0=$$(date +%s); \
	  $(MAKE) demo DEMO_SEED=$$s DEMO_DIR=$$d DEMO_IPC=$(DEMO_IPC) || exit 1; echo $$(( $$(date +%s) - t0 )) > $$d/wall_seconds; done; \
	$(PY) bench/demo_spread.py --out $(SPREAD_OUT) $(foreach s,$(SPREAD_SEEDS),runs/demo-spread/$$key-ipc$(DEMO_IPC)-lam$(DEMO_LAM)/seed-$(s))

# The mini-world results table (issue: Minimax, evaluator and results table): every method at IPC 1/10/50,
# three protocols, seeds 0-2, two worker processes of one thread each; resumable (rerun to continue).
# Writes results/bench/{bench.csv,bench_table.csv,bench.json} and figures/bench_fmnist.png (77 min measured here, on 2 cores).
bench: $(STAMP)
	$(BIN)/concord bench --out results/bench --figure figures

# The DsCo rows of the results table (issue 7: NOpt, NOpt + doping, data-free), with the settings of `make bench`
# (IPC 1/10/50, three protocols, seeds 0-2); the table of nbs/guides/results.ipynb combines results/bench and results/bench-dsco.
bench-dsco: $(STAMP)
	$(BIN)/concord bench --rows dsco,dsco-dope,dsco-free --no_ceiling --out results/bench-dsco --figure ''

# Accuracy vs IPC up to 200 (CONCORD Fig. 4a / DsCo Fig. 3 analogs): random real, Minimax, Minimax+CONCORD and DsCo
# (NOpt + doping, the full framework), ConvNet-3 soft-label, seed 0; lambda 2 is the value `make bench` chose on its
# validation split.
bench-ipc: $(STAMP)
	$(BIN)/concord bench --rows random,minimax,minimax-concord,dsco-dope --ipcs 1,10,50,100,200 --seeds 0 \
	  --protocols convnet-soft --lam 2 --no_ceiling --out results/bench-ipc --name ipc_curve_fmnist

# Issue 16's row-order check: the main rows at IPC 10, seeds 0-2, with the bench's cut schedules and with the presets' full
# schedules on all 10,000 test images (IDC, RDED and the soft-label protocol); Kendall's tau and the largest rank change
# per protocol in results/bench-order/row_order.json. Hours on two cores; resumable (rerun to continue).
bench-order: $(STAMP)
	$(PY) bench/row_order.py --out results/bench-order

# Issue 16's cross-architecture table: the main rows and DsCo with doping at IPC 10, seed 0, each set trained under the RDED
# preset by ConvNet-3 (BN), ResNet-18 (RDED's modified), ResNet-50 and -101 (3x3/1 stem), MobileNetV2, EfficientNet-B0 and
# ViT-Tiny (patch 4) from timm; soft labels from the mini teacher except conv3's own; 24 of RDED's 300 epochs. Hours; resumable.
bench-arch: $(STAMP)
	$(BIN)/concord bench --rows random,herding,dit,dit-concord,minimax,minimax-concord,dsco-dope --ipcs 10 --seeds 0 \
	  --protocols conv3-rded,resnet18m-rded,resnet50m-rded,resnet101m-rded,mobilenetv2-rded,efficientnet-rded,vit-tiny-rded \
	  --lam $(DEMO_LAM) --no_ceiling --out results/bench-arch --name arch_fmnist

# The reduced version (IPC 1, one seed, few epochs; about a minute): the pipeline end to end.
bench-quick: $(STAMP)
	$(BIN)/concord bench --quick --out results/tmp/bench-quick --figure results/tmp/bench-quick

# The analysis notebooks (nbs/analysis/: t-SNE, samples, failures, lambda strip, concept report) with their
# quick settings, as the committed figures were made; they rewrite figures/ (figures and tables: `figures_dir()`
# is $CONCORD_FIGURES). `make test` runs them too, without CONCORD_FIGURES: they write into the git-ignored _figures/.
figures: $(STAMP)
	cd nbs && CONCORD_FIGURES=$(CURDIR)/figures OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 ../$(BIN)/nbdev_test --path analysis --n_workers 2 --timing

# The same with the full settings (all classes, more samples, 50 DDIM steps): much longer.
figures-full: $(STAMP)
	cd nbs && CONCORD_FIGURES=$(CURDIR)/figures CONCORD_FULL=1 ../$(BIN)/nbdev_test --path analysis --n_workers 1 --timing

# Seconds per image: unguided vs CONCORD's guidance settings (the paper's, x0_only, the tiny decoder, every k-th step), one
# interleaved run on 2 threads: the mini world (batch 10, 50 steps) and real-size random-weight models (DiT-XL/2, SD VAE,
# a TAESD-architecture decoder, CLIP ViT-L/14; batch 1, 2 steps); ratios, settings and commit in results/speed.json.
bench-speed: $(STAMP)
	$(PY) bench/speed.py --real --threads 2 --out results/speed.json

# CONCORD's cost against its gain on the grounded mini world (lambda DEMO_LAM, IPC 10, validation split, seeds 1000-1001):
# results/tradeoff/tradeoff.json and figures/guidance_pareto_fmnist.png; resumable.
bench-tradeoff: $(STAMP)
	$(PY) bench/guidance_tradeoff.py --out results/tradeoff

# The README's "Your own dataset" commands run end to end on 10 classes x 800 PNGs at 28 px (world train, four distills,
# both evaluations, a ResNet-18 teacher epoch, export), each timed: results/own-world/run.json; resumable (36 min of commands measured, 2 cores).
own-world-run: $(STAMP)
	$(PY) bench/own_world_run.py --root runs/own-world-run --out results/own-world/run.json
