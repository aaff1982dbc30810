//! Links between documents: typed, from the codes the data carries (a certification names
//! the ROME jobs it leads to; an ONISEP fiche the ROME job it describes; a programme or a
//! training offer the RNCP certification it prepares; a ROME fiche its neighbouring jobs).
//!
//! A document keeps only its own references, as its extractor read them ([`Reference`]),
//! stored with it in the index; the links of a document are resolved when it is read: its
//! references, each to the document that has the code (or to nothing, when no document has
//! it), and the references of other documents to it, found by an indexed key
//! ([`link_key`]). Computed at read time, links never go stale when one source changes and
//! the others are not re-indexed.

use super::{Code, Reference, Relation};

/// The id of the document that has `code`: ROME fiches are `rome:<code>`, RNCP
/// certifications `rncp:<number>` (the `id_prefix` of their sources).
pub fn document_id(code: &Code) -> String {
    match code {
        Code::Rome(code) => format!("rome:{code}"),
        Code::Rncp(number) => format!("rncp:{number}"),
    }
}

/// The indexed key of a reference to `target` by `relation` (`leads-to rome:D1102`): the
/// documents that refer to a document are found by these keys.
pub fn link_key(relation: Relation, target: &str) -> String {
    format!("{} {target}", relation.name())
}

/// How a reference is stored with its document: relation, target id and label, separated
/// by tabs.
pub fn stored_reference(reference: &Reference) -> String {
    format!(
        "{}\t{}\t{}",
        reference.relation.name(),
        document_id(&reference.code),
        reference.label.as_deref().unwrap_or_default()
    )
}

/// A reference as stored: relation, target id, and the label the data gives the target
/// (empty when none); `None` for a value that is not one.
pub fn read_stored_reference(value: &str) -> Option<(Relation, &str, &str)> {
    let mut parts = value.splitn(3, '\t');
    let relation = Relation::from_name(parts.next()?)?;
    let target = parts.next().filter(|target| !target.is_empty())?;
    Some((relation, target, parts.next().unwrap_or_default()))
}

/// Which way a link goes, seen from the document shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// The document refers to the other one.
    Outgoing,
    /// The other document refers to this one.
    Incoming,
}

impl Direction {
    /// Its name in the API.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
        }
    }
}

/// The relations whose references are also shown from their target: a job lists the
/// certifications and offers that lead to it and the ONISEP fiches that describe it; a
/// certification the programmes that prepare it. Neighbours and successions are not: the
/// data already gives them in both directions.
pub const SHOWN_FROM_TARGET: [Relation; 3] =
    [Relation::LeadsTo, Relation::Prepares, Relation::Describes];

/// Whether references of `relation` lend their document's title to the document they refer
/// to, as vocabulary for its search (a certification's title is a name of the job it leads
/// to, an ONISEP fiche's title a name of the ROME job it describes).
pub fn lends_vocabulary(relation: Relation) -> bool {
    matches!(relation, Relation::LeadsTo | Relation::Describes)
}

/// Whether a document with this id may be lent vocabulary: the relations that lend it refer
/// to ROME jobs only.
pub fn may_receive_vocabulary(id: &str) -> bool {
    id.starts_with("rome:")
}

/// One link of a document, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub relation: Relation,
    pub direction: Direction,
    /// Id of the other document (`rome:D1102`).
    pub id: String,
    /// Its title, or the label the data gives it when no document has the id.
    pub title: String,
    /// Whether a document has the id: a link to an absent document is shown as plain text.
    pub present: bool,
    /// Its kind (`certification`, `fiche-metier`...), empty when absent.
    pub kind: String,
    /// Its level (`3` to `8`), empty when it has none.
    pub level: String,
}

impl Link {
    /// The order links are listed in within a group: active certifications first, then
    /// training, then ONISEP and other fiches, then inactive certifications and absent
    /// documents; by level, then by title.
    pub fn display_order(&self) -> (u8, String, String) {
        let rank = match self.kind.as_str() {
            _ if !self.present => 5,
            "certification" => 0,
            "offre-de-formation" => 1,
            "formation" => 2,
            "certification-inactive" => 4,
            _ => 3,
        };
        (rank, self.level.clone(), self.title.to_lowercase())
    }
}

/// The French heading of the links of `relation` seen in `direction`.
pub fn heading(relation: Relation, direction: Direction) -> &'static str {
    match (relation, direction) {
        (Relation::LeadsTo, Direction::Outgoing) => "Métiers visés",
        (Relation::LeadsTo, Direction::Incoming) => "Certifications et formations qui y mènent",
        (Relation::Prepares, Direction::Outgoing) => "Certifications préparées",
        (Relation::Prepares, Direction::Incoming) => "Formations qui y préparent",
        (Relation::Describes, Direction::Outgoing) => "Fiche ROME du métier",
        (Relation::Describes, Direction::Incoming) => "Fiches métier de l’ONISEP",
        (Relation::Neighbour, _) => "Métiers proches",
        (Relation::Replaces, _) => "Certifications remplacées",
        (Relation::ReplacedBy, _) => "Remplacée par",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_stored_and_read_back() {
        let reference = Reference::new(Relation::LeadsTo, Code::Rome("D1102".into()))
            .labelled("Boulangerie - viennoiserie");
        let stored = stored_reference(&reference);
        assert_eq!(stored, "leads-to\trome:D1102\tBoulangerie - viennoiserie");
        assert_eq!(
            read_stored_reference(&stored),
            Some((
                Relation::LeadsTo,
                "rome:D1102",
                "Boulangerie - viennoiserie"
            ))
        );
        let bare = stored_reference(&Reference::new(
            Relation::Prepares,
            Code::Rncp("RNCP474".into()),
        ));
        assert_eq!(
            read_stored_reference(&bare),
            Some((Relation::Prepares, "rncp:RNCP474", ""))
        );
        for bad in ["", "leads-to", "nope\trome:D1102\t", "leads-to\t\tx"] {
            assert_eq!(read_stored_reference(bad), None, "{bad:?}");
        }
        assert_eq!(
            link_key(Relation::Describes, "rome:J1407"),
            "describes rome:J1407"
        );
    }

    #[test]
    fn vocabulary_flows_to_jobs() {
        let job = document_id(&Code::Rome("D1102".into()));
        assert!(may_receive_vocabulary(&job));
        assert!(!may_receive_vocabulary("rncp:RNCP1174"));
        for relation in Relation::ALL {
            let lends = lends_vocabulary(relation);
            assert_eq!(
                lends,
                matches!(relation, Relation::LeadsTo | Relation::Describes),
                "{relation:?}"
            );
        }
    }

    #[test]
    fn active_certifications_come_first_by_level() {
        let link = |kind: &str, level: &str, title: &str, present: bool| Link {
            relation: Relation::LeadsTo,
            direction: Direction::Incoming,
            id: title.to_string(),
            title: title.to_string(),
            present,
            kind: kind.to_string(),
            level: level.to_string(),
        };
        let mut links = [
            link("certification-inactive", "3", "CAP ancien", true),
            link("certification", "5", "BTS", true),
            link("", "", "Absent", false),
            link("certification", "3", "CAP", true),
            link("fiche-metier", "", "Boulanger (ONISEP)", true),
        ];
        links.sort_by_key(Link::display_order);
        let titles: Vec<&str> = links.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(
            titles,
            ["CAP", "BTS", "Boulanger (ONISEP)", "CAP ancien", "Absent"]
        );
    }
}
