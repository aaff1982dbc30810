//! One work published as several files, shown as one result listing them: the same name
//! with several extensions in one folder (`spo/accord.md`, `spo/accord.pdf`), or other
//! names joined by a `same_as` in a sidecar or a `source.toml` naming the main document.

use super::Document;

/// The key of a file published in several formats: its path without its extension
/// (`spo/accord-cadre-spo-paca` for its `.md`, `.pdf`, `.docx`...); `None` for an id that
/// is not a file of its own (`rome:J1501`, `sp:…/F1`) or a name without an extension.
pub fn formats_key(id: &str) -> Option<&str> {
    if id.contains(':') {
        return None;
    }
    let (stem, extension) = id.rsplit_once('.')?;
    (!stem.is_empty() && !stem.ends_with('/') && !extension.is_empty() && !extension.contains('/'))
        .then_some(stem)
}

/// The key of the work a document of `id` belongs to: that of the document its `same_as`
/// names, else its own: its [`formats_key`], else its id. Documents with one key are one
/// result.
pub fn work_key<'a>(id: &'a str, same_as: Option<&'a str>) -> &'a str {
    let named = same_as
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(id);
    formats_key(named).unwrap_or(named)
}

impl Document {
    /// The key of the work this document belongs to ([`work_key`]), when it is not its id
    /// (what the index stores: most documents are a work of their own).
    pub fn work(&self) -> Option<&str> {
        let key = work_key(&self.id, self.metadata.same_as.as_deref());
        (key != self.id).then_some(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_of_one_name_and_declared_names_share_a_key() {
        assert_eq!(formats_key("spo/accord.pdf"), Some("spo/accord"));
        for id in [
            "rome:J1501",
            "onisep:MET.877",
            "sp:particuliers/F1",
            "spo/.hidden",
            "a.b/c",
        ] {
            assert_eq!(formats_key(id), None, "{id}");
        }
        assert_eq!(work_key("spo/accord.pdf", None), "spo/accord");
        assert_eq!(work_key("rome:J1501", None), "rome:J1501");
        let renamed = work_key("cio/guide-2024-v2.pdf", Some("guides/apprentissage.md"));
        assert_eq!(renamed, work_key("guides/apprentissage.html", None));
        assert_eq!(
            work_key("cio/fiche.pdf", Some(" sp:particuliers/F1 ")),
            "sp:particuliers/F1"
        );
        assert_eq!(work_key("cio/fiche.pdf", Some("")), "cio/fiche");
    }
}
