//! A file sent with a form (`multipart/form-data`, field `file`): read
//! whole, then taken or refused whole. A refused file is shown with the
//! reason at the file field and, when it was read, every bad row by line
//! and column, so that it is corrected in one pass.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use corridor_interop::referrals::RowError;

use crate::error::{AppError, PageError};
use crate::pages::counted;
use crate::pages::form::Refusal;

/// The name of the file field of every upload form.
pub const FILE_FIELD: &str = "file";

/// A file as it arrived.
pub struct UploadedFile {
    /// The name the browser gave it, for the audit log.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads the form's file; `missing` says which file to choose when none
/// was sent.
pub async fn read_upload(
    upload: Result<Multipart, MultipartRejection>,
    missing: &str,
) -> Result<UploadedFile, AppError> {
    let no_file = || AppError::bad_request(FILE_FIELD, format!("no file was sent; {missing}"));
    let broken = |error: axum::extract::multipart::MultipartError| {
        AppError::bad_request(
            FILE_FIELD,
            format!("the upload did not arrive whole ({error}); try again"),
        )
    };
    let mut upload = upload.map_err(|_| no_file())?;
    while let Some(field) = upload.next_field().await.map_err(broken)? {
        if field.name() != Some(FILE_FIELD) {
            continue;
        }
        let name = field
            .file_name()
            .filter(|name| !name.is_empty())
            .unwrap_or("the uploaded file")
            .to_string();
        let bytes = field.bytes().await.map_err(broken)?;
        if bytes.is_empty() {
            return Err(no_file());
        }
        return Ok(UploadedFile {
            name,
            bytes: bytes.to_vec(),
        });
    }
    Err(no_file())
}

/// Why a file was not taken; nothing of it was recorded.
pub enum FileRefused {
    /// The file as a whole: not sent, not readable, or refused by the store.
    File(AppError),
    /// Bad rows, each with its line and column.
    Rows(Vec<RowError>),
}

/// A refused file as the page shows it.
pub struct UploadRefusal {
    pub refusal: Refusal,
    pub rows: Vec<String>,
}

impl UploadRefusal {
    /// The page's account of a refused file; failures of the server stay
    /// errors.
    pub fn of(refused: FileRefused) -> Result<UploadRefusal, PageError> {
        let on_form = |field: &str| Refusal::named(field, &[FILE_FIELD]);
        Ok(match refused {
            FileRefused::File(error) => UploadRefusal {
                refusal: Refusal::of(error, on_form)?,
                rows: Vec::new(),
            },
            FileRefused::Rows(rows) => {
                let error = AppError::bad_request(
                    FILE_FIELD,
                    format!(
                        "The file was not taken: {} to fix, each below by line and column; nothing was recorded. Correct them in the file and upload it again.",
                        counted(rows.len(), "problem", "problems")
                    ),
                );
                UploadRefusal {
                    refusal: Refusal::of(error, on_form)?,
                    rows: rows.iter().map(ToString::to_string).collect(),
                }
            }
        })
    }
}
