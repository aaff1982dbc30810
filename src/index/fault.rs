//! Disk faults: a full disk, a read-only or forbidden folder, a file-size limit. They are told
//! apart from other failures wherever they surface (std or tantivy errors), so that a run they
//! stop says plainly which folder and why, instead of tantivy's inner wording.

use std::fmt;
use std::io;

use tantivy::directory::error::{LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::TantivyError;

/// Why the disk refused a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskFault {
    /// No space left on the device (ENOSPC), or the user's quota is exhausted (EDQUOT).
    Full,
    /// A file grew past the process's file-size limit (EFBIG, `ulimit -f`).
    FileTooLarge,
    /// The file system is mounted read-only (EROFS).
    ReadOnly,
    /// The user may not write there (EACCES, EPERM).
    PermissionDenied,
}

impl fmt::Display for DiskFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskFault::Full => "the disk is full (no space left on the device, or quota exceeded)",
            DiskFault::FileTooLarge => {
                "a file exceeds the file-size limit of this process (ulimit -f)"
            }
            DiskFault::ReadOnly => "the file system is read-only",
            DiskFault::PermissionDenied => "permission denied: this user may not write there",
        })
    }
}

impl DiskFault {
    /// The disk fault behind `error`, looking into the errors it wraps.
    pub fn of_io(error: &io::Error) -> Option<DiskFault> {
        let fault = match error.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(DiskFault::Full),
            io::ErrorKind::FileTooLarge => Some(DiskFault::FileTooLarge),
            io::ErrorKind::ReadOnlyFilesystem => Some(DiskFault::ReadOnly),
            io::ErrorKind::PermissionDenied => Some(DiskFault::PermissionDenied),
            _ => None,
        };
        fault.or_else(|| {
            error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<io::Error>())
                .and_then(DiskFault::of_io)
        })
    }

    /// The disk fault behind a tantivy error, with the io error's own words.
    pub fn of_tantivy(error: &TantivyError) -> Option<(DiskFault, String)> {
        if let TantivyError::InternalError(message) | TantivyError::ErrorInThread(message) = error {
            // A writer's thread reports its io error as text: "... (os error 28)".
            let code = message
                .split("(os error ")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .and_then(|code| code.parse().ok())?;
            let io_error = io::Error::from_raw_os_error(code);
            return DiskFault::of_io(&io_error).map(|fault| (fault, io_error.to_string()));
        }
        let io_error: &io::Error = match error {
            TantivyError::IoError(io_error)
            | TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. })
            | TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. })
            | TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. })
            | TantivyError::LockFailure(LockError::IoError(io_error), _) => io_error,
            _ => return None,
        };
        DiskFault::of_io(io_error).map(|fault| (fault, io_error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn io_kinds_map_to_faults_and_others_do_not() {
        let of = |code| DiskFault::of_io(&io::Error::from_raw_os_error(code));
        // Linux errno values: ENOSPC, EDQUOT, EFBIG, EROFS, EACCES, EPERM, ENOENT, EIO.
        assert_eq!(of(28), Some(DiskFault::Full));
        assert_eq!(of(122), Some(DiskFault::Full));
        assert_eq!(of(27), Some(DiskFault::FileTooLarge));
        assert_eq!(of(30), Some(DiskFault::ReadOnly));
        assert_eq!(of(13), Some(DiskFault::PermissionDenied));
        assert_eq!(of(1), Some(DiskFault::PermissionDenied));
        assert_eq!(of(2), None);
        assert_eq!(of(5), None);
        let wrapped = io::Error::other(io::Error::from_raw_os_error(28));
        assert_eq!(DiskFault::of_io(&wrapped), Some(DiskFault::Full));
    }

    #[test]
    fn tantivy_errors_are_looked_into() {
        let enospc = || Arc::new(io::Error::from_raw_os_error(28));
        let write = TantivyError::OpenWriteError(OpenWriteError::IoError {
            io_error: enospc(),
            filepath: "a.idx".into(),
        });
        let (fault, detail) = DiskFault::of_tantivy(&write).expect("a disk fault");
        assert_eq!(fault, DiskFault::Full);
        assert!(detail.contains("No space left"), "{detail}");
        let lock = TantivyError::LockFailure(
            LockError::IoError(Arc::new(io::Error::from_raw_os_error(30))),
            None,
        );
        assert_eq!(
            DiskFault::of_tantivy(&lock).map(|(fault, _)| fault),
            Some(DiskFault::ReadOnly)
        );
        let in_thread = TantivyError::InternalError(
            "'No space left on device (os error 28)': No space left on device".into(),
        );
        assert_eq!(
            DiskFault::of_tantivy(&in_thread).map(|(fault, _)| fault),
            Some(DiskFault::Full)
        );
        let other = TantivyError::InternalError("a bug (os error x)".into());
        assert_eq!(DiskFault::of_tantivy(&other), None);
        let busy = TantivyError::LockFailure(LockError::LockBusy, None);
        assert_eq!(DiskFault::of_tantivy(&busy), None);
        assert_eq!(
            DiskFault::of_tantivy(&TantivyError::InvalidArgument("x".into())),
            None
        );
    }
}
