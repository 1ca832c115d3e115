use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn berlin_office() -> Calendar {
    Calendar::Business(Box::new(
        BusinessCalendar::office_hours("Europe/Berlin").unwrap(),
    ))
}

fn around_the_clock(tz: &str) -> Calendar {
    let week: [Vec<TimeFrame>; 7] = std::array::from_fn(|_| vec![TimeFrame::all_day()]);
    Calendar::Business(Box::new(BusinessCalendar::new(tz, week, []).unwrap()))
}

#[test]
fn always_counts_every_instant() {
    let start = utc("2026-11-20T15:00:00Z");
    assert_eq!(
        Calendar::Always.add(start, TimeDelta::hours(2)),
        utc("2026-11-20T17:00:00Z")
    );
    assert_eq!(
        Calendar::Always.between(start, utc("2026-11-21T15:00:00Z")),
        TimeDelta::hours(24)
    );
}

#[test]
fn time_after_closing_moves_to_the_next_business_day() {
    // Friday 16:00 in Berlin (CET, UTC+1), two business hours → Monday 10:00.
    let due = berlin_office().add(utc("2026-11-20T15:00:00Z"), TimeDelta::hours(2));
    assert_eq!(due, utc("2026-11-23T09:00:00Z"));
}

#[test]
fn time_before_opening_starts_at_opening() {
    let due = berlin_office().add(utc("2026-11-23T06:00:00Z"), TimeDelta::hours(1));
    assert_eq!(due, utc("2026-11-23T09:00:00Z"));
}

#[test]
fn holidays_next_to_a_weekend_are_skipped_with_it() {
    // Friday 27th and Monday 30th are holidays: Thursday 16:00 + 2h → Tuesday 10:00.
    let mut week: [Vec<TimeFrame>; 7] = Default::default();
    for day in week.iter_mut().take(5) {
        *day = vec![TimeFrame::parse("09:00-17:00").unwrap()];
    }
    let cal = BusinessCalendar::new(
        "Europe/Berlin",
        week,
        [date("2026-11-27"), date("2026-11-30")],
    )
    .unwrap();
    let cal = Calendar::Business(Box::new(cal));
    let due = cal.add(utc("2026-11-26T15:00:00Z"), TimeDelta::hours(2));
    assert_eq!(due, utc("2026-12-01T09:00:00Z"));
    assert_eq!(
        cal.between(utc("2026-11-26T15:00:00Z"), due),
        TimeDelta::hours(2)
    );
}

#[test]
fn spring_forward_day_has_twenty_three_hours() {
    // Berlin moves from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
    let cal = around_the_clock("Europe/Berlin");
    let sat_midnight = utc("2026-03-27T23:00:00Z");
    let mon_midnight = utc("2026-03-29T22:00:00Z");
    assert_eq!(
        cal.between(sat_midnight, mon_midnight),
        TimeDelta::hours(47)
    );
    // Sunday 00:00 local + 3h of wall time that really elapsed = 04:00 CEST = 02:00 UTC.
    assert_eq!(
        cal.add(utc("2026-03-28T23:00:00Z"), TimeDelta::hours(3)),
        utc("2026-03-29T02:00:00Z")
    );
}

#[test]
fn fall_back_day_has_twenty_five_hours() {
    let cal = around_the_clock("Europe/Berlin");
    // Sunday 2026-10-25 00:00 CEST (22:00Z on the 24th) to Monday 00:00 CET (23:00Z on the 25th).
    assert_eq!(
        cal.between(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z")),
        TimeDelta::hours(25)
    );
}

#[test]
fn office_hours_keep_local_time_across_a_dst_change() {
    // Friday 16:00 CET before the change, 2h → Monday 10:00 CEST (08:00 UTC).
    let due = berlin_office().add(utc("2026-03-27T15:00:00Z"), TimeDelta::hours(2));
    assert_eq!(due, utc("2026-03-30T08:00:00Z"));
}

#[test]
fn long_targets_skip_whole_weeks_exactly() {
    let cal = Calendar::Business(Box::new(
        BusinessCalendar::office_hours("Asia/Tokyo").unwrap(),
    ));
    // Monday 09:00 JST + 400 business hours (ten 40-hour weeks) = Friday 17:00 ten weeks on.
    let start = utc("2026-11-23T00:00:00Z");
    let due = cal.add(start, TimeDelta::hours(400));
    assert_eq!(due, utc("2027-01-29T08:00:00Z"));
    assert_eq!(cal.between(start, due), TimeDelta::hours(400));
}

#[test]
fn between_undoes_add_across_many_starts() {
    let cals = [
        berlin_office(),
        around_the_clock("America/New_York"),
        Calendar::Always,
    ];
    let mut start = utc("2026-03-01T00:17:00Z");
    for i in 0..200 {
        let amount = TimeDelta::minutes(37 * i + 1);
        for cal in &cals {
            let due = cal.add(start, amount);
            assert_eq!(
                cal.between(start, due),
                amount,
                "start {start} amount {amount}"
            );
        }
        start += TimeDelta::minutes(413);
    }
}

#[test]
fn between_is_negative_backwards_and_zero_outside_hours() {
    let cal = berlin_office();
    let sat = utc("2026-11-21T10:00:00Z");
    let sun = utc("2026-11-22T10:00:00Z");
    assert_eq!(cal.between(sat, sun), TimeDelta::zero());
    let mon_9 = utc("2026-11-23T08:00:00Z");
    let mon_10 = utc("2026-11-23T09:00:00Z");
    assert_eq!(cal.between(mon_10, mon_9), -TimeDelta::hours(1));
}

#[test]
fn invalid_calendars_are_rejected_with_the_reason() {
    assert!(matches!(
        BusinessCalendar::office_hours("Mars/Olympus"),
        Err(CalendarError::UnknownTimeZone(_))
    ));
    assert!(matches!(
        TimeFrame::parse("17:00-09:00"),
        Err(CalendarError::BadFrame(_))
    ));
    assert!(matches!(
        TimeFrame::parse("9-17"),
        Err(CalendarError::BadFrame(_))
    ));
    assert!(matches!(
        TimeFrame::parse("09:00-24:01"),
        Err(CalendarError::BadFrame(_))
    ));
    assert_eq!(
        TimeFrame::parse("00:00-24:00").unwrap(),
        TimeFrame::all_day()
    );
    let mut week: [Vec<TimeFrame>; 7] = Default::default();
    week[0] = vec![
        TimeFrame::parse("09:00-12:00").unwrap(),
        TimeFrame::parse("11:00-13:00").unwrap(),
    ];
    assert_eq!(
        BusinessCalendar::new("UTC", week, []),
        Err(CalendarError::Overlap { day: "monday" })
    );
    assert_eq!(
        BusinessCalendar::new("UTC", Default::default(), []),
        Err(CalendarError::NoHours)
    );
}
