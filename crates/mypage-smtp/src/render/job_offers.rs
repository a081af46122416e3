//! The mails about a job offer after opening (求人の申込み, R20): its receipt, its acceptance (受理), and the three
//! decisions with a note worded for a job offer, each naming the offer by its 職種 so that an employer with several
//! knows which.

use chrono::{DateTime, Utc};
use mypage_domain::values::jst;

use super::{MailConfig, Rendered, phone_in_brackets};

impl MailConfig {
    /// 求人申込みの受付のお知らせ.
    pub(super) fn job_offer_received(&self, occupation: &str, office_name: &str, at: DateTime<Utc>) -> Rendered {
        Rendered {
            subject: self.subject("求人申込みの受付のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 求人の申込みを受け付けました。\n\
                 \n\
                 \u{3000}職種：{occupation}\n\
                 \u{3000}受付日時：{at}\n\
                 \u{3000}担当：{office_name}\n\
                 \n\
                 今後、{office_name}で内容を確認し、求人を受理します。\n\
                 確認のため、ハローワークからお電話等でご連絡する場合があります。\n\
                 受理しましたら、あらためてメールでお知らせします。\n\
                 申し込んだ内容は、求人者マイページの「求人の申込み」でご確認いただけます。\n\
                 \n\
                 {footer}",
                at = jst(at),
                footer = self.footer(),
            ),
        }
    }

    /// 求人受理のお知らせ.
    pub(super) fn job_offer_accepted(&self, occupation: &str, office_name: &str, at: DateTime<Utc>) -> Rendered {
        Rendered {
            subject: self.subject("求人受理のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 お申込みいただいた求人を、{office_name}で受理しました。\n\
                 \n\
                 \u{3000}職種：{occupation}\n\
                 \u{3000}受理日時：{at}\n\
                 \n\
                 受理した求人の内容は、求人者マイページの「求人の申込み」でご確認いただけます。\n\
                 求人の内容を変更する場合や、ご不明な点は、{office_name}にお問い合わせください。\n\
                 \n\
                 {footer}",
                at = jst(at),
                footer = self.footer(),
            ),
        }
    }

    /// The office will contact the employer about a job offer.
    pub(super) fn job_offer_contact_needed(
        &self,
        occupation: &str,
        note: &str,
        office_name: &str,
        office_phone: Option<&str>,
    ) -> Rendered {
        Rendered {
            subject: self.subject("求人申込みの内容確認についてのご連絡"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 お申込みいただいた求人（職種：{occupation}）について、{office_name}から確認させていただきたい事項があります。\n\
                 \n\
                 ■ハローワークからの連絡事項\n\
                 {note}\n\
                 \n\
                 担当者から、お電話等でご連絡いたします。\n\
                 お急ぎの場合は、{office_name}{phone}にお問い合わせください。\n\
                 \n\
                 {footer}",
                phone = phone_in_brackets(office_phone),
                footer = self.footer(),
            ),
        }
    }

    /// A job offer returned for correction.
    pub(super) fn job_offer_returned(&self, occupation: &str, note: &str, office_name: &str) -> Rendered {
        Rendered {
            subject: self.subject("求人申込みの内容修正のお願い"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 お申込みいただいた求人（職種：{occupation}）について、{office_name}から修正のお願いがあります。\n\
                 \n\
                 ■修正していただきたい事項\n\
                 {note}\n\
                 \n\
                 求人者マイページにログインし、「求人の申込み」から内容を修正のうえ、あらためて申し込んでください。\n\
                 \n\
                 {footer}",
                footer = self.footer(),
            ),
        }
    }

    /// A job offer the office did not accept.
    pub(super) fn job_offer_rejected(
        &self,
        occupation: &str,
        reason: &str,
        office_name: &str,
        office_phone: Option<&str>,
    ) -> Rendered {
        Rendered {
            subject: self.subject("求人申込みの審査結果のお知らせ"),
            body: format!(
                "求人者マイページをご利用いただき、ありがとうございます。\n\
                 お申込みいただいた求人（職種：{occupation}）の内容を{office_name}で確認しましたが、\n\
                 誠に恐れ入りますが、このままでは求人を受理することができませんでした。\n\
                 \n\
                 ■理由\n\
                 {reason}\n\
                 \n\
                 ご不明な点は、{office_name}{phone}にお問い合わせください。\n\
                 \n\
                 {footer}",
                phone = phone_in_brackets(office_phone),
                footer = self.footer(),
            ),
        }
    }
}
