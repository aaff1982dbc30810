//! Assembly of one ROME fiche (job profile) from the release lookups: title, alternative
//! titles, keywords, and a body of sections "Définition", "Accès à l'emploi",
//! "Compétences", "Savoirs", "Contextes de travail" and "Métiers proches".

use std::collections::{BTreeMap, HashSet};

use super::referentials::{Labelled, Referentials};
use crate::blocks::{heading_mark, Sections, ITEM_MARK};
use crate::{Code, Date, Extracted, Reference, Relation};

/// Public page of a fiche, followed by its code.
const FICHE_URL: &str = "https://candidat.francetravail.fr/metierscope/fiche-metier/";

/// Heading level of the groups inside a section (block markup of [`crate::blocks`]: the
/// sections are at level 2).
const GROUP_LEVEL: usize = 3;

/// Section titles, in body order.
const DEFINITION: &str = "Définition";
const ACCESS: &str = "Accès à l'emploi";
const SKILLS: &str = "Compétences";
const KNOWLEDGE: &str = "Savoirs";
const WORK_CONTEXTS: &str = "Contextes de travail";
const NEIGHBOURS: &str = "Métiers proches";

/// What `referentiel_code_rome` says of one fiche.
pub(super) struct JobRow<'a> {
    pub(super) code: &'a str,
    pub(super) title: &'a str,
    /// Keywords from the row's own flags (regulated job, executive, transitions).
    pub(super) tags: Vec<&'a str>,
}

/// Builds the document of one fiche.
pub(super) fn build(job: JobRow, lookups: &Referentials, date: Option<Date>) -> Extracted {
    let sentences = |kind: &str| -> Vec<String> {
        let mut selected: Vec<_> = lookups
            .texts
            .get(job.code)
            .into_iter()
            .flatten()
            .filter(|sentence| sentence.kind == kind && !sentence.text.is_empty())
            .collect();
        selected.sort_by_key(|sentence| sentence.position);
        selected
            .iter()
            .map(|sentence| fix_apostrophes(sentence.text))
            .collect()
    };
    let definition = sentences("definition");
    let access = sentences("acces_metier");
    let linked = LinkedLabels::collect(job.code, lookups);

    let mut body = Sections::default();
    body.section(DEFINITION, vec![sentences_block(&definition)]);
    body.section(ACCESS, vec![sentences_block(&access)]);
    body.section(
        SKILLS,
        listed_groups(
            linked
                .skills
                .into_iter()
                .map(|((_, label), items)| (label, items)),
        ),
    );
    body.section(KNOWLEDGE, listed_groups(linked.knowledge));
    body.section(WORK_CONTEXTS, listed_groups(linked.work_contexts));
    body.section(NEIGHBOURS, vec![neighbours(job.code, lookups)]);
    let (body, headings) = body.finish();

    let keywords = [
        lookups.domains.get(job.code).cloned().unwrap_or_default(),
        lookups.riasec.get(job.code).cloned().unwrap_or_default(),
        job.tags,
        lookups
            .extra_keywords
            .get(job.code)
            .cloned()
            .unwrap_or_default(),
    ]
    .concat();
    let alt_titles = lookups
        .appellations
        .get(job.code)
        .cloned()
        .unwrap_or_default();
    Extracted {
        key: Some(job.code.to_owned()),
        title: Some(job.title.to_owned()),
        alt_titles: unique(alt_titles.into_iter().filter(|title| *title != job.title)),
        description: Some(
            definition
                .iter()
                .map(|sentence| as_sentence(sentence))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .filter(|text| !text.is_empty()),
        headings,
        body,
        language: Some("fr".to_owned()),
        url: Some(format!("{FICHE_URL}{}", job.code)),
        date,
        keywords: unique(keywords),
        references: neighbour_codes(job.code, lookups)
            .filter_map(|target| {
                let reference = Reference::new(Relation::Neighbour, Code::rome(target)?);
                let title = lookups.job_titles.get(target).copied().unwrap_or_default();
                Some(reference.labelled(title))
            })
            .collect(),
        ..Extracted::default()
    }
}

/// The release doubles apostrophes in its texts: "l''emploi" -> "l'emploi".
fn fix_apostrophes(text: &str) -> String {
    text.replace("''", "'")
}

/// The text ending with a full stop unless it already ends with punctuation: some release
/// sentences lack one, which would run them together once joined on one line.
fn as_sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?', ':', ';', '…']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// Sentences as one paragraph, one a line, each ended by a full stop ("des patients.
/// Réalise des soins" once the lines are joined, not "des patients Réalise des soins").
fn sentences_block(sentences: &[String]) -> String {
    let ended: Vec<String> = sentences.iter().map(|s| as_sentence(s)).collect();
    ended.join("\n")
}

/// Non-empty values without duplicates, in first-seen order.
fn unique<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .into_iter()
        .filter(|value| !value.is_empty() && seen.insert(*value))
        .map(str::to_owned)
        .collect()
}

