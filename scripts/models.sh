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
# CYCLEGAN (bin/cyclegan), JOBS (models trained at once; default one per core),
# EPOCHS, EPOCHS_DECAY, AVERAGE and KEEP (the schedule and the weight averaging).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/datasets/weather}
WORK=${WORK:-.cache/models}
CYCLEGAN=${CYCLEGAN:-bin/cyclegan}
RESUME=${RESUME:-1}
EPOCHS=${EPOCHS:-25}             # epochs at the initial learning rate (--n_epochs)
EPOCHS_DECAY=${EPOCHS_DECAY:-25} # then epochs decaying it to zero (--n_epochs_decay)
AVERAGE=${AVERAGE:-decay}        # export --average: the generators' mean over the decay's checkpoints
KEEP=${KEEP:-60}                 # checkpoints kept: all of the decay's (about 45 here, 154 MB each), to average them
# The architecture and the training scale (docs/MODELS.md, "Choosing the
# architecture"): whole photos scaled to 256 pixels wide, random 128 crops.
ARCH=${ARCH:---netG resnet_9blocks --ngf 32 --ndf 64 --preprocess scale_width_and_crop --load_size 256 --crop_size 128}
SAVE_FREQ=${SAVE_FREQ:-400}      # iterations between checkpoints
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

# train NAME A B: trains one model (resuming its run if asked) and exports it.
train() {
	local name=$1 dirA=$2 dirB=$3 resume=()
	if [ "$RESUME" = 1 ] && ls "$WORK/runs/$name"/state_*.ckpt >/dev/null 2>&1; then
		resume=(--continue_train)
	fi
	"$CYCLEGAN" train -a "$dirA" -b "$dirB" --name "$name" --checkpoints_dir "$WORK/runs" \
		$ARCH --init_upsample bilinear --balance_upsample --n_epochs "$EPOCHS" --n_epochs_decay "$EPOCHS_DECAY" \
		--save_latest_freq "$SAVE_FREQ" --print_freq 50 --seed 1 --keep_checkpoints "$KEEP" \
		--no_export "${resume[@]}"
	"$CYCLEGAN" export "$WORK/runs/$name" -o "models/$name.cgw" --dtype int8 --license "$LICENSE" --average "$AVERAGE"
}

# The models train side by side, one core each (JOBS at a time, default: one
# per core): a single training step uses two cores less well than two steps
# use one each. Each line of output is prefixed with its model's name.
set -- $MODELS
cores=$(nproc)
JOBS=${JOBS:-$cores}
[ "$JOBS" -ge 1 ] || JOBS=1
[ "$JOBS" -le $# ] || JOBS=$#
export GOMAXPROCS=${GOMAXPROCS:-$(( cores / JOBS > 0 ? cores / JOBS : 1 ))}
pids=() names=() failed=0 next=0
# finish I: waits for the I-th training and reports its failure.
finish() {
	wait "${pids[$1]}" || { echo "models: training ${names[$1]} failed (run make models again to resume)" >&2; failed=1; }
}
# The training sets first: models that share a domain share its folder, which
# must not be rebuilt while another model reads it.
declare -A dirs
for spec in "$@"; do
	IFS=: read -r name a b <<<"$spec"
	for dom in "$a" "$b"; do [ -n "${dirs[$dom]:-}" ] || dirs[$dom]=$(trainset "$dom"); done
done
for spec in "$@"; do
	IFS=: read -r name a b <<<"$spec"
	dirA=${dirs[$a]} dirB=${dirs[$b]}
	if [ $(( ${#pids[@]} - next )) -ge "$JOBS" ]; then finish $next; next=$((next + 1)); fi
	( set -o pipefail; train "$name" "$dirA" "$dirB" 2>&1 | sed -u "s/^/[$name] /" ) &
	pids+=($!) names+=("$name")
done
for (( ; next < ${#pids[@]}; next++ )); do finish $next; done
exit $failed
