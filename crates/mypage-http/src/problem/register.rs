//! The establishment register's problems explained (R18): a file that cannot be read at all, and each reason a
//! line was not imported, as the import page lists them and the API sends them.

use mypage_domain::usecases::RegisterImportError;
use mypage_domain::values::{COLUMN_NUMBER, LineProblem, REGISTER_COLUMNS, RegisterFileError};
use poem::http::StatusCode;

use super::{Explain, Problem, establishment_number_message, field_message};

impl Explain for RegisterFileError {
    fn explain(self) -> Problem {
        let columns = REGISTER_COLUMNS.join("、");
        let message = match self {
            Self::Empty => {
                "ファイルに事業所の行がありません。1行目に列名、2行目から事業所を記載してください。".to_owned()
            }
            Self::UnknownEncoding => {
                "ファイルの文字コードを読み取れません。UTF-8 または Shift_JIS（CP932）で保存し直してください。"
                    .to_owned()
            }
            Self::UnknownColumn(name) => format!("「{name}」という列は取り込めません。使用できる列は {columns} です。"),
            Self::MissingColumn(name) => format!("「{name}」の列がありません。1行目の列名をご確認ください。"),
            Self::DuplicateColumn(name) => format!("「{name}」の列が2つあります。1行目の列名をご確認ください。"),
            Self::TooManyLines(max) => {
                format!("行数が多すぎます。1回に取り込めるのは{max}行までです。ファイルを分けて取り込んでください。")
            }
            Self::Malformed(line) => {
                format!("{line}行目からCSVとして読み取れません。引用符（\"）が閉じられているかご確認ください。")
            }
        };
        Problem::new("invalid_register_file", StatusCode::BAD_REQUEST, message).on("file")
    }
}

impl Explain for RegisterImportError {
    fn explain(self) -> Problem {
        match self {
            Self::NotPermitted => Problem::not_permitted(),
            Self::Concurrent => Problem::new(
                "conflict",
                StatusCode::CONFLICT,
                "同じ時刻にほかの取込みが行われました。もう一度取り込んでください。",
            ),
            Self::Infrastructure(e) => Problem::infrastructure(&e),
        }
    }
}

/// A stable code for one reason a line was not imported.
pub(crate) fn line_problem_code(problem: &LineProblem) -> &'static str {
    match problem {
        LineProblem::ColumnCount { .. } => "column_count",
        LineProblem::Number(_) => "invalid_establishment_number",
        LineProblem::Field { problem, .. } => problem.code(),
        LineProblem::RepeatedNumber { .. } => "repeated_number",
        LineProblem::UnknownOffice => "unknown_office",
        LineProblem::OutsideOffice => "outside_office",
    }
}

/// The column a reason belongs to, when it belongs to one.
pub(crate) fn line_problem_column(problem: &LineProblem) -> Option<&'static str> {
    match problem {
        LineProblem::Field { column, .. } => Some(column),
        LineProblem::Number(_)
        | LineProblem::RepeatedNumber { .. }
        | LineProblem::UnknownOffice
        | LineProblem::OutsideOffice => Some(COLUMN_NUMBER),
        LineProblem::ColumnCount { .. } => None,
    }
}

/// One reason a line was not imported, in Japanese, naming its column.
pub(crate) fn line_problem_message(problem: &LineProblem) -> String {
    match problem {
        LineProblem::ColumnCount { expected, found } => {
            format!("列の数が{found}個です。1行目の列名と同じ{expected}個にしてください。")
        }
        LineProblem::Number(_) => format!("事業所番号：{}", establishment_number_message()),
        LineProblem::Field { column, problem } => format!("{column}：{}", field_message(problem)),
        LineProblem::RepeatedNumber { first_line } => format!("{first_line}行目と同じ事業所番号です。"),
        LineProblem::UnknownOffice => "事業所番号の先頭4桁が、登録されていない安定所の番号です。".to_owned(),
        LineProblem::OutsideOffice => {
            "ほかのハローワークの事業所番号です。所属する安定所の事業所だけを取り込めます。".to_owned()
        }
    }
}
