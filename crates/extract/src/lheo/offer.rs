//! One `<formation>` of a LHÉO file as a document: its texts, codes, level, places and
//! sessions.

use roxmltree::Node;

use super::{child, child_text, children, text, FORMAT};
use crate::blocks::Sections;
use crate::html::fragment_to_text;
use crate::{Code, Date, ExtractError, Extracted, Reference, Relation};

/// Section titles, in body order.
const OBJECTIVE: &str = "Objectif";
const RESULTS: &str = "Résultats attendus";
const CONTENT: &str = "Contenu";
const SESSIONS: &str = "Sessions";
const BODY_RESPONSIBLE: &str = "Organisme responsable";

/// Exit levels of LHÉO's `dict-niveaux` (`code-niveau-sortie`) in the European framework:
/// 4 niveau V (CAP) → 3 ... 8 niveau I → 7; the others name no level.
const LEVELS: [(&str, u8); 5] = [("4", 3), ("5", 4), ("6", 5), ("7", 6), ("8", 7)];

/// Ways into a training that an action's `<extras info="type-formation">` may flag.
const ACCESS_ROUTES: [(&str, &str); 5] = [
    ("formation-initiale", "formation-initiale"),
    ("formation-continue", "formation-continue"),
    ("apprentissage", "apprentissage"),
    ("contrat-apprentissage", "apprentissage"),
    (
        "contrat-professionnalisation",
        "contrat-professionnalisation",
    ),
];

/// Reads the formation at `position` (1-based) of its file.
pub(super) fn read(
    formation: Node,
    position: usize,
    warnings: &mut Vec<String>,
) -> Result<Extracted, ExtractError> {
    let failed =
        |reason: &str| ExtractError::malformed(FORMAT, format!("formation {position}: {reason}"));
    let numero = formation
        .attribute("numero")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| failed("no numero"))?;
    let mut single = |name: &str| -> Result<Option<String>, ExtractError> {
        if children(formation, name).nth(1).is_some() {
            warnings.push(format!(
                "formation {numero}: <{name}> repeated, the first one kept"
            ));
        }
        child_text(formation, name)
    };
    let title = single("intitule-formation")?.ok_or_else(|| failed("no intitule-formation"))?;
    let objective = single("objectif-formation")?.map(|html| fragment_to_text(&html));
    let results = single("resultats-attendus")?.map(|html| fragment_to_text(&html));
    let content = single("contenu-formation")?.map(|html| fragment_to_text(&html));
    let level = single("code-niveau-sortie")?.and_then(|code| {
        LEVELS
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(_, level)| *level)
    });
    let url = match child(formation, "url-formation") {
        Some(urls) => child_text(urls, "urlweb")?.map(|url| absolute(&url)),
        None => None,
    };

    let mut references = Vec::new();
    for domain in children(formation, "domaine-formation") {
        for code in children(domain, "code-ROME") {
            if let Some(code) = Code::rome(&text(code)?) {
                references.push(Reference::new(Relation::LeadsTo, code));
            }
        }
    }
    for certification in children(formation, "certification") {
        if let Some(code) = child_text(certification, "code-RNCP")?
            .as_deref()
            .and_then(Code::rncp)
        {
            references.push(Reference::new(Relation::Prepares, code));
        }
    }
    references.dedup();

    let mut sessions = Vec::new();
    let mut departments: Vec<String> = Vec::new();
    let mut access_routes: Vec<String> = Vec::new();
    for action in children(formation, "action") {
        let place = match child(action, "lieu-de-formation") {
            Some(place) => Place::read(place)?,
            None => Place::default(),
        };
        if let Some(department) = &place.department {
            if !departments.contains(department) {
                departments.push(department.clone());
            }
        }
        let mut details = Vec::new();
        for name in ["rythme-formation", "duree-indicative"] {
            if let Some(value) = child_text(action, name)? {
                details.push(value.to_lowercase());
            }
        }
        let mut periods = Vec::new();
        for session in children(action, "session") {
            if let Some(period) = child(session, "periode") {
                let start = child_text(period, "debut")?.and_then(|d| lheo_date(&d));
                let end = child_text(period, "fin")?.and_then(|d| lheo_date(&d));
                periods.push(match (start, end) {
                    (Some(start), Some(end)) => format!("du {} au {}", french(start), french(end)),
                    (Some(start), None) => format!("à partir du {}", french(start)),
                    (None, Some(end)) => format!("jusqu'au {}", french(end)),
                    (None, None) => "dates à préciser".to_string(),
                });
            }
        }
        if periods.is_empty() {
            periods.push("dates à préciser".to_string());
        }
        let facts = if details.is_empty() {
            String::new()
        } else {
            format!(", {}", details.join(", "))
        };
        for period in periods {
            sessions.push(format!("- {} : {period}{facts}", place.label()));
        }
        for extras in
            children(action, "extras").filter(|e| e.attribute("info") == Some("type-formation"))
        {
            for extra in children(extras, "extra") {
                let flagged = text(extra)? == "1";
                let route = extra
                    .attribute("info")
                    .and_then(|info| ACCESS_ROUTES.iter().find(|(name, _)| *name == info));
                if let (true, Some((_, slug))) = (flagged, route) {
                    if !access_routes.iter().any(|known| known == slug) {
                        access_routes.push((*slug).to_string());
                    }
                }
            }
        }
    }
    let responsible = match child(formation, "organisme-formation-responsable") {
        Some(body) => child_text(body, "nom-organisme")?,
        None => None,
    };

    let mut body = Sections::default();
    body.section(OBJECTIVE, objective.clone());
    body.section(RESULTS, results);
    body.section(CONTENT, content);
    body.section(SESSIONS, Some(sessions.join("\n")));
    body.list(BODY_RESPONSIBLE, responsible.clone());
    let (body, headings) = body.finish();
    let description = objective
        .as_deref()
        .map(|text| first_sentences(text, 300))
        .filter(|text| !text.is_empty());
    Ok(Extracted {
        key: Some(numero.to_string()),
        title: Some(title),
        description,
        headings,
        body,
        language: Some("fr".to_string()),
        url,
        keywords: responsible.into_iter().collect(),
        level,
        access_routes,
        departments,
        references,
        ..Extracted::default()
    })
}

