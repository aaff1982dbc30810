//! The links of a document page, grouped under French headings ([`crate::model::link`]): a
//! job fiche lists the certifications and training that lead to it and its ONISEP fiches, a
//! certification the jobs it leads to and the programmes that prepare it. A link to a
//! document that the index does not hold is shown as plain text, never as a broken link.

use crate::model::link::{heading, Direction, Link};
use crate::model::Relation;
use crate::server::links::document_page_path;

use super::labels::{level_label, value_label};

/// One group of links: a heading and its items, in the order the service gave them.
pub struct LinkGroup {
    pub heading: &'static str,
    pub items: Vec<LinkItem>,
}

/// One linked document.
pub struct LinkItem {
    pub title: String,
    /// Its page; `None` when no document has the id (shown as plain text).
    pub url: Option<String>,
    /// Its kind and level in words ("Certification, niveau 3 (CAP, BEP)"), empty when
    /// unknown.
    pub detail: String,
}

/// The groups of `links`, already sorted by group: consecutive links of one relation and
/// direction make one group.
pub fn link_groups(links: Vec<Link>) -> Vec<LinkGroup> {
    let mut groups: Vec<(Relation, Direction, LinkGroup)> = Vec::new();
    for link in links {
        let item = LinkItem {
            detail: detail(&link),
            url: link.present.then(|| document_page_path(&link.id)),
            title: link.title,
        };
        match groups.last_mut() {
            Some((relation, direction, group))
                if *relation == link.relation && *direction == link.direction =>
            {
                group.items.push(item)
            }
            _ => groups.push((
                link.relation,
                link.direction,
                LinkGroup {
                    heading: heading(link.relation, link.direction),
                    items: vec![item],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, _, group)| group).collect()
}

/// The kind and level of a linked document, in words.
fn detail(link: &Link) -> String {
    let mut parts = Vec::new();
    if !link.kind.is_empty() {
        parts.push(value_label(&link.kind));
    }
    if !link.level.is_empty() {
        parts.push(level_label(&link.level));
    }
    if !link.present {
        parts.push("absent de l’index".to_string());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(relation: Relation, direction: Direction, id: &str, present: bool) -> Link {
        Link {
            relation,
            direction,
            id: id.to_string(),
            title: format!("titre {id}"),
            present,
            kind: if present { "certification" } else { "" }.to_string(),
            level: if present { "3" } else { "" }.to_string(),
        }
    }

    #[test]
    fn consecutive_links_of_a_relation_make_one_group_and_absent_ones_have_no_url() {
        let groups = link_groups(vec![
            link(Relation::LeadsTo, Direction::Incoming, "rncp:RNCP1", true),
            link(Relation::LeadsTo, Direction::Incoming, "rncp:RNCP2", false),
            link(Relation::Neighbour, Direction::Outgoing, "rome:D1101", true),
        ]);
        let headings: Vec<&str> = groups.iter().map(|g| g.heading).collect();
        assert_eq!(
            headings,
            [
                "Certifications et formations qui y mènent",
                "Métiers proches"
            ]
        );
        let first = &groups[0].items;
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].url.as_deref(), Some("/documents/rncp:RNCP1"));
        assert_eq!(first[0].detail, "Certification, niveau 3 (CAP, BEP)");
        assert_eq!(first[1].url, None);
        assert_eq!(first[1].detail, "absent de l’index");
    }
}
