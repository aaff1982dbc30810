//! The paths of the service's resources, as links in answers and pages: one place that
//! knows how a document id or a corpus path becomes a URL path.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Bytes escaped when an id or a corpus path becomes a URL path: `/` and `:` are kept
/// readable, everything that would end or confuse a path is encoded.
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'\'')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Path of the web page of a document.
pub fn document_page_path(id: &str) -> String {
    format!("/documents/{}", utf8_percent_encode(id, PATH_ESCAPES))
}

/// Path of a document in the API.
pub fn document_api_path(id: &str) -> String {
    format!(
        "/api/v1/documents/{}",
        utf8_percent_encode(id, PATH_ESCAPES)
    )
}

/// Download path of an original file, from its path under the corpus.
pub fn file_download_path(path: &str) -> String {
    format!("/files/{}", utf8_percent_encode(path, PATH_ESCAPES))
}

/// Whether documents of this format come from an export of many documents (a ROME
/// release, a JSON export, a table of certifications...), whose file is not the document.
pub fn is_from_export(format: &str) -> bool {
    matches!(
        format,
        "json" | "rome-csv" | "rncp-csv" | "onisep-csv" | "lheo-xml"
    )
}

/// What a document offers to download: its original file, or for a document of an export
/// its own record as JSON (never the whole export, nor the folder of a ROME release).
pub fn download_path(id: &str, file: &str, format: &str) -> String {
    if is_from_export(format) {
        document_api_path(id)
    } else {
        file_download_path(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_ids_readable_and_escape_the_rest() {
        assert_eq!(
            document_page_path("sp:particuliers/F2301"),
            "/documents/sp:particuliers/F2301"
        );
        assert_eq!(
            document_api_path("spo/accord-cadre-spo-paca.pdf"),
            "/api/v1/documents/spo/accord-cadre-spo-paca.pdf"
        );
        assert_eq!(
            file_download_path("a dir/été?#x%.pdf"),
            "/files/a%20dir/%C3%A9t%C3%A9%3F%23x%25.pdf"
        );
        assert_eq!(document_page_path("<x>\"'"), "/documents/%3Cx%3E%22%27");
    }

    #[test]
    fn a_document_of_an_export_offers_its_record_and_a_file_itself() {
        assert_eq!(
            download_path("rome:J1501", "rome", "rome-csv"),
            "/api/v1/documents/rome:J1501"
        );
        assert_eq!(
            download_path(
                "travail:article1",
                "travail-emploi/fiches-travail.json",
                "json"
            ),
            "/api/v1/documents/travail:article1"
        );
        assert_eq!(
            download_path("spo/a.pdf", "spo/a.pdf", "pdf"),
            "/files/spo/a.pdf"
        );
        assert_eq!(
            download_path(
                "sp:particuliers/F1",
                "service-public/particuliers/F1.xml",
                "dila-xml"
            ),
            "/files/service-public/particuliers/F1.xml"
        );
    }
}
