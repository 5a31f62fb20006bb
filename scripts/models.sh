#!/usr/bin/env bash
# make models: trains the shipped default models (docs/MODELS.md) on the weather
# photos, leaving out the held-out photos listed in models/holdout/, and exports
# each to models/<name>.cgw.
#
# Resumable: run it again after an interruption (or pass --resume, the
# default): a run whose checkpoints exist continues from the newest valid one
# (--continue_train). --restart (or RESUME=0) starts every run over.
#
# Environment: DATA (../shared/datasets/weather), WORK (.cache/models: the
# training-set links and the runs), MODELS (the names to train; default all),
# CYCLEGAN (bin/cyclegan).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/datasets/weather}
WORK=${WORK:-.cache/models}
CYCLEGAN=${CYCLEGAN:-bin/cyclegan}
RESUME=${RESUME:-1}
for arg in "$@"; do
	case $arg in
	--resume) RESUME=1 ;;
	--restart) RESUME=0 ;;
	*) echo "models: unknown argument $arg (use --resume or --restart)" >&2; exit 2 ;;
	esac
done
LICENSE="Trained by cyclegan-go on the Multi-class Weather Dataset (Gbeminiyi Ajayi, 2018, Mendeley Data, CC BY 4.0). Weights: CC BY 4.0."

# name:folder-A:folder-B (the architecture is the same for all; see docs/MODELS.md).
# The training-set folders are named after the domains as the page shows them
# (Sunny, Sunset, Cloudy): the weight file takes its domain names from them.
ALL="sunny-sunset:shine:sunrise sunny-cloudy:shine:cloudy"
MODELS=${MODELS:-$ALL}

[ -d "$DATA" ] || { echo "models: no dataset at $DATA (set DATA=...)" >&2; exit 2; }

# display FOLDER: the plain name of a dataset folder.
display() {
	case $1 in shine) echo Sunny ;; sunrise) echo Sunset ;; cloudy) echo Cloudy ;; rain) echo Rainy ;; *) echo "$1" ;; esac
}

# trainset FOLDER: a folder of links to FOLDER's photos minus the held-out ones.
trainset() {
	local dom=$1 dir; dir=$WORK/data/$(display "$1")
	[ -d "$DATA/$dom" ] || { echo "models: $DATA/$dom is missing" >&2; exit 2; }
	rm -rf "$dir" && mkdir -p "$dir"
	local src; src=$(cd "$DATA/$dom" && pwd)
	for f in "$src"/*; do
		name=$(basename "$f")
		grep -qxF "$name" "models/holdout/$dom.txt" || ln -s "$f" "$dir/$name"
	done
	echo "$dir"
}

for spec in $MODELS; do
	IFS=: read -r name a b <<<"$spec"
	dirA=$(trainset "$a"); dirB=$(trainset "$b")
	resume=()
	if [ "$RESUME" = 1 ] && ls "$WORK/runs/$name"/state_*.ckpt >/dev/null 2>&1; then
		resume=(--continue_train)
	fi
	"$CYCLEGAN" train -a "$dirA" -b "$dirB" --name "$name" --checkpoints_dir "$WORK/runs" \
		--netG resnet_6blocks --ngf 16 --ndf 64 --load_size 143 --crop_size 128 \
		--n_epochs 3 --n_epochs_decay 2 --save_latest_freq 200 --print_freq 50 --seed 1 \
		--no_export "${resume[@]}"
	"$CYCLEGAN" export "$WORK/runs/$name" -o "models/$name.cgw" --dtype int8 --license "$LICENSE"
done
