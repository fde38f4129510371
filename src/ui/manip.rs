//! Direct manipulation on the stage, as pure functions (tested natively): which action a click on
//! a link means (cut or mend), which partition a wall dragged across the stage makes, where the
//! walls of a partition are drawn, who is suspected by whom, and pointer → drawing coordinates.

use super::geom::Layout;
use crate::sim::{Action, Frame, NodeId, NodeView, Status};

type Pt = (f64, f64);

/// Pointer movement (CSS px) before a press becomes a wall drag rather than a click.
pub const DRAG_THRESHOLD_PX: f64 = 8.0;

/// A client (CSS px) point in the drawing's coordinates, for an SVG of `view` units shown in
/// `rect` = (left, top, width, height) with `preserveAspectRatio="xMidYMid meet"`.
pub fn to_view(client: Pt, rect: (f64, f64, f64, f64), view: Pt) -> Pt {
    let (left, top, rw, rh) = rect;
    let scale = (rw / view.0).min(rh / view.1);
    if !scale.is_finite() || scale <= 0.0 {
        return (0.0, 0.0);
    }
    let ox = left + (rw - view.0 * scale) / 2.0;
    let oy = top + (rh - view.1 * scale) / 2.0;
    ((client.0 - ox) / scale, (client.1 - oy) / scale)
}

