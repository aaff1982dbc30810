//! `spo-search search`: one query, printed for a terminal or as JSON.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;

use crate::index::{self, IndexError, IndexState};
use crate::model::Filter;
use crate::search::{Engine, SearchRequest, Sort};

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query, in the query language (see README): words, "phrases", -excluded, +required.
    query: String,
    /// Index folder.
    #[arg(long, env = "SPO_INDEX", default_value = "index")]
    index: std::path::PathBuf,
    /// Filter `facet:value` (repeatable): reseau, type, public, territoire, langue, format,
    /// source; an unknown facet is an error.
    #[arg(long = "filter", short = 'f')]
    filters: Vec<String>,
    /// Number of results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Order of results.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    sort: Sort,
    /// Print the whole response as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the search and prints the results.
pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let filters = args
        .filters
        .iter()
        .map(|filter| Filter::parse(filter).with_context(|| "--filter".to_string()))
        .collect::<anyhow::Result<Vec<Filter>>>()?;
    if IndexState::of(&args.index).ok() == Some(IndexState::Damaged) {
        return Err(IndexError::Damaged {
            path: args.index.clone(),
            detail: index::damage_of(&args.index),
        }
        .into());
    }
    let engine = Engine::open(&args.index).with_context(|| {
        format!(
            "opening the index {}; build it with `spo-search index` (or restore a snapshot \
             with `spo-search restore --from <snapshot>`)",
            args.index.display()
        )
    })?;
    let request = SearchRequest {
        query: args.query,
        filters,
        sort: args.sort,
        limit: args.limit,
        snippets: true,
        facets: true,
        ..SearchRequest::default()
    };
    let response = engine.search(&request)?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string(&response)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let bold = colour_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let mut out = format!(
        "{} results for: {} ({:.1} ms)\n",
        response.total, response.understood, response.took_ms
    );
    if let Some(suggestion) = &response.suggestion {
        out.push_str(&format!("did you mean: {suggestion}\n"));
    }
    for (rank, hit) in response.hits.iter().enumerate() {
        let date = hit.date.as_deref().unwrap_or("sans date");
        out.push_str(&format!("\n{}. {}  [{}]\n", rank + 1, hit.title, hit.id));
        out.push_str(&format!(
            "   {} · {} · {} · {date}\n",
            hit.kind, hit.network, hit.source
        ));
        if let Some(url) = &hit.url {
            out.push_str(&format!("   {url}\n"));
        }
        for snippet in &hit.snippets {
            let page = snippet
                .page
                .map(|p| format!("p. {p}: "))
                .unwrap_or_default();
            out.push_str(&format!(
                "   {page}{}\n",
                terminal_text(&snippet.html, bold)
            ));
        }
    }
    super::emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether to print escape codes: only to a terminal, and never when `NO_COLOR` is set to
/// a non-empty value (<https://no-color.org>).
fn colour_wanted(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

/// Snippet HTML as plain text: marks become bold when `bold`, and are dropped otherwise;
/// entities are decoded.
fn terminal_text(html: &str, bold: bool) -> String {
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::Cli;

    #[test]
    fn an_unknown_facet_is_refused_like_the_api_does() {
        let cli = Cli::try_parse_from([
            "spo-search",
            "search",
            "boulanger",
            "--index",
            "/nonexistent/index",
            "--filter",
            "couleur:bleu",
        ])
        .expect("the arguments parse");
        let error = format!("{:#}", cli.run().unwrap_err());
        assert!(
            error.contains("unknown facet \"couleur\", expected one of reseau"),
            "{error}"
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use super::{colour_wanted, terminal_text};
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(colour_wanted(true, None) && colour_wanted(true, empty));
        assert!(!colour_wanted(false, None) && !colour_wanted(true, set));
        let html = "un <mark>CAP</mark> &amp; plus";
        assert_eq!(terminal_text(html, false), "un CAP & plus");
        assert_eq!(terminal_text(html, true), "un \x1b[1mCAP\x1b[0m & plus");
    }

    #[test]
    fn sort_is_relevance_or_date_and_nothing_else() {
        let parse = |sort: &str| {
            Cli::try_parse_from(["spo-search", "search", "cap", "--sort", sort]).map(|_| ())
        };
        assert!(parse("date").is_ok() && parse("relevance").is_ok());
        let error = parse("random").unwrap_err().to_string();
        assert!(
            error.contains("[possible values: relevance, date]"),
            "{error}"
        );
    }
}
