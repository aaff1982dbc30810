//! Rendering of a DILA fiche's structured content as readable text.
//!
//! Content elements (`Introduction`, `Texte`, `ListeSituations`, `Chapitre`, `Paragraphe`,
//! `Liste`, `Tableau`, callouts, glossary entries...) become blocks separated by blank
//! lines, in the block markup of [`crate::blocks`]: section titles are headings, list items
//! and table rows take one line each. Navigation (breadcrumb, parent
//! dossier, "voir aussi"), display machinery (conditions, columns) and metadata are left out.
//! Section titles (`Chapitre`, `SousChapitre`, `Situation`, `Cas`...) are also collected as
//! headings.

use std::collections::HashSet;

use roxmltree::Node;

use super::{DC_NAMESPACE, FORMAT};
use crate::blocks::{heading_mark, CELL_MARK};
use crate::ExtractError;

/// Deepest element nesting followed; real fiches nest about 14 levels.
const MAX_DEPTH: usize = 128;

/// Inline markup: its text flows inside the surrounding sentence, without added spaces.
const INLINE: &[&str] = &[
    "LienInterne",
    "LienExterne",
    "LienIntra",
    "Expression",
    "MiseEnEvidence",
    "Exposant",
    "Indice",
    "Valeur",
    "Citation",
    "Variable",
    "TermeEtranger",
];

/// Navigation, display machinery and publication metadata, left out of the body.
const SKIPPED: &[&str] = &[
    "FilDAriane",
    "DossierPere",
    "SousDossierPere",
    "Theme",
    "SousThemePere",
    "Canal",
    "Audience",
    "SurTitre",
    "Cible",
    "VoirAussi",
    "InformationComplementaire",
    "Partenaire",
    "Condition",
    "SiSelectionne",
    "Colonne",
    "Source",
    "Complement",
    "PivotLocal",
    "RessourceWeb",
    "ServiceEnLigneAnnexe",
    "NoticeLiee",
    "TitreAlternatif",
    "Image",
    "Illustration",
];

/// Links rendered as the title of what they point to, one per line: legal references,
/// online services, contacts, further reading, and the pages listed by theme and dossier
/// pages or as related questions.
const LINKS: &[&str] = &[
    "Reference",
    "ServiceEnLigne",
    "OuSAdresser",
    "PourEnSavoirPlus",
    "Fiche",
    "Dossier",
    "QuestionReponse",
    "CommentFaireSi",
];

/// Callouts whose title introduces their first paragraph ("À noter : ...").
const CALLOUTS: &[&str] = &["ANoter", "ASavoir", "Attention", "Rappel"];

/// Glossary entries rendered as "term : definition".
const GLOSSARY: &[&str] = &["Definition", "Abreviation"];

/// The heading level of the title of a section element: 2 for the main sections, 3 for
/// those inside them.
fn section_level(tag: &str) -> Option<usize> {
    match tag {
        "Chapitre" | "SousTheme" | "SousDossier" | "Situation" => Some(2),
        "SousChapitre" | "Cas" => Some(3),
        _ => None,
    }
}

/// The readable text of a fiche and its section headings.
pub(super) struct Rendered {
    pub(super) body: String,
    pub(super) headings: Vec<String>,
}

/// Renders the content children of `<Publication>`.
pub(super) fn render(publication: Node) -> Result<Rendered, ExtractError> {
    let mut renderer = Renderer::default();
    renderer.children(publication, 0)?;
    Ok(Rendered {
        body: renderer.body,
        headings: renderer.headings,
    })
}

/// The text of `node` and its descendants, whitespace collapsed; inline markup joins the
/// surrounding text as is, any other element boundary counts as a space.
pub(super) fn flat_text(node: Node) -> String {
    let mut raw = String::new();
    for descendant in node.descendants() {
        if descendant.is_element() {
            if !is_inline(descendant) {
                raw.push(' ');
            }
        } else if descendant.is_text() {
            let follows_block = descendant
                .prev_sibling()
                .is_some_and(|previous| previous.is_element() && !is_inline(previous));
            if follows_block {
                raw.push(' ');
            }
            raw.push_str(descendant.text().unwrap_or_default());
        }
    }
    collapse_whitespace(&raw)
}

