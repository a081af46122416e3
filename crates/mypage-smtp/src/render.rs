//! The mails, in Japanese, as an office would write them (R7): a subject with the service's name and a plain-text
//! body. Times are shown in Japan Standard Time.

use chrono::{DateTime, Utc};
use mypage_domain::HelpDesk;
use mypage_domain::model::{AccountStatus, Filing, FlowPurpose, MailTemplate, OutgoingMail};
use mypage_domain::values::{EmailAddress, jst};
use secrecy::ExposeSecret;

mod account_care;
mod job_offers;
mod office_digest;

/// What the mails say about their sender and where to get help; configuration, not code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The system address mails come from (R7); employers are told to allow it.
    pub from_address: EmailAddress,
    /// The sender's display name.
    pub from_name: String,
    /// The service's name, in every subject as 【…】.
    pub service_name: String,
    /// The service's top page, for "start again from the beginning".
    pub site_url: String,
    /// The help desk, in every footer (name, phone, hours, the phone's note, e-mail).
    pub help_desk: HelpDesk,
    /// The domain of Message-IDs (`<mail id@domain>`).
    pub message_id_domain: String,
}

impl MailConfig {
    /// The office's settings, as its guides give them.
    ///
    /// # Errors
    /// Never in practice; the address is a constant that parses.
    pub fn hello_work() -> Result<Self, mypage_domain::values::EmailAddressError> {
        Ok(Self {
            from_address: EmailAddress::parse("system@mail.hellowork.mhlw.go.jp")?,
            from_name: "ハローワークインターネットサービス".into(),
            service_name: "求人者マイページ".into(),
            site_url: "https://www.hellowork.mhlw.go.jp/".into(),
            help_desk: HelpDesk::default(),
            message_id_domain: "mail.hellowork.mhlw.go.jp".into(),
        })
    }
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject, with the service's name.
    pub subject: String,
    /// The plain-text body, lines ending in `\n`.
    pub body: String,
}

/// An office's phone after its name (「ハローワーク飯田橋（電話：03-3812-8609）」), or nothing when it has none.
fn phone_in_brackets(phone: Option<&str>) -> String {
    phone.map(|p| format!("（電話：{p}）")).unwrap_or_default()
}

/// Where a purpose starts again, as its button is labelled on the top page.
fn entrance(purpose: FlowPurpose) -> &'static str {
    match purpose {
        FlowPurpose::OpenMyPage => "「求人者マイページ開設（パスワード登録）」",
        FlowPurpose::SignUp => "「事業所登録・求人申し込み（仮登録）」",
        FlowPurpose::ResetPassword => "ログイン画面の「パスワードを忘れた方」",
        FlowPurpose::ChangeEmail => "求人者マイページの「アカウントの設定」にある「メールアドレスの変更」",
    }
}

impl MailConfig {
    fn subject(&self, what: &str) -> String {
        format!("【{}】{what}", self.service_name)
    }

    /// The help desk's lines, as seed 002 lays them out.
    fn help_lines(&self) -> String {
        let desk = &self.help_desk;
        let mut lines = vec![desk.name.clone(), format!("電話：{}", desk.phone), format!("受付日時：{}", desk.hours)];
        lines.extend(desk.phone_note.clone());
        lines.extend(desk.email.as_ref().map(|email| format!("メール：{email}")));
        lines.iter().map(|line| format!("{line}\n")).collect()
    }

    fn footer(&self) -> String {
        format!(
            "──────────────────────────────\n\
             このメールは送信専用アドレス（{from}）から送信しています。\n\
             このメールに返信されてもお答えできませんので、ご了承ください。\n\
             \n\
             ■お問い合わせ先（操作方法について）\n\
             {help}\
             \n\
             {site}\n\
             ──────────────────────────────\n",
            from = self.from_address,
            help = self.help_lines(),
            site = self.site_url,
        )
    }

