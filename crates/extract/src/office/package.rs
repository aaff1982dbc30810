//! Reading the parts of an office package (a zip archive) without trusting it.
//!
//! Zip bombs are refused: archives with too many entries, parts that decompress beyond
//! [`MAX_PART_BYTES`], and large parts whose compression ratio is beyond
//! [`MAX_COMPRESSION_RATIO`]. Sizes declared in the archive are checked first, then the
//! bytes actually decompressed are counted through [`Read::take`], so a lying header cannot
//! make a read unbounded. XML parts are parsed without DTDs (no entity expansion) and with
//! at most [`MAX_XML_NODES`] nodes, which bounds the memory of the parsed tree.

use std::io::{Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use crate::ExtractError;

/// Most entries an office package may list (real documents have tens).
pub(super) const MAX_ENTRIES: usize = 10_000;

/// Most bytes one part may decompress to.
pub(super) const MAX_PART_BYTES: u64 = 64 << 20;

/// Highest decompressed/compressed ratio accepted for parts over [`RATIO_CHECK_FLOOR`];
/// XML compresses about 10 to 30 times, deflate bombs about 1,000 times.
pub(super) const MAX_COMPRESSION_RATIO: u64 = 200;

/// Parts smaller than this are never refused for their ratio.
const RATIO_CHECK_FLOOR: u64 = 1 << 20;

/// Most XML nodes (elements, texts, attributes) in one part: real documents of hundreds of
/// pages have a few hundred thousand; 16 million empty elements (64 MiB of `<a/>`) would
/// take more than a gigabyte once parsed.
pub(super) const MAX_XML_NODES: u32 = 4_000_000;

/// An opened office package.
pub(super) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
}

impl<'a> Package<'a> {
    /// Opens the archive; `format` names the document type in errors.
    pub(super) fn open(bytes: &'a [u8], format: &'static str) -> Result<Self, ExtractError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
            ExtractError::malformed(format, format!("not a zip archive: {error}"))
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(ExtractError::malformed(
                format,
                format!(
                    "{} zip entries, over the limit of {MAX_ENTRIES}",
                    archive.len()
                ),
            ));
        }
        Ok(Package { archive, format })
    }

    /// A part that must be present, as text.
    pub(super) fn required_part(&mut self, name: &str) -> Result<String, ExtractError> {
        self.optional_part(name)?.ok_or_else(|| {
            ExtractError::malformed(self.format, format!("no {name} in the package"))
        })
    }

    /// A part as text, `None` if the package does not have it.
    pub(super) fn optional_part(&mut self, name: &str) -> Result<Option<String>, ExtractError> {
        let format = self.format;
        let malformed =
            |reason: String| ExtractError::malformed(format, format!("{name}: {reason}"));
        let part = match self.archive.by_name(name) {
            Ok(part) => part,
            Err(ZipError::FileNotFound) => return Ok(None),
            Err(error) => return Err(malformed(error.to_string())),
        };
        let declared = part.size();
        if declared > MAX_PART_BYTES {
            // A part, not the file: a small file that declares a huge part is a zip bomb.
            return Err(malformed(format!(
                "expands to {declared} bytes, over the limit of {MAX_PART_BYTES} for one part"
            )));
        }
        let ratio_limit = part.compressed_size().saturating_mul(MAX_COMPRESSION_RATIO);
        let limit = MAX_PART_BYTES.min(ratio_limit.max(RATIO_CHECK_FLOOR));
        if declared > limit {
            return Err(malformed(format!(
                "compression ratio over {MAX_COMPRESSION_RATIO} ({declared} bytes from {})",
                part.compressed_size()
            )));
        }
        let mut content = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        part.take(limit + 1)
            .read_to_end(&mut content)
            .map_err(|error| malformed(error.to_string()))?;
        if content.len() as u64 > limit {
            return Err(malformed(format!(
                "decompresses beyond {limit} bytes, more than it declares"
            )));
        }
        String::from_utf8(content)
            .map(Some)
            .map_err(|_| malformed("not UTF-8".to_owned()))
    }
}

/// Parses an XML part safely ([`crate::xml::parse`]: at most [`MAX_XML_NODES`] nodes).
pub(super) fn parse_xml<'x>(
    xml: &'x str,
    format: &'static str,
    name: &str,
) -> Result<roxmltree::Document<'x>, ExtractError> {
    crate::xml::parse(xml, MAX_XML_NODES)
        .map_err(|error| ExtractError::malformed(format, format!("{name}: {error}")))
}
