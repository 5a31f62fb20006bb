#!/usr/bin/env bash
# evaluate.sh measures the shipped models as docs/MODELS.md reports them, on
# the held-out photos (models/holdout): for each direction and evaluation
# size, the SWD ratio (seed 1), the share of translated photos the domain
# classifier assigns to the target domain, its share for a colour transfer
# (the baseline), and, at the first size, the cycle error. Each eval's full
# output is kept in OUT/NAME_DIRECTION_SIZE.txt (and .json); a table of the
# figures ends the run.
#
# Usage: make evaluate [SIZES="256 512"] [SCALE=model|full] [DATA=...]
#
# Environment: CYCLEGAN (bin/cyclegan), DATA (../shared/datasets/weather),
# OUT (.cache/eval/SCALE), SIZES ("256 512"), SCALE (model: the default
# translation, at the model's recorded scale; full: the exact full-resolution
# pass), MODELS ("NAME:A_FOLDER:B_FOLDER ...", default the two shipped pairs).
set -euo pipefail

CYCLEGAN=${CYCLEGAN:-bin/cyclegan}
DATA=${DATA:-../shared/datasets/weather}
SCALE=${SCALE:-model}
OUT=${OUT:-.cache/eval/$SCALE}
SIZES=${SIZES:-256 512}
MODELS=${MODELS:-sunny-sunset:shine:sunrise sunny-cloudy:shine:cloudy}

for d in shine sunrise cloudy; do
	if [[ ! -d "$DATA/$d" ]]; then
		echo "evaluate.sh: no $DATA/$d (set DATA= to the weather photos' folder)" >&2
		exit 2
	fi
done
mkdir -p "$OUT"

# field prints the last number of the line of file $1 that starts (after
# blanks) with $2.
field() { awk -v k="$2" '{ sub(/^ +/, "") } index($0, k) == 1 { v = $NF } END { print v }' "$1"; }
# share prints the percentage on the line of file $1 that starts with $2.
share() { awk -v k="$2" '{ sub(/^ +/, "") } index($0, k) == 1 { for (i = 1; i <= NF; i++) if ($i ~ /%$/) { print $i; exit } }' "$1"; }

rows=()
for spec in $MODELS; do
	IFS=: read -r name a b <<<"$spec"
	for dir in AtoB BtoA; do
		first=1
		for size in $SIZES; do
			base="$OUT/${name}_${dir}_${size}"
			cycle=false
			if ((first)); then cycle=true; fi
			echo "== $name $dir at $size ($SCALE scale)"
			"$CYCLEGAN" eval -w "models/$name.cgw" -a "$DATA/$a" -b "$DATA/$b" --holdout models/holdout \
				--direction "$dir" --size "$size" --scale "$SCALE" --cycle="$cycle" --json "$base.json" >"$base.txt" 2>"$base.log" ||
				{ cat "$base.log" >&2; exit 1; }
			ce="-"
			if ((first)); then ce=$(awk '/^cycle error/ { sub(/.*= /, ""); print $1 }' "$base.txt"); fi
			rows+=("$(printf '%-14s %-5s %5s %8s %12s %17s %8s' "$name" "$dir" "$size" "$(field "$base.txt" ratio)" \
				"$(share "$base.txt" translated)" "$(share "$base.txt" "colour transfer")" "$ce")")
			first=0
		done
	done
done
echo
echo "# $SCALE scale, held-out photos, seed 1 ($(date -u +%Y-%m-%dT%H:%MZ)); outputs in $OUT"
printf '%-14s %-5s %5s %8s %12s %17s %8s\n' model dir size "SWD" "classifier" "colour transfer" "cycle"
printf '%s\n' "${rows[@]}"