/// Collapses every run of whitespace into one space and trims the ends.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_inline(node: Node) -> bool {
    INLINE.contains(&node.tag_name().name())
}

fn element_children<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

fn first_child_named<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    element_children(node).find(|child| child.has_tag_name(name))
}

/// Accumulates the body: blocks of lines, blocks separated by blank lines.
#[derive(Default)]
struct Renderer {
    body: String,
    /// Whether the next line continues the current block.
    block_open: bool,
    headings: Vec<String>,
    seen_headings: HashSet<String>,
}

impl Renderer {
    /// Appends a line to the current block, opening one if needed; blank text is dropped.
    fn line(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        if self.block_open {
            self.body.push('\n');
        } else if !self.body.is_empty() {
            self.body.push_str("\n\n");
        }
        self.block_open = true;
        self.body.push_str(text);
    }

    fn end_block(&mut self) {
        self.block_open = false;
    }

    /// Writes `text` as a block of its own.
    fn paragraph(&mut self, text: &str) {
        self.end_block();
        self.line(text);
        self.end_block();
    }

    fn heading(&mut self, title: &str) {
        if !title.is_empty() && self.seen_headings.insert(title.to_owned()) {
            self.headings.push(title.to_owned());
        }
    }

    /// Renders the element children of `node`; consecutive links of one kind share a block.
    fn children(&mut self, node: Node, depth: usize) -> Result<(), ExtractError> {
        let mut previous_tag = None;
        for child in node.children() {
            if child.is_text() {
                let text = collapse_whitespace(child.text().unwrap_or_default());
                if !text.is_empty() {
                    self.paragraph(&text);
                }
                continue;
            }
            if !child.is_element() {
                continue;
            }
            let tag = child.tag_name().name();
            if previous_tag != Some(tag) {
                self.end_block();
            }
            previous_tag = Some(tag);
            self.element(child, depth + 1)?;
        }
        Ok(())
    }