/// The link's ends as they are written in `data-link`: `"1-3"`.
pub fn parse_link(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Whether the link `a`–`b` is cut by a `Cut` (either direction).
pub fn is_cut(frame: &Frame, a: u32, b: u32) -> bool {
    frame
        .cut
        .iter()
        .any(|(x, y)| (x.0 == a && y.0 == b) || (x.0 == b && y.0 == a))
}

/// Whether `a` and `b` sit on different sides of the partition.
pub fn across(frame: &Frame, a: u32, b: u32) -> bool {
    let g = |i: u32| frame.groups.get(i as usize);
    !frame.groups.is_empty() && g(a) != g(b)
}

/// What a click on the link `a`–`b` does: mend it when cut, else cut it. A link that crosses the
/// partition is not the link's to mend; the reason comes back as text.
pub fn link_action(frame: &Frame, a: u32, b: u32) -> Result<Action, String> {
    let n = frame.nodes.len() as u32;
    if a == b || a >= n || b >= n {
        return Err(format!("There is no link between a{a} and a{b}."));
    }
    if is_cut(frame, a, b) {
        Ok(Action::Mend(NodeId(a), NodeId(b)))
    } else if across(frame, a, b) {
        Err(format!(
            "a{a}–a{b} crosses the partition: heal it (h) or move an agent across (p) to reconnect them."
        ))
    } else {
        Ok(Action::Cut(NodeId(a), NodeId(b)))
    }
}

/// Which side of the line through `a` and `b` the point `p` is on (points on the line count as
/// the left side, so every agent gets exactly one side).
fn left_of(a: Pt, b: Pt, p: Pt) -> bool {
    (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= 0.0
}

/// The partition a wall through `a` and `b` makes on top of the current one (walls add up: each
/// side of every existing group becomes a group). The groups come in order of their lowest
/// agent, the last one left out (the network puts unnamed agents together), so the link stays
/// short: `part*0.1`. An error in words when the wall separates no one.
pub fn wall_partition(
    pts: &[Pt],
    groups: &[u32],
    a: Pt,
    b: Pt,
) -> Result<Vec<Vec<NodeId>>, String> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if (dx * dx + dy * dy).sqrt() < 1.0 {
        return Err("Drag a longer line across the stage to build a wall.".into());
    }
    let mut keys: Vec<(u32, bool)> = vec![];
    let mut out: Vec<Vec<NodeId>> = vec![];
    for (i, p) in pts.iter().enumerate() {
        let key = (groups.get(i).copied().unwrap_or(0), left_of(a, b, *p));
        match keys.iter().position(|k| *k == key) {
            Some(j) => out[j].push(NodeId(i as u32)),
            None => {
                keys.push(key);
                out.push(vec![NodeId(i as u32)]);
            }
        }
    }
    let before = {
        let mut g: Vec<u32> = groups.to_vec();
        crate::sim::sort::sort(&mut g);
        g.dedup();
        g.len().max(1)
    };
    if out.len() <= before {
        return Err("That wall separates no agents: drag it across the stage between them.".into());
    }
    out.pop();
    Ok(out)
}

/// The walls to draw for a partition. On a ring whose sides are arcs: one line through the two
/// gaps for two sides, spokes from the centre through each gap for more; none for interleaved
/// sides (those get halos). On a grid: the cell edges between neighbours on different sides (see
/// [`grid_walls`]).
pub fn walls(groups: &[u32], lay: &Layout) -> Vec<(Pt, Pt)> {
    let n = lay.pts.len();
    if n < 2 || groups.len() != n || groups.iter().all(|g| *g == groups[0]) {
        return vec![];
    }
    if lay.grid {
        return grid_walls(groups, lay);
    }
    let gaps: Vec<usize> = (0..n)
        .filter(|i| groups[*i] != groups[(i + 1) % n])
        .collect();
    let mut ids = groups.to_vec();
    crate::sim::sort::sort(&mut ids);
    ids.dedup();
    if gaps.len() != ids.len() {
        return vec![];
    }
    let c = (
        lay.pts.iter().map(|p| p.0).sum::<f64>() / n as f64,
        lay.pts.iter().map(|p| p.1).sum::<f64>() / n as f64,
    );
    let rad = ((lay.pts[0].0 - c.0).powi(2) + (lay.pts[0].1 - c.1).powi(2)).sqrt();
    let reach = rad + lay.r * 2.5 + 14.0;
    // The gap after agent i sits half a step further round the ring.
    let at = |i: usize, dist: f64| {
        let a0 = libm::atan2(lay.pts[i].1 - c.1, lay.pts[i].0 - c.0);
        let a = a0 + std::f64::consts::PI / n as f64;
        (c.0 + dist * libm::cos(a), c.1 + dist * libm::sin(a))
    };
    if gaps.len() == 2 {
        let (p, q) = (at(gaps[0], reach), at(gaps[1], reach));
        return vec![(p, q)];
    }
    gaps.iter().map(|i| (c, at(*i, reach))).collect()
}

/// The walls of a partition on a grid: every edge between two neighbouring cells (left-right or
/// up-down) whose agents are on different sides, runs of edges on one line joined into one wall.
/// Sides that are blocks of the grid get straight walls; a scattered side gets a wall round each
/// of its pieces.
pub fn grid_walls(groups: &[u32], lay: &Layout) -> Vec<(Pt, Pt)> {
    let n = lay.pts.len().min(groups.len());
    let cols = lay.cols;
    if !lay.grid || cols == 0 {
        return vec![];
    }
    let cell = |i: usize| lay.cell_of(i).unwrap_or_default();
    // Unit edges as (line, from, to): vertical ones keyed by their x, horizontal ones by their y.
    let mut vertical: Vec<(f64, f64, f64)> = vec![];
    let mut horizontal: Vec<(f64, f64, f64)> = vec![];
    for i in 0..n {
        let (x, y, w, h) = cell(i);
        if i % cols + 1 < cols && i + 1 < n && groups[i] != groups[i + 1] {
            vertical.push((x + w, y, y + h));
        }
        if i + cols < n && groups[i] != groups[i + cols] {
            horizontal.push((y + h, x, x + w));
        }
    }
    let mut out = vec![];
    for (edges, is_vertical) in [(vertical, true), (horizontal, false)] {
        let mut edges = edges;
        crate::sim::sort::sort_by(&mut edges, |a, b| {
            a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
        let mut run: Option<(f64, f64, f64)> = None;
        for e in edges.into_iter().map(Some).chain([None]) {
            run = match (run, e) {
                (Some(r), Some(e)) if r.0 == e.0 && (e.1 - r.2).abs() < 1e-6 => {
                    Some((r.0, r.1, e.2))
                }
                (r, e) => {
                    if let Some((at, from, to)) = r {
                        out.push(if is_vertical {
                            ((at, from), (at, to))
                        } else {
                            ((from, at), (to, at))
                        });
                    }
                    e
                }
            };
        }
    }
    out
}

/// Per agent, the live agents whose failure detectors suspect it (from their summaries).
/// Crashed agents' tables are not evidence; an agent does not count as suspecting itself.
pub fn suspected_by(nodes: &[NodeView]) -> Vec<Vec<u32>> {
    let mut out = vec![vec![]; nodes.len()];
    for nv in nodes.iter().filter(|nv| nv.status == Status::Up) {
        for s in &nv.summary.suspects {
            if *s != nv.id {
                if let Some(v) = out.get_mut(s.index()) {
                    if !v.contains(&nv.id.0) {
                        v.push(nv.id.0);
                    }
                }
            }
        }
    }
    for v in out.iter_mut() {
        crate::sim::sort::sort(v);
    }
    out
}

/// Whether suspecting an agent in this status is a mistake (it is up or merely paused).
pub fn false_suspicion(status: Status) -> bool {
    status != Status::Crashed
}

/// "suspected by a2, a3 — falsely: a1 is up" (the tooltip and the inspector's line).
pub fn suspicion_text(id: u32, by: &[u32], status: Status) -> String {
    let who: Vec<String> = by.iter().map(|b| format!("a{b}")).collect();
    let verdict = match status {
        Status::Up => format!("falsely: a{id} is up"),
        Status::Paused => format!("falsely: a{id} is only paused"),
        Status::Crashed => format!("correctly: a{id} has crashed"),
    };
    format!("suspected by {} — {verdict}", who.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Role, Summary, Time};

    fn node(id: u32, status: Status, suspects: &[u32]) -> NodeView {
        NodeView {
            id: NodeId(id),
            status,
            summary: Summary {
                role: Role::Peer,
                suspects: suspects.iter().map(|s| NodeId(*s)).collect(),
                ..Default::default()
            },
            lamport: 0,
            vclock: None,
            clock: Time::ZERO,
            byzantine: None,
        }
    }

    fn frame(n: u32, groups: Vec<u32>, cut: &[(u32, u32)]) -> Frame {
        Frame {
            time: Time::ZERO,
            nodes: (0..n).map(|i| node(i, Status::Up, &[])).collect(),
            groups,
            cut: cut.iter().map(|(a, b)| (NodeId(*a), NodeId(*b))).collect(),
        }
    }

    #[test]
    fn a_click_cuts_a_whole_link_mends_a_cut_one_and_explains_a_partitioned_one() {
        let f = frame(5, vec![], &[]);
        assert_eq!(link_action(&f, 1, 3), Ok(Action::Cut(NodeId(1), NodeId(3))));
        let f = frame(5, vec![], &[(3, 1), (1, 3)]);
        assert_eq!(
            link_action(&f, 1, 3),
            Ok(Action::Mend(NodeId(1), NodeId(3)))
        );
        let f = frame(5, vec![0, 0, 1, 1, 1], &[]);
        assert!(link_action(&f, 1, 3)
            .unwrap_err()
            .contains("crosses the partition"));
        assert_eq!(link_action(&f, 3, 4), Ok(Action::Cut(NodeId(3), NodeId(4))));
        assert!(link_action(&f, 2, 2).is_err());
        assert!(link_action(&f, 2, 9).is_err());
        assert_eq!(parse_link("1-3"), Some((1, 3)));
        assert_eq!(parse_link("1-x"), None);
    }

    #[test]
    fn a_wall_splits_the_agents_by_side_and_walls_add_up() {
        let lay = super::super::geom::layout(5, 800.0, 500.0);
        // A vertical wall through the middle (a0, top centre, lies on it): a1, a2 on the right,
        // a3, a4 on the left.
        let (top, bottom) = ((400.0, 0.0), (400.0, 500.0));
        let g = wall_partition(&lay.pts, &[], top, bottom).unwrap();
        let first: Vec<u32> = g[0].iter().map(|n| n.0).collect();
        assert_eq!(first, vec![0, 3, 4], "{:?}", lay.pts);
        assert_eq!(g.len(), 1, "the other side is left unnamed");
        // Dragged the other way round: the same cut, a0 on the other side.
        let g2 = wall_partition(&lay.pts, &[], bottom, top).unwrap();
        assert_eq!(g2[0].iter().map(|n| n.0).collect::<Vec<_>>(), vec![0, 1, 2]);
        // A second wall, horizontal, on top of {0,1,2} | {3,4}.
        let groups = vec![0, 0, 0, 1, 1];
        let g = wall_partition(&lay.pts, &groups, (0.0, 300.0), (800.0, 300.0)).unwrap();
        assert_eq!(g.len(), 3, "four sides, the last unnamed: {g:?}");
        // A wall outside the ring separates no one.
        assert!(wall_partition(&lay.pts, &[], (0.0, 5.0), (800.0, 5.0)).is_err());
        assert!(wall_partition(&lay.pts, &[], (10.0, 10.0), (10.2, 10.0)).is_err());
    }

    #[test]
    fn arcs_get_walls_through_their_gaps_and_interleaved_sides_none() {
        let lay = super::super::geom::layout(6, 800.0, 500.0);
        let w = walls(&[0, 0, 0, 1, 1, 1], &lay);
        assert_eq!(w.len(), 1);
        // Each agent of one side lies left of the wall, each of the other right.
        let (a, b) = w[0];
        let sides: Vec<bool> = lay.pts.iter().map(|p| left_of(a, b, *p)).collect();
        assert!(sides[..3].iter().all(|s| *s == sides[0]));
        assert!(sides[3..].iter().all(|s| *s != sides[0]));
        assert_eq!(walls(&[0, 1, 1, 2, 2, 0], &lay).len(), 3);
        assert!(walls(&[0, 1, 0, 1, 0, 1], &lay).is_empty());
        assert!(walls(&[], &lay).is_empty());
        assert!(walls(&[0; 6], &lay).is_empty());
    }

    #[test]
    fn grid_partitions_get_walls_along_the_cell_edges_between_sides() {
        let lay = super::super::geom::layout(30, 800.0, 500.0);
        assert!(lay.grid);
        let cols = lay.cols;
        assert!(cols > 1 && cols < 30, "{cols}");
        // The left half of every row against the right half: one straight vertical wall from the
        // top of the grid to the bottom of the last full row... and on through the last row if it
        // reaches that far.
        let half = cols / 2;
        let groups: Vec<u32> = (0..30).map(|i| u32::from(i % cols >= half)).collect();
        let w = walls(&groups, &lay);
        let (_, _, cw, _) = lay.cell_of(0).unwrap();
        assert!(!w.is_empty());
        for (a, b) in &w {
            assert!((a.0 - b.0).abs() < 1e-9, "vertical: {a:?} {b:?}");
            assert!((a.0 - cw * half as f64).abs() < 1e-9, "at the half: {a:?}");
        }
        assert_eq!(w.len(), 1, "the runs are joined into one wall: {w:?}");
        // Every pair of neighbours on different sides has a wall between them: the wall crosses
        // the segment joining their centres.
        let crosses = |p: Pt, q: Pt| {
            w.iter().any(|(a, b)| {
                left_of(*a, *b, p) != left_of(*a, *b, q) && left_of(p, q, *a) != left_of(p, q, *b)
            })
        };
        for i in 0..30 {
            for j in [i + 1, i + cols] {
                let neighbours = j < 30 && (j == i + cols || i % cols + 1 < cols);
                if neighbours {
                    assert_eq!(
                        crosses(lay.pts[i], lay.pts[j]),
                        groups[i] != groups[j],
                        "a{i}-a{j}"
                    );
                }
            }
        }
        // The top rows against the rest: one horizontal wall.
        let groups: Vec<u32> = (0..30).map(|i| u32::from(i >= cols)).collect();
        let w = walls(&groups, &lay);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!((w[0].0 .1 - w[0].1 .1).abs() < 1e-9);
        // One agent alone: a box of four walls round it (an inner cell).
        let mut groups = vec![0; 30];
        groups[cols + 1] = 1;
        assert_eq!(walls(&groups, &lay).len(), 4);
        // No partition, or the wrong length: none.
        assert!(walls(&[0; 30], &lay).is_empty());
        assert!(walls(&[0, 1], &lay).is_empty());
    }

    #[test]
    fn suspicion_comes_from_live_agents_only_and_says_whether_it_is_a_mistake() {
        let nodes = vec![
            node(0, Status::Up, &[2, 1]),
            node(1, Status::Up, &[]),
            node(2, Status::Crashed, &[0]),
            node(3, Status::Up, &[2, 3]),
        ];
        let by = suspected_by(&nodes);
        assert_eq!(by, vec![vec![], vec![0], vec![0, 3], vec![]]);
        assert_eq!(
            suspicion_text(1, &by[1], Status::Up),
            "suspected by a0 — falsely: a1 is up"
        );
        assert_eq!(
            suspicion_text(2, &by[2], Status::Crashed),
            "suspected by a0, a3 — correctly: a2 has crashed"
        );
        assert!(false_suspicion(Status::Paused) && !false_suspicion(Status::Crashed));
    }

    #[test]
    fn pointer_points_map_into_the_drawing() {
        // An 800×500 drawing in a 400×400 box: scaled by 0.5, centred vertically (75 px bands).
        let p = to_view(
            (10.0 + 200.0, 20.0 + 75.0 + 125.0),
            (10.0, 20.0, 400.0, 400.0),
            (800.0, 500.0),
        );
        assert!(
            (p.0 - 400.0).abs() < 1e-9 && (p.1 - 250.0).abs() < 1e-9,
            "{p:?}"
        );
        assert_eq!(
            to_view((1.0, 1.0), (0.0, 0.0, 0.0, 0.0), (800.0, 500.0)),
            (0.0, 0.0)
        );
    }
}
