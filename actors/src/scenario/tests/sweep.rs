//! `[sweep]`: expansion into points and runs, and bad sweeps located.

use crate::scenario::sweep::*;

fn sweep(combine: Combine, reps: u32, params: &[(&str, &[&str])]) -> Sweep {
    Sweep {
        combine,
        replications: reps,
        parameters: params
            .iter()
            .map(|(k, vs)| SweepParameter {
                key: k.to_string(),
                values: vs.iter().map(|v| v.to_string()).collect(),
            })
            .collect(),
    }
}

#[test]
fn grid_varies_the_last_parameter_fastest() {
    let s = sweep(
        Combine::Grid,
        1,
        &[("a", &["1", "2"]), ("b", &["x", "y", "z"])],
    );
    let labels: Vec<String> = s.points().iter().map(SweepPoint::label).collect();
    assert_eq!(
        labels,
        ["a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"]
    );
}

#[test]
fn zip_pairs_values_by_position() {
    let s = sweep(Combine::Zip, 1, &[("a", &["1", "2"]), ("b", &["x", "y"])]);
    let labels: Vec<String> = s.points().iter().map(SweepPoint::label).collect();
    assert_eq!(labels, ["a=1 b=x", "a=2 b=y"]);
}

#[test]
fn replications_multiply_runs_with_distinct_stable_seeds() {
    let s = sweep(Combine::Grid, 3, &[("a", &["1", "2"])]);
    let runs = s.runs(7);
    assert_eq!(runs.len(), 6);
    assert_eq!(
        runs.iter()
            .map(|r| (r.index, r.point, r.replication))
            .collect::<Vec<_>>(),
        [
            (0, 0, 0),
            (1, 0, 1),
            (2, 0, 2),
            (3, 1, 0),
            (4, 1, 1),
            (5, 1, 2)
        ]
    );
    let mut seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    assert!(seeds.iter().all(|&s| s <= i64::MAX as u64));
    assert_eq!(runs, s.runs(7), "same scenario seed, same run seeds");
    assert_ne!(s.runs(8)[0].seed, runs[0].seed, "the scenario seed matters");
    seeds.sort_unstable();
    seeds.dedup();
    assert_eq!(seeds.len(), 6, "every run has its own seed");
    // A point keeps its seeds when another value is added before it.
    let wider = sweep(Combine::Grid, 3, &[("a", &["0", "1", "2"])]);
    assert_eq!(
        wider.runs(7)[3..],
        runs.iter()
            .map(|r| SweepRun {
                index: r.index + 3,
                point: r.point + 1,
                ..r.clone()
            })
            .collect::<Vec<_>>()[..]
    );
}

const BASE: &str = "[scenario]\nname = \"t\"\nseed = 7\nduration = \"1h\"\n\
    [population]\npremises = 100\n[[supplier]]\nname = \"a\"\nshare = 1.0\n\
    [dsp]\nworkers = 4\n";

fn load(sweep: &str) -> Result<Sweep, String> {
    crate::scenario::parse(&format!("{BASE}{sweep}"), "s.toml", &[])
        .map(|s| s.sweep.expect("a sweep"))
        .map_err(|e| e.to_string())
}

#[test]
fn reads_lists_and_ranges() {
    let s = load(
        "[sweep]\nreplications = 2\n[[sweep.parameter]]\nkey = \"dsp.workers\"\n\
         values = { from = 2, to = 8, step = 3 }\n[[sweep.parameter]]\n\
         key = \"population.gas_share\"\nvalues = { from = 0.1, to = 0.3, step = 0.1 }\n\
         [[sweep.parameter]]\nkey = \"scenario.duration\"\n\
         values = { from = \"30min\", to = \"1h\", step = \"30min\" }\n",
    )
    .unwrap();
    assert_eq!(s.replications, 2);
    assert_eq!(s.combine, Combine::Grid);
    assert_eq!(s.parameters[0].values, ["2", "5", "8"]);
    assert_eq!(s.parameters[1].values, ["0.1", "0.2", "0.3"]);
    assert_eq!(s.parameters[2].values, ["\"30min\"", "\"1h\""]);
    assert_eq!(s.points().len(), 18);
    let listed = load(
        "[sweep]\ncombine = \"zip\"\n[[sweep.parameter]]\nkey = \"dsp.workers\"\n\
         values = [1, 3]\n[[sweep.parameter]]\nkey = \"population.gas_share\"\n\
         values = [0.5, 1.0]\n",
    )
    .unwrap();
    assert_eq!(
        listed.points()[1].label(),
        "dsp.workers=3 population.gas_share=1.0"
    );
}