/// A place of training: its first address line, town, postcode and department.
#[derive(Default)]
struct Place {
    name: Option<String>,
    town: Option<String>,
    postcode: Option<String>,
    department: Option<String>,
}

impl Place {
    /// The place of a `<lieu-de-formation>`: its `<coordonnees>`, name and `<adresse>`; the
    /// department from `<departement>`, else from the commune's INSEE code or the postcode.
    fn read(place: Node) -> Result<Place, ExtractError> {
        let Some(coordinates) = child(place, "coordonnees") else {
            return Ok(Place::default());
        };
        let name = child_text(coordinates, "ligne")?;
        let Some(address) = child(coordinates, "adresse") else {
            return Ok(Place {
                name,
                ..Place::default()
            });
        };
        let postcode = child_text(address, "codepostal")?;
        let commune = child_text(address, "code-INSEE-commune")?;
        let department = child_text(address, "departement")?
            .or_else(|| commune.as_deref().and_then(department_of))
            .or_else(|| postcode.as_deref().and_then(department_of));
        Ok(Place {
            name,
            town: child_text(address, "ville")?,
            postcode,
            department,
        })
    }

    /// "Lycée Kerneuzec, QUIMPERLÉ (29391)".
    fn label(&self) -> String {
        let mut parts = Vec::new();
        parts.extend(self.name.clone());
        match (&self.town, &self.postcode) {
            (Some(town), Some(postcode)) => parts.push(format!("{town} ({postcode})")),
            (Some(town), None) => parts.push(town.clone()),
            (None, Some(postcode)) => parts.push(postcode.clone()),
            (None, None) => {}
        }
        if parts.is_empty() {
            "Lieu à préciser".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The department of an INSEE commune code or a postcode: its first two characters, three
/// overseas (`97`).
fn department_of(code: &str) -> Option<String> {
    let code = code.trim();
    if code.len() != 5 || !code.is_ascii() {
        return None;
    }
    let length = if code.starts_with("97") { 3 } else { 2 };
    Some(code[..length].to_string())
}

/// `20150901` → 1 September 2015; LHÉO's `00000000` and `99999999` (unknown) are none.
fn lheo_date(value: &str) -> Option<Date> {
    let value = value.trim();
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| value[range].parse::<u32>().ok();
    Date::new(number(0..4)?, number(4..6)?, number(6..8)?)
}

/// `01/09/2015`.
fn french(date: Date) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

/// An address without a scheme, as LHÉO often gives it (`www.example.fr`), made absolute.
fn absolute(url: &str) -> String {
    if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{}", url.trim_start_matches('/'))
    }
}

/// The first sentences of `text` within about `limit` bytes, on one line.
fn first_sentences(text: &str, limit: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() <= limit {
        return line;
    }
    let mut end = limit;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    match line[..end].rfind(". ") {
        Some(stop) => line[..=stop].to_string(),
        None => format!("{}…", line[..end].trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_departments_and_addresses() {
        assert_eq!(lheo_date("20150901"), Date::new(2015, 9, 1));
        assert_eq!(lheo_date("00000000"), None);
        assert_eq!(lheo_date("99999999"), None);
        assert_eq!(lheo_date("2015-09-01"), None);
        assert_eq!(department_of("05061").as_deref(), Some("05"));
        assert_eq!(department_of("97411").as_deref(), Some("974"));
        assert_eq!(department_of("2A004").as_deref(), Some("2A"));
        assert_eq!(department_of("123"), None);
        assert_eq!(absolute("www.example.fr/a"), "https://www.example.fr/a");
        assert_eq!(absolute("http://example.fr"), "http://example.fr");
        assert_eq!(
            first_sentences("Une phrase. Deux phrases.", 300),
            "Une phrase. Deux phrases."
        );
        assert_eq!(
            first_sentences(&format!("Courte. {}", "long ".repeat(100)), 50),
            "Courte."
        );
    }
}
