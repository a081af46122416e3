//! An office's areas (管轄区域): the municipalities whose employers it serves, each a prefecture and a municipality,
//! so that a first-time employer (case C) finds its office of jurisdiction from where it works.

use super::{FieldError, FieldErrors, FieldProblem};
use crate::text::{nfkc, trim};

/// The 47 prefectures (都道府県), in the order of their JIS codes, as a form offers them.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The most characters of a municipality (市区町村), a designated city's ward included (`大阪市中央区`).
pub const MUNICIPALITY_MAX: usize = 30;
/// The most areas one office keeps.
pub const OFFICE_AREAS_MAX: usize = 300;

/// One area as typed: a prefecture and a municipality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct OfficeAreaInput {
    /// 都道府県 (`東京都`).
    pub prefecture: String,
    /// 市区町村 (`千代田区`).
    pub municipality: String,
}

impl OfficeAreaInput {
    /// Splits one line as a page takes it, 「東京都 千代田区」 (any spaces, full-width too) or 「東京都千代田区」.
    #[must_use]
    pub fn from_line(line: &str) -> Self {
        let line = nfkc(trim(line));
        if let Some((prefecture, municipality)) = line.split_once(char::is_whitespace) {
            return Self { prefecture: prefecture.to_owned(), municipality: municipality.trim().to_owned() };
        }
        match PREFECTURES.iter().find(|p| line.starts_with(**p)) {
            Some(p) => Self { prefecture: (*p).to_owned(), municipality: line[p.len()..].to_owned() },
            None => Self { prefecture: line, municipality: String::new() },
        }
    }
}

/// One area, checked: a prefecture of [`PREFECTURES`] and a municipality of 1 to [`MUNICIPALITY_MAX`] characters,
/// NFKC-normalised, without spaces or control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficeArea {
    prefecture: String,
    municipality: String,
}

impl OfficeArea {
    /// Checks one area.
    ///
    /// # Errors
    /// [`FieldProblem::UnknownChoice`] for a prefecture that is not one of the 47, [`FieldProblem::Required`] for
    /// a missing municipality, [`FieldProblem::ControlCharacter`] or [`FieldProblem::TooLong`] for a wrong one.
    pub fn parse(input: &OfficeAreaInput) -> Result<Self, FieldProblem> {
        let prefecture = nfkc(trim(&input.prefecture));
        if !PREFECTURES.contains(&prefecture.as_str()) {
            return Err(FieldProblem::UnknownChoice);
        }
        let municipality = nfkc(trim(&input.municipality));
        if municipality.is_empty() {
            return Err(FieldProblem::Required);
        }
        if municipality.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(FieldProblem::ControlCharacter);
        }
        if municipality.chars().count() > MUNICIPALITY_MAX {
            return Err(FieldProblem::TooLong { max: MUNICIPALITY_MAX });
        }
        Ok(Self { prefecture, municipality })
    }

    /// 都道府県.
    #[must_use]
    pub fn prefecture(&self) -> &str {
        &self.prefecture
    }

    /// 市区町村.
    #[must_use]
    pub fn municipality(&self) -> &str {
        &self.municipality
    }

    /// Whether a place an employer typed lies in this area. Both are compared after NFKC and trimming; the
    /// municipality is matched leniently in two ways only: its suffix may be left out (「千代田」 for 「千代田区」,
    /// 「八丈」 for 「八丈町」), and a designated city's ward may be typed without its city (「中央区」 for
    /// 「大阪市中央区」, within the same prefecture).
    #[must_use]
    pub fn contains(&self, prefecture: &str, municipality: &str) -> bool {
        let (prefecture, typed) = (nfkc(trim(prefecture)), nfkc(trim(municipality)));
        if prefecture != self.prefecture || typed.is_empty() {
            return false;
        }
        let area = self.municipality.as_str();
        if area == typed {
            return true;
        }
        if let Some(suffix) = area.strip_prefix(typed.as_str()) {
            return matches!(suffix, "市" | "区" | "町" | "村");
        }
        typed.ends_with('区') && area.strip_suffix(typed.as_str()).is_some_and(|city| city.ends_with('市'))
    }
}

