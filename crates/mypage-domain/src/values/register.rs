//! The establishment register file (R18): the CSV an office's own system exports, read line by line.
//!
//! The file is UTF-8 (with or without a byte-order mark) or Shift_JIS as Windows writes it (Windows-31J, CP932).
//! The encoding is detected, never guessed: a file that is valid UTF-8 is read as UTF-8, one that is not is read as
//! Windows-31J only if every byte sequence in it is valid Windows-31J, and anything else is refused whole. The first
//! row names the columns: `事業所番号` and `事業所名称` are required, `事業所名称フリガナ`, `郵便番号`, `所在地` and
//! `電話番号` optional, in any order; a column of any other name is refused by name, so that a file of another
//! layout is not half-read. Each later row is checked on its own and either becomes a [`RegisterLine`] or a
//! [`RejectedLine`] with its line number (the header is line 1) and every reason.

use std::collections::HashMap;

use super::fields::{FieldProblem, Fields, Need};
use super::{EstablishmentNumber, EstablishmentNumberError, PhoneNumber, PostalCode};
use crate::text::trim;

/// 事業所番号: the column every line must fill.
pub const COLUMN_NUMBER: &str = "事業所番号";
/// 事業所名称.
pub const COLUMN_NAME: &str = "事業所名称";
/// 事業所名称フリガナ; optional.
pub const COLUMN_KANA: &str = "事業所名称フリガナ";
/// 郵便番号; optional.
pub const COLUMN_POSTAL_CODE: &str = "郵便番号";
/// 所在地; optional.
pub const COLUMN_ADDRESS: &str = "所在地";
/// 電話番号; optional.
pub const COLUMN_PHONE: &str = "電話番号";

/// Every column the file may have, the required ones first.
pub const REGISTER_COLUMNS: [&str; 6] =
    [COLUMN_NUMBER, COLUMN_NAME, COLUMN_KANA, COLUMN_POSTAL_CODE, COLUMN_ADDRESS, COLUMN_PHONE];

/// The most characters of 事業所名称, as in the establishment form.
const MAX_NAME: usize = 60;
/// The most characters of フリガナ.
const MAX_KANA: usize = 100;
/// The most characters of 所在地.
const MAX_ADDRESS: usize = 120;

/// How the file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel writes "CSV UTF-8".
    Utf8WithBom,
    /// Shift_JIS as Windows writes it (Windows-31J, CP932).
    ShiftJis,
}

impl RegisterEncoding {
    /// The encoding's usual name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8WithBom => "UTF-8 (BOM)",
            Self::ShiftJis => "Shift_JIS (CP932)",
        }
    }
}

/// Why a file cannot be read at all; nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterFileError {
    /// The file is empty, or has a header and no line.
    #[error("the file has no lines")]
    Empty,
    /// Neither UTF-8 nor Windows-31J.
    #[error("the file is neither UTF-8 nor Shift_JIS (CP932)")]
    UnknownEncoding,
    /// A column the register does not have.
    #[error("unknown column {0:?}")]
    UnknownColumn(String),
    /// A required column is missing.
    #[error("the column {0} is missing")]
    MissingColumn(&'static str),
    /// A column is named twice.
    #[error("the column {0} appears twice")]
    DuplicateColumn(&'static str),
    /// The CSV itself cannot be read from this line on (a quote never closed).
    #[error("the CSV cannot be read from line {0}")]
    Malformed(usize),
    /// More lines than one import takes ([`MAX_REGISTER_LINES`]); split the file.
    #[error("the file has more than {0} lines")]
    TooManyLines(usize),
}

/// The most establishment lines one file may have: an office's register, with room to spare, and a bound on what
/// one upload can make the server hold.
pub const MAX_REGISTER_LINES: usize = 200_000;

/// What the office's record says of an establishment besides its number and name; empty for one an applicant
/// registered (case C) until the office's file names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterDetails {
    /// 事業所名称フリガナ.
    pub name_kana: Option<String>,
    /// 郵便番号.
    pub postal_code: Option<PostalCode>,
    /// 所在地.
    pub address: Option<String>,
    /// 電話番号.
    pub phone: Option<PhoneNumber>,
}

/// One establishment as the register states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// 事業所番号.
    pub number: EstablishmentNumber,
    /// 事業所名称.
    pub name: String,
    /// The rest of the record.
    pub details: RegisterDetails,
}

