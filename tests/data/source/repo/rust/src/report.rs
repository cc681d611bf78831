//! Render counts as text (nothing tests this module).

pub fn render(pairs: &[(String, u64)]) -> String {
    let mut out = String::new();
    for (word, n) in pairs {
        out.push_str(&format!("{word}: {n}\n"));
    }
    out
}
