#!/usr/bin/env bash
# One task of a sweep spread over a cluster's job array: task I of N runs runs I, I+N, I+2N, … of
# the sweep into its own store, DIR/shard-I-of-N.sqlite; when every task is done, `--merge` joins
# them into one store (the same rows a single `dccsim sweep` would write).
#
#   sweep-array.sh SCENARIO.toml DIR [-- SWEEP-ARGS...]     # one task: I and N from the scheduler
#   sweep-array.sh --task I/N SCENARIO.toml DIR [-- ...]     # one task, I and N given
#   sweep-array.sh --merge DIR OUT.sqlite                    # join the tasks' stores
#
# The task index and count come from the scheduler's job-array variables:
#   Slurm   SLURM_ARRAY_TASK_ID (from 0 or 1: taken relative to SLURM_ARRAY_TASK_MIN) and
#           SLURM_ARRAY_TASK_COUNT            (sbatch --array=0-7 …)
#   PBS Pro PBS_ARRAY_INDEX with DCCSIM_TASKS (qsub -J 0-7 …)
#   SGE     SGE_TASK_ID (from 1) with SGE_TASK_LAST (qsub -t 1-8 …)
#   LSF     LSB_JOBINDEX (from 1) with DCCSIM_TASKS (bsub -J "sweep[1-8]" …)
# A task is safe to re-run: runs already complete in its store are skipped. Every task must see
# the same scenario file and arguments (the stores of different sweeps refuse to merge).
# DCCSIM names the binary (default: dccsim on PATH); DCCSIM_JOBS the runs a task makes at once
# (default: the cores it was given).
set -euo pipefail

dccsim=${DCCSIM:-dccsim}
die() { echo "sweep-array: $*" >&2; exit 2; }
# The value of variable $1, which the scheduler named by $2 should have set.
need() { [[ -n ${!1:-} ]] || die "$2 is set but $1 is not: set $1 to the array's size"; echo "${!1}"; }

if [[ ${1:-} == --merge ]]; then
  [[ $# -eq 3 ]] || die "usage: sweep-array.sh --merge DIR OUT.sqlite"
  shopt -s nullglob
  stores=("$2"/shard-*-of-*.sqlite)
  [[ ${#stores[@]} -gt 0 ]] || die "no shard-*-of-*.sqlite stores in $2"
  counts=$(printf '%s\n' "${stores[@]}" | sed 's/.*-of-\([0-9]*\)\.sqlite$/\1/' | sort -u)
  [[ $(wc -l <<<"$counts") -eq 1 ]] || die "$2 holds stores of different task counts: $(tr '\n' ' ' <<<"$counts")"
  [[ ${#stores[@]} -eq $counts ]] || die "$2 holds ${#stores[@]} of the $counts tasks' stores; wait for the rest (or re-run the missing tasks)"
  exec "$dccsim" store merge "$3" "${stores[@]}"
fi

task=""
if [[ ${1:-} == --task ]]; then
  task=${2:-}
  shift 2 || die "usage: sweep-array.sh --task I/N SCENARIO.toml DIR"
fi
[[ $# -ge 2 ]] || die "usage: sweep-array.sh [--task I/N] SCENARIO.toml DIR [-- SWEEP-ARGS...]"
scenario=$1 dir=$2
shift 2
if [[ $# -gt 0 ]]; then
  [[ $1 == -- ]] || die "unexpected argument '$1' (sweep arguments go after --)"
  shift
fi

if [[ -z $task ]]; then
  if [[ -n ${SLURM_ARRAY_TASK_ID:-} ]]; then
    i=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0})) n=$(need SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_ID)
  elif [[ -n ${PBS_ARRAY_INDEX:-} ]]; then
    i=$PBS_ARRAY_INDEX n=$(need DCCSIM_TASKS PBS_ARRAY_INDEX)
  elif [[ -n ${SGE_TASK_ID:-} && ${SGE_TASK_ID} != undefined ]]; then
    i=$((SGE_TASK_ID - 1)) n=$(need SGE_TASK_LAST SGE_TASK_ID)
  elif [[ -n ${LSB_JOBINDEX:-} ]]; then
    i=$((LSB_JOBINDEX - 1)) n=$(need DCCSIM_TASKS LSB_JOBINDEX)
  else
    die "no job-array task index in the environment (Slurm, PBS, SGE, LSF); give --task I/N"
  fi
  task="$i/$n"
fi
[[ $task =~ ^([0-9]+)/([0-9]+)$ ]] || die "task '$task' is not I/N"
i=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
(( n >= 1 && i < n )) || die "task $i of $n: the index must be below the count"

mkdir -p "$dir"
jobs=${DCCSIM_JOBS:-${SLURM_CPUS_PER_TASK:-$(nproc)}}
exec "$dccsim" sweep "$scenario" --shard "$i/$n" --jobs "$jobs" \
  --store "$dir/shard-$i-of-$n.sqlite" "$@"
