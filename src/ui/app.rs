//! The root: a query-string switch between the gallery (no `s=`) and a scenario page. A link that
//! does not parse keeps the page alive: a banner says why and the defaults are used.

use super::dom;
use super::gallery::Gallery;
use super::page::ScenarioPage;
use crate::scenario::{find, url::Run};
use gloo::events::EventListener;
use yew::prelude::*;

/// Where the URL points.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Gallery { banner: Option<String> },
    Scenario { run: Run, banner: Option<String> },
}

/// Decides the route from a query string. Never fails: bad links fall back with a banner.
pub fn route_for(query: &str) -> Route {
    let q = query.trim().trim_start_matches(['?', '#']);
    let has_s = q.split('&').any(|p| p.starts_with("s="));
    if !has_s {
        return Route::Gallery { banner: None };
    }
    match Run::parse(q) {
        Ok(run) => Route::Scenario { run, banner: None },
        Err(e) => {
            let get = |key: &str| {
                q.split('&').find_map(|p| {
                    p.split_once('=')
                        .filter(|(k, _)| *k == key)
                        .map(|(_, v)| v.to_string())
                })
            };
            let s = get("s").unwrap_or_default();
            match find(&s) {
                Some(def) => {
                    let seed = get("seed").and_then(|v| v.parse().ok()).unwrap_or(1);
                    let mut run = Run::new(def.id, seed);
                    for k in ["embed", "autoplay", "loop", "theme"] {
                        if let Some(v) = get(k) {
                            run.page.insert(k.to_string(), v);
                        }
                    }
                    Route::Scenario {
                        run,
                        banner: Some(format!(
                            "This link could not be replayed ({e}); showing the scenario with its defaults instead."
                        )),
                    }
                }
                None => Route::Gallery {
                    banner: Some(format!("This link could not be opened: {e}.")),
                },
            }
        }
    }
}

/// The whole app, mounted on `<body>` by `src/main.rs`.
#[component]
pub fn App() -> Html {
    let route = use_state(|| route_for(&dom::location_query()));
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    route.set(route_for(&dom::location_query()))
                })
            });
            move || drop(listener)
        });
    }
    let open = {
        let route = route.clone();
        Callback::from(move |id: String| {
            let q = Run::new(&id, 1).to_query();
            dom::set_query(&q, true);
            route.set(route_for(&q));
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    let home = {
        let route = route.clone();
        Callback::from(move |_: ()| {
            dom::set_query("", true);
            route.set(Route::Gallery { banner: None });
        })
    };
    match &*route {
        Route::Gallery { banner } => html! {
            <Gallery banner={banner.clone()} on_open={open} />
        },
        Route::Scenario { run, banner } => html! {
            <ScenarioPage key={run.scenario.clone()} run={run.clone()} banner={banner.clone()} on_home={home} />
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_scenario_means_gallery() {
        assert_eq!(route_for(""), Route::Gallery { banner: None });
    }

    #[test]
    fn bad_params_fall_back_with_a_banner() {
        match route_for("s=heartbeat&seed=7&loss=200%25") {
            Route::Scenario { run, banner } => {
                assert_eq!(run.seed, 7);
                assert!(banner.is_some());
            }
            r => panic!("{r:?}"),
        }
        assert!(matches!(
            route_for("s=nope"),
            Route::Gallery { banner: Some(_) }
        ));
    }
}
