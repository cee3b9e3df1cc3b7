//! Certification pathways (#16): where a learner stands against a certification's rules, and a
//! plan that fits from today. Pure functions over the rules (`catalog::Certification`), the
//! learner's completions and the offerings they may take: no SQL, no HTTP, so every rule is
//! unit-tested here and the pages only render the answer.
//!
//! The rules, as LSSC and CPLA write them:
//! - every *required* set must be met, and `electives_to_choose` of the *electives* (more may be
//!   met; they are not needed);
//! - a set is met by a completed offering approved for it; one completion meets one set (the
//!   sets are matched to completions as a bipartite matching, required sets first, so an
//!   offering approved for two sets never counts twice and never blocks a set it could leave);
//! - everything must fall within `time_limit_years`: completions older than that, counted back
//!   from today, no longer count; and the plan must finish within that many years of the
//!   earliest completion still counted.
//!
//! The plan ("a plan that fits") picks, for each open set still needed, an upcoming approved
//! offering: prerequisites not yet completed come first (planned themselves when they are
//! upcoming), dated offerings never overlap one another, and among the choices the soonest to
//! finish wins. Required sets are planned first, the most constrained (fewest options) first;
//! then the electives that can be finished soonest. It is greedy: soonest step by step, which
//! finds a feasible plan whenever the sets' options do not compete for the same dates, and says
//! which sets it could not plan otherwise.

use crate::catalog::{Certification, Cost, Credits, RequirementKind};
use chrono::{Months, NaiveDate};
use std::collections::{BTreeMap, HashMap, HashSet};

/// An offering as planning sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub title: String,
    /// The first day; none for a self-paced course open now.
    pub start: Option<NaiveDate>,
    /// The last day; none: the start day (or, self-paced, no fixed end).
    pub end: Option<NaiveDate>,
    /// Taken at one's own pace: it has no dates to overlap.
    pub self_paced: bool,
    pub cost: Option<Cost>,
    pub credits: Option<Credits>,
    pub prerequisites: Vec<String>,
}

impl Candidate {
    /// The day it can first be taken from `today`, and the day it ends; none when it is past.
    fn window(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        if self.self_paced {
            let from = self.start.map_or(today, |start| start.max(today));
            return Some((from, from));
        }
        let start = self.start?;
        if start < today {
            return None;
        }
        Some((start, self.end.unwrap_or(start).max(start)))
    }
}

/// A completion of a catalog offering, as the record holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub completion: i64,
    pub offering_id: String,
    pub completed_on: NaiveDate,
}

/// Where one requirement stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Met by this completion.
    Met(Done),
    /// Still needed: the plan's step for it, if one fits.
    Open { planned: Option<String> },
    /// An elective not needed: enough electives are met or planned.
    NotNeeded,
}

/// One requirement and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementProgress {
    pub competency: String,
    pub kind: RequirementKind,
    pub status: Status,
    /// Approved offerings that can still be taken, soonest first.
    pub upcoming: Vec<String>,
}

/// One offering of the plan, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub offering_id: String,
    /// The set it meets; none for a prerequisite taken on the way.
    pub requirement: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub self_paced: bool,
}

/// The plan that fits, with its totals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// The last day of the plan: the day the certification would be complete.
    pub finish: Option<NaiveDate>,
    /// Costs added up per currency (free offerings add 0).
    pub cost: Vec<(String, f64)>,
    /// Offerings of the plan whose cost the catalog does not give.
    pub cost_unknown: usize,
    /// Credits of the plan in contact hours (1 CEU = 10 contact hours).
    pub contact_hours: f64,
    /// Needed sets no upcoming approved offering can meet (within the time limit).
    pub unplannable: Vec<String>,
}

/// Where a learner stands against one certification.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Sets needed: the required ones and the electives to choose.
    pub needed: usize,
    /// Sets met, counting electives only up to the number to choose.
    pub met: usize,
    pub requirements: Vec<RequirementProgress>,
    /// Completions approved for a set but older than the time limit.
    pub expired: Vec<Done>,
    /// The last day everything must be done by (the earliest counted completion plus the time
    /// limit); none until something counts or when there is no limit.
    pub deadline: Option<NaiveDate>,
    pub plan: Plan,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.met >= self.needed
    }
}

fn years_before(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MIN)
}