#[test]
fn bad_sweeps_are_located() {
    let e =
        load("[sweep]\n[[sweep.parameter]]\nkey = \"dsp.wrokers\"\nvalues = [1, 2]\n").unwrap_err();
    assert!(
        e.starts_with("s.toml:14:7: at sweep point `dsp.wrokers=1`"),
        "{e}"
    );
    assert!(e.contains("did you mean `workers`"), "{e}");
    let e =
        load("[sweep]\n[[sweep.parameter]]\nkey = \"dsp.workers\"\nvalues = [4, 0]\n").unwrap_err();
    assert!(e.contains("at sweep point `dsp.workers=0`"), "{e}");
    assert!(e.contains("at least 1"), "{e}");
    let e = load(
        "[sweep]\ncombine = \"zip\"\n[[sweep.parameter]]\nkey = \"dsp.workers\"\n\
        values = [4, 2]\n[[sweep.parameter]]\nkey = \"population.premises\"\nvalues = [1]\n",
    )
    .unwrap_err();
    assert!(e.contains("as many values"), "{e}");
    let e = load("[sweep]\nreplicatons = 3\n").unwrap_err();
    assert!(e.contains("did you mean `replications`"), "{e}");
    let e = load("[sweep]\n[[sweep.parameter]]\nkey = \"dsp.workers\"\nvalues = { from = 5, to = 1, step = 1 }\n")
        .unwrap_err();
    assert!(e.contains("below `from`"), "{e}");
    let e = load("[sweep]\n[[sweep.parameter]]\nkey = \"dsp.workers\"\nvalues = { from = 1, to = 1000000, step = 1 }\n")
        .unwrap_err();
    assert!(e.contains("more than 100000"), "{e}");
    let e =
        load("[sweep]\n[[sweep.parameter]]\nkey = \"scenario.seed\"\nvalues = [1]\n").unwrap_err();
    assert!(e.contains("cannot be swept"), "{e}");
    let e = load("[sweep]\n").unwrap_err();
    assert!(e.contains("single run"), "{e}");
    let e = load("[[sweep]]\nreplications = 2\n").unwrap_err();
    assert!(e.contains("single table"), "{e}");
}

#[test]
fn a_run_scenario_has_the_point_and_the_seed() {
    let base = crate::scenario::parse(
        &format!("{BASE}[sweep]\nreplications = 2\n[[sweep.parameter]]\nkey = \"dsp.workers\"\nvalues = [1, 3]\n"),
        "s.toml",
        &[],
    )
    .unwrap();
    let sweep = base.sweep.clone().unwrap();
    let point = &sweep.points()[1];
    let run = crate::scenario::sweep_run_scenario(&base, point, 99, "s.toml").unwrap();
    assert_eq!(run.dsp.workers, 3);
    assert_eq!(run.seed, 99);
    assert_eq!(run.sweep, None);
    assert!(!run.resolved_toml.contains("[sweep]"));
}

#[test]
fn large_grids_check_every_value_at_real_points() {
    let values: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    let v: Vec<&str> = values.iter().map(String::as_str).collect();
    let s = sweep(Combine::Grid, 1, &[("a", &v), ("b", &v)]);
    assert_eq!(s.points().len(), 1600);
    let checked = s.points_to_check();
    assert_eq!(checked.len(), 80);
    let all: Vec<String> = s.points().iter().map(SweepPoint::label).collect();
    assert!(checked.iter().all(|p| all.contains(&p.label())));
    for x in &values {
        assert!(checked.iter().any(|p| p.assignments[0].1 == *x));
        assert!(checked.iter().any(|p| p.assignments[1].1 == *x));
    }
}

#[test]
fn no_parameters_means_one_point() {
    let s = sweep(Combine::Grid, 4, &[]);
    assert_eq!(s.points().len(), 1);
    assert_eq!(s.points()[0].label(), "");
    assert_eq!(s.runs(1).len(), 4);
}
