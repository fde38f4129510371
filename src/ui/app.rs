//! The root: a query-string switch between the gallery (no `s=`) and a scenario page. A link that
//! does not parse keeps the page alive: a banner says why and the defaults are used.

use super::{build, dom, GalleryProps, PageProps};
use crate::scenario::{find, runs_here, url::Run, CARDS};
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
            // A bad view setting (speed, time) costs only that setting, not the run.
            if let Some((run, key)) = view_key_fallback(q) {
                return Route::Scenario {
                    run,
                    banner: Some(format!(
                        "Part of this link was not understood ({e}); the run is shown with the default {}.",
                        if key == "t" { "time" } else { key }
                    )),
                };
            }
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

/// The run without one bad view key (`speed`, `t`), if that is all that was wrong.
fn view_key_fallback(q: &str) -> Option<(Run, &'static str)> {
    ["speed", "t"].into_iter().find_map(|key| {
        let rest: Vec<&str> = q
            .split('&')
            .filter(|p| p.split('=').next() != Some(key))
            .collect();
        if rest.len() == q.split('&').count() {
            return None;
        }
        Run::parse(&rest.join("&")).ok().map(|r| (r, key))
    })
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
                    let q = dom::location_query();
                    if drawn_here(&q) {
                        route.set(route_for(&q));
                    } else {
                        // Back or forward to a page of another build: load that build.
                        dom::reload();
                    }
                })
            });
            move || drop(listener)
        });
    }
    let open = {
        let route = route.clone();
        Callback::from(move |id: String| {
            let q = Run::new(&id, 1).to_query();
            if !drawn_here(&q) {
                // The gallery's build loads the page's own.
                dom::load_query(&q);
                return;
            }
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
            if !drawn_here("") {
                // A scenario's page build loads the gallery's.
                dom::load_query("");
                return;
            }
            dom::set_query("", true);
            route.set(Route::Gallery { banner: None });
        })
    };
    let b = build();
    // The page's loader chose a build without this page (only a stale cache could): say so.
    let stale = html! {
        <main class="gallery">
            <div class="banner" role="alert" data-testid="url-banner">
                { "This page is not in the part of Swarmscope that was loaded. " }
                <button onclick={Callback::from(|_: MouseEvent| dom::reload())}>{ "Reload" }</button>
            </div>
        </main>
    };
    if !drawn_here(&dom::location_query()) {
        return stale;
    }
    match (&*route, b.gallery, b.page) {
        (Route::Gallery { banner }, Some(gallery), _) => gallery(GalleryProps {
            banner: banner.clone(),
            on_open: open,
        }),
        (Route::Scenario { run, banner }, _, Some(page)) if runs_here(&run.scenario) => {
            page(PageProps {
                run: run.clone(),
                banner: banner.clone(),
                on_home: home,
            })
        }
        _ => stale,
    }
}

/// Whether this build draws the page at `query` (else it loads the build that does).
fn drawn_here(query: &str) -> bool {
    drawn_by(&build(), runs_here, query)
}

/// Whether build `b`, running the scenarios for which `runs` holds, draws the page at `query`.
/// Decided by the catalogue's cards, not by [`route_for`]: a build without a scenario's
/// definition cannot parse a link to it (it would take it for a bad link).
fn drawn_by(b: &super::Build, runs: impl Fn(&str) -> bool, query: &str) -> bool {
    // As `Run::parse` reads it: the last `s=`, percent-decoded (so does the page's loader).
    let q = query.trim().trim_start_matches(['?', '#']);
    let s = q.split('&').rev().find_map(|p| p.strip_prefix("s="));
    let s = s.and_then(|s| crate::sim::intervention::pct_decode(s).ok());
    match s.and_then(|s| CARDS.iter().find(|c| c.id == s)) {
        Some(card) => b.page.is_some() && runs(card.id),
        // The gallery, or a link to no scenario (the gallery with a banner).
        None => b.gallery.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_build_draws_its_own_pages_and_loads_the_others() {
        let (full, gallery) = (crate::ui::FULL, crate::ui::GALLERY);
        let cap = crate::ui::page_of(&[crate::protocols::cap::BUILDER], crate::ui::no_study);
        let only = |id: &'static str| move |s: &str| s == id;
        for q in ["", "?", "s=nosuch&seed=1", "seed=3"] {
            assert!(drawn_by(&full, |_| true, q), "{q}");
            assert!(drawn_by(&gallery, |_| false, q), "{q}");
            assert!(!drawn_by(&cap, only("cap"), q), "{q}");
        }
        for q in [
            "s=cap&seed=1",
            "?s=cap",
            "#s=cap&t=1s",
            "seed=2&s=cap",
            "??s=%63ap",
            "s=quorum&s=cap",
        ] {
            assert!(drawn_by(&full, |_| true, q), "{q}");
            assert!(!drawn_by(&gallery, |_| false, q), "{q}");
            assert!(drawn_by(&cap, only("cap"), q), "{q}");
        }
        // Another scenario's page, even one whose link would not parse here.
        for q in ["s=quorum&seed=1", "s=bully&variant=meek&loss=900%25"] {
            assert!(!drawn_by(&gallery, |_| false, q), "{q}");
            assert!(!drawn_by(&cap, only("cap"), q), "{q}");
        }
    }

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

    #[test]
    fn a_bad_speed_costs_only_the_speed() {
        match route_for("s=heartbeat&seed=7&loss=20%25&i=1s*crash*2&speed=warp") {
            Route::Scenario { run, banner } => {
                assert_eq!((run.seed, run.speed), (7, None));
                assert_eq!(run.params.get("loss").map(String::as_str), Some("20%"));
                assert_eq!(run.interventions.len(), 1);
                let b = banner.expect("a banner");
                assert!(
                    b.contains("speed 'warp'") && b.contains("default speed"),
                    "{b}"
                );
            }
            r => panic!("{r:?}"),
        }
    }
}