/// Labels linked to a fiche, grouped for display.
#[derive(Default)]
struct LinkedLabels<'a> {
    /// Skills by (rubrique position, rubrique label).
    skills: BTreeMap<(u32, &'a str), Vec<&'a str>>,
    /// Knowledge by category.
    knowledge: BTreeMap<&'a str, Vec<&'a str>>,
    /// Work contexts by type.
    work_contexts: BTreeMap<&'a str, Vec<&'a str>>,
}

impl<'a> LinkedLabels<'a> {
    /// Sorts the fiche's links into knowledge, work contexts and skills. Skills are grouped
    /// by rubrique ("Savoir-faire", "Savoir-être professionnels"), else by their competence
    /// category, else by the bloc label. Links to unknown codes (the fiche's own code,
    /// appellation codes) are left out.
    fn collect(code: &str, lookups: &Referentials<'a>) -> Self {
        let mut labels = LinkedLabels::default();
        let mut seen = HashSet::new();
        for link in lookups.links.get(code).into_iter().flatten() {
            if !seen.insert(link.code_ogr) {
                continue;
            }
            if let Some(knowledge) = lookups.knowledge.get(link.code_ogr) {
                push_grouped(&mut labels.knowledge, *knowledge);
            } else if let Some(context) = lookups.work_contexts.get(link.code_ogr) {
                push_grouped(&mut labels.work_contexts, *context);
            } else if let Some(skill) = lookups.skills.get(link.code_ogr) {
                let group = lookups
                    .rubriques
                    .get(link.rubrique)
                    .copied()
                    .filter(|(_, label)| !label.is_empty())
                    .or_else(|| {
                        Some((u32::MAX, skill.category)).filter(|(_, label)| !label.is_empty())
                    })
                    .or_else(|| lookups.blocs.get(link.bloc).map(|label| (u32::MAX, *label)))
                    .unwrap_or((u32::MAX, SKILLS));
                labels.skills.entry(group).or_default().push(skill.label);
            }
        }
        labels
    }
}

fn push_grouped<'a>(groups: &mut BTreeMap<&'a str, Vec<&'a str>>, entry: Labelled<'a>) {
    groups.entry(entry.category).or_default().push(entry.label);
}

/// Per group: its label as a heading under the section's, then a list block of "- item"
/// lines.
fn listed_groups<'a>(groups: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Vec<String> {
    let mut blocks = Vec::new();
    for (label, items) in groups {
        if items.is_empty() {
            continue;
        }
        if !label.is_empty() {
            blocks.push(format!("{}{label}", heading_mark(GROUP_LEVEL)));
        }
        let lines: Vec<String> = items
            .iter()
            .map(|item| format!("{ITEM_MARK}{item}"))
            .collect();
        blocks.push(lines.join("\n"));
    }
    blocks
}

/// The codes of the neighbouring jobs, in the release's order, each once.
fn neighbour_codes<'a>(code: &str, lookups: &Referentials<'a>) -> impl Iterator<Item = &'a str> {
    let mut targets: Vec<(u32, &str)> = lookups.mobility.get(code).cloned().unwrap_or_default();
    targets.sort();
    let mut seen = HashSet::new();
    targets
        .into_iter()
        .map(|(_, target)| target)
        .filter(move |target| !target.is_empty() && seen.insert(*target))
}

/// "- Title (CODE)" lines of the neighbouring jobs, in the release's order.
fn neighbours(code: &str, lookups: &Referentials) -> String {
    neighbour_codes(code, lookups)
        .map(|target| match lookups.job_titles.get(target) {
            Some(title) => format!("- {title} ({target})"),
            None => format!("- {target}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
