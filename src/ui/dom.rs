//! The few browser calls the UI needs, each failing soft (a missing window is not a panic).

use wasm_bindgen::JsValue;

/// The query string of the page (without `?`), or the hash when the query is empty.
pub fn location_query() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let q = loc.search().unwrap_or_default();
    let q = q.trim_start_matches('?').to_string();
    if q.is_empty() {
        loc.hash()
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_string()
    } else {
        q
    }
}

/// This page's path with `query` (none if empty).
fn url_with(w: &web_sys::Window, query: &str) -> String {
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// Opens `query` as a new page load: another page may come with its own build of the app (the
/// page's loader picks it from the query, see scripts/pages.mjs).
pub fn load_query(query: &str) {
    let Some(w) = web_sys::window() else { return };
    let _ = w.location().set_href(&url_with(&w, query));
}

/// Loads the current URL again (after the history moved to a page of another build).
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Replaces (or pushes) the page's query without reloading.
pub fn set_query(query: &str, push: bool) {
    let Some(w) = web_sys::window() else { return };
    let url = url_with(&w, query);
    if let Ok(h) = w.history() {
        let _ = if push {
            h.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

/// The absolute URL of the app with this query.
pub fn absolute_url(query: &str) -> String {
    let Some(w) = web_sys::window() else {
        return format!("?{query}");
    };
    let loc = w.location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_else(|_| "/".into());
    format!("{origin}{path}?{query}")
}

/// Copies text to the clipboard (best effort: the promise is not awaited, and a refusal — no
/// permission, an insecure page — is swallowed instead of surfacing as an uncaught rejection).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let p = w.navigator().clipboard().write_text(text);
        let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
        let _ = p.catch(&ignore);
        // One tiny closure per copy, kept alive for the promise.
        ignore.forget();
    }
}

/// Whether a CSS media query matches.
pub fn media(query: &str) -> bool {
    // A MediaQueryList stays live, so each query is made once and its `matches` read after
    // (the stage asks every frame; `matchMedia` builds a new list on every call).
    thread_local! {
        static LISTS: std::cell::RefCell<Vec<(String, web_sys::MediaQueryList)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    LISTS.with(|l| {
        if let Some((_, m)) = l.borrow().iter().find(|(q, _)| q == query) {
            return m.matches();
        }
        let Some(m) = web_sys::window().and_then(|w| w.match_media(query).ok().flatten()) else {
            return false;
        };
        let r = m.matches();
        l.borrow_mut().push((query.to_string(), m));
        r
    })
}

pub fn reduced_motion() -> bool {
    media("(prefers-reduced-motion: reduce)")
}

/// Milliseconds from the page's clock (for animation only, never for the model).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// A fresh seed for "random seed" (the only randomness outside the model).
pub fn random_seed() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    ((hi << 32) | lo) % 1_000_000_000
}

/// Whether the document is hidden (background tab).
pub fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.hidden())
        .unwrap_or(false)
}

/// Sets `data-theme` on the root element ("light", "dark", or "" for the system's).
pub fn set_theme(theme: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = if theme.is_empty() {
            el.remove_attribute("data-theme")
        } else {
            el.set_attribute("data-theme", theme)
        };
    }
}

/// Posts a message to the embedding page, if any.
pub fn post_to_parent(value: &JsValue) {
    if let Some(w) = web_sys::window() {
        if let Ok(Some(parent)) = w.parent() {
            let _ = parent.post_message(value, "*");
        }
    }
}

/// Markup that is only looked at (no listeners, no focus, no state of its own) from one string:
/// an element written with `html!` costs about a hundred bytes of wasm or more, in a string it
/// costs its text. Yew parses it in the parent's namespace (SVG inside an `<svg>`) and leaves the
/// DOM alone while the string stays the same. Text and attribute values go in through [`Esc`].
pub fn raw(markup: String) -> yew::Html {
    yew::Html::from_html_unchecked(markup.into())
}

/// Fixed markup (see [`raw`]), without an allocation.
pub fn raw_static(markup: &'static str) -> yew::Html {
    yew::Html::from_html_unchecked(yew::AttrValue::Static(markup))
}

/// Text or an attribute value for [`raw`] markup, with `&`, `<`, `>` and `"` escaped.
pub struct Esc<'a>(pub &'a str);

impl std::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"']) {
            f.write_str(&rest[..i])?;
            f.write_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                _ => "&quot;",
            })?;
            rest = &rest[i + 1..];
        }
        f.write_str(rest)
    }
}

/// `node`, an element `html!` made with the placeholder `class="_"` and at least one attribute that
/// is not a literal, with that class replaced by `class` (its names joined by spaces). A class that
/// is not a literal goes through yew's `Classes`, an `IndexSet` whose code (and hash table) only
/// it needs in the page: without it the first load is ~3 KB gzipped smaller. The class stays in
/// its place among the attributes (yew sets `class` last).
pub fn with_class(mut node: yew::Html, class: yew::AttrValue) -> yew::Html {
    use yew::virtual_dom::{AttributeOrProperty, Attributes, VNode};
    if let VNode::VTag(tag) = &mut node {
        if let Some(tag) = std::rc::Rc::get_mut(tag) {
            if let Attributes::Dynamic { keys, values } = &mut tag.attributes {
                if let Some(i) = keys.iter().position(|k| *k == "class") {
                    values[i] = Some(AttributeOrProperty::Attribute(class));
                    return node;
                }
            }
        }
    }
    debug_assert!(
        false,
        "with_class: no placeholder class among dynamic attributes"
    );
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use yew::prelude::*;
    use yew::virtual_dom::{AttributeOrProperty, Attributes, VNode};

    #[test]
    fn with_class_replaces_the_placeholder_in_its_place() {
        let id = "7".to_string();
        let node = with_class(
            html! { <g class="_" data-id={id} /> },
            "agent up selected".into(),
        );
        let VNode::VTag(tag) = &node else {
            panic!("not an element")
        };
        let Attributes::Dynamic { keys, values } = &tag.attributes else {
            panic!("attributes not dynamic")
        };
        assert_eq!(*keys, ["data-id", "class"]);
        match &values[1] {
            Some(AttributeOrProperty::Attribute(v)) => assert_eq!(v.as_str(), "agent up selected"),
            _ => panic!("class not set"),
        }
    }

    #[test]
    fn raw_text_is_escaped() {
        assert_eq!(
            Esc(r#"a<b & "c">"#).to_string(),
            "a&lt;b &amp; &quot;c&quot;&gt;"
        );
    }
}
