//! The tables of use over the period: searches and documents opened by day or month, and
//! over the whole period by entry, by filter, by kind of document, and the searches without
//! results when they are kept.

use super::total;
use crate::indicators::period::{Period, Step};
use crate::indicators::store::History;
use crate::indicators::table::{Cell, Chart, Column, Table, Topic};
use crate::indicators::usage::{counter, DayCounts, Entry};
use crate::indicators::zero_results::{self, ZeroResult};
use crate::model::Facet;

fn step_column(step: Step) -> Column {
    match step {
        Step::Day => Column::new("day", "Jour"),
        Step::Month => Column::new("month", "Mois"),
    }
}

pub(super) fn searches(steps: &[(String, DayCounts)], step: Step) -> Table {
    let rows = steps
        .iter()
        .map(|(name, counts)| {
            let (found, none) = (
                total(counts, counter::WITH_RESULTS),
                total(counts, counter::WITHOUT_RESULTS),
            );
            vec![
                Cell::Period(name.clone()),
                Cell::Count(found),
                Cell::Count(none),
                Cell::percent(none, found + none),
                Cell::Count(total(counts, counter::RESPELLED)),
                Cell::Count(total(counts, counter::SEARCHES)),
            ]
        })
        .collect();
    Table {
        id: "recherches".into(),
        topic: Topic::Use,
        title: "Recherches".into(),
        description: "Recherches faites (premières pages de résultats), selon qu’elles ont \
            trouvé des documents ou non ; « Vouliez-vous dire » : une autre orthographe a été \
            proposée ; pages de résultats : toutes les pages consultées, suivantes comprises."
            .into(),
        columns: vec![
            step_column(step),
            Column::new("with_results", "Avec résultats"),
            Column::new("without_results", "Sans résultat"),
            Column::new("without_results_percent", "Part sans résultat (%)"),
            Column::new("respelled", "« Vouliez-vous dire »"),
            Column::new("result_pages", "Pages de résultats"),
        ],
        rows,
        chart: Some(Chart {
            series: vec![1, 2],
            horizontal: false,
        }),
    }
}

pub(super) fn opened(steps: &[(String, DayCounts)], step: Step) -> Table {
    let rows = steps
        .iter()
        .map(|(name, counts)| {
            let mut row = vec![Cell::Period(name.clone())];
            row.extend(
                Entry::ALL
                    .iter()
                    .map(|e| Cell::Count(counts.get(*e, counter::OPENED))),
            );
            row.push(Cell::Count(total(counts, counter::OPENED)));
            row
        })
        .collect();
    Table {
        id: "documents-consultes".into(),
        topic: Topic::Use,
        title: "Documents consultés".into(),
        description: "Documents ouverts, depuis les pages web (la page du document) ou par \
            l’API."
            .into(),
        columns: vec![
            step_column(step),
            Column::new("web", "Pages web"),
            Column::new("api", "API"),
            Column::new("total", "Total"),
        ],
        rows,
        chart: Some(Chart {
            series: vec![1, 2],
            horizontal: false,
        }),
    }
}

pub(super) fn by_entry(whole: &DayCounts) -> Table {
    let rows = Entry::ALL
        .iter()
        .map(|entry| {
            let get = |name| Cell::Count(whole.get(*entry, name));
            vec![
                Cell::Text(entry.label().to_string()),
                get(counter::WITH_RESULTS),
                get(counter::WITHOUT_RESULTS),
                get(counter::RESPELLED),
                get(counter::SEARCHES),
                get(counter::OPENED),
            ]
        })
        .collect();
    Table {
        id: "entrees".into(),
        topic: Topic::Use,
        title: "Par point d’entrée".into(),
        description: "Sur toute la période : ce qui passe par les pages web et ce qui passe \
            par l’API (sites partenaires, outils des réseaux)."
            .into(),
        columns: vec![
            Column::new("entry", "Point d’entrée"),
            Column::new("with_results", "Recherches avec résultats"),
            Column::new("without_results", "Recherches sans résultat"),
            Column::new("respelled", "« Vouliez-vous dire »"),
            Column::new("result_pages", "Pages de résultats"),
            Column::new("opened", "Documents consultés"),
        ],
        rows,
        chart: None,
    }
}

