# Notices sent to a party (the patient's or returnee's family) by SMS.
# Arguments: $person (the party head's reference), and for a day
# $crossing (the crossing's id), $crossing_name, $date (YYYY-MM-DD),
# $direction (outbound | inbound), $point (given | none), $place, $time (HH:MM).
# Keep each notice short: it is one SMS where possible.

notice-listed =
    Corridor: { $person } is on the waiting list for treatment abroad.
    We will call this number when a crossing day is planned. Keep your phone on.

notice-scheduled =
    Corridor: { $person } is scheduled to cross at { $crossing_name } on { $date }.
    { $point ->
        [given] Be at the assembly point, { $place }, at { $time }.
       *[none] We will call you with the assembly point and time.
    }
    { $direction ->
        [inbound] Bring the ID card or passport of everyone travelling.
       *[outbound] Bring the ID card or passport of everyone travelling, the referral letter and all medical reports.
    }

notice-standby =
    Corridor: { $person } is on the standby list for { $crossing_name } on { $date }.
    If a place frees up we will call you. Keep your phone on and be ready to travel.

notice-clearance-delayed =
    Corridor: the security clearance for { $person } has not been answered yet.
    You stay on the waiting list and we will ask again. You do not need to do anything.

notice-denied =
    Corridor: the security clearance for { $person } was denied.
    You stay on the waiting list. Your coordinator will call you about what can be done next.

notice-day-cancelled =
    Corridor: the crossing day at { $crossing_name } on { $date } is cancelled.
    Do not go to the assembly point. { $person } stays on the list and we will call you with a new day.
