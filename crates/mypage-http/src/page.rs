//! The page shell, the stylesheet and the Japanese messages. Pages are server-rendered HTML that works without
//! JavaScript; the one script (terms scrolled to the end, R1) is a static file, so the CSP allows no inline script.

use maud::{DOCTYPE, Markup, html};
use mypage_domain::values::{FieldErrors, FieldProblem, PasswordPolicyError};

/// The stylesheet, embedded in the binary (no CDN). Colours and focus follow the Digital Agency's design system:
/// text contrast above 7:1, a visible focus ring, targets at least 44 px, readable at 360 px wide.
pub(crate) const CSS: &str = r#"
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;line-height:1.7;color:#1a1a1a;background:#fff}
a{color:#0017c1}a:hover{color:#000060}
header.site{background:#00118f;color:#fff;padding:.75rem 1rem}
header.site a{color:#fff;text-decoration:none;font-weight:bold}
header.site .sub{font-size:.875rem}
main{max-width:48rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.4;margin:1rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
.breadcrumb{font-size:.875rem;margin:.5rem 0}
.notice{border-left:.25rem solid #00118f;background:#f1f1ff;padding:.75rem 1rem;margin:1rem 0}
.error-summary{border:.2rem solid #ce0000;padding:.75rem 1rem;margin:1rem 0;background:#fff5f5}
.error-summary h2{margin:0 0 .5rem;font-size:1.1rem;color:#ce0000}
.field{margin:1.25rem 0}
label,.label{display:block;font-weight:bold;margin-bottom:.25rem}
.req{display:inline-block;margin-left:.5rem;padding:0 .4rem;font-size:.75rem;background:#ce0000;color:#fff;border-radius:.25rem;vertical-align:middle}
.hint{font-size:.875rem;color:#333;margin:.25rem 0}
.field-error{color:#ce0000;font-weight:bold;margin:.25rem 0}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=number],input[type=url],input[type=search],select,textarea{width:100%;max-width:32rem;min-height:2.75rem;padding:.5rem;font-size:1rem;border:1px solid #595959;border-radius:.25rem;background:#fff;color:#1a1a1a}
textarea{min-height:6rem}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:bold;margin-bottom:.25rem}
.table-scroll{overflow-x:auto;margin:1rem 0}
ul.menu{padding-left:1.25rem}ul.menu li{margin:.5rem 0;min-height:1.5rem}
.invalid input,.invalid select,.invalid textarea{border:2px solid #ce0000}
.check{display:flex;align-items:center;gap:.5rem;min-height:2.75rem}
.check input{width:1.5rem;height:1.5rem}
button,.button{display:inline-block;min-height:2.75rem;min-width:8rem;padding:.5rem 1.5rem;font-size:1rem;font-weight:bold;border-radius:.5rem;border:2px solid #00118f;background:#00118f;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button.secondary,.button.secondary{background:#fff;color:#00118f}
button[disabled]{background:#999;border-color:#999;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:1rem;margin:1.5rem 0}
:focus-visible{outline:.25rem solid #ffd43d;outline-offset:.125rem;box-shadow:0 0 0 .375rem #1a1a1a}
.terms{height:12rem;overflow-y:scroll;border:1px solid #595959;padding:.75rem;margin:.5rem 0;white-space:pre-wrap}
.entrances{display:grid;gap:1rem;grid-template-columns:1fr}
@media(min-width:40rem){.entrances{grid-template-columns:1fr 1fr}}
.entrance{border:1px solid #595959;border-radius:.5rem;padding:1rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #8c8c8c;padding:.5rem;text-align:left;vertical-align:top}
th{background:#f1f1f1}
footer.site{border-top:1px solid #8c8c8c;margin-top:2rem;padding:1rem;font-size:.875rem}
.key{font-family:monospace;letter-spacing:.1em}
"#;

/// Enables each consent box once its text has been scrolled to the end (R1). The server checks the boxes anyway.
pub(crate) const TERMS_JS: &str = r#"
document.querySelectorAll('[data-scroll-gate]').forEach(function (box) {
  var target = document.getElementById(box.getAttribute('data-scroll-gate'));
  if (!target) { return; }
  target.disabled = true;
  var hint = document.getElementById(box.id + '-hint');
  var check = function () {
    if (box.scrollHeight - box.scrollTop - box.clientHeight < 8) {
      target.disabled = false;
      if (hint) { hint.textContent = '最後までご覧いただきました。同意する場合はチェックを付けてください。'; }
    }
  };
  box.addEventListener('scroll', check);
  check();
});
"#;

/// The page shell.
pub(crate) fn layout(title: &str, help: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | 求人者マイページ" }
                link rel="stylesheet" href="/assets/site.css";
            }
            body {
                header.site {
                    a href="/" { "ハローワークインターネットサービス" }
                    div.sub { "求人者マイページ" }
                }
                main id="main" { (body) }
                footer.site {
                    p { a href="/help" { "お問い合わせ・ヘルプ" } }
                    p { (multiline(help)) }
                }
            }
        }
    }
}

/// A text with its line breaks kept.
pub(crate) fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// The hidden CSRF field every form carries.
pub(crate) fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The error summary at the top of a form: each message links to its field.
pub(crate) fn error_summary(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" id="errors" {
                h2 { "入力内容に誤りがあります" }
                ul {
                    @for (field, message) in errors {
                        li { a href={"#" (field)} { (message) } }
                    }
                }
            }
        }
    }
}

/// A message beside a field, if it has one.
pub(crate) fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! {
        @for (f, message) in errors {
            @if f == field { p.field-error id={(field) "-error"} { (message) } }
        }
    }
}

/// The Japanese message of a field problem.
pub(crate) fn problem_ja(problem: &FieldProblem) -> String {
    match problem {
        FieldProblem::Required => "入力してください。".into(),
        FieldProblem::TooLong { max } => format!("{max}文字以内で入力してください。"),
        FieldProblem::ControlCharacter => "使用できない文字が含まれています。".into(),
        FieldProblem::NotKatakana => "カタカナで入力してください。".into(),
        FieldProblem::InvalidPostalCode => "郵便番号は7桁の数字で入力してください（例：162-0846）。".into(),
        FieldProblem::InvalidPhone => {
            "電話番号は0から始まる10桁または11桁の数字で入力してください（例：03-1234-5678）。".into()
        }
        FieldProblem::InvalidUrl => "http:// または https:// から始まるアドレスを入力してください。".into(),
        FieldProblem::InvalidEmail(_) => "メールアドレスの形式で入力してください（例：saiyou@example.jp）。".into(),
        FieldProblem::NotANumber => "半角または全角の数字で入力してください。".into(),
        FieldProblem::OutOfRange { min, max } => format!("{min}から{max}までの数値で入力してください。"),
        FieldProblem::InvalidTime => "時刻は「09:00」のように入力してください。".into(),
        FieldProblem::UnknownChoice => "選択肢から選んでください。".into(),
        FieldProblem::Conflicts { with } => format!("「{}」の内容と矛盾しています。", label_ja(with)),
    }
}

/// The Japanese label of a form field, for messages that name another field.
pub(crate) fn label_ja(field: &str) -> &'static str {
    match field {
        "employees_total" => "従業員数（企業全体）",
        "employment_type" => "雇用形態",
        "wage_min" => "賃金（下限）",
        "age_min" => "年齢（下限）",
        _ => "関連する項目",
    }
}

/// Field errors as (field, message) pairs, in form order.
pub(crate) fn field_messages(errors: &FieldErrors) -> Vec<(String, String)> {
    errors.0.iter().map(|e| (e.field.to_owned(), problem_ja(&e.problem))).collect()
}

/// The Japanese message of a password refused by the rule (R5), with the field it belongs to.
pub(crate) fn password_problem(e: PasswordPolicyError) -> (String, String) {
    let (field, message) = match e {
        PasswordPolicyError::TooShort { min } => ("password", format!("{min}文字以上で入力してください。")),
        PasswordPolicyError::TooLong { max } => ("password", format!("{max}文字以内で入力してください。")),
        PasswordPolicyError::NotHalfWidth => {
            ("password", "半角の英字、数字、記号で入力してください（空白は使えません）。".into())
        }
        PasswordPolicyError::MissingDigit => ("password", "数字を1文字以上含めてください。".into()),
        PasswordPolicyError::MissingLetter => ("password", "英字を1文字以上含めてください。".into()),
        PasswordPolicyError::MissingSymbol => ("password", "記号を1文字以上含めてください。".into()),
        PasswordPolicyError::ControlCharacter => ("password", "使用できない文字が含まれています。".into()),
        PasswordPolicyError::ContainsEmail => {
            ("password", "メールアドレスの一部（@より前）を含むパスワードは使えません。".into())
        }
        PasswordPolicyError::TooCommon => {
            ("password", "よく使われていて推測されやすいパスワードです。別のパスワードにしてください。".into())
        }
        PasswordPolicyError::ConfirmationMismatch => ("confirmation", "確認用のパスワードが一致しません。".into()),
    };
    (field.to_owned(), message)
}