/// Checks every area of a list, skipping blank entries (a page's empty lines, still counted) and dropping repeated
/// ones, and keeping the order. A wrong area is reported under the
/// field `areas` as [`FieldProblem::InEntry`], naming its place in the list (from 1).
///
/// # Errors
/// [`FieldErrors`], one per wrong area, or one [`FieldProblem::TooLong`] when there are more than
/// [`OFFICE_AREAS_MAX`].
pub fn parse_office_areas(inputs: &[OfficeAreaInput]) -> Result<Vec<OfficeArea>, FieldErrors> {
    let mut areas: Vec<OfficeArea> = Vec::new();
    let mut errors = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if trim(&input.prefecture).is_empty() && trim(&input.municipality).is_empty() {
            continue;
        }
        match OfficeArea::parse(input) {
            Ok(area) if !areas.contains(&area) => areas.push(area),
            Ok(_) => {}
            Err(problem) => {
                errors.push(FieldError {
                    field: "areas",
                    problem: FieldProblem::InEntry { entry: i + 1, problem: Box::new(problem) },
                });
            }
        }
    }
    if areas.len() > OFFICE_AREAS_MAX {
        errors.push(FieldError { field: "areas", problem: FieldProblem::TooLong { max: OFFICE_AREAS_MAX } });
    }
    if errors.is_empty() { Ok(areas) } else { Err(FieldErrors(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(prefecture: &str, municipality: &str) -> OfficeArea {
        OfficeArea::parse(&OfficeAreaInput { prefecture: prefecture.into(), municipality: municipality.into() })
            .unwrap()
    }

    #[test]
    fn a_line_splits_with_or_without_a_space() {
        let want = OfficeAreaInput { prefecture: "東京都".into(), municipality: "千代田区".into() };
        assert_eq!(OfficeAreaInput::from_line(" 東京都　千代田区 "), want);
        assert_eq!(OfficeAreaInput::from_line("東京都千代田区"), want);
        assert_eq!(OfficeAreaInput::from_line("千代田区").municipality, "");
    }

    #[test]
    fn each_wrong_area_is_named_by_its_place() {
        let lines = ["東京都 千代田区", "東京 千代田区", "大阪府", "　", "東京都 あ\u{7}"];
        let inputs: Vec<_> = lines.iter().map(|l| OfficeAreaInput::from_line(l)).collect();
        let errors = parse_office_areas(&inputs).unwrap_err();
        let entries: Vec<_> = errors
            .0
            .iter()
            .map(|e| match &e.problem {
                FieldProblem::InEntry { entry, problem } => (*entry, (**problem).clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            entries,
            [(2, FieldProblem::UnknownChoice), (3, FieldProblem::Required), (5, FieldProblem::ControlCharacter)]
        );
        let long = OfficeAreaInput { prefecture: "東京都".into(), municipality: "あ".repeat(MUNICIPALITY_MAX + 1) };
        assert_eq!(OfficeArea::parse(&long), Err(FieldProblem::TooLong { max: MUNICIPALITY_MAX }));
    }

    #[test]
    fn repeated_areas_are_kept_once_and_text_is_normalised() {
        let inputs = [
            OfficeAreaInput { prefecture: " 東京都".into(), municipality: "ﾁﾖﾀﾞ".into() },
            OfficeAreaInput { prefecture: "東京都".into(), municipality: "チヨダ".into() },
        ];
        let areas = parse_office_areas(&inputs).unwrap();
        assert_eq!(areas, [area("東京都", "チヨダ")]);
    }

    #[test]
    fn a_place_matches_exactly_or_without_its_suffix() {
        let chiyoda = area("東京都", "千代田区");
        assert!(chiyoda.contains("東京都", "千代田区"));
        assert!(chiyoda.contains(" 東京都 ", "千代田"));
        assert!(!chiyoda.contains("大阪府", "千代田区"));
        assert!(!chiyoda.contains("東京都", "千代"));
        assert!(!chiyoda.contains("東京都", ""));
        let ward = area("大阪府", "大阪市中央区");
        assert!(ward.contains("大阪府", "中央区"));
        assert!(ward.contains("大阪府", "大阪市中央"));
        assert!(!ward.contains("東京都", "中央区"));
        assert!(!ward.contains("大阪府", "大阪市"));
    }
}