/// The names after `prefix` of the counters of `whole`, in `known` order first.
fn names_after(whole: &DayCounts, prefix: &str, known: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    for entry in Entry::ALL {
        for name in whole.of(entry).keys() {
            if let Some(rest) = name.strip_prefix(prefix) {
                if !names.iter().any(|n| n == rest) {
                    names.push(rest.to_string());
                }
            }
        }
    }
    names
}

/// Rows of a count per entry and their total, for each `(label, counter)`.
fn entry_rows(whole: &DayCounts, rows: impl Iterator<Item = (Cell, String)>) -> Vec<Vec<Cell>> {
    rows.map(|(label, name)| {
        let mut row = vec![label];
        row.extend(Entry::ALL.iter().map(|e| Cell::Count(whole.get(*e, &name))));
        row.push(Cell::Count(total(whole, &name)));
        row
    })
    .collect()
}

fn entry_columns(first: Column) -> Vec<Column> {
    vec![
        first,
        Column::new("web", "Pages web"),
        Column::new("api", "API"),
        Column::new("total", "Total"),
    ]
}

pub(super) fn filters(whole: &DayCounts) -> Table {
    let aliases: Vec<&str> = Facet::ALL.iter().map(|f| f.alias()).collect();
    let names = names_after(whole, counter::FILTER, &aliases);
    let rows = names.into_iter().map(|alias| {
        let label = Facet::from_name(&alias).map_or_else(|| alias.clone(), |f| f.label().into());
        (Cell::Text(label), format!("{}{alias}", counter::FILTER))
    });
    Table {
        id: "filtres".into(),
        topic: Topic::Use,
        title: "Critères utilisés pour filtrer".into(),
        description: "Recherches (premières pages) filtrées par chaque critère ; une recherche \
            filtrée par deux critères compte pour chacun."
            .into(),
        columns: entry_columns(Column::new("facet", "Critère")),
        rows: entry_rows(whole, rows),
        chart: Some(Chart {
            series: vec![3],
            horizontal: true,
        }),
    }
}

pub(super) fn opened_kinds(whole: &DayCounts) -> Table {
    let names = names_after(whole, counter::OPENED_KIND, &[]);
    let mut rows = entry_rows(
        whole,
        names.into_iter().map(|kind| {
            let name = format!("{}{kind}", counter::OPENED_KIND);
            (Cell::Code(Facet::Kind, kind), name)
        }),
    );
    rows.sort_by_key(|row| std::cmp::Reverse(row.last().and_then(Cell::count)));
    Table {
        id: "types-consultes".into(),
        topic: Topic::Use,
        title: "Documents consultés par type".into(),
        description: "Documents ouverts sur la période, par type de document.".into(),
        columns: entry_columns(Column::new("kind", "Type de document")),
        rows,
        chart: Some(Chart {
            series: vec![3],
            horizontal: true,
        }),
    }
}

pub(super) fn zero_result_texts(history: &History, period: &Period) -> Table {
    let mut texts: Vec<(String, u64, u64)> = Vec::new();
    for (_, record) in history.range(period.first..=period.last) {
        for ZeroResult { text, clients } in &record.zero_results {
            match texts.iter_mut().find(|(t, _, _)| t == text) {
                Some((_, days, total)) => {
                    *days += 1;
                    *total += clients;
                }
                None => texts.push((text.clone(), 1, *clients)),
            }
        }
    }
    texts.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    texts.truncate(zero_results::TOP * 2);
    Table {
        id: "sans-resultat".into(),
        topic: Topic::Use,
        title: "Recherches sans résultat les plus fréquentes".into(),
        description: format!(
            "Textes cherchés sans trouver aucun document, gardés seulement les jours où au \
             moins {} personnes distinctes les ont tapés (mis en minuscules, sans accents) : \
             ce que le fonds documentaire ne couvre pas encore.",
            zero_results::K
        ),
        columns: vec![
            Column::new("text", "Recherche"),
            Column::new("days", "Jours"),
            Column::new("clients", "Personnes (cumul par jour)"),
        ],
        rows: texts
            .into_iter()
            .map(|(text, days, clients)| {
                vec![Cell::Text(text), Cell::Count(days), Cell::Count(clients)]
            })
            .collect(),
        chart: None,
    }
}
