//! The mails of the account's care (R19): a password changed, an address changed (a notice to the old address and a
//! confirmation to the new one), other sessions logged out, and an account closed. Each says what to do if it was not you: call the office.

use chrono::{DateTime, Utc};
use mypage_domain::model::PasswordChange;
use mypage_domain::values::jst;

use super::{MailConfig, Rendered, phone_in_brackets};

/// 「管轄のハローワーク飯田橋（電話：…）」, or plain 「管轄のハローワーク」 for an account not yet linked to one.
fn office_line(office_name: Option<&str>, office_phone: Option<&str>) -> String {
    format!("管轄の{}{}", office_name.unwrap_or("ハローワーク"), phone_in_brackets(office_phone))
}

/// What to do when a change the mail tells of was not the employer's: reset the password and call the office.
fn not_you(office_name: Option<&str>, office_phone: Option<&str>) -> String {
    format!(
        "お心当たりのない場合は、第三者による不正な操作のおそれがあります。\n\
         至急、ログイン画面の「パスワードを忘れた方」からパスワードを再設定し、\n\
         {}にご連絡ください。",
        office_line(office_name, office_phone)
    )
}

impl MailConfig {
    /// パスワード変更完了のお知らせ, after a reset (R17) or a change while logged in (R19).
    pub(super) fn password_changed(
        &self,
        at: DateTime<Utc>,
        how: PasswordChange,
        office_name: Option<&str>,
        office_phone: Option<&str>,
    ) -> Rendered {
        let what = match how {
            PasswordChange::Reset => {
                "「パスワードを忘れた方」からの再設定により、求人者マイページのパスワードが変更されました。"
            }
            PasswordChange::ChangedWhileLoggedIn => {
                "求人者マイページの「パスワードの変更」により、パスワードが変更されました。\n\
                 変更の手続きを行った端末以外では、ログアウトしています。"
            }
        };
        Rendered {
            subject: self.subject("パスワード変更完了のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 {at}に、{what}\n\
                 \n\
                 {not_you}\n\
                 \n\
                 {footer}",
                at = jst(at),
                not_you = not_you(office_name, office_phone),
                footer = self.footer(),
            ),
        }
    }

    /// To the old address: メールアドレス変更のお知らせ (R19).
    pub(super) fn email_changed(
        &self,
        new_email_masked: &str,
        at: DateTime<Utc>,
        office_name: Option<&str>,
        office_phone: Option<&str>,
    ) -> Rendered {
        Rendered {
            subject: self.subject("メールアドレス変更のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 {at}に、求人者マイページに登録されているメールアドレスが変更されました。\n\
                 \n\
                 \u{3000}変更後のメールアドレス：{new_email_masked}\n\
                 \n\
                 今後、ログインやお知らせのメールには、変更後のメールアドレスを使用します。\n\
                 このメールアドレスには、今後お知らせをお送りしません。\n\
                 \n\
                 お心当たりのない場合は、第三者による不正な操作のおそれがあります。\n\
                 至急、{office}にお電話でご連絡ください。\n\
                 \n\
                 {footer}",
                at = jst(at),
                office = office_line(office_name, office_phone),
                footer = self.footer(),
            ),
        }
    }

    /// To the new address: メールアドレス変更完了のお知らせ (R19).
    pub(super) fn email_change_confirmed(&self, at: DateTime<Utc>) -> Rendered {
        Rendered {
            subject: self.subject("メールアドレス変更完了のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 {at}に、求人者マイページのメールアドレスをこのメールアドレスに変更しました。\n\
                 \n\
                 次回からは、このメールアドレスと登録済みのパスワードでログインしてください。\n\
                 ハローワークからのお知らせも、このメールアドレスにお送りします。\n\
                 \n\
                 {footer}",
                at = jst(at),
                footer = self.footer(),
            ),
        }
    }

    /// アカウント削除（利用停止）完了のお知らせ (R19).
    /// ログアウトのお知らせ: other sessions of the account were logged out from ログイン中の端末 (R19).
    pub(super) fn sessions_ended(
        &self,
        ended: u64,
        at: DateTime<Utc>,
        office_name: Option<&str>,
        office_phone: Option<&str>,
    ) -> Rendered {
        Rendered {
            subject: self.subject("ログアウトのお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 {at}に、「ログイン中の端末」から、このアカウントでログインしていた{ended}台の端末をログアウトさせました。\n\
                 \n\
                 {not_you}\n\
                 \n\
                 {footer}",
                at = jst(at),
                not_you = not_you(office_name, office_phone),
                footer = self.footer(),
            ),
        }
    }

    pub(super) fn account_closed(
        &self,
        at: DateTime<Utc>,
        office_name: Option<&str>,
        office_phone: Option<&str>,
    ) -> Rendered {
        Rendered {
            subject: self.subject("アカウント削除（利用停止）完了のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 {at}に、求人者マイページのアカウントを削除（利用停止）しました。\n\
                 \n\
                 ・このアカウントでは、今後ログインできません。\n\
                 ・手続き中の仮登録は取下げました。\n\
                 ・これまでにハローワークへ提出いただいた内容と手続きの記録は、ハローワークで保管します。\n\
                 ・このメールアドレスで、あらためて求人者マイページを開設することができます。\n\
                 \n\
                 ご不明な点や、お心当たりのない場合は、{office}にお問い合わせください。\n\
                 \n\
                 {footer}",
                at = jst(at),
                office = office_line(office_name, office_phone),
                footer = self.footer(),
            ),
        }
    }
}