    fn element(&mut self, node: Node, depth: usize) -> Result<(), ExtractError> {
        if depth > MAX_DEPTH {
            return Err(ExtractError::malformed(
                FORMAT,
                format!("elements nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        if node.tag_name().namespace() == Some(DC_NAMESPACE) {
            return Ok(());
        }
        let tag = node.tag_name().name();
        match tag {
            _ if SKIPPED.contains(&tag) => {}
            "Paragraphe" => self.paragraph(&flat_text(node)),
            "Titre" => {
                let title = flat_text(node);
                let parent_tag = node.parent_element().map(|parent| parent.tag_name().name());
                match parent_tag.and_then(section_level) {
                    Some(level) if !title.is_empty() => {
                        self.heading(&title);
                        self.paragraph(&format!("{}{title}", heading_mark(level)));
                    }
                    _ => self.paragraph(&title),
                }
            }
            "Liste" => {
                self.end_block();
                self.list(node, 0, depth)?;
                self.end_block();
            }
            "Tableau" => self.table(node),
            _ if LINKS.contains(&tag) => self.line(&link_title(node)),
            _ if INLINE.contains(&tag) => self.line(&flat_text(node)),
            _ if CALLOUTS.contains(&tag) => self.callout(node, depth)?,
            _ if GLOSSARY.contains(&tag) => self.glossary_entry(node, depth)?,
            _ => self.children(node, depth)?,
        }
        Ok(())
    }

    /// One line per item ("- " or "1. "), nested lists indented by two spaces a level.
    fn list(&mut self, list: Node, level: usize, depth: usize) -> Result<(), ExtractError> {
        if depth > MAX_DEPTH {
            return Err(ExtractError::malformed(
                FORMAT,
                format!("lists nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let numbered = list.attribute("type") == Some("numero");
        let items = element_children(list).filter(|child| child.has_tag_name("Item"));
        for (index, item) in items.enumerate() {
            let text = element_children(item)
                .filter(|child| !child.has_tag_name("Liste"))
                .map(flat_text)
                .filter(|text| !text.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() {
                let indent = "  ".repeat(level);
                let marker = if numbered {
                    format!("{}. ", index + 1)
                } else {
                    "- ".to_owned()
                };
                self.line(&format!("{indent}{marker}{text}"));
            }
            for nested in element_children(item).filter(|child| child.has_tag_name("Liste")) {
                self.list(nested, level + 1, depth + 2)?;
            }
        }
        Ok(())
    }

    /// The table's title as a paragraph, then one line per row, `| cell | cell`.
    fn table(&mut self, table: Node) {
        self.end_block();
        for child in element_children(table) {
            match child.tag_name().name() {
                "Titre" => self.paragraph(&flat_text(child)),
                "Rangée" => {
                    let cells: Vec<String> = element_children(child)
                        .filter(|cell| cell.has_tag_name("Cellule"))
                        .map(flat_text)
                        .collect();
                    if cells.iter().any(|cell| !cell.is_empty()) {
                        self.line(&format!("{CELL_MARK}{}", cells.join(" | ")));
                    }
                }
                _ => {}
            }
        }
        self.end_block();
    }

    /// "À noter : first paragraph", then the rest of the callout.
    fn callout(&mut self, callout: Node, depth: usize) -> Result<(), ExtractError> {
        let title = first_child_named(callout, "Titre")
            .map(flat_text)
            .unwrap_or_default();
        let mut content = element_children(callout)
            .filter(|child| !child.has_tag_name("Titre"))
            .peekable();
        let opening = content
            .next_if(|first| first.has_tag_name("Paragraphe"))
            .map(flat_text);
        self.paragraph(&join_labelled(
            &title,
            opening.as_deref().unwrap_or_default(),
        ));
        for child in content {
            self.element(child, depth + 1)?;
        }
        self.end_block();
        Ok(())
    }

    /// "term : definition", then the entry's references.
    fn glossary_entry(&mut self, entry: Node, depth: usize) -> Result<(), ExtractError> {
        let term = first_child_named(entry, "Titre")
            .map(flat_text)
            .unwrap_or_default();
        let definition = element_children(entry)
            .filter(|child| child.has_tag_name("Texte"))
            .map(flat_text)
            .collect::<Vec<_>>()
            .join(" ");
        self.paragraph(&join_labelled(&term, &definition));
        for child in
            element_children(entry).filter(|child| LINKS.contains(&child.tag_name().name()))
        {
            self.element(child, depth + 1)?;
        }
        self.end_block();
        Ok(())
    }
}

/// "label : text", or whichever of the two is not empty.
fn join_labelled(label: &str, text: &str) -> String {
    match (label.is_empty(), text.is_empty()) {
        (false, false) => format!("{label} : {text}"),
        (false, true) => label.to_owned(),
        _ => text.to_owned(),
    }
}

/// The title of a link element: its `Titre` child, else its own text when it has no child
/// elements (`<Fiche ID="F2301">Salaire, primes et avantages</Fiche>`).
fn link_title(link: Node) -> String {
    match first_child_named(link, "Titre") {
        Some(title) => flat_text(title),
        None if element_children(link).next().is_none() => flat_text(link),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(xml: &str) -> Rendered {
        let document = roxmltree::Document::parse(xml).expect("test XML parses");
        render(document.root_element()).expect("test XML renders")
    }

    #[test]
    fn inline_markup_keeps_its_text_in_the_sentence() {
        let out = rendered(
            "<Publication><Texte><Paragraphe>du <LienInterne>Smic</LienInterne>  \
             (<Valeur>10\u{a0}€</Valeur>), 13<Exposant>e</Exposant> mois, \
             <MiseEnEvidence><Expression>à travail égal</Expression></MiseEnEvidence>.\
             </Paragraphe></Texte></Publication>",
        );
        assert_eq!(out.body, "du Smic (10 €), 13e mois, à travail égal.");
    }

    #[test]
    fn block_boundaries_inside_a_cell_become_spaces() {
        let out = rendered(
            "<Publication><Tableau><Titre>Montants</Titre><Colonne/>\
             <Rangée><Cellule><Paragraphe>Montant net</Paragraphe>\
             <Paragraphe>(après cotisations)</Paragraphe></Cellule>\
             <Cellule><Paragraphe>1 €</Paragraphe></Cellule></Rangée>\
             <Rangée><Cellule/><Cellule/></Rangée></Tableau></Publication>",
        );
        assert_eq!(
            out.body,
            "Montants\n\n| Montant net (après cotisations) | 1 €"
        );
    }

    #[test]
    fn lists_numbered_and_nested() {
        let out = rendered(
            "<Publication><Paragraphe>Avant</Paragraphe><Liste type=\"numero\">\
             <Item><Paragraphe>un</Paragraphe><Liste type=\"puce\"><Item>\
             <Paragraphe>sous</Paragraphe></Item></Liste></Item>\
             <Item><Paragraphe>deux</Paragraphe></Item></Liste>\
             <Paragraphe>Après</Paragraphe></Publication>",
        );
        assert_eq!(out.body, "Avant\n\n1. un\n  - sous\n2. deux\n\nAprès");
    }

    #[test]
    fn callouts_glossary_and_links() {
        let out = rendered(
            "<Publication><ANoter><Titre>À noter</Titre><Paragraphe>en pratique.</Paragraphe>\
             </ANoter><Attention><Titre>Attention</Titre></Attention>\
             <Reference><Titre>Code du travail</Titre><Complement>Principes</Complement></Reference>\
             <Reference><Titre>Code civil</Titre></Reference>\
             <QuestionReponse ID=\"F1\">Une question ?</QuestionReponse>\
             <Abreviation><Titre>Smic</Titre><Texte><Paragraphe>Salaire minimum</Paragraphe>\
             </Texte></Abreviation></Publication>",
        );
        assert_eq!(
            out.body,
            "À noter : en pratique.\n\nAttention\n\nCode du travail\nCode civil\n\n\
             Une question ?\n\nSmic : Salaire minimum"
        );
    }

    #[test]
    fn navigation_is_left_out_and_section_titles_are_headings() {
        let out = rendered(
            "<Publication><FilDAriane><Niveau>Accueil</Niveau></FilDAriane>\
             <DossierPere><Titre>Dossier</Titre><Fiche ID=\"F1\">Autre fiche</Fiche></DossierPere>\
             <Texte><Chapitre><Titre><Paragraphe>Salaire</Paragraphe></Titre>\
             <Condition><estVrai var=\"T1\"/></Condition><Paragraphe>Texte.</Paragraphe>\
             </Chapitre><Chapitre><Titre><Paragraphe>Salaire</Paragraphe></Titre></Chapitre>\
             </Texte><VoirAussi><Fiche ID=\"F2\"><Titre>Voir</Titre></Fiche></VoirAussi>\
             </Publication>",
        );
        assert_eq!(out.body, "## Salaire\n\nTexte.\n\n## Salaire");
        assert_eq!(out.headings, ["Salaire"]);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let depth = 100_000;
        let xml = format!(
            "<Publication>{}{}</Publication>",
            "<Chapitre>".repeat(depth),
            "</Chapitre>".repeat(depth)
        );
        let document = roxmltree::Document::parse(&xml).expect("deep XML parses");
        let error = render(document.root_element()).err();
        assert!(matches!(error, Some(ExtractError::Malformed { .. })));

        let lists = format!(
            "<Publication>{}{}</Publication>",
            "<Liste><Item>".repeat(depth),
            "</Item></Liste>".repeat(depth)
        );
        let document = roxmltree::Document::parse(&lists).expect("deep XML parses");
        let error = render(document.root_element()).err();
        assert!(matches!(error, Some(ExtractError::Malformed { .. })));
    }

    #[test]
    fn deep_inline_nesting_is_flattened_iteratively() {
        let depth = 100_000;
        let xml = format!(
            "<Publication><Paragraphe>{}mot{}</Paragraphe></Publication>",
            "<MiseEnEvidence>".repeat(depth),
            "</MiseEnEvidence>".repeat(depth)
        );
        assert_eq!(rendered(&xml).body, "mot");
    }
}
