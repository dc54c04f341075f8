//! The one error type of the scenario loader: a plain-English message and where it applies.

use std::fmt;
use std::ops::Range;

/// Why a scenario could not be loaded.
///
/// `Display` writes one message that starts with where the problem is — `FILE:LINE:COL: ` for a
/// place in the file (followed by the offending line with a caret under it), `--set KEY=VALUE: `
/// for a command-line override, `FILE: ` when the file itself could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    origin: String,
    place: Place,
    message: String,
}

/// Where a [`ScenarioError`] applies.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    /// A point in the scenario text: 1-based line and column, that line, and how many characters
    /// to underline.
    Text {
        line: usize,
        col: usize,
        source_line: String,
        width: usize,
    },
    /// A `--set KEY=VALUE` override, as it was typed.
    Set(String),
    /// The file as a whole: it is missing, a directory, or unreadable.
    File,
}

impl ScenarioError {
    /// An error about the bytes `span` of `text`, the contents of `origin`.
    pub(crate) fn in_text(
        origin: &str,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let start = floor_char_boundary(text, span.start);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let col = text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(text, span.end.clamp(start, line_end));
        let width = text[start..end].chars().count().max(1);
        let source_line = text[line_start..line_end]
            .trim_end_matches('\r')
            .replace('\t', " ");
        ScenarioError {
            origin: origin.to_string(),
            place: Place::Text {
                line,
                col,
                source_line,
                width,
            },
            message: message.into(),
        }
    }

    /// An error caused by the override `set` (`KEY=VALUE` as typed).
    pub(crate) fn in_set(origin: &str, set: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            origin: origin.to_string(),
            place: Place::Set(set.to_string()),
            message: message.into(),
        }
    }

    /// An error about the file as a whole.
    pub(crate) fn in_file(origin: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            origin: origin.to_string(),
            place: Place::File,
            message: message.into(),
        }
    }

    /// 1-based line and column in the scenario text, if the error has a place there.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self.place {
            Place::Text { line, col, .. } => Some((line, col)),
            Place::Set(_) | Place::File => None,
        }
    }

    /// The `--set KEY=VALUE` override the error is about, if any.
    pub fn set(&self) -> Option<&str> {
        match &self.place {
            Place::Set(set) => Some(set),
            Place::Text { .. } | Place::File => None,
        }
    }

    /// The file name (or other origin) of the scenario text.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The message alone, without its location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Text {
                line,
                col,
                source_line,
                width,
            } => {
                write!(f, "{}:{line}:{col}: {}", self.origin, self.message)?;
                if !source_line.trim().is_empty() {
                    let number = line.to_string();
                    let pad = " ".repeat(number.len());
                    write!(
                        f,
                        "\n{pad} |\n{number} | {source_line}\n{pad} | {}{}",
                        " ".repeat(col - 1),
                        "^".repeat(*width)
                    )?;
                }
                Ok(())
            }
            Place::Set(set) => write!(f, "--set {set}: {}", self.message),
            Place::File => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_and_underlines() {
        let text = "[scenario]\nduration = 30\n";
        let e = ScenarioError::in_text("x.toml", text, 22..24, "no unit");
        assert_eq!(e.location(), Some((2, 12)));
        assert_eq!(
            e.to_string(),
            "x.toml:2:12: no unit\n  |\n2 | duration = 30\n  |            ^^"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "name = \"é\" x";
        let e = ScenarioError::in_text("x.toml", text, 12..13, "m");
        assert_eq!(e.location(), Some((1, 12)));
    }

    #[test]
    fn set_and_file_errors_name_what_they_are_about() {
        let e = ScenarioError::in_set("x.toml", "dsp.workers=-3", "too few");
        assert_eq!(e.to_string(), "--set dsp.workers=-3: too few");
        assert_eq!(e.location(), None);
        let e = ScenarioError::in_file("x.toml", "is a directory");
        assert_eq!(e.to_string(), "x.toml: is a directory");
    }
}
