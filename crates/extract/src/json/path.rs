//! Field paths of a JSON mapping: `title`, `meta.date`, `sections[].html`.
//!
//! A path is a dot-separated list of object keys; a key followed by `[]` walks every element
//! of the array it names. A path can thus give several values; an array found at the end of
//! a path gives its elements. Numbers and booleans read as text, `null` and objects as
//! nothing.

use serde_json::Value;

/// One key of a path.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    key: String,
    /// `key[]`: walk every element of the array.
    each: bool,
}

/// A compiled field path.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FieldPath {
    text: String,
    steps: Vec<Step>,
}

impl FieldPath {
    /// Compiles a path; every key must be non-empty.
    pub(super) fn parse(path: &str) -> Result<Self, String> {
        let steps = path
            .split('.')
            .map(|segment| {
                let (key, each) = match segment.strip_suffix("[]") {
                    Some(key) => (key, true),
                    None => (segment, false),
                };
                if key.is_empty() || key.contains(['[', ']']) {
                    Err(format!("invalid path `{path}`: bad key `{segment}`"))
                } else {
                    Ok(Step {
                        key: key.to_owned(),
                        each,
                    })
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(FieldPath {
            text: path.to_owned(),
            steps,
        })
    }

    /// The path as written in the mapping.
    pub(super) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path walks arrays (`[]`).
    pub(super) fn walks_arrays(&self) -> bool {
        self.steps.iter().any(|step| step.each)
    }

    /// The values found at this path, in document order.
    pub(super) fn values<'v>(&self, record: &'v Value) -> Vec<&'v Value> {
        let mut current = vec![record];
        for step in &self.steps {
            let mut next = Vec::new();
            for value in current {
                match (value.get(&step.key), step.each) {
                    (Some(Value::Array(items)), true) => next.extend(items),
                    (Some(found), _) => next.push(found),
                    (None, _) => {}
                }
            }
            current = next;
        }
        current
            .into_iter()
            .flat_map(|value| match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            })
            .collect()
    }

    /// The value at this path, taken out of `document` (which is left with `null` there).
    /// Used to take the records array out of a document without copying it.
    pub(super) fn take(&self, document: &mut Value) -> Option<Value> {
        let mut current = document;
        for step in &self.steps {
            current = current.get_mut(&step.key)?;
        }
        Some(current.take())
    }
}

/// The text of a scalar value: strings as they are, numbers and booleans written out.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let record = json!({
            "id": 42,
            "meta": {"date": "2025-01-02", "tags": ["a", "b"], "draft": false},
            "sections": [{"title": "Un", "html": "<p>x</p>"}, {"title": null}, {"html": 3.5}],
        });
        let texts = |path: &str| -> Vec<String> {
            FieldPath::parse(path)
                .unwrap()
                .values(&record)
                .into_iter()
                .filter_map(scalar_text)
                .collect()
        };
        assert_eq!(texts("id"), ["42"]);
        assert_eq!(texts("meta.date"), ["2025-01-02"]);
        assert_eq!(texts("meta.tags"), ["a", "b"]);
        assert_eq!(texts("meta.draft"), ["false"]);
        assert_eq!(texts("sections[].title"), ["Un"]);
        assert_eq!(texts("sections[].html"), ["<p>x</p>", "3.5"]);
        assert!(texts("sections.title").is_empty());
        assert!(texts("missing[].x").is_empty());
        assert!(texts("meta").is_empty());
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in ["", "a..b", "a.", "[]", "a[0]", "a[]b"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?}");
        }
        assert!(FieldPath::parse("a[].b").unwrap().walks_arrays());
        assert!(!FieldPath::parse("a.b").unwrap().walks_arrays());
    }

    #[test]
    fn take_moves_the_value_out() {
        let mut document = json!({"data": {"items": [1, 2]}});
        let path = FieldPath::parse("data.items").unwrap();
        assert_eq!(path.take(&mut document), Some(json!([1, 2])));
        assert_eq!(document, json!({"data": {"items": null}}));
        assert_eq!(FieldPath::parse("nope").unwrap().take(&mut document), None);
    }
}
