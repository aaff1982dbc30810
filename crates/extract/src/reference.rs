//! References between documents, as the data carries them: a certification names the ROME
//! jobs it leads to, an ONISEP fiche the ROME job it describes, a programme the RNCP
//! certification it prepares. An extractor gives the code of the referential; the caller
//! turns it into the id of the document that has it, and resolves it when it is read.

/// A code of one of the referentials that documents are identified by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A ROME job profile (`D1102`).
    Rome(String),
    /// An RNCP certification, as its fiche number (`RNCP34021`).
    Rncp(String),
}

impl Code {
    /// The code itself (`D1102`, `RNCP34021`).
    pub fn value(&self) -> &str {
        match self {
            Code::Rome(code) | Code::Rncp(code) => code,
        }
    }

    /// A ROME code as published, if it is one: a letter and four digits, uppercased.
    pub fn rome(code: &str) -> Option<Code> {
        let code = code.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        let valid = bytes.len() == 5
            && bytes[0].is_ascii_uppercase()
            && bytes[1..].iter().all(u8::is_ascii_digit);
        valid.then_some(Code::Rome(code))
    }

    /// An RNCP code, given as a fiche number (`RNCP474`) or a bare number (`474`, as ONISEP
    /// and LHÉO give it), if it is one.
    pub fn rncp(code: &str) -> Option<Code> {
        let code = code.trim();
        let digits = code
            .strip_prefix("RNCP")
            .or_else(|| code.strip_prefix("rncp"))
            .unwrap_or(code)
            .trim_start_matches('0');
        let valid =
            !digits.is_empty() && digits.len() <= 9 && digits.bytes().all(|b| b.is_ascii_digit());
        valid.then(|| Code::Rncp(format!("RNCP{digits}")))
    }
}

/// What a document says of the document it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// A certification or a training offer leads to this job.
    LeadsTo,
    /// A programme or a training offer prepares this certification.
    Prepares,
    /// An ONISEP job fiche describes this ROME job.
    Describes,
    /// A ROME job is close to this one ("métiers proches": mobility).
    Neighbour,
    /// A certification replaces this older one.
    Replaces,
    /// A certification is replaced by this newer one.
    ReplacedBy,
}

impl Relation {
    /// Every relation.
    pub const ALL: [Relation; 6] = [
        Relation::LeadsTo,
        Relation::Prepares,
        Relation::Describes,
        Relation::Neighbour,
        Relation::Replaces,
        Relation::ReplacedBy,
    ];

    /// Its name in the index and the API (`leads-to`).
    pub fn name(self) -> &'static str {
        match self {
            Relation::LeadsTo => "leads-to",
            Relation::Prepares => "prepares",
            Relation::Describes => "describes",
            Relation::Neighbour => "neighbour",
            Relation::Replaces => "replaces",
            Relation::ReplacedBy => "replaced-by",
        }
    }

    /// The relation named `name`.
    pub fn from_name(name: &str) -> Option<Relation> {
        Relation::ALL
            .into_iter()
            .find(|relation| relation.name() == name)
    }
}

/// A reference from a document to another, by code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    pub relation: Relation,
    pub code: Code,
    /// What the referring data calls the target ("Conduite d'engins agricoles"), shown when
    /// no document has the code.
    pub label: Option<String>,
}

impl Reference {
    /// A reference of `relation` to `code`, without a label.
    pub fn new(relation: Relation, code: Code) -> Reference {
        Reference {
            relation,
            code,
            label: None,
        }
    }

    /// The same reference with the label the data gives its target (none when blank).
    pub fn labelled(self, label: &str) -> Reference {
        let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
        Reference {
            label: (!label.is_empty()).then_some(label),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_published() {
        assert_eq!(Code::rome(" d1102 "), Some(Code::Rome("D1102".into())));
        assert_eq!(Code::rome("D110"), None);
        assert_eq!(Code::rome("11020"), None);
        assert_eq!(
            Code::rncp("RNCP34021"),
            Some(Code::Rncp("RNCP34021".into()))
        );
        assert_eq!(Code::rncp("474"), Some(Code::Rncp("RNCP474".into())));
        assert_eq!(Code::rncp("0474"), Some(Code::Rncp("RNCP474".into())));
        for bad in ["", "RNCP", "RNCPx1", "12a", "0", "1234567890"] {
            assert_eq!(Code::rncp(bad), None, "{bad}");
        }
        for relation in Relation::ALL {
            assert_eq!(Relation::from_name(relation.name()), Some(relation));
        }
    }
}
