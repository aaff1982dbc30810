//! Territories: what the `territoire` facet means in Provence-Alpes-Côte d'Azur.
//!
//! A document's territory is `national`, `paca` (the whole region) or a department code
//! (`05`); a name, a commune or a postcode is read as its department through the geography
//! of the region (INSEE's communes and departments of PACA, embedded from `data/geo/`), so
//! that `territoire:gap`, `territoire:05000` and `territoire:hautes-alpes` all mean `05`.
//! A filter on a territory also shows what covers it: a department's filter keeps the
//! regional and national documents (a counsellor in Gap still needs the national rules).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The territory of documents valid everywhere.
pub const NATIONAL: &str = "national";
/// The territory of documents valid in the whole region.
pub const REGION: &str = "paca";

/// Names of the region, as slugs.
const REGION_NAMES: [&str; 5] = [
    "paca",
    "provence-alpes-cote-d-azur",
    "region-sud",
    "region-paca",
    "sud",
];

/// Names of the country-wide territory, as slugs.
const NATIONAL_NAMES: [&str; 3] = ["national", "france", "nationale"];

/// Every French department: code and name (INSEE). The region's own are also in the
/// embedded geography, which adds its communes and postcodes.
const DEPARTMENTS: [(&str, &str); 101] = [
    ("01", "Ain"),
    ("02", "Aisne"),
    ("03", "Allier"),
    ("04", "Alpes-de-Haute-Provence"),
    ("05", "Hautes-Alpes"),
    ("06", "Alpes-Maritimes"),
    ("07", "Ardèche"),
    ("08", "Ardennes"),
    ("09", "Ariège"),
    ("10", "Aube"),
    ("11", "Aude"),
    ("12", "Aveyron"),
    ("13", "Bouches-du-Rhône"),
    ("14", "Calvados"),
    ("15", "Cantal"),
    ("16", "Charente"),
    ("17", "Charente-Maritime"),
    ("18", "Cher"),
    ("19", "Corrèze"),
    ("2A", "Corse-du-Sud"),
    ("2B", "Haute-Corse"),
    ("21", "Côte-d'Or"),
    ("22", "Côtes-d'Armor"),
    ("23", "Creuse"),
    ("24", "Dordogne"),
    ("25", "Doubs"),
    ("26", "Drôme"),
    ("27", "Eure"),
    ("28", "Eure-et-Loir"),
    ("29", "Finistère"),
    ("30", "Gard"),
    ("31", "Haute-Garonne"),
    ("32", "Gers"),
    ("33", "Gironde"),
    ("34", "Hérault"),
    ("35", "Ille-et-Vilaine"),
    ("36", "Indre"),
    ("37", "Indre-et-Loire"),
    ("38", "Isère"),
    ("39", "Jura"),
    ("40", "Landes"),
    ("41", "Loir-et-Cher"),
    ("42", "Loire"),
    ("43", "Haute-Loire"),
    ("44", "Loire-Atlantique"),
    ("45", "Loiret"),
    ("46", "Lot"),
    ("47", "Lot-et-Garonne"),
    ("48", "Lozère"),
    ("49", "Maine-et-Loire"),
    ("50", "Manche"),
    ("51", "Marne"),
    ("52", "Haute-Marne"),
    ("53", "Mayenne"),
    ("54", "Meurthe-et-Moselle"),
    ("55", "Meuse"),
    ("56", "Morbihan"),
    ("57", "Moselle"),
    ("58", "Nièvre"),
    ("59", "Nord"),
    ("60", "Oise"),
    ("61", "Orne"),
    ("62", "Pas-de-Calais"),
    ("63", "Puy-de-Dôme"),
    ("64", "Pyrénées-Atlantiques"),
    ("65", "Hautes-Pyrénées"),
    ("66", "Pyrénées-Orientales"),
    ("67", "Bas-Rhin"),
    ("68", "Haut-Rhin"),
    ("69", "Rhône"),
    ("70", "Haute-Saône"),
    ("71", "Saône-et-Loire"),
    ("72", "Sarthe"),
    ("73", "Savoie"),
    ("74", "Haute-Savoie"),
    ("75", "Paris"),
    ("76", "Seine-Maritime"),
    ("77", "Seine-et-Marne"),
    ("78", "Yvelines"),
    ("79", "Deux-Sèvres"),
    ("80", "Somme"),
    ("81", "Tarn"),
    ("82", "Tarn-et-Garonne"),
    ("83", "Var"),
    ("84", "Vaucluse"),
    ("85", "Vendée"),
    ("86", "Vienne"),
    ("87", "Haute-Vienne"),
    ("88", "Vosges"),
    ("89", "Yonne"),
    ("90", "Territoire de Belfort"),
    ("91", "Essonne"),
    ("92", "Hauts-de-Seine"),
    ("93", "Seine-Saint-Denis"),
    ("94", "Val-de-Marne"),
    ("95", "Val-d'Oise"),
    ("971", "Guadeloupe"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("976", "Mayotte"),
];

/// The communes of the region (INSEE, via `@etalab/decoupage-administratif`).
const COMMUNES_JSON: &str = include_str!("../../data/geo/communes-paca.json");
/// The departments of the region.
const REGION_DEPARTMENTS_JSON: &str = include_str!("../../data/geo/departements-paca.json");

/// One entry of the embedded communes table (communes, their associated and delegated
/// communes, Marseille's arrondissements).
#[derive(Deserialize)]
struct CommuneEntry {
    nom: String,
    departement: String,
    #[serde(default, rename = "codesPostaux")]
    postcodes: Vec<String>,
    #[serde(default)]
    population: u64,
}

/// One entry of the embedded departments table.
#[derive(Deserialize)]
struct DepartmentEntry {
    code: String,
}

/// The geography lookups, built once from the embedded tables.
struct Geography {
    /// Department of each place name and postcode of the region; a name or postcode shared
    /// by two departments goes to the one with the larger population.
    places: HashMap<String, String>,
    /// The region's department codes.
    region: Vec<String>,
}

fn geography() -> &'static Geography {
    static GEOGRAPHY: OnceLock<Geography> = OnceLock::new();
    GEOGRAPHY.get_or_init(|| {
        // The tables are part of the binary and checked by its tests: a parse error is a
        // build defect, read as an empty geography rather than a crash.
        let communes: Vec<CommuneEntry> = serde_json::from_str(COMMUNES_JSON).unwrap_or_default();
        let region: Vec<DepartmentEntry> =
            serde_json::from_str(REGION_DEPARTMENTS_JSON).unwrap_or_default();
        let mut best: HashMap<String, (u64, String)> = HashMap::new();
        for commune in &communes {
            let keys = std::iter::once(key(&commune.nom)).chain(commune.postcodes.clone());
            for place in keys {
                let entry = best
                    .entry(place)
                    .or_insert((commune.population, commune.departement.clone()));
                if commune.population > entry.0 {
                    *entry = (commune.population, commune.departement.clone());
                }
            }
        }
        Geography {
            places: best
                .into_iter()
                .map(|(place, (_, department))| (place, department))
                .collect(),
            region: region.into_iter().map(|d| d.code).collect(),
        }
    })
}