/// A line that reads as an establishment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterLine {
    /// Its line number in the file (the header is line 1).
    pub line: usize,
    /// What it states.
    pub entry: RegisterEntry,
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not as many cells as the header has columns.
    ColumnCount {
        /// The header's columns.
        expected: usize,
        /// This line's cells.
        found: usize,
    },
    /// 事業所番号 is not a number (R9's rules: full-width digits and hyphens accepted).
    Number(EstablishmentNumberError),
    /// A cell is wrong.
    Field {
        /// The column, as named in the header.
        column: &'static str,
        /// What is wrong.
        problem: FieldProblem,
    },
    /// The same number was on an earlier line.
    RepeatedNumber {
        /// The earlier line.
        first_line: usize,
    },
    /// The number belongs to an office this system does not have.
    UnknownOffice,
    /// The number belongs to an office the importing staff member does not serve (R14).
    OutsideOffice,
}

/// A line that was not imported, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedLine {
    /// Its line number in the file (the header is line 1).
    pub line: usize,
    /// The number as written, when the line has one, so that the office finds the record.
    pub number: String,
    /// What is wrong.
    pub problems: Vec<LineProblem>,
}

/// A register file, read: the lines that are establishments and those that are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFile {
    /// How it was written.
    pub encoding: RegisterEncoding,
    /// The lines that read as establishments, in file order.
    pub lines: Vec<RegisterLine>,
    /// The lines that do not, in file order.
    pub rejected: Vec<RejectedLine>,
}

impl RegisterFile {
    /// Reads a register file.
    ///
    /// # Errors
    /// [`RegisterFileError`] when the file as a whole cannot be read; a wrong line is a [`RejectedLine`].
    pub fn parse(bytes: &[u8]) -> Result<Self, RegisterFileError> {
        let (text, encoding) = Self::decode(bytes)?;
        // One kind of line break, so that a line's number is the same whatever system wrote the file.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(header)) => header,
            Some(Err(_)) => return Err(RegisterFileError::Malformed(1)),
            None => return Err(RegisterFileError::Empty),
        };
        let columns = columns(&header)?;
        let mut file = Self { encoding, lines: Vec::new(), rejected: Vec::new() };
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut last_line = 1;
        for record in records {
            let record = record.map_err(|e| {
                RegisterFileError::Malformed(e.position().map_or(last_line + 1, |p| line_number(p.line())))
            })?;
            let line = record.position().map_or(last_line + 1, |p| line_number(p.line()));
            last_line = line;
            if record.iter().all(|cell| trim(cell).is_empty()) {
                continue;
            }
            if file.lines.len() + file.rejected.len() >= MAX_REGISTER_LINES {
                return Err(RegisterFileError::TooManyLines(MAX_REGISTER_LINES));
            }
            match read_line(&columns, &record) {
                Ok(entry) => match seen.get(entry.number.digits()) {
                    Some(&first_line) => file.rejected.push(RejectedLine {
                        line,
                        number: entry.number.to_string(),
                        problems: vec![LineProblem::RepeatedNumber { first_line }],
                    }),
                    None => {
                        seen.insert(entry.number.digits().to_owned(), line);
                        file.lines.push(RegisterLine { line, entry });
                    }
                },
                Err((number, problems)) => file.rejected.push(RejectedLine { line, number, problems }),
            }
        }
        if file.lines.is_empty() && file.rejected.is_empty() {
            return Err(RegisterFileError::Empty);
        }
        Ok(file)
    }
}

/// csv counts lines from 1 and the header is its line 1.
fn line_number(csv_line: u64) -> usize {
    usize::try_from(csv_line).unwrap_or(usize::MAX)
}

impl RegisterFile {
    /// The text of a register file and how it was written (see the module's documentation).
    ///
    /// # Errors
    /// [`RegisterFileError::UnknownEncoding`] for a file neither UTF-8 nor Windows-31J.
    pub fn decode(bytes: &[u8]) -> Result<(String, RegisterEncoding), RegisterFileError> {
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            return std::str::from_utf8(rest)
                .map(|t| (t.to_owned(), RegisterEncoding::Utf8WithBom))
                .map_err(|_| RegisterFileError::UnknownEncoding);
        }
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Ok((text.to_owned(), RegisterEncoding::Utf8));
        }
        encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| (t.into_owned(), RegisterEncoding::ShiftJis))
            .ok_or(RegisterFileError::UnknownEncoding)
    }
}

