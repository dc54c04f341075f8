//! A baseline is never overwritten by accident: a run with `--set` overrides gets its own default
//! folder; replacing a run folder made with different parameters needs `--force` (the same run
//! again may replace it); a sweep refuses `--set` of a key it sweeps.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The quickstart scenario with 2,000 premises, written into `dir` (a plain run needs no --set).
fn small_quickstart(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml"),
    )
    .unwrap();
    assert!(text.contains("\npremises = 20000\n"));
    let path = dir.join("quickstart.toml");
    std::fs::write(
        &path,
        text.replace("\npremises = 20000\n", "\npremises = 2000\n"),
    )
    .unwrap();
    path
}

fn folders(dir: &Path) -> Vec<String> {
    let mut runs: Vec<String> = std::fs::read_dir(dir.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    runs.sort();
    runs
}

/// Runs dccsim in `cwd`, so default output folders (`runs/…`) land in a scratch folder.
fn dccsim_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dccsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn digest_of(dir: &Path) -> String {
    summary(dir)["digest"].as_str().unwrap().to_string()
}

#[test]
fn overrides_get_their_own_default_folder_and_leave_the_baseline_alone() {
    let dir = scratch("baseline-default");
    let q = small_quickstart(&dir);
    let q = q.to_str().unwrap();
    let o = dccsim_in(&dir, &["run", q, "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(folders(&dir), ["quickstart-seed7"]);
    let baseline = dir.join("runs/quickstart-seed7");
    let before = digest_of(&baseline);

    // A variant gets its own folder, named with a hash of its overrides; the baseline is intact.
    let variant = ["run", q, "--quiet", "--set", "population.gas_share=0.5"];
    let o = dccsim_in(&dir, &variant);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let runs = folders(&dir);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs[1].starts_with("quickstart-seed7-") && runs[1].len() == 25,
        "{runs:?}"
    );
    assert_eq!(digest_of(&baseline), before);
    assert_ne!(digest_of(&dir.join("runs").join(&runs[1])), before);
    // Other overrides, another folder; the same overrides, the same folder (replaced quietly).
    let o = dccsim_in(&dir, &["run", q, "--quiet", "--set", "dsp.workers=3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(folders(&dir).len(), 3);
    let o = dccsim_in(&dir, &variant);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(folders(&dir).len(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replacing_a_run_made_with_different_parameters_needs_force() {
    let dir = scratch("baseline-force");
    let out = dir.join("run");
    let out_s = out.to_str().unwrap();
    let first = run_ok("scenarios/quickstart.toml", &out, SMALL);
    let digest = first["digest"].as_str().unwrap().to_string();

    let mut args = vec![
        "run",
        "scenarios/quickstart.toml",
        "--out",
        out_s,
        "--quiet",
    ];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(&["--set", "dsp.workers=2"]);
    let o = dccsim(&args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("different parameters"), "{err}");
    assert!(err.contains("dsp.workers: 8 → 2"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        digest_of(&out),
        digest,
        "the refused run touched the folder"
    );

    // Another seed is another run too.
    let mut seeded = vec![
        "run",
        "scenarios/quickstart.toml",
        "--out",
        out_s,
        "--quiet",
    ];
    seeded.extend_from_slice(SMALL);
    seeded.extend_from_slice(&["--seed", "8"]);
    assert_eq!(dccsim(&seeded).status.code(), Some(2));

    // The identical run may replace it; --force replaces a different one.
    run_ok("scenarios/quickstart.toml", &out, SMALL);
    assert_eq!(digest_of(&out), digest);
    args.push("--force");
    let o = dccsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(digest_of(&out), digest);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sweep_refuses_to_override_a_key_it_sweeps() {
    let dir = scratch("baseline-sweep-set");
    let store = dir.join("s.sqlite");
    for set in [
        "dsp.workers=4",
        " dsp.workers = 4",
        "dsp={ workers = 4 }",
        "traffic.0.per_premises_per_day=9.0",
    ] {
        let o = tiny_sweep(&store, &["--set", set]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains("the sweep itself sets"), "{set}: {err}");
        let swept = if set.contains("traffic") {
            "traffic.0.per_premises_per_day"
        } else {
            "dsp.workers"
        };
        assert!(err.contains(swept), "{set}: {err}");
        assert!(!store.exists(), "{set}: a store was created");
    }
    // A key the sweep does not sweep is an ordinary override.
    let o = tiny_sweep(
        &store,
        &[
            "--set",
            "dsp.service_time={ dist = \"const\", value = \"5ms\" }",
            "--list",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