    fn key_mail(&self, purpose: FlowPurpose, key: &str, issued: DateTime<Utc>, expires: DateTime<Utc>) -> Rendered {
        let minutes = (expires - issued).num_minutes();
        let (title, lead, screen) = match purpose {
            FlowPurpose::OpenMyPage => (
                "パスワード登録申込受付通知",
                "求人者マイページのパスワード登録申込を受け付けました。",
                "「パスワード登録」画面",
            ),
            FlowPurpose::SignUp => (
                "パスワード登録申込受付通知",
                "事業所登録・求人申し込み（仮登録）のためのパスワード登録申込を受け付けました。",
                "「パスワード登録」画面",
            ),
            FlowPurpose::ResetPassword => (
                "パスワード再設定申込受付通知",
                "求人者マイページのパスワード再設定の申込を受け付けました。",
                "「パスワード再設定」画面",
            ),
            FlowPurpose::ChangeEmail => (
                "メールアドレス変更申込受付通知",
                "求人者マイページのメールアドレスを、このメールアドレスに変更する申込を受け付けました。",
                "「メールアドレスの変更」画面",
            ),
        };
        // Changing the address asks only for the key; the other screens set a password with it.
        let what = if purpose == FlowPurpose::ChangeEmail {
            "次の認証キー"
        } else {
            "次の認証キーと新しいパスワード"
        };
        let body = format!(
            "求人者マイページをご利用いただき、ありがとうございます。\n\
             {lead}\n\
             \n\
             {screen}で、{what}を入力してください。\n\
             \n\
             \u{3000}認証キー：{key}\n\
             \u{3000}発行日時：{issued}\n\
             \u{3000}有効期限：{expires}まで（{minutes}分間）\n\
             \n\
             ※認証キーは、申込をした画面でのみ使用できます。登録が完了するまで{screen}を閉じないでください。\n\
             ※認証キーの再送信を申し込んだ場合は、有効期限内であれば、どの認証キーでも登録できます。\n\
             ※有効期限を過ぎた場合や、画面を閉じてしまった場合は、お手数ですが、\n\
             \u{3000}{entrance}からはじめからやり直してください。\n\
             ※このメールにお心当たりのない場合は、このメールを破棄してください。\n\
             \n\
             {footer}",
            issued = jst(issued),
            expires = jst(expires),
            entrance = entrance(purpose),
            footer = self.footer(),
        );
        Rendered { subject: self.subject(title), body }
    }

    fn notice_mail(&self, purpose: FlowPurpose, status: AccountStatus) -> Rendered {
        let advice = match (purpose, status) {
            (FlowPurpose::ChangeEmail, _) => {
                "このメールアドレスは、すでに求人者マイページのアカウントで使われているため、\n\
                 別のアカウントのメールアドレスとして登録することはできません。\n\
                 このメールアドレスのアカウントは、これまでどおりご利用いただけます。"
            }
            (_, AccountStatus::AwaitingPassword) => {
                "このメールアドレスは、ハローワークの窓口でご登録いただいておりますが、パスワードがまだ登録されていません。\n\
                 ハローワークインターネットサービスの「求人者マイページ開設（パスワード登録）」からパスワードを登録してください。"
            }
            (FlowPurpose::SignUp | FlowPurpose::OpenMyPage, _) => {
                "このメールアドレスでは、すでに求人者マイページが開設されています。\n\
                 ログイン画面から、登録済みのパスワードでログインしてください。\n\
                 パスワードをお忘れの場合は、ログイン画面の「パスワードを忘れた方」から再設定できます。"
            }
            (FlowPurpose::ResetPassword, _) => {
                "このメールアドレスの求人者マイページでは、パスワードの再設定を受け付けられませんでした。\n\
                 お手数ですが、管轄のハローワークにお問い合わせください。"
            }
        };
        let body = format!(
            "求人者マイページをご利用いただき、ありがとうございます。\n\
             このメールアドレスで、{entrance}の申込がありました。\n\
             \n\
             {advice}\n\
             \n\
             ※このメールにお心当たりのない場合は、このメールを破棄してください。\n\
             \n\
             {footer}",
            entrance = entrance(purpose),
            footer = self.footer(),
        );
        Rendered { subject: self.subject("お申込みについてのお知らせ"), body }
    }

