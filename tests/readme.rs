//! The README is what a new user reads first: its first commands are the ones CI runs, it says
//! how long the first build takes and how to put `dccsim` on the PATH, and every file it points
//! to is inside the repository and exists.

use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

#[test]
fn first_lines_give_the_run_and_test_commands_build_time_and_install() {
    let text = readme();
    let top: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
    assert!(top.contains("`cargo run --release -- run scenarios/quickstart.toml`"));
    assert!(top.contains("`cargo test --workspace`"));
    assert!(top.contains("several minutes"), "{top}");
    assert!(top.contains("`cargo install --path .`"), "{top}");
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == "cargo test --workspace"));
}

#[test]
fn every_file_the_readme_names_is_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = readme();
    assert!(
        !text.contains("../"),
        "the README points outside the repository"
    );
    for cite in ["DESIGN §", "DESIGN.md", "shared/"] {
        assert!(
            !text.contains(cite),
            "the README cites {cite:?}, which is not in the repository"
        );
    }
    // Markdown links to files: `](path)` or `](path#anchor)`, not web addresses or anchors.
    let mut rest = text.as_str();
    let mut checked = 0;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let target = &rest[..rest.find(')').unwrap()];
        let file = target.split('#').next().unwrap();
        if file.is_empty() || file.contains("://") {
            continue;
        }
        assert!(
            root.join(file).exists(),
            "README links to {file}, which does not exist"
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} file links found");
}
