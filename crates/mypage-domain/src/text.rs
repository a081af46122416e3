//! Character-level normalising shared by the value parsers.
//!
//! Japanese users type with an IME that often produces full-width digits, letters and hyphens.
//! Every parser folds those once, here, so that `１３０１－１２３４５６－７` and `1301-123456-7` are one value.

use unicode_normalization::UnicodeNormalization;

/// Folds full-width ASCII variants (U+FF01–U+FF5E) to ASCII and the ideographic space to a space.
pub(crate) fn fold_width(raw: &str) -> String {
    raw.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// True for the characters people type as a hyphen between digits: ASCII, Unicode dashes, minus signs
/// and the katakana prolonged sound mark that an IME produces in Japanese mode.
pub(crate) fn is_hyphen_like(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{30FC}'
            | '\u{FF0D}'
            | '\u{FF70}'
    )
}

/// Trims surrounding white space, including the ideographic space.
pub(crate) fn trim(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

/// Unicode NFKC: half-width katakana become full-width, full-width ASCII becomes ASCII.
pub(crate) fn nfkc(raw: &str) -> String {
    raw.nfkc().collect()
}

/// Keeps only ASCII digits after folding width and dropping hyphens and spaces; `None` if anything else is present.
pub(crate) fn digits_only(raw: &str) -> Option<String> {
    let folded = fold_width(trim(raw));
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !(is_hyphen_like(c) || c == ' ') {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_letters_and_space_fold_to_ascii() {
        assert_eq!(fold_width("１２ＡＢｃ＠\u{3000}"), "12ABc@ ");
    }

    #[test]
    fn digits_only_drops_every_kind_of_hyphen() {
        assert_eq!(digits_only(" １３０１ー１２３４５６－７ ").as_deref(), Some("13011234567"));
        assert_eq!(digits_only("13a"), None);
    }

    #[test]
    fn nfkc_turns_half_width_katakana_full_width() {
        assert_eq!(nfkc("ｶﾌﾞｼｷｶﾞｲｼｬ"), "カブシキガイシャ");
    }
}
