//! CSV for exports: RFC 4180 (the `csv` crate, CRLF line ends), every cell neutralised
//! against spreadsheet formula injection.

use actix_web::web::Bytes;

use crate::problem::ApiError;

/// A cell as a spreadsheet may safely open it: text starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (what Excel, LibreOffice and Google Sheets take for a formula) gets a
/// leading `'`, which they show as text.
#[must_use]
pub fn neutral(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `rows` as CSV lines (CRLF, quoted where needed), every cell neutralised.
///
/// # Errors
/// Never in practice (writing to memory); the `csv` crate's error as 500.
pub fn csv<I, R>(rows: I) -> Result<Bytes, ApiError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(64 * 1024));
    for r in rows {
        let cells: Vec<String> = r.into_iter().map(|c| neutral(&c).into_owned()).collect();
        out.write_record(&cells)
            .map_err(|e| ApiError::internal(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| ApiError::internal(&e))?;
    Ok(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::{csv, neutral};

    #[test]
    fn formulas_are_neutralised_and_quoting_is_rfc_4180() {
        assert_eq!(
            neutral("=HYPERLINK(\"http://evil\")"),
            "'=HYPERLINK(\"http://evil\")"
        );
        for danger in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutral(danger).starts_with('\''), "{danger:?}");
        }
        assert_eq!(neutral("TKT-000001"), "TKT-000001");
        let out = csv(vec![vec![
            "plain".to_owned(),
            "with, comma".to_owned(),
            "with \"quotes\"".to_owned(),
            "two\nlines".to_owned(),
            "=1+1".to_owned(),
        ]])
        .unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "plain,\"with, comma\",\"with \"\"quotes\"\"\",\"two\nlines\",'=1+1\r\n"
        );
    }
}