fn years_after(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// Matches requirements (by index, in the order given) to completions approved for them, each
/// completion used once (electives beyond the number to choose are matched too, and shown met,
/// but count only up to it). Kuhn's augmenting paths: a requirement
/// matched stays matched as others are added, so the required ones, tried first, keep theirs.
fn match_requirements(certification: &Certification, done: &[Done]) -> HashMap<usize, usize> {
    let approved: Vec<HashSet<&str>> = certification
        .requirements
        .iter()
        .map(|r| r.approved_offerings.iter().map(String::as_str).collect())
        .collect();
    let edges: Vec<Vec<usize>> = approved
        .iter()
        .map(|ids| {
            (0..done.len())
                .filter(|&d| ids.contains(done[d].offering_id.as_str()))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; done.len()];
    fn augment(
        requirement: usize,
        edges: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &d in &edges[requirement] {
            if seen[d] {
                continue;
            }
            seen[d] = true;
            if owner[d].is_none_or(|other| augment(other, edges, owner, seen)) {
                owner[d] = Some(requirement);
                return true;
            }
        }
        false
    }
    let order = certification
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RequirementKind::Required)
        .chain(
            certification
                .requirements
                .iter()
                .enumerate()
                .filter(|(_, r)| r.kind == RequirementKind::Elective),
        )
        .map(|(index, _)| index);
    for requirement in order {
        let mut seen = vec![false; done.len()];
        augment(requirement, &edges, &mut owner, &mut seen);
    }
    owner
        .iter()
        .enumerate()
        .filter_map(|(d, r)| r.map(|r| (r, d)))
        .collect()
}

/// Where `done` (the learner's completions of catalog offerings) stands against
/// `certification` on `today`, and a plan over `offerings` (every approved offering and their
/// prerequisites the catalog publishes, by id).
pub fn evaluate(
    certification: &Certification,
    done: &[Done],
    offerings: &HashMap<String, Candidate>,
    today: NaiveDate,
) -> Progress {
    let (counted, expired): (Vec<Done>, Vec<Done>) = match certification.time_limit_years {
        Some(years) => {
            let from = years_before(today, years);
            done.iter().cloned().partition(|d| d.completed_on >= from)
        }
        None => (done.to_vec(), Vec::new()),
    };
    let approved_any: HashSet<&str> = certification
        .requirements
        .iter()
        .flat_map(|r| r.approved_offerings.iter().map(String::as_str))
        .collect();
    let expired: Vec<Done> = expired
        .into_iter()
        .filter(|d| approved_any.contains(d.offering_id.as_str()))
        .collect();
    let matched = match_requirements(certification, &counted);
    let deadline = match (
        certification.time_limit_years,
        matched.values().map(|&d| counted[d].completed_on).min(),
    ) {
        (Some(years), Some(first)) => Some(years_after(first, years)),
        _ => None,
    };
    let required = certification
        .requirements
        .iter()
        .filter(|r| r.kind == RequirementKind::Required)
        .count();
    let to_choose = certification.electives_to_choose as usize;
    let met_required = matched
        .keys()
        .filter(|&&r| certification.requirements[r].kind == RequirementKind::Required)
        .count();
    let met_electives = matched.len() - met_required;
    let completed: HashSet<&str> = done.iter().map(|d| d.offering_id.as_str()).collect();
    let used: HashSet<&str> = matched
        .values()
        .map(|&d| counted[d].offering_id.as_str())
        .collect();

    let mut planner = Planner {
        offerings,
        completed: &completed,
        today,
        deadline,
        steps: Vec::new(),
    };
    let upcoming = |index: usize| -> Vec<String> {
        let mut ids: Vec<(NaiveDate, String)> = certification.requirements[index]
            .approved_offerings
            .iter()
            .filter(|id| !used.contains(id.as_str()))
            .filter_map(|id| {
                let (from, _) = offerings.get(id)?.window(today)?;
                Some((from, id.clone()))
            })
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    };
    let open: Vec<usize> = (0..certification.requirements.len())
        .filter(|r| !matched.contains_key(r))
        .collect();
    let mut planned: HashMap<usize, String> = HashMap::new();
    let mut unplannable = Vec::new();
    // Required sets, the most constrained first.
    let mut required_open: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&r| certification.requirements[r].kind == RequirementKind::Required)
        .collect();
    while !required_open.is_empty() {
        let options: Vec<(usize, Vec<(NaiveDate, String)>)> = required_open
            .iter()
            .map(|&r| {
                (
                    r,
                    planner.options(&certification.requirements[r].approved_offerings, &used),
                )
            })
            .collect();
        let (position, _) = options
            .iter()
            .enumerate()
            .min_by_key(|(_, (r, o))| (o.len(), std::cmp::Reverse(o.first().map(|f| f.0)), *r))
            .expect("not empty");
        let (requirement, choices) = options[position].clone();
        required_open.retain(|&r| r != requirement);
        match choices.first() {
            Some((_, id)) => {
                planner.commit(id, &certification.requirements[requirement].competency);
                planned.insert(requirement, id.clone());
            }
            None => unplannable.push(certification.requirements[requirement].competency.clone()),
        }
    }
    // Electives still needed, soonest to finish first.
    let mut electives_open: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&r| certification.requirements[r].kind == RequirementKind::Elective)
        .collect();
    let mut electives_needed = to_choose.saturating_sub(met_electives);
    while electives_needed > 0 {
        let best = electives_open
            .iter()
            .filter_map(|&r| {
                let options =
                    planner.options(&certification.requirements[r].approved_offerings, &used);
                options
                    .into_iter()
                    .next()
                    .map(|(finish, id)| (finish, r, id))
            })
            .min();
        let Some((_, requirement, id)) = best else {
            unplannable.push(format!("{electives_needed} more of the electives"));
            break;
        };
        planner.commit(&id, &certification.requirements[requirement].competency);
        planned.insert(requirement, id);
        electives_open.retain(|&r| r != requirement);
        electives_needed -= 1;
    }

    let electives_enough = met_electives
        + planned
            .keys()
            .filter(|&&r| certification.requirements[r].kind == RequirementKind::Elective)
            .count()
        >= to_choose;
    let requirements = certification
        .requirements
        .iter()
        .enumerate()
        .map(|(index, requirement)| {
            let status = match matched.get(&index) {
                Some(&d) => Status::Met(counted[d].clone()),
                None if planned.contains_key(&index) => Status::Open {
                    planned: planned.get(&index).cloned(),
                },
                None if requirement.kind == RequirementKind::Elective && electives_enough => {
                    Status::NotNeeded
                }
                None => Status::Open { planned: None },
            };
            RequirementProgress {
                competency: requirement.competency.clone(),
                kind: requirement.kind,
                status,
                upcoming: if matched.contains_key(&index) {
                    Vec::new()
                } else {
                    upcoming(index)
                },
            }
        })
        .collect();
    let plan = planner.finish(unplannable);
    Progress {
        needed: required + to_choose,
        met: met_required + met_electives.min(to_choose),
        requirements,
        expired,
        deadline,
        plan,
    }
}

