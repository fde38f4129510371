//! A panic in wasm must not leave a dead page: the hook draws an overlay (plain DOM, since Yew
//! cannot render any more) with the message and a "copy bug report" button carrying the run's URL.

use wasm_bindgen::JsCast;

/// Installs the hook (once, from `main`).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        show_overlay(&message);
    }));
}

fn show_overlay(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let Ok(div) = doc.create_element("div") else {
        return;
    };
    div.set_class_name("panic-overlay");
    let _ = div.set_attribute("role", "alertdialog");
    let _ = div.set_attribute("aria-label", "Swarmscope stopped");
    let _ = div.set_attribute("data-testid", "panic-overlay");
    let text = |tag: &str, s: &str| {
        doc.create_element(tag).ok().inspect(|e| {
            e.set_text_content(Some(s));
        })
    };
    let parts = [
        text("h2", "Something broke inside the simulation"),
        text(
            "p",
            "The page stopped to avoid showing a wrong run. Copy the bug report (it is the link to \
             this exact run) and reload to continue.",
        ),
        text("pre", message),
    ];
    for p in parts.into_iter().flatten() {
        let _ = div.append_child(&p);
    }
    if let Ok(btn) = doc.create_element("button") {
        btn.set_text_content(Some("Copy bug report"));
        let _ = btn.set_attribute(
            "onclick",
            "navigator.clipboard&&navigator.clipboard.writeText(location.href+'\\n\\n'+this.previousSibling.textContent);this.textContent='Copied'",
        );
        let _ = div.append_child(&btn);
    }
    if let Ok(btn) = doc.create_element("button") {
        btn.set_text_content(Some("Reload"));
        let _ = btn.set_attribute("onclick", "location.reload()");
        let _ = div.append_child(&btn);
    }
    if let Ok(el) = div.dyn_into::<web_sys::HtmlElement>() {
        let _ = body.append_child(&el);
    }
}
