//! Self-contained HTML reports (inline SVG, no scripts, no external files):
//! the page every report of the toolkit is written into.

use crate::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}th{white-space:normal}.best{font-weight:bold;background:#e8f4e8}\
svg{margin:4px}.grid{display:flex;flex-wrap:wrap;align-items:flex-start}h2{margin-top:1.6em}.note{color:#666}";

/// A whole HTML document titled `title` around `body` (HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head>\
         <body><h1>{0}</h1>{body}</body></html>\n",
        escape(title)
    )
}

/// An HTML table: `header` cells, then one row per `rows` entry (text, escaped).
pub fn table<S: AsRef<str>>(header: &[&str], rows: &[Vec<S>]) -> String {
    let mut s = String::from("<table><tr>");
    for h in header {
        s += &format!("<th>{}</th>", escape(h));
    }
    s += "</tr>";
    for r in rows {
        s += "<tr>";
        for c in r {
            s += &format!("<td>{}</td>", escape(c.as_ref()));
        }
        s += "</tr>";
    }
    s + "</table>"
}
