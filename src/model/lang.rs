//! The languages a document can be indexed in (each with its own stemmed analyzer in
//! `analysis`).

use crate::model::iso_639_1;

/// The languages that get their own stemmed analyzer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Fr,
    En,
    De,
    Es,
    It,
    Pt,
    Nl,
}

impl Lang {
    /// Every supported language, French first (the corpus default).
    pub const ALL: [Lang; 7] = [
        Lang::Fr,
        Lang::En,
        Lang::De,
        Lang::Es,
        Lang::It,
        Lang::Pt,
        Lang::Nl,
    ];

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Pt => "pt",
            Lang::Nl => "nl",
        }
    }

    /// The language of a tag (`fr`, `fr-FR`, `Fr`, `fra`: see [`iso_639_1`]); `None`
    /// for the languages without an analyzer.
    pub fn from_code(tag: &str) -> Option<Lang> {
        let code = iso_639_1(tag)?;
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_the_languages_with_an_analyzer() {
        assert_eq!(Lang::from_code("fr-FR"), Some(Lang::Fr));
        assert_eq!(Lang::from_code("Fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_code("deu"), Some(Lang::De));
        assert_eq!(Lang::from_code("xx"), None);
        assert_eq!(Lang::from_code(""), None);
    }
}
