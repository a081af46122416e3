//! Times as Japanese pages and mails write them: `2026年11月23日（月）10時30分`, in Japan Standard Time.

use chrono::{DateTime, Datelike, FixedOffset, Utc};

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// A time in Japan Standard Time with the weekday, as the office writes it (R7).
#[must_use]
pub fn jst(at: DateTime<Utc>) -> String {
    let Some(tokyo) = FixedOffset::east_opt(9 * 3600) else { return at.to_rfc3339() };
    let t = at.with_timezone(&tokyo);
    let weekday = WEEKDAYS[t.weekday().num_days_from_monday() as usize];
    format!("{}（{weekday}）{}", t.format("%Y年%m月%d日"), t.format("%H時%M分"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn r7_times_are_shown_in_japan_standard_time_with_the_weekday() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 15, 5, 0).unwrap();
        assert_eq!(jst(at), "2026年11月24日（火）00時05分");
    }
}
