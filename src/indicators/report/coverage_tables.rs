//! The tables of what the committed index covers: documents by network and kind, by every
//! facet, by year of their date, freshness per source, PDFs without text, failures.

use super::ReportOptions;
use crate::indicators::coverage::Coverage;
use crate::indicators::table::{Cell, Chart, Column, Table, Topic};
use crate::model::Facet;

pub(super) fn network_kind(coverage: &Coverage) -> Table {
    let mut kinds: Vec<&str> = coverage
        .network_kind
        .keys()
        .map(|(_, k)| k.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut networks: Vec<&str> = coverage
        .network_kind
        .keys()
        .map(|(n, _)| n.as_str())
        .collect();
    networks.dedup();
    let mut columns = vec![Column::new("network", "Réseau")];
    columns.extend(kinds.iter().map(|kind| Column {
        key: (*kind).to_string(),
        heading: Cell::Code(Facet::Kind, (*kind).to_string()),
    }));
    columns.push(Column::new("total", "Total"));
    let rows = networks
        .iter()
        .map(|network| {
            let mut row = vec![Cell::Code(Facet::Network, (*network).to_string())];
            let mut sum = 0;
            for kind in &kinds {
                let key = ((*network).to_string(), (*kind).to_string());
                let n = coverage.network_kind.get(&key).copied().unwrap_or(0);
                sum += n;
                row.push(Cell::Count(n));
            }
            row.push(Cell::Count(sum));
            row
        })
        .collect();
    Table {
        id: "reseau-type".into(),
        topic: Topic::Coverage,
        title: "Documents par réseau et par type".into(),
        description: "Documents de l’index, par réseau partenaire (en lignes) et par type de \
            document (en colonnes)."
            .into(),
        columns,
        rows,
        chart: None,
    }
}

pub(super) fn facets(coverage: &Coverage) -> Vec<Table> {
    let facets = coverage
        .facets
        .iter()
        .filter_map(|counts| Facet::from_name(&counts.name).map(|facet| (facet, counts)));
    facets
        .map(|(facet, counts)| {
            let label = facet.label();
            let mut description = format!(
                "Documents de l’index selon leur valeur du critère « {label} » (un document à \
                 plusieurs valeurs compte pour chacune)."
            );
            if let Some(note) = facet.note() {
                description = format!("{description} {note}");
            }
            Table {
                id: format!("par-{}", facet.alias()),
                topic: Topic::Coverage,
                title: format!("Documents par {}", label.to_lowercase()),
                description,
                columns: vec![
                    Column::new("value", label),
                    Column::new("documents", "Documents"),
                ],
                rows: counts
                    .values
                    .iter()
                    .map(|v| vec![Cell::Code(facet, v.value.clone()), Cell::Count(v.count)])
                    .collect(),
                chart: None,
            }
        })
        .collect()
}

pub(super) fn years(coverage: &Coverage) -> Table {
    let dates = &coverage.dates;
    let mut rows: Vec<Vec<Cell>> = dates
        .by_year
        .iter()
        .map(|(year, n)| vec![Cell::Period(year.to_string()), Cell::Count(*n)])
        .collect();
    rows.push(vec![
        Cell::Text("Sans date".into()),
        Cell::Count(dates.undated),
    ]);
    Table {
        id: "annees".into(),
        topic: Topic::Coverage,
        title: "Documents par année de leur date".into(),
        description: "Année de publication ou de mise à jour que porte chaque document ; \
            « Sans date » : ceux qui n’en portent aucune."
            .into(),
        columns: vec![
            Column::new("year", "Année"),
            Column::new("documents", "Documents"),
        ],
        rows,
        chart: Some(Chart {
            series: vec![1],
            horizontal: false,
        }),
    }
}

pub(super) fn freshness(coverage: &Coverage, options: &ReportOptions) -> Table {
    let before = options
        .today
        .date()
        .year()
        .saturating_sub(options.older_than);
    let rows = coverage
        .sources
        .iter()
        .map(|(source, dates)| {
            let old = dates.before(before);
            vec![
                Cell::Code(Facet::Source, source.clone()),
                Cell::Count(dates.documents),
                Cell::Count(dates.undated),
                Cell::Count(old),
                Cell::percent(old, dates.documents),
            ]
        })
        .collect();
    Table {
        id: "fraicheur".into(),
        topic: Topic::Coverage,
        title: "Fraîcheur par source".into(),
        description: format!(
            "Par source : documents sans date, et documents datés d’avant {before} (plus de \
             {} ans).",
            options.older_than
        ),
        columns: vec![
            Column::new("source", "Source"),
            Column::new("documents", "Documents"),
            Column::new("undated", "Sans date"),
            Column::new("older", &format!("Datés d’avant {before}")),
            Column::new("older_percent", "Part datée d’avant (%)"),
        ],
        rows,
        chart: None,
    }
}

pub(super) fn pdf_without_text(coverage: &Coverage) -> Table {
    Table {
        id: "pdf-sans-texte".into(),
        topic: Topic::Coverage,
        title: "PDF sans texte".into(),
        description: "PDF dont aucune page ne contient de texte (des scans, sans doute) : ils \
            ne sont trouvés que par leurs métadonnées."
            .into(),
        columns: vec![Column::new("document", "Document")],
        rows: coverage
            .pdf_without_text
            .iter()
            .map(|id| vec![Cell::Text(id.clone())])
            .collect(),
        chart: None,
    }
}

pub(super) fn failures(coverage: &Coverage) -> Table {
    Table {
        id: "echecs".into(),
        topic: Topic::Coverage,
        title: "Échecs de lecture".into(),
        description: "Fichiers que la dernière indexation n’a pas pu lire, et pourquoi : ils \
            manquent à l’index."
            .into(),
        columns: vec![
            Column::new("path", "Fichier"),
            Column::new("reason", "Raison"),
        ],
        rows: coverage
            .failures
            .iter()
            .map(|f| vec![Cell::Text(f.path.clone()), Cell::Text(f.reason.clone())])
            .collect(),
        chart: None,
    }
}