/// Builds the plan a step at a time.
struct Planner<'a> {
    offerings: &'a HashMap<String, Candidate>,
    completed: &'a HashSet<&'a str>,
    today: NaiveDate,
    deadline: Option<NaiveDate>,
    steps: Vec<Step>,
}

impl Planner<'_> {
    /// The approved offerings that fit the plan as it stands, each with the day it would
    /// finish (prerequisites included), soonest first; offerings already met or used are left
    /// out.
    fn options(&self, approved: &[String], used: &HashSet<&str>) -> Vec<(NaiveDate, String)> {
        let mut options: Vec<(NaiveDate, String)> = approved
            .iter()
            .filter(|id| !used.contains(id.as_str()) && !self.completed.contains(id.as_str()))
            .filter(|id| {
                !self
                    .steps
                    .iter()
                    .any(|s| &s.offering_id == *id && s.requirement.is_some())
            })
            .filter_map(|id| {
                let mut trial = self.steps.clone();
                let finish = self.schedule(id, &mut trial, &mut HashSet::new())?;
                Some((finish, id.clone()))
            })
            .collect();
        options.sort();
        options
    }

    /// Adds `id` (and what it needs first) to `steps`; returns the day it finishes, or none
    /// when it cannot fit (past, overlapping, a prerequisite that cannot be taken first, or
    /// beyond the deadline).
    fn schedule(
        &self,
        id: &str,
        steps: &mut Vec<Step>,
        visiting: &mut HashSet<String>,
    ) -> Option<NaiveDate> {
        if let Some(step) = steps.iter().find(|s| s.offering_id == id) {
            return Some(step.to);
        }
        if !visiting.insert(id.to_owned()) {
            return None; // a cycle of prerequisites
        }
        let candidate = self.offerings.get(id)?;
        let (mut from, mut to) = candidate.window(self.today)?;
        let mut ready = self.today;
        for prerequisite in &candidate.prerequisites {
            if self.completed.contains(prerequisite.as_str()) {
                continue;
            }
            let finished = self.schedule(prerequisite, steps, visiting)?;
            ready = ready.max(finished.succ_opt()?);
        }
        if candidate.self_paced {
            from = from.max(ready);
            to = from;
        } else if from < ready {
            return None;
        }
        if self.deadline.is_some_and(|deadline| to > deadline) {
            return None;
        }
        let overlaps = !candidate.self_paced
            && steps
                .iter()
                .any(|s| !s.self_paced && s.from <= to && from <= s.to);
        if overlaps {
            return None;
        }
        steps.push(Step {
            offering_id: id.to_owned(),
            requirement: None,
            from,
            to,
            self_paced: candidate.self_paced,
        });
        visiting.remove(id);
        Some(to)
    }

    fn commit(&mut self, id: &str, requirement: &str) {
        let mut steps = self.steps.clone();
        if self.schedule(id, &mut steps, &mut HashSet::new()).is_some() {
            if let Some(step) = steps.iter_mut().find(|s| s.offering_id == id) {
                step.requirement = Some(requirement.to_owned());
            }
            self.steps = steps;
        }
    }

    fn finish(mut self, unplannable: Vec<String>) -> Plan {
        self.steps
            .sort_by(|a, b| (a.from, a.to, &a.offering_id).cmp(&(b.from, b.to, &b.offering_id)));
        let mut cost: BTreeMap<String, f64> = BTreeMap::new();
        let mut cost_unknown = 0;
        let mut contact_hours = 0.0;
        for step in &self.steps {
            let Some(candidate) = self.offerings.get(&step.offering_id) else {
                continue;
            };
            match &candidate.cost {
                Some(c) => *cost.entry(c.currency.clone()).or_default() += c.amount,
                None => cost_unknown += 1,
            }
            contact_hours += candidate
                .credits
                .as_ref()
                .map_or(0.0, Credits::contact_hours);
        }
        Plan {
            finish: self.steps.iter().map(|s| s.to).max(),
            steps: self.steps,
            cost: cost.into_iter().collect(),
            cost_unknown,
            contact_hours,
            unplannable,
        }
    }
}

