//! `establishments import FILE [--dry-run] [--skip-invalid]`: loads the office's establishment register (R18) from
//! the CSV its own system exports (UTF-8 or Shift_JIS). Every line is checked first; each wrong line is printed with
//! its line number (the header is line 1) and every reason; nothing is imported while a line is wrong unless
//! `--skip-invalid` is given; `--dry-run` writes nothing and prints what the import would do. The last line is the
//! summary `imported N, updated N, unchanged N, rejected N`; the exit status is 0 only when nothing was rejected.

use anyhow::{Context, Result};
use mypage_domain::model::ClientInfo;
use mypage_domain::usecases::{AdminActor, ImportOptions};
use mypage_domain::values::{EstablishmentNumberError, FieldProblem, LineProblem, RegisterFile, RegisterFileError};

use crate::config::Config;

const USAGE: &str = "usage: establishments import FILE [--dry-run] [--skip-invalid]";

/// Runs the command; `Ok(false)` when a line was rejected (the caller exits with status 1).
#[expect(clippy::print_stdout, reason = "a command prints its answer")]
pub(crate) async fn run(config: &Config, args: &[String]) -> Result<bool> {
    let (Some("import"), Some(path)) = (args.first().map(String::as_str), args.get(1)) else {
        anyhow::bail!(USAGE);
    };
    let mut options = ImportOptions::default();
    for flag in &args[2..] {
        match flag.as_str() {
            "--dry-run" => options.dry_run = true,
            "--skip-invalid" => options.skip_invalid = true,
            other => anyhow::bail!("{other:?}: {USAGE}"),
        }
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let file = RegisterFile::parse(&bytes).map_err(|e| anyhow::anyhow!("{path}: {}", file_problem(&e)))?;
    let wired = crate::wire(config).await?;
    // The command line acts as the system, which may load any office's numbers (R14).
    let report = wired.mypage.import_register(AdminActor::System, file, options, &ClientInfo::system()).await?;
    println!("{path}: {}", report.encoding.name());
    for line in &report.rejected {
        let reasons: Vec<String> = line.problems.iter().map(line_problem).collect();
        let number = if line.number.is_empty() { String::new() } else { format!(" ({})", line.number) };
        println!("line {}{number}: {}", line.line, reasons.join("; "));
    }
    if options.dry_run {
        println!("dry run: nothing was written");
    } else if !report.written {
        println!("nothing was imported: correct the lines above, or give --skip-invalid to import the others");
    }
    println!("{}", report.summary());
    Ok(report.rejected.is_empty())
}

fn file_problem(e: &RegisterFileError) -> String {
    match e {
        RegisterFileError::UnknownEncoding => {
            "the file is neither UTF-8 nor Shift_JIS (CP932); save it again in one of them".to_owned()
        }
        RegisterFileError::UnknownColumn(name) => {
            format!("unknown column {name:?}; the columns are {}", mypage_domain::values::REGISTER_COLUMNS.join(", "))
        }
        other => other.to_string(),
    }
}

fn line_problem(p: &LineProblem) -> String {
    match p {
        LineProblem::ColumnCount { expected, found } => format!("{found} cells, the header has {expected}"),
        LineProblem::Number(EstablishmentNumberError::Empty) => "事業所番号 is empty".to_owned(),
        LineProblem::Number(EstablishmentNumberError::NotDigits) => "事業所番号 is not digits".to_owned(),
        LineProblem::Number(EstablishmentNumberError::WrongLength(n)) => {
            format!("事業所番号 has {n} digits, 11 expected")
        }
        LineProblem::Field { column, problem } => format!("{column}: {}", field_problem(problem)),
        LineProblem::RepeatedNumber { first_line } => format!("the same 事業所番号 as line {first_line}"),
        LineProblem::UnknownOffice => "事業所番号 names an office this system does not have".to_owned(),
        LineProblem::OutsideOffice => "事業所番号 belongs to another office".to_owned(),
    }
}

fn field_problem(p: &FieldProblem) -> String {
    match p {
        FieldProblem::Required => "empty".to_owned(),
        FieldProblem::TooLong { max } => format!("over {max} characters"),
        FieldProblem::ControlCharacter => "has a control character or a line break".to_owned(),
        FieldProblem::NotKatakana => "not katakana".to_owned(),
        FieldProblem::InvalidPostalCode => "not a postal code of seven digits".to_owned(),
        FieldProblem::InvalidPhone => "not a phone number (10 or 11 digits starting with 0)".to_owned(),
        other => other.code().replace('_', " "),
    }
}