/// Where each known column is in the header.
#[derive(Debug, Default)]
struct Columns {
    number: usize,
    name: usize,
    kana: Option<usize>,
    postal_code: Option<usize>,
    address: Option<usize>,
    phone: Option<usize>,
    count: usize,
}

fn columns(header: &csv::StringRecord) -> Result<Columns, RegisterFileError> {
    let mut found: HashMap<&'static str, usize> = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let name = trim(cell);
        let Some(&column) = REGISTER_COLUMNS.iter().find(|c| **c == name) else {
            return Err(RegisterFileError::UnknownColumn(name.to_owned()));
        };
        if found.insert(column, i).is_some() {
            return Err(RegisterFileError::DuplicateColumn(column));
        }
    }
    let required = |column: &'static str| found.get(column).copied().ok_or(RegisterFileError::MissingColumn(column));
    Ok(Columns {
        number: required(COLUMN_NUMBER)?,
        name: required(COLUMN_NAME)?,
        kana: found.get(COLUMN_KANA).copied(),
        postal_code: found.get(COLUMN_POSTAL_CODE).copied(),
        address: found.get(COLUMN_ADDRESS).copied(),
        phone: found.get(COLUMN_PHONE).copied(),
        count: header.len(),
    })
}

/// One line as an entry, or the number as written and every problem.
fn read_line(columns: &Columns, record: &csv::StringRecord) -> Result<RegisterEntry, (String, Vec<LineProblem>)> {
    let cell = |i: usize| record.get(i).unwrap_or_default();
    let written = trim(cell(columns.number)).to_owned();
    if record.len() != columns.count {
        return Err((written, vec![LineProblem::ColumnCount { expected: columns.count, found: record.len() }]));
    }
    let mut problems = Vec::new();
    let number = EstablishmentNumber::parse(&written).map_err(|e| problems.push(LineProblem::Number(e))).ok();
    let mut f = Fields::default();
    let name = f.line(COLUMN_NAME, cell(columns.name), MAX_NAME);
    let name_kana = columns.kana.filter(|&i| !trim(cell(i)).is_empty()).map(|i| f.kana(COLUMN_KANA, cell(i), MAX_KANA));
    let postal_code =
        columns.postal_code.and_then(|i| f.parsed(COLUMN_POSTAL_CODE, cell(i), Need::Optional, PostalCode::parse));
    let address = columns.address.and_then(|i| f.opt_line(COLUMN_ADDRESS, cell(i), MAX_ADDRESS));
    let phone = columns.phone.and_then(|i| f.parsed(COLUMN_PHONE, cell(i), Need::Optional, PhoneNumber::parse));
    problems.extend(f.into_errors().0.into_iter().map(|e| LineProblem::Field { column: e.field, problem: e.problem }));
    match number {
        Some(number) if problems.is_empty() => {
            Ok(RegisterEntry { number, name, details: RegisterDetails { name_kana, postal_code, address, phone } })
        }
        _ => Err((written, problems)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\n";

    fn sjis(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn reads_utf8_with_and_without_bom_and_shift_jis_alike() {
        let text = format!(
            "{HEADER}１３０１－１２３４５６－７,株式会社ハローテスト,ｶﾌﾞｼｷｶﾞｲｼｬ,162-0846,東京都新宿区,03-1234-5678\n"
        );
        let utf8 = RegisterFile::parse(text.as_bytes()).unwrap();
        let bom = RegisterFile::parse(&[b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).unwrap();
        let sjis = RegisterFile::parse(&sjis(&text)).unwrap();
        assert_eq!(
            (utf8.encoding, bom.encoding, sjis.encoding),
            (RegisterEncoding::Utf8, RegisterEncoding::Utf8WithBom, RegisterEncoding::ShiftJis)
        );
        assert_eq!(utf8.lines, sjis.lines);
        assert_eq!(utf8.lines, bom.lines);
        let entry = &utf8.lines[0].entry;
        assert_eq!(entry.number.digits(), "13011234567");
        assert_eq!(entry.details.name_kana.as_deref(), Some("カブシキガイシャ"));
        assert_eq!(entry.details.postal_code.as_ref().map(ToString::to_string).as_deref(), Some("162-0846"));
        assert_eq!(utf8.lines[0].line, 2);
    }

    #[test]
    fn line_numbers_are_the_same_for_windows_line_breaks() {
        let unix = format!("{HEADER}13011234567,A,,,,\n1301,B,,,,\n");
        let windows = unix.replace('\n', "\r\n");
        for text in [unix, windows] {
            let file = RegisterFile::parse(text.as_bytes()).unwrap();
            assert_eq!((file.lines[0].line, file.rejected[0].line), (2, 3), "{text:?}");
        }
    }

    #[test]
    fn a_file_neither_utf8_nor_shift_jis_is_refused_whole() {
        // EUC-JP's 事業所 is not valid UTF-8, and 0x8E followed by a byte outside 0x40–0xFC is not valid CP932.
        let euc = [0xBB, 0xF6, 0xB6, 0xC8, 0x8E, 0x20, 0x0A];
        assert_eq!(RegisterFile::parse(&euc), Err(RegisterFileError::UnknownEncoding));
        assert_eq!(RegisterFile::parse(b""), Err(RegisterFileError::Empty));
        assert_eq!(RegisterFile::parse(HEADER.as_bytes()), Err(RegisterFileError::Empty));
    }

    #[test]
    fn a_file_of_more_lines_than_one_import_takes_is_refused_whole() {
        let lines = "x\n".repeat(MAX_REGISTER_LINES + 1);
        let text = format!("{HEADER}{lines}");
        assert_eq!(RegisterFile::parse(text.as_bytes()), Err(RegisterFileError::TooManyLines(MAX_REGISTER_LINES)));
    }

    #[test]
    fn columns_are_read_by_name_and_an_unknown_one_is_refused_by_name() {
        let reordered = "電話番号,事業所名称,事業所番号\n03-1234-5678,株式会社A,13011234567\n";
        let file = RegisterFile::parse(reordered.as_bytes()).unwrap();
        assert_eq!(file.lines[0].entry.name, "株式会社A");
        assert_eq!(file.lines[0].entry.details.phone.as_ref().map(PhoneNumber::as_str), Some("03-1234-5678"));
        let unknown = "事業所番号,事業所名称,代表者\n13011234567,A,B\n";
        assert_eq!(RegisterFile::parse(unknown.as_bytes()), Err(RegisterFileError::UnknownColumn("代表者".into())));
        let missing = "事業所番号,所在地\n13011234567,東京都\n";
        assert_eq!(RegisterFile::parse(missing.as_bytes()), Err(RegisterFileError::MissingColumn(COLUMN_NAME)));
        let twice = "事業所番号,事業所名称,事業所名称\n";
        assert_eq!(RegisterFile::parse(twice.as_bytes()), Err(RegisterFileError::DuplicateColumn(COLUMN_NAME)));
    }

    #[test]
    fn each_bad_line_is_reported_with_its_line_number_and_every_reason() {
        let text = format!(
            "{HEADER}13011234567,株式会社A,,,,\n1301-12,,,,,\n13011234567,株式会社B,,,,\n13012222222,\"改行を\n含む名称\",,1000,,0\n13013333333,株式会社C\n"
        );
        let file = RegisterFile::parse(text.as_bytes()).unwrap();
        assert_eq!(file.lines.len(), 1);
        let lines: Vec<usize> = file.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 7], "a quoted line break is part of line 5; the next line is 7");
        assert_eq!(
            file.rejected[0].problems,
            [
                LineProblem::Number(EstablishmentNumberError::WrongLength(6)),
                LineProblem::Field { column: COLUMN_NAME, problem: FieldProblem::Required }
            ]
        );
        assert_eq!(file.rejected[1].problems, [LineProblem::RepeatedNumber { first_line: 2 }]);
        let problems = &file.rejected[2].problems;
        assert!(
            problems.contains(&LineProblem::Field { column: COLUMN_NAME, problem: FieldProblem::ControlCharacter })
        );
        assert!(
            problems
                .contains(&LineProblem::Field { column: COLUMN_POSTAL_CODE, problem: FieldProblem::InvalidPostalCode })
        );
        assert!(problems.contains(&LineProblem::Field { column: COLUMN_PHONE, problem: FieldProblem::InvalidPhone }));
        assert_eq!(file.rejected[3].problems, [LineProblem::ColumnCount { expected: 6, found: 2 }]);
    }
}
