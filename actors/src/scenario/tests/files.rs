//! Reading files: what cannot be read, and damaged files that must not panic.

use super::*;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dccsim-scenario-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn load_reads_files_and_explains_what_it_cannot_read() {
    let dir = scratch("load");
    let good = dir.join("good.toml");
    std::fs::write(&good, MINIMAL).unwrap();
    assert_eq!(load(&good, &[]).unwrap().name, "tiny");

    let missing = dir.join("missing.toml");
    let e = load(&missing, &[]).unwrap_err();
    assert_eq!(e.location(), None);
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}: ", missing.display())),
        "{shown}"
    );
    assert!(
        shown.contains("cannot read") && shown.contains("No such file"),
        "{shown}"
    );

    let e = load(&dir, &[]).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}: ", dir.display())));
    assert!(e.message().contains("is a directory"), "{e}");

    let latin1 = dir.join("latin1.toml");
    std::fs::write(&latin1, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
    let e = load(&latin1, &[]).unwrap_err();
    assert_eq!(e.location(), Some((2, 12)), "{e}");
    assert!(e.message().contains("not UTF-8"), "{e}");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, edit("duration = \"1h\"", "duration = 30")).unwrap();
    let shown = load(&bad, &[]).unwrap_err().to_string();
    assert!(
        shown.starts_with(&format!("{}:4:12: ", bad.display())),
        "{shown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn never_panics_on_damaged_files() {
    // Every truncation and every deleted line of a full scenario: an answer, never a panic.
    let mut damaged: Vec<String> = FULL
        .char_indices()
        .map(|(i, _)| FULL[..i].to_string())
        .collect();
    let lines: Vec<&str> = FULL.lines().collect();
    for skip in 0..lines.len() {
        let kept: Vec<&str> = (0..lines.len())
            .filter(|&i| i != skip)
            .map(|i| lines[i])
            .collect();
        damaged.push(kept.join("\n"));
    }
    for text in &damaged {
        if let Err(e) = parse(text, "t.toml", &[]) {
            assert!(!e.message().is_empty());
            let _ = e.to_string();
        }
    }
}
