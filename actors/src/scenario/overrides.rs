//! `--set KEY=VALUE`: edits made to the scenario document before it is read.
//!
//! `KEY` is a path of keys separated by dots; a number steps into a list (`supplier.1.share`); a
//! key containing dots is quoted (`trt."4.1.1"`). `VALUE` is read as a TOML value (`5`, `0.5`,
//! `true`, `"30s"`, `[1, 2]`, `{ dist = "exp", mean = "1s" }`), and if it is not one, taken as a
//! string, so that `--set scenario.duration=2h` works. Missing tables on the way are created.

use super::reader::{show_path, Path, Seg};
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One step of a `--set` key as typed: `share`, `1`, or a quoted `"4.1.1"`.
#[derive(Debug, PartialEq)]
struct Step {
    text: String,
    quoted: bool,
}

/// Applies the override `set` to `doc`. Returns the path of the outermost value it created or
/// replaced (problems found under that path later are blamed on this override), or a message.
pub(crate) fn apply(doc: &mut DocumentMut, set: &str) -> Result<Path, String> {
    let (steps, value_text) = split(set)?;
    let value_text = value_text.trim();
    let value = value_text
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(value_text));

    let mut path = Path::new();
    let mut created = None;
    let (last, init) = steps
        .split_last()
        .expect("split() returns at least one step");
    let mut node = Node::Item(doc.as_item_mut());
    for step in init {
        node = child(node, step, &mut path, &mut created)?;
    }
    assign(node, last, value, &mut path, &mut created)?;
    path.truncate(created.unwrap_or(path.len()));
    Ok(path)
}

/// Splits `KEY=VALUE` into the steps of `KEY` and the text of `VALUE`.
fn split(set: &str) -> Result<(Vec<Step>, &str), String> {
    const EXAMPLE: &str = "e.g. --set dsp.workers=32";
    let mut steps = Vec::new();
    let mut chars = set.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let step = match chars.peek().copied() {
            None => {
                return Err(format!(
                    "an override must be written KEY=VALUE, {EXAMPLE}; this one has no `=`"
                ))
            }
            Some((_, '=')) if steps.is_empty() => {
                return Err(format!("an override needs a key before `=`, {EXAMPLE}"))
            }
            Some((_, quote @ ('"' | '\''))) => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("the key has an unclosed {quote} quote")),
                        Some((_, c)) if c == quote => break,
                        Some((_, '\\')) if quote == '"' => match chars.next() {
                            Some((_, c)) => text.push(c),
                            None => return Err("the key has an unclosed \" quote".to_string()),
                        },
                        Some((_, c)) => text.push(c),
                    }
                }
                Step { text, quoted: true }
            }
            Some(_) => {
                let mut text = String::new();
                while let Some((_, c)) = chars.next_if(|&(_, c)| c != '.' && c != '=') {
                    text.push(c);
                }
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(
                        "the key has an empty part; separate its parts with single dots"
                            .to_string(),
                    );
                }
                if !super::reader::is_bare_key(&text) {
                    return Err(format!(
                        "`{text}` cannot be written bare in a key; put it in quotes, \
                         e.g. trt.\"4.1.1\"=45s"
                    ));
                }
                Step {
                    text,
                    quoted: false,
                }
            }
        };
        steps.push(step);
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        match chars.next() {
            Some((_, '.')) => continue,
            Some((i, '=')) => return Ok((steps, &set[i + 1..])),
            Some((_, c)) => {
                return Err(format!(
                    "unexpected {c:?} in the key; separate its parts with dots, {EXAMPLE}"
                ))
            }
            None => {
                return Err(format!(
                    "an override must be written KEY=VALUE, {EXAMPLE}; this one has no `=`"
                ))
            }
        }
    }
}

/// A place in the document being edited.
enum Node<'a> {
    Item(&'a mut Item),
    Value(&'a mut Value),
    Table(&'a mut Table),
}

fn kind(node: &Node<'_>) -> &'static str {
    let value_kind = |v: &Value| match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
    };
    match node {
        Node::Item(Item::Value(v)) => value_kind(v),
        Node::Value(v) => value_kind(v),
        Node::Item(Item::None) => "empty",
        Node::Item(Item::ArrayOfTables(_)) => "a list of tables",
        Node::Item(Item::Table(_)) | Node::Table(_) => "a table",
    }
}

/// The index `step` names in a list of `len` entries.
fn index(step: &Step, len: usize, path: &Path) -> Result<usize, String> {
    let at = show_path(path);
    let i: usize = match step.text.parse() {
        Ok(i) if !step.quoted => i,
        _ => {
            return Err(format!(
                "`{at}` is a list; pick an entry by its number from 0, e.g. {at}.0, not `{}`",
                step.text
            ))
        }
    };
    if i >= len {
        let entries = if len == 1 { "entry" } else { "entries" };
        return Err(format!(
            "there is no `{at}.{i}`: `{at}` has {len} {entries}, numbered from 0"
        ));
    }
    Ok(i)
}

fn not_a_table(node: &Node<'_>, step: &Step, path: &Path) -> String {
    format!(
        "`{}` is {}, not a table, so it has no key `{}`",
        show_path(path),
        kind(node),
        step.text
    )
}

/// Steps into `step` of `node`, creating a table if the key is missing.
fn child<'a>(
    node: Node<'a>,
    step: &Step,
    path: &mut Path,
    created: &mut Option<usize>,
) -> Result<Node<'a>, String> {
    match node {
        Node::Item(Item::ArrayOfTables(list)) => {
            let i = index(step, list.len(), path)?;
            path.push(Seg::Index(i));
            Ok(Node::Table(list.get_mut(i).expect("index checked")))
        }
        Node::Item(Item::Value(Value::Array(list))) | Node::Value(Value::Array(list)) => {
            let i = index(step, list.len(), path)?;
            path.push(Seg::Index(i));
            Ok(Node::Value(list.get_mut(i).expect("index checked")))
        }
        Node::Item(Item::Table(table)) | Node::Table(table) => {
            path.push(Seg::Key(step.text.clone()));
            if !table.contains_key(&step.text) {
                created.get_or_insert(path.len());
                let mut new = Table::new();
                new.set_implicit(true);
                table.insert(&step.text, Item::Table(new));
            }
            Ok(Node::Item(table.get_mut(&step.text).expect("present")))
        }
        Node::Item(Item::Value(Value::InlineTable(table)))
        | Node::Value(Value::InlineTable(table)) => {
            path.push(Seg::Key(step.text.clone()));
            if !table.contains_key(&step.text) {
                created.get_or_insert(path.len());
                table.insert(&step.text, Value::InlineTable(InlineTable::new()));
            }
            Ok(Node::Value(table.get_mut(&step.text).expect("present")))
        }
        other => Err(not_a_table(&other, step, path)),
    }
}

