# The words of corridor's screens, in English.
# Each message id is used by a template or by crates/web/src; the Arabic
# file (../ar/screens.ftl) has the same ids. Terms follow docs/GLOSSARY.md.

## The frame of every page

skip-to-content = Skip to content
sign-in = Sign in
sign-out = Sign out

nav-dashboard = Dashboard
nav-people = Waiting list
nav-register-patient = Register a patient
nav-register-returnee = Register a returnee
nav-beds = Beds
nav-clearance = Clearance
nav-plan = Day plan
nav-calls = Call list
nav-gate = Gate
nav-aid = Aid pipeline
nav-forecast = Forecast
nav-figures = Public figures
nav-exports = Downloads
nav-users = Users
nav-tokens = API tokens
nav-organisations = Organisations
nav-audit = Audit log
nav-account = Account

role-referrer = Referrer
role-coordinator = Coordinator
role-clearance-liaison = Clearance liaison
role-crossing-officer = Crossing officer
role-receiving-liaison = Receiving liaison
role-logistics-officer = Logistics officer
role-analyst = Analyst
role-admin = Admin

## Signing in

sign-in-intro = Medical evacuation, crossing days and aid at the border. Sign in with the account your admin gave you.
sign-in-username = User name
sign-in-password = Password
sign-in-refused = the user name or the password is wrong
sign-in-locked = too many failed sign-ins with this user name; wait { $seconds } s and try again, or ask an admin to reset the password

## The waiting list

people-title = Waiting list
people-search = Name or id
people-tier = Tier
people-status = Status
people-specialty = Specialty
people-age = Age
people-any = any
people-waiting = waiting
people-waited-more-than = Waited more than
people-days = days
people-filter = Filter
people-count = { $count ->
    [one] 1 person matches.
   *[other] { $shown } people match.
}
people-count-in-scope = { $count ->
    [one] 1 person matches, within your scope.
   *[other] { $shown } people match, within your scope.
}
people-page-of = Page { $page } of { $pages }.
people-id = Id
people-name = Name
people-referred = Referred
people-days-waiting = Days waiting
people-companions = Companions
page-previous = ← Previous
page-next = Next →
scope-own = You see only the people you registered.
scope-organisation = You see patients referred by { $organisation } and the people you registered.
filter-q = name or id { $value }
filter-role = role { $value }
filter-tier = tier { $value }
filter-status = status { $value }
filter-specialty = specialty { $value }
filter-age = age { $value }
filter-waited-more-than = waited more than (days) { $value }
filter-waited-less-than = waited less than (days) { $value }
empty-nobody-waiting = Nobody is waiting.
empty-no-match = Nobody matches { $count ->
    [one] the filter
   *[other] the filters
}: { $filters }. Remove a filter to see more.
empty-and-scope = { $why } { $scope }

tier-critical = critical
tier-urgent = urgent
tier-routine = routine

status-referred = referred
status-listed = listed
status-clearance-requested = clearance requested
status-cleared = cleared
status-denied = denied
status-delayed = delayed
status-scheduled = scheduled
status-crossed = crossed
status-admitted = admitted
status-returned = returned
status-died-while-waiting = died while waiting
status-withdrawn = withdrawn

specialty-oncology = oncology
specialty-haematology = haematology
specialty-orthopaedics = orthopaedics
specialty-neurosurgery = neurosurgery
specialty-cardiac-surgery = cardiac surgery
specialty-cardiology = cardiology
specialty-nephrology = nephrology
specialty-ophthalmology = ophthalmology
specialty-burns-plastic = burns and plastic surgery
specialty-paediatrics = paediatrics
specialty-rehabilitation = rehabilitation
specialty-general-surgery = general surgery

age-group-0-4 = 0–4
age-group-5-17 = 5–17
age-group-18-59 = 18–59
age-group-60-plus = 60 and over