    /// Renders a mail; `None` for a withheld mail, which has no text because it is never sent (R8).
    #[must_use]
    pub fn render(&self, mail: &OutgoingMail) -> Option<Rendered> {
        let rendered = match &mail.template {
            MailTemplate::Withheld { .. } => return None,
            MailTemplate::AuthKey { purpose, key, issued_at, expires_at } => {
                self.key_mail(*purpose, key.expose_secret(), *issued_at, *expires_at)
            }
            // The decoy is never shown: it only makes a notice cost what a key mail costs to queue.
            MailTemplate::AccountNotice { purpose, status, decoy: _ } => self.notice_mail(*purpose, *status),
            MailTemplate::RegistrationReceived { office_name, first_time, .. } => Rendered {
                subject: self.subject("求人仮登録の受付のお知らせ"),
                body: format!(
                    "求人者マイページをご利用いただき、ありがとうございます。\n\
                     事業所情報・求人情報の仮登録を受け付けました。\n\
                     \n\
                     \u{3000}受付日時：{at}\n\
                     \u{3000}担当：{office_name}\n\
                     \n\
                     {next}\
                     本登録が完了しましたら、あらためてメールでお知らせします。\n\
                     \n\
                     {footer}",
                    at = jst(mail.created_at),
                    // Seed 002, step 6: a first-time applicant completes 本登録 at the counter or by phone.
                    next = if *first_time {
                        format!(
                            "マイページの開設を完了するには、本登録の手続きが必要です。\n\
                             {office_name}の窓口または電話で、本登録の手続きを行ってください。\n\
                             内容の確認のため、ハローワークからご連絡する場合もあります。\n"
                        )
                    } else {
                        format!(
                            "今後、{office_name}で内容を確認し、本登録の手続きを行います。\n\
                             確認のため、ハローワークからお電話等でご連絡する場合があります。\n"
                        )
                    },
                    footer = self.footer(),
                ),
            },
            MailTemplate::RegistrationConfirmed { number, establishment_name } => Rendered {
                subject: self.subject("本登録完了のお知らせ"),
                body: format!(
                    "{establishment_name}\n\
                     ご担当者様\n\
                     \n\
                     求人者マイページをご利用いただき、ありがとうございます。\n\
                     ハローワークでの確認が終わり、本登録が完了しました。\n\
                     \n\
                     \u{3000}事業所番号：{number}\n\
                     \n\
                     事業所番号は、ハローワークでのお手続きやお問い合わせの際に必要となります。大切に保管してください。\n\
                     求人者マイページにログインすると、求人の申込みや内容の確認ができます。\n\
                     \n\
                     {footer}",
                    footer = self.footer(),
                ),
            },
            // A decision about a job offer is worded for it (R20); the arms after these are the registration's.
            MailTemplate::ContactNeeded { about: Filing::JobOffer { occupation }, note, office_name, office_phone } => {
                self.job_offer_contact_needed(occupation, note, office_name, office_phone.as_deref())
            }
            MailTemplate::RegistrationReturned { about: Filing::JobOffer { occupation }, note, office_name } => {
                self.job_offer_returned(occupation, note, office_name)
            }
            MailTemplate::RegistrationRejected {
                about: Filing::JobOffer { occupation },
                reason,
                office_name,
                office_phone,
            } => self.job_offer_rejected(occupation, reason, office_name, office_phone.as_deref()),
            MailTemplate::JobOfferReceived { occupation, office_name, .. } => {
                self.job_offer_received(occupation, office_name, mail.created_at)
            }
            MailTemplate::JobOfferAccepted { occupation, office_name, .. } => {
                self.job_offer_accepted(occupation, office_name, mail.created_at)
            }
            MailTemplate::ContactNeeded { note, office_name, office_phone, .. } => Rendered {
                subject: self.subject("仮登録の内容確認についてのご連絡"),
                body: format!(
                    "求人者マイページをご利用いただき、ありがとうございます。\n\
                     仮登録いただいた内容について、{office_name}から確認させていただきたい事項があります。\n\
                     \n\
                     ■ハローワークからの連絡事項\n\
                     {note}\n\
                     \n\
                     担当者から、お電話等でご連絡いたします。\n\
                     お急ぎの場合は、{office_name}{phone}にお問い合わせください。\n\
                     \n\
                     {footer}",
                    phone = phone_in_brackets(office_phone.as_deref()),
                    footer = self.footer(),
                ),
            },
            MailTemplate::RegistrationReturned { note, office_name, .. } => Rendered {
                subject: self.subject("仮登録の内容修正のお願い"),
                body: format!(
                    "求人者マイページをご利用いただき、ありがとうございます。\n\
                     仮登録いただいた内容について、{office_name}から修正のお願いがあります。\n\
                     \n\
                     ■修正していただきたい事項\n\
                     {note}\n\
                     \n\
                     求人者マイページにログインし、内容を修正のうえ、あらためて登録してください。\n\
                     \n\
                     {footer}",
                    footer = self.footer(),
                ),
            },
            MailTemplate::RegistrationRejected { reason, office_name, office_phone, .. } => Rendered {
                subject: self.subject("仮登録の審査結果のお知らせ"),
                body: format!(
                    "求人者マイページをご利用いただき、ありがとうございます。\n\
                     仮登録いただいた内容を{office_name}で確認しましたが、誠に恐れ入りますが、\n\
                     このままでは本登録を行うことができませんでした。\n\
                     \n\
                     ■理由\n\
                     {reason}\n\
                     \n\
                     ご不明な点は、{office_name}{phone}にお問い合わせください。\n\
                     \n\
                     {footer}",
                    phone = phone_in_brackets(office_phone.as_deref()),
                    footer = self.footer(),
                ),
            },
            MailTemplate::PasswordChanged { at, how, office_name, office_phone } => {
                self.password_changed(*at, *how, office_name.as_deref(), office_phone.as_deref())
            }
            MailTemplate::EmailChanged { new_email_masked, at, office_name, office_phone } => {
                self.email_changed(new_email_masked, *at, office_name.as_deref(), office_phone.as_deref())
            }
            MailTemplate::EmailChangeConfirmed { at } => self.email_change_confirmed(*at),
            MailTemplate::AccountClosed { at, office_name, office_phone } => {
                self.account_closed(*at, office_name.as_deref(), office_phone.as_deref())
            }
            MailTemplate::SessionsEnded { ended, at, office_name, office_phone } => {
                self.sessions_ended(*ended, *at, office_name.as_deref(), office_phone.as_deref())
            }
            MailTemplate::OfficeDigest {
                office_name,
                waiting,
                waiting_job_offers,
                new_since_last,
                oldest_submitted_at,
            } => self.office_digest(office_name, *waiting, *waiting_job_offers, *new_since_last, *oldest_submitted_at),
        };
        Some(rendered)
    }
}