/// One line of a learner's record, for the totals.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLine {
    pub completed_on: NaiveDate,
    pub credits: Option<Credits>,
    pub competencies: Vec<String>,
}

/// A record's credits per year and per competency, in contact hours (1 CEU = 10).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Totals {
    /// (year, contact hours, completions), newest year first.
    pub by_year: Vec<(i32, f64, usize)>,
    /// (FRAMEWORK:CODE, contact hours, completions), in code order.
    pub by_competency: Vec<(String, f64, usize)>,
    pub contact_hours: f64,
}

/// Adds up a record.
pub fn totals(lines: &[RecordLine]) -> Totals {
    use chrono::Datelike;
    let mut by_year: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    let mut by_competency: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    let mut all = 0.0;
    for line in lines {
        let hours = line.credits.as_ref().map_or(0.0, Credits::contact_hours);
        all += hours;
        let year = by_year.entry(line.completed_on.year()).or_default();
        year.0 += hours;
        year.1 += 1;
        for competency in &line.competencies {
            let entry = by_competency.entry(competency.clone()).or_default();
            entry.0 += hours;
            entry.1 += 1;
        }
    }
    Totals {
        by_year: by_year
            .into_iter()
            .rev()
            .map(|(y, (h, n))| (y, h, n))
            .collect(),
        by_competency: by_competency
            .into_iter()
            .map(|(c, (h, n))| (c, h, n))
            .collect(),
        contact_hours: all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CreditUnit, Requirement};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-11-30";

    /// Three required sets (A, B, C) and electives D, E, F, G, choose 3; four years.
    fn rules() -> Certification {
        let requirement = |code: &str, kind, approved: &[&str]| Requirement {
            competency: format!("x:{code}"),
            kind,
            approved_offerings: approved.iter().map(|s| s.to_string()).collect(),
        };
        use RequirementKind::{Elective, Required};
        Certification {
            id: "x".into(),
            name: "X".into(),
            publisher: None,
            url: None,
            description: None,
            time_limit_years: Some(4),
            electives_to_choose: 3,
            requirements: vec![
                requirement("A", Required, &["a1", "a2"]),
                requirement("B", Required, &["b1", "b2"]),
                requirement("C", Required, &["c1"]),
                requirement("D", Elective, &["d1"]),
                requirement("E", Elective, &["e1"]),
                requirement("F", Elective, &["f1"]),
                requirement("G", Elective, &["g1"]),
            ],
        }
    }

    fn dated(id: &str, start: &str, end: &str, cost: f64) -> Candidate {
        Candidate {
            id: id.into(),
            title: id.into(),
            start: Some(day(start)),
            end: Some(day(end)),
            self_paced: false,
            cost: Some(Cost {
                amount: cost,
                currency: "USD".into(),
            }),
            credits: Some(Credits {
                amount: 6.0,
                unit: CreditUnit::ContactHours,
            }),
            prerequisites: Vec::new(),
        }
    }

    fn catalog(list: Vec<Candidate>) -> HashMap<String, Candidate> {
        list.into_iter().map(|c| (c.id.clone(), c)).collect()
    }

    fn everything() -> HashMap<String, Candidate> {
        catalog(vec![
            dated("a1", "2027-03-01", "2027-03-01", 100.0),
            dated("a2", "2027-01-10", "2027-01-10", 50.0),
            dated("b1", "2027-01-10", "2027-01-11", 10.0),
            dated("b2", "2027-02-01", "2027-02-01", 20.0),
            dated("c1", "2027-04-01", "2027-04-01", 0.0),
            dated("d1", "2027-05-01", "2027-05-01", 0.0),
            dated("e1", "2027-06-01", "2027-06-01", 0.0),
            dated("f1", "2027-07-01", "2027-07-01", 0.0),
            dated("g1", "2027-08-01", "2027-08-01", 0.0),
        ])
    }

    fn done(id: &str, on: &str) -> Done {
        Done {
            completion: 0,
            offering_id: id.into(),
            completed_on: day(on),
        }
    }

    #[test]
    fn nothing_done_needs_three_required_and_three_electives() {
        let progress = evaluate(&rules(), &[], &everything(), day(TODAY));
        assert_eq!((progress.met, progress.needed), (0, 6));
        assert!(!progress.complete());
        // a2 and b1 overlap on 2027-01-10: the plan takes one and b2 (or a1) for the other.
        let ids: Vec<&str> = progress
            .plan
            .steps
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(ids.len(), 6, "{ids:?}");
        for pair in progress.plan.steps.windows(2) {
            assert!(pair[0].to < pair[1].from, "overlap or disorder: {ids:?}");
        }
        assert!(progress.plan.unplannable.is_empty());
        // Three electives, the soonest: d1, e1, f1, not g1.
        assert!(ids.contains(&"f1") && !ids.contains(&"g1"), "{ids:?}");
        assert_eq!(progress.plan.finish, Some(day("2027-07-01")));
    }

    #[test]
    fn three_electives_are_enough_and_a_fourth_does_not_count() {
        let record = [
            done("a1", "2026-01-01"),
            done("b1", "2026-01-02"),
            done("c1", "2026-01-03"),
            done("d1", "2026-01-04"),
            done("e1", "2026-01-05"),
        ];
        let progress = evaluate(&rules(), &record, &everything(), day(TODAY));
        assert_eq!(progress.met, 5);
        let mut more = record.to_vec();
        more.push(done("f1", "2026-01-06"));
        let progress = evaluate(&rules(), &more, &everything(), day(TODAY));
        assert_eq!((progress.met, progress.needed), (6, 6));
        assert!(progress.complete());
        assert!(progress.plan.steps.is_empty());
        more.push(done("g1", "2026-01-07"));
        let progress = evaluate(&rules(), &more, &everything(), day(TODAY));
        assert_eq!(progress.met, 6, "a fourth elective is not counted past six");
        let shown_met = progress
            .requirements
            .iter()
            .filter(|r| matches!(r.status, Status::Met(_)))
            .count();
        assert_eq!(
            shown_met, 7,
            "the fourth elective is shown met all the same"
        );
    }

    #[test]
    fn electives_do_not_stand_in_for_a_required_set() {
        let record = [
            done("d1", "2026-01-04"),
            done("e1", "2026-01-05"),
            done("f1", "2026-01-06"),
            done("g1", "2026-01-07"),
        ];
        let progress = evaluate(&rules(), &record, &everything(), day(TODAY));
        assert_eq!(progress.met, 3);
        let open_required = progress
            .requirements
            .iter()
            .filter(|r| r.kind == RequirementKind::Required)
            .filter(|r| matches!(r.status, Status::Open { .. }))
            .count();
        assert_eq!(open_required, 3);
    }

    #[test]
    fn completions_older_than_the_time_limit_do_not_count() {
        let record = [done("a1", "2022-11-29"), done("b1", "2022-12-01")];
        let progress = evaluate(&rules(), &record, &everything(), day(TODAY));
        assert_eq!(progress.met, 1, "a1 is four years and a day old");
        assert_eq!(progress.expired, vec![done("a1", "2022-11-29")]);
        // b1 counts, so everything must be done by 2026-12-01: nothing upcoming fits.
        assert_eq!(progress.deadline, Some(day("2026-12-01")));
        assert!(progress.plan.steps.is_empty());
        assert!(!progress.plan.unplannable.is_empty());
    }

    #[test]
    fn a_completion_counts_for_one_set_and_the_matching_leaves_others_theirs() {
        let mut rules = rules();
        // x is approved for A and for B; a1 only for A.
        rules.requirements[0].approved_offerings.push("x".into());
        rules.requirements[1].approved_offerings = vec!["x".into()];
        let record = [done("x", "2026-01-01"), done("a1", "2026-01-02")];
        let progress = evaluate(&rules, &record, &everything(), day(TODAY));
        // x goes to B (its only option) and a1 to A.
        assert_eq!(progress.met, 2);
    }

    #[test]
    fn a_prerequisite_not_yet_done_is_planned_first_and_a_past_one_blocks() {
        let mut offerings = everything();
        offerings.get_mut("c1").unwrap().prerequisites = vec!["p".into()];
        offerings.insert("p".into(), dated("p", "2027-03-15", "2027-03-16", 5.0));
        let progress = evaluate(&rules(), &[], &offerings, day(TODAY));
        let ids: Vec<&str> = progress
            .plan
            .steps
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        let p = ids
            .iter()
            .position(|&i| i == "p")
            .expect("the prerequisite is planned");
        let c = ids.iter().position(|&i| i == "c1").unwrap();
        assert!(p < c, "{ids:?}");
        assert_eq!(progress.plan.steps[p].requirement, None);
        // A prerequisite that is past and not done: c1 cannot be planned.
        offerings.insert("p".into(), dated("p", "2026-01-01", "2026-01-01", 5.0));
        let progress = evaluate(&rules(), &[], &offerings, day(TODAY));
        assert_eq!(progress.plan.unplannable, vec!["x:C".to_owned()]);
        // Done already: no need to plan it.
        let progress = evaluate(&rules(), &[done("p", "2026-01-01")], &offerings, day(TODAY));
        assert!(progress.plan.unplannable.is_empty());
    }

    #[test]
    fn self_paced_courses_start_today_and_never_overlap() {
        let mut offerings = everything();
        let mut sp = dated("a1", "2020-01-01", "2020-01-01", 30.0);
        sp.self_paced = true;
        sp.end = None;
        offerings.insert("a1".into(), sp);
        let progress = evaluate(&rules(), &[], &offerings, day(TODAY));
        let step = progress
            .plan
            .steps
            .iter()
            .find(|s| s.offering_id == "a1")
            .unwrap();
        assert_eq!(step.from, day(TODAY));
        assert_eq!(progress.plan.steps[0].offering_id, "a1");
    }

    #[test]
    fn the_plan_adds_up_cost_and_credits() {
        let progress = evaluate(&rules(), &[], &everything(), day(TODAY));
        let total: f64 = progress.plan.cost.iter().map(|(_, a)| a).sum();
        let expected: f64 = progress
            .plan
            .steps
            .iter()
            .map(|s| everything()[&s.offering_id].cost.as_ref().unwrap().amount)
            .sum();
        assert_eq!(total, expected);
        assert_eq!(progress.plan.contact_hours, 36.0);
    }

    #[test]
    fn totals_count_ceus_as_ten_hours_per_year_and_competency() {
        let lines = [
            RecordLine {
                completed_on: day("2026-03-01"),
                credits: Some(Credits {
                    amount: 0.6,
                    unit: CreditUnit::Ceu,
                }),
                competencies: vec!["lssc:FLS".into()],
            },
            RecordLine {
                completed_on: day("2025-03-01"),
                credits: Some(Credits {
                    amount: 2.0,
                    unit: CreditUnit::ContactHours,
                }),
                competencies: vec!["lssc:FLS".into(), "lssc:COM".into()],
            },
        ];
        let totals = totals(&lines);
        assert_eq!(totals.by_year, vec![(2026, 6.0, 1), (2025, 2.0, 1)]);
        assert_eq!(
            totals.by_competency,
            vec![("lssc:COM".into(), 2.0, 1), ("lssc:FLS".into(), 8.0, 2)]
        );
        assert_eq!(totals.contact_hours, 8.0);
    }
}
