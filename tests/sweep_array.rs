//! `scripts/sweep-array.sh`, the job-array wrapper that spreads one sweep over a cluster's
//! machines: tasks started as Slurm, SGE or by hand each write their share of the runs, and the
//! merged store holds exactly the rows of the same sweep run in one go.

mod common;
use common::{scratch, store_rows, tiny_sweep, TINY_SWEEP};
use std::path::Path;
use std::process::{Command, Output};

const SCHEDULER_VARS: [&str; 9] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_CPUS_PER_TASK",
    "PBS_ARRAY_INDEX",
    "SGE_TASK_ID",
    "SGE_TASK_LAST",
    "LSB_JOBINDEX",
    "DCCSIM_TASKS",
];

/// Runs the script with `args` and the scheduler variables `env` (and no others).
fn script(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg("scripts/sweep-array.sh")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DCCSIM", env!("CARGO_BIN_EXE_dccsim"))
        .env("DCCSIM_JOBS", "1");
    for v in SCHEDULER_VARS {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("bash runs")
}

/// One task of the tiny sweep into `dir`, its index from `env` (or `task`).
fn task(dir: &Path, task: Option<&str>, env: &[(&str, &str)]) {
    let mut args = Vec::new();
    if let Some(t) = task {
        args.extend(["--task", t]);
    }
    args.extend([TINY_SWEEP[0], dir.to_str().unwrap(), "--", "--quiet"]);
    args.extend_from_slice(&TINY_SWEEP[1..]);
    let o = script(&args, env);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn array_tasks_from_any_scheduler_merge_into_the_whole_sweep() {
    let dir = scratch("sweep-array");
    let whole = dir.join("whole.sqlite");
    let o = tiny_sweep(&whole, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let shards = dir.join("shards");
    // Slurm numbers this array from 1 (--array=1-3); SGE from 1; the third task is given by hand.
    task(
        &shards,
        None,
        &[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    let merged = dir.join("merged.sqlite");
    let merge = |out: &Path| {
        script(
            &["--merge", shards.to_str().unwrap(), out.to_str().unwrap()],
            &[],
        )
    };
    // Two of three tasks missing: the merge waits for them.
    let o = merge(&merged);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 of the 3 tasks' stores"));
    task(
        &shards,
        None,
        &[("SGE_TASK_ID", "2"), ("SGE_TASK_LAST", "3")],
    );
    task(&shards, Some("2/3"), &[]);
    for i in 0..3 {
        assert!(shards.join(format!("shard-{i}-of-3.sqlite")).exists());
    }
    // A task run again finds its runs complete and changes nothing.
    let before = store_rows(&shards.join("shard-2-of-3.sqlite"));
    task(&shards, Some("2/3"), &[]);
    assert_eq!(store_rows(&shards.join("shard-2-of-3.sqlite")), before);

    let o = merge(&merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(store_rows(&merged), store_rows(&whole));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_task_without_an_index_or_with_a_wrong_one_is_refused() {
    let dir = scratch("sweep-array-bad");
    let d = dir.to_str().unwrap();
    for (args, env, why) in [
        (vec![TINY_SWEEP[0], d], vec![], "no job-array task index"),
        (
            vec!["--task", "3/3", TINY_SWEEP[0], d],
            vec![],
            "below the count",
        ),
        (vec!["--task", "x", TINY_SWEEP[0], d], vec![], "is not I/N"),
        (
            vec![TINY_SWEEP[0], d],
            vec![("PBS_ARRAY_INDEX", "0")],
            "DCCSIM_TASKS",
        ),
    ] {
        let o = script(&args, &env);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
