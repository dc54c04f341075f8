//! The layers of `dccsim-actors` point one way: a module may use only its own layer and those
//! above it (see the crate docs). This test reads every source file and fails on the first
//! import that points downwards, naming the file, the line and both layers.
//!
//! Test code (`#[cfg(test)]` items) may reach further: a unit test of an actor may build a whole
//! world with the shared fixture.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, top (imports nothing of the crate's) to bottom (imports everything).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// ids, streams, msg, sr, admission, lifecycle, units, region, device_model, dist, calendar.
    Vocabulary,
    /// `config/` and each feature's `config.rs` (or `config/`): plain validated data.
    Config,
    /// `scenario/`: TOML in, config out.
    Scenario,
    /// The actors and features.
    Runtime,
    /// `world/`: dispatch and the builder.
    Assembly,
}

const VOCABULARY: [&str; 11] = [
    "ids",
    "streams",
    "msg",
    "sr",
    "admission",
    "lifecycle",
    "units",
    "region",
    "device_model",
    "dist",
    "calendar",
];

/// The layer of the module at `path` (its segments from the crate root).
fn layer_of(path: &[String]) -> Layer {
    match path.first().map(String::as_str) {
        None => Layer::Assembly, // the crate root re-exports
        Some(m) if VOCABULARY.contains(&m) => Layer::Vocabulary,
        Some("config") => Layer::Config,
        Some("scenario") => Layer::Scenario,
        Some("world") => Layer::Assembly,
        Some(_) if path.get(1).map(String::as_str) == Some("config") => Layer::Config,
        Some(_) => Layer::Runtime,
    }
}

/// What a layer may import.
fn may_import(from: Layer, to: Layer) -> bool {
    match from {
        Layer::Vocabulary => to == Layer::Vocabulary,
        Layer::Config => to <= Layer::Config,
        Layer::Scenario => to <= Layer::Scenario,
        Layer::Runtime => to != Layer::Scenario && to != Layer::Assembly,
        Layer::Assembly => true,
    }
}

/// The module path of a source file: `han/link.rs` → `[han, link]`, `cpl/config/mod.rs` →
/// `[cpl, config]`, `lib.rs` → `[]`.
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` outside `#[cfg(test)]` items and comments, with their numbers.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut skipping = false;
    let mut depth = 0i32;
    let mut pending_test = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if skipping {
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if depth <= 0 && line.contains('}') {
                skipping = false;
            }
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        if pending_test {
            pending_test = false;
            if trimmed.ends_with(';') {
                continue; // `mod tests;` in its own file: skipped below by name
            }
            depth = line.matches('{').count() as i32 - line.matches('}').count() as i32;
            skipping = depth > 0;
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push((i + 1, line));
    }
    out
}

/// Every `crate::a::b` or `super::a` path on `line`, resolved to segments from the crate root.
fn paths_on(line: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in ["crate::", "super::"] {
        let mut rest = line;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at + start.len()..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let segs: Vec<String> = tail
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty() && s.chars().next().unwrap().is_lowercase())
                .collect();
            let mut path = if start == "crate::" {
                Vec::new()
            } else {
                // `super` of module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
                let mut p = module.to_vec();
                p.pop();
                p
            };
            path.extend(segs);
            found.push(path);
        }
    }
    found
}

#[test]
fn no_module_imports_a_lower_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(file, &src);
        let name = file.file_name().unwrap().to_string_lossy();
        // Test-only files (`mod tests;` and the like behind `#[cfg(test)]`): the world's fixture,
        // `tests.rs` and `*_tests.rs`.
        if name == "fixture.rs" || name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let from = layer_of(&module);
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in code_lines(&text) {
            for path in paths_on(line, &module) {
                if path.is_empty() {
                    continue;
                }
                let to = layer_of(&path);
                if !may_import(from, to) {
                    wrong.push(format!(
                        "{}:{n}: {from:?} module `{}` uses {to:?} `{}`",
                        file.strip_prefix(&src).unwrap().display(),
                        module.join("::"),
                        path.join("::"),
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that point down the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_wrong_import() {
    let module = vec!["dsp".to_string()];
    let paths = paths_on("use crate::scenario::Scenario;", &module);
    assert_eq!(paths, vec![vec!["scenario".to_string()]]);
    assert!(!may_import(layer_of(&module), layer_of(&paths[0])));
    let feature = vec!["han".to_string(), "link".to_string()];
    let up = paths_on("use super::config::Channel;", &feature);
    assert_eq!(layer_of(&up[0]), Layer::Config);
    assert!(may_import(Layer::Runtime, Layer::Config));
    assert!(!may_import(Layer::Vocabulary, Layer::Runtime));
    assert_eq!(
        code_lines("#[cfg(test)]\nmod tests {\n    use crate::world::x;\n}\nuse crate::sr;\n"),
        vec![(5, "use crate::sr;")]
    );
}