/// A place name as a lookup key: lowercase, without accents, words joined by `-`
/// ("Saint-Étienne-de-Tinée" → "saint-etienne-de-tinee", "L'Argentière" → "l-argentiere").
fn key(name: &str) -> String {
    let folded: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The department with this code (`5` and `05` alike, `2a` as `2A`).
fn department_code(value: &str) -> Option<&'static str> {
    let upper = value.trim().to_ascii_uppercase();
    let padded = if upper.len() == 1 {
        format!("0{upper}")
    } else {
        upper
    };
    DEPARTMENTS
        .iter()
        .find(|(code, _)| *code == padded)
        .map(|(code, _)| *code)
}

/// The canonical form of a territory: `national`, `paca`, or a department code; a
/// department, commune or postcode of the region becomes its department, a postcode
/// elsewhere its department; anything else its slug.
pub fn canonical(value: &str) -> String {
    let slug = key(value);
    if NATIONAL_NAMES.contains(&slug.as_str()) {
        return NATIONAL.to_string();
    }
    if REGION_NAMES.contains(&slug.as_str()) {
        return REGION.to_string();
    }
    if let Some(code) = department_code(&slug) {
        return code.to_string();
    }
    if let Some((code, _)) = DEPARTMENTS.iter().find(|(_, name)| key(name) == slug) {
        return (*code).to_string();
    }
    if let Some(department) = geography().places.get(&slug) {
        return department.clone();
    }
    let postcode = slug.len() == 5 && slug.bytes().all(|b| b.is_ascii_digit());
    if postcode {
        let overseas = slug.starts_with("97");
        let prefix = if overseas { &slug[..3] } else { &slug[..2] };
        if let Some(code) = department_code(prefix) {
            return code.to_string();
        }
    }
    slug
}

