//! The admin token: read from the environment or a file (never from the command line, where
//! other users of the machine could read it), and compared in constant time.

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Shortest token accepted: a guessable token would open the corpus to anyone.
pub const MIN_TOKEN_CHARS: usize = 16;
/// Environment variable holding the token itself.
pub const TOKEN_ENV: &str = "SPO_ADMIN_TOKEN";

/// Why no usable token could be read.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read the admin token file {path}: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("the admin token must have at least {MIN_TOKEN_CHARS} characters")]
    TooShort,
}

/// The configured admin token, kept only as its SHA-256 digest.
#[derive(Clone)]
pub struct AdminToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(..)")
    }
}

impl AdminToken {
    /// A token from its text (surrounding whitespace ignored).
    pub fn new(text: &str) -> Result<AdminToken, TokenError> {
        let text = text.trim();
        if text.chars().count() < MIN_TOKEN_CHARS {
            return Err(TokenError::TooShort);
        }
        Ok(AdminToken {
            digest: Sha256::digest(text.as_bytes()).into(),
        })
    }

    /// The token of `file` if given, else of [`TOKEN_ENV`]; `None` when neither is set (the
    /// admin API stays off).
    pub fn configured(file: Option<&Path>) -> Result<Option<AdminToken>, TokenError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| TokenError::Unreadable {
                path: path.display().to_string(),
                source,
            })?;
            return AdminToken::new(&text).map(Some);
        }
        match std::env::var(TOKEN_ENV) {
            Ok(text) if !text.trim().is_empty() => AdminToken::new(&text).map(Some),
            _ => Ok(None),
        }
    }

    /// Whether `presented` is the token. The digests are compared in full whatever their
    /// first difference, so the time taken tells nothing about the token.
    pub fn verify(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        let difference = digest
            .iter()
            .zip(&self.digest)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }

    /// Whether an `Authorization` header value carries the token: `Bearer <token>`, or HTTP
    /// Basic with the token as password (any user name), which a browser asks for by itself.
    pub fn verify_authorization(&self, value: &str) -> bool {
        if let Some(token) = value.strip_prefix("Bearer ") {
            return self.verify(token);
        }
        let Some(encoded) = value.strip_prefix("Basic ") else {
            return false;
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        decoded
            .as_deref()
            .and_then(|credentials| credentials.split_once(':'))
            .is_some_and(|(_, password)| self.verify(password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_is_accepted() {
        let token = AdminToken::new("  correct-horse-battery-staple\n").unwrap();
        assert!(token.verify("correct-horse-battery-staple"));
        assert!(!token.verify("correct-horse-battery-stapl"));
        assert!(!token.verify("correct-horse-battery-staple2"));
        assert!(!token.verify(""));
        assert_eq!(format!("{token:?}"), "AdminToken(..)");
    }

    #[test]
    fn the_token_is_read_from_bearer_or_basic_authorization() {
        let token = AdminToken::new("correct-horse-battery-staple").unwrap();
        assert!(token.verify_authorization("Bearer correct-horse-battery-staple"));
        // `comite:correct-horse-battery-staple` and `comite:wrong`, in base64.
        assert!(
            token.verify_authorization("Basic Y29taXRlOmNvcnJlY3QtaG9yc2UtYmF0dGVyeS1zdGFwbGU=")
        );
        assert!(!token.verify_authorization("Basic Y29taXRlOndyb25n"));
        for bad in [
            "",
            "correct-horse-battery-staple",
            "Basic !!!",
            "Basic Y29taXRl",
            "Digest x",
        ] {
            assert!(!token.verify_authorization(bad), "{bad}");
        }
    }

    #[test]
    fn short_tokens_and_missing_files_are_refused() {
        assert!(matches!(
            AdminToken::new("short"),
            Err(TokenError::TooShort)
        ));
        let missing = Path::new("/nonexistent/spo-token");
        assert!(matches!(
            AdminToken::configured(Some(missing)),
            Err(TokenError::Unreadable { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "a-token-from-a-file-0123\n").unwrap();
        let token = AdminToken::configured(Some(&file)).unwrap().unwrap();
        assert!(token.verify("a-token-from-a-file-0123"));
    }
}