/// Sets `step` of `node` to `value`, keeping the comments around a value it replaces.
fn assign(
    node: Node<'_>,
    step: &Step,
    value: Value,
    path: &mut Path,
    created: &mut Option<usize>,
) -> Result<(), String> {
    let replace = |old: &mut Value, mut new: Value| {
        *new.decor_mut() = old.decor().clone();
        *old = new;
    };
    match node {
        Node::Item(Item::ArrayOfTables(list)) => {
            let i = index(step, list.len(), path)?;
            let at = show_path(path);
            Err(format!(
                "`{at}.{i}` is a whole table; set its keys one at a time, e.g. {at}.{i}.KEY=VALUE"
            ))
        }
        Node::Item(Item::Value(Value::Array(list))) | Node::Value(Value::Array(list)) => {
            let i = index(step, list.len(), path)?;
            path.push(Seg::Index(i));
            created.get_or_insert(path.len());
            replace(list.get_mut(i).expect("index checked"), value);
            Ok(())
        }
        Node::Item(Item::Table(table)) | Node::Table(table) => {
            path.push(Seg::Key(step.text.clone()));
            created.get_or_insert(path.len());
            match table.get_mut(&step.text) {
                Some(Item::Value(old)) => replace(old, value),
                _ => {
                    table.insert(&step.text, Item::Value(value));
                }
            }
            Ok(())
        }
        Node::Item(Item::Value(Value::InlineTable(table)))
        | Node::Value(Value::InlineTable(table)) => {
            path.push(Seg::Key(step.text.clone()));
            created.get_or_insert(path.len());
            match table.get_mut(&step.text) {
                Some(old) => replace(old, value),
                None => {
                    table.insert(&step.text, value);
                }
            }
            Ok(())
        }
        other => Err(not_a_table(&other, step, path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, set: &str) -> Result<(String, String), String> {
        let mut doc: DocumentMut = text.parse().unwrap();
        let path = apply(&mut doc, set)?;
        Ok((doc.to_string(), show_path(&path)))
    }

    #[test]
    fn replaces_a_value_and_keeps_its_comment() {
        let (text, path) = set("[dsp]\nworkers = 64 # busy\n", "dsp.workers=8").unwrap();
        assert_eq!(text, "[dsp]\nworkers = 8 # busy\n");
        assert_eq!(path, "dsp.workers");
    }

    #[test]
    fn bare_words_become_strings() {
        let (text, _) = set("[scenario]\nduration = \"1d\"\n", "scenario.duration=2h").unwrap();
        assert_eq!(text, "[scenario]\nduration = \"2h\"\n");
    }

    #[test]
    fn creates_missing_tables_and_blames_the_outermost() {
        let (text, path) = set("[dsp]\n", "csp.north.workers=10").unwrap();
        assert!(text.contains("[csp.north]\nworkers = 10"), "{text}");
        assert_eq!(path, "csp");
    }

    #[test]
    fn steps_into_lists_and_quoted_keys() {
        let doc = "[[supplier]]\nshare = 1\n[[supplier]]\nshare = 0\n[trt]\n";
        let (text, path) = set(doc, "supplier.1.share=0.4").unwrap();
        assert!(text.contains("share = 0.4"));
        assert_eq!(path, "supplier.1.share");
        let (text, path) = set(doc, "trt.\"4.1.1\"=45s").unwrap();
        assert!(text.contains("\"4.1.1\" = \"45s\""), "{text}");
        assert_eq!(path, "trt.\"4.1.1\"");
        let (text, _) = set("hourly = [1, 2, 3]\n", "hourly.1=7").unwrap();
        assert_eq!(text, "hourly = [1, 7, 3]\n");
    }

    #[test]
    fn malformed_overrides_are_explained() {
        let no_eq = set("", "dsp.workers").unwrap_err();
        assert!(no_eq.contains("has no `=`"), "{no_eq}");
        let no_key = set("", "=5").unwrap_err();
        assert!(no_key.contains("needs a key"), "{no_key}");
        let empty_part = set("", "dsp..workers=5").unwrap_err();
        assert!(empty_part.contains("empty part"), "{empty_part}");
        let doc = "[[supplier]]\nshare = 1\n";
        let range = set(doc, "supplier.3.share=1").unwrap_err();
        assert!(range.contains("has 1 entry"), "{range}");
        let not_index = set(doc, "supplier.alpha.share=1").unwrap_err();
        assert!(not_index.contains("is a list"), "{not_index}");
        let scalar = set("[dsp]\nworkers = 3\n", "dsp.workers.x=1").unwrap_err();
        assert!(scalar.contains("not a table"), "{scalar}");
    }
}
