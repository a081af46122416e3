//! The digest an office's system sends its staff when submissions wait in the review queue (R20): counts and the
//! oldest waiting time only, never an employer's details, since the mail leaves the console's protection; and where
//! in the console the queue is.

use chrono::{DateTime, Utc};
use mypage_domain::values::jst;

use super::{MailConfig, Rendered};

/// The console's page with the review queue, after the site's address.
const QUEUE_PATH: &str = "/staff";

impl MailConfig {
    /// 審査待ちの仮登録・求人申込みのお知らせ, to the office's notification address.
    pub(super) fn office_digest(
        &self,
        office_name: &str,
        waiting: u64,
        job_offers: u64,
        new_since_last: u64,
        oldest_submitted_at: Option<DateTime<Utc>>,
    ) -> Rendered {
        let oldest =
            oldest_submitted_at.map(|at| format!("\u{3000}最も古い受付日時：{}\n", jst(at))).unwrap_or_default();
        let registrations = waiting.saturating_sub(job_offers);
        Rendered {
            subject: self.subject(&format!("審査待ちの仮登録・求人申込みのお知らせ（{office_name}）")),
            body: format!(
                "{office_name}\n\
                 職員各位\n\
                 \n\
                 求人者マイページで受け付けた仮登録・求人の申込みが、審査を待っています。\n\
                 職員用画面にログインし、「審査待ちの仮登録」から内容を確認してください。\n\
                 \n\
                 \u{3000}審査待ちの件数：{waiting}件（仮登録 {registrations}件、求人の申込み {job_offers}件）\n\
                 \u{3000}（うち、前回のお知らせ以降の受付：{new_since_last}件）\n\
                 {oldest}\
                 \n\
                 職員用画面：{site}{QUEUE_PATH}\n\
                 \n\
                 このお知らせは、新しい受付があったときに、一定の間隔をあけてまとめてお送りしています。\n\
                 事業所や求人の内容は、このメールには記載していません。\n\
                 \n\
                 ──────────────────────────────\n\
                 このメールは送信専用アドレス（{from}）から送信しています。\n\
                 通知先のメールアドレスは、職員用画面の「ハローワークの管理」で変更できます。\n\
                 ──────────────────────────────\n",
                site = self.site_url.trim_end_matches('/'),
                from = self.from_address,
            ),
        }
    }
}
