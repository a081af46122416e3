//! The web adapter's own shape, checked on its source: small files, a `lib.rs` that only declares and routes, no
//! import back up to the crate root, each Japanese text written once, and the CSRF field named only where it is
//! written and checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&root, &mut out);
    out.into_iter().map(|(p, t)| (p.strip_prefix(&root).unwrap().to_path_buf(), t)).collect()
}

/// The string literals of a Rust source (plain and raw), skipping comments and character literals.
fn string_literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' if chars.get(i + 2) == Some(&'\'') || (chars.get(i + 1) == Some(&'\\')) => {
                // A character literal such as '"' or '\n'.
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
            }
            'r' if matches!(chars.get(i + 1), Some('#' | '"')) && (i == 0 || !chars[i - 1].is_alphanumeric()) => {
                let mut hashes = 0;
                let mut j = i + 1;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = j + 1;
                let mut k = start;
                while k < chars.len() {
                    if chars[k] == '"' && (1..=hashes).all(|h| chars.get(k + h) == Some(&'#')) {
                        break;
                    }
                    k += 1;
                }
                out.push(chars[start..k.min(chars.len())].iter().collect());
                i = k + hashes;
            }
            '"' => {
                let mut k = i + 1;
                let mut text = String::new();
                while k < chars.len() && chars[k] != '"' {
                    if chars[k] == '\\' {
                        text.push(chars[k]);
                        k += 1;
                    }
                    if let Some(c) = chars.get(k) {
                        text.push(*c);
                    }
                    k += 1;
                }
                out.push(text);
                i = k;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn is_japanese(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff01}'..='\u{ffef}'))
}

#[test]
fn no_source_file_is_over_500_lines_and_lib_only_declares_and_routes() {
    for (path, text) in sources() {
        let lines = text.lines().count();
        assert!(lines <= 500, "{} has {lines} lines", path.display());
        if path == Path::new("lib.rs") {
            assert!(lines < 150, "lib.rs has {lines} lines");
        }
    }
}

#[test]
fn no_module_imports_back_up_from_the_crate_root() {
    let files = sources();
    let lib = &files.iter().find(|(p, _)| p == Path::new("lib.rs")).unwrap().1;
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod ").or_else(|| l.trim().strip_prefix("pub mod ")))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    for (path, text) in &files {
        if path == Path::new("lib.rs") {
            continue;
        }
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + 7..];
            let names: Vec<String> = match rest.strip_prefix('{') {
                // `use crate::{a::X, b}`: each first segment of the group.
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or_default().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect(),
                None => vec![rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()],
            };
            for name in names {
                assert!(
                    modules.contains(&name.as_str()),
                    "{} reaches `crate::{name}`, which is not a module: import it from its module",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn each_japanese_text_is_written_in_exactly_one_file() {
    let mut homes: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (path, text) in sources() {
        for literal in string_literals(&text).into_iter().filter(|l| is_japanese(l)) {
            let files = homes.entry(literal).or_default();
            if !files.contains(&path) {
                files.push(path.clone());
            }
        }
    }
    let twice: Vec<String> = homes
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(text, files)| format!("{text:?} in {files:?}"))
        .collect();
    assert!(twice.is_empty(), "written in more than one file:\n{}", twice.join("\n"));
}

#[test]
fn the_csrf_field_is_named_only_by_the_extractor_and_the_page_layout() {
    for (path, text) in sources() {
        if string_literals(&text).iter().any(|l| l == "csrf") {
            assert!(
                [Path::new("extract.rs"), Path::new("pages/layout.rs")].contains(&path.as_path()),
                "{} names the CSRF field",
                path.display()
            );
        }
    }
}

#[test]
fn the_literal_scanner_finds_plain_and_raw_strings_but_not_comments() {
    let found = string_literals("let a = \"x\\\"y\"; // \"not\"\nlet b = r#\"z\"#; let c = '\"';");
    assert_eq!(found, vec!["x\\\"y".to_owned(), "z".to_owned()]);
}