/// The territories whose documents a filter on `territory` (canonical) shows: itself, the
/// region around a department of the region, the departments of the region for the region,
/// and the national documents for any territory.
pub fn covering(territory: &str) -> Vec<String> {
    let mut covered = vec![territory.to_string()];
    let region = &geography().region;
    if territory == REGION {
        covered.extend(region.iter().cloned());
    } else if region.iter().any(|code| code == territory) {
        covered.push(REGION.to_string());
    }
    if territory != NATIONAL {
        covered.push(NATIONAL.to_string());
    }
    covered
}

/// The name of a department code (`05` → "Hautes-Alpes").
pub fn department_name(code: &str) -> Option<&'static str> {
    DEPARTMENTS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_communes_and_postcodes_resolve_to_their_department() {
        for (typed, expected) in [
            ("gap", "05"),
            ("Gap", "05"),
            ("05000", "05"),
            ("hautes-alpes", "05"),
            ("Hautes-Alpes", "05"),
            ("5", "05"),
            ("05", "05"),
            ("var", "83"),
            ("Toulon", "83"),
            ("Marseille", "13"),
            ("Saint-Étienne-de-Tinée", "06"),
            ("84000", "84"),
            ("29391", "29"),
            ("Finistère", "29"),
            ("2a", "2A"),
            ("97400", "974"),
            ("PACA", "paca"),
            ("Provence-Alpes-Côte d'Azur", "paca"),
            ("National", "national"),
            ("zone de Manosque", "zone-de-manosque"),
        ] {
            assert_eq!(canonical(typed), expected, "{typed}");
        }
    }

    #[test]
    fn a_name_of_two_departments_goes_to_the_larger_commune() {
        assert_eq!(canonical("Vitrolles"), "13", "not the Hautes-Alpes village");
        assert_eq!(canonical("13780"), "13");
    }

    #[test]
    fn a_filter_keeps_what_covers_its_territory() {
        assert_eq!(covering("05"), ["05", "paca", "national"]);
        assert_eq!(covering("29"), ["29", "national"]);
        assert_eq!(covering("national"), ["national"]);
        let region = covering("paca");
        for code in ["paca", "04", "05", "06", "13", "83", "84", "national"] {
            assert!(region.iter().any(|c| c == code), "{code} in {region:?}");
        }
        assert_eq!(region.len(), 8);
    }

    #[test]
    fn the_embedded_geography_is_whole() {
        let geography = geography();
        assert_eq!(geography.region, ["04", "05", "06", "13", "83", "84"]);
        assert!(geography.places.len() > 1_300, "{}", geography.places.len());
        assert_eq!(department_name("05"), Some("Hautes-Alpes"));
        assert_eq!(department_name("99"), None);
    }
}
