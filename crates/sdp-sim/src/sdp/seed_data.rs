//! Word lists of the seeded data: people, request subjects with their
//! classification, sentences, and the names of other modules' records.

/// First names of seeded requesters and technicians.
pub const FIRST: &[&str] = &[
    "Lincoln", "Heather", "Charles", "Amara", "Diego", "Fatima", "Greta", "Hiro", "Ingrid",
    "Jamal", "Keiko", "Liam", "Mei", "Nadia", "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Uma",
    "Victor", "Wen", "Yara", "Zane",
];
/// Last names of seeded people.
pub const LAST: &[&str] = &[
    "Reyes",
    "Graham",
    "Bennett",
    "Okoye",
    "Fernandez",
    "Khan",
    "Lindqvist",
    "Sato",
    "Berg",
    "Mensah",
    "Ito",
    "Murphy",
    "Chen",
    "Haddad",
    "Farouk",
    "Iyer",
    "Costa",
    "Romano",
    "Novak",
    "Pillai",
    "Herrera",
    "Zhang",
    "Aziz",
    "Cole",
];
/// Job titles.
pub const JOB_TITLES: &[&str] = &[
    "Analyst",
    "Accountant",
    "Engineer",
    "Sales Manager",
    "Recruiter",
    "Designer",
    "Consultant",
    "Office Manager",
    "Product Manager",
    "Paralegal",
];

/// A request subject template and its classification:
/// `(subject, category, subcategory, item)`; `{}` is filled from [`FILLERS`].
pub type SubjectTemplate = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

/// Request subjects common to every portal.
pub const SUBJECTS: &[SubjectTemplate] = &[
    (
        "VPN drops every few minutes",
        "Network",
        "VPN",
        Some("VPN Client"),
    ),
    (
        "Cannot connect to VPN from home",
        "Network",
        "VPN",
        Some("VPN Client"),
    ),
    (
        "VPN gateway unreachable from {}",
        "Network",
        "VPN",
        Some("VPN Gateway"),
    ),
    (
        "Wi-Fi very slow in meeting room {}",
        "Network",
        "Wi-Fi",
        Some("Access Point"),
    ),
    (
        "Cannot join the guest Wi-Fi",
        "Network",
        "Wi-Fi",
        Some("Wi-Fi Authentication"),
    ),
    (
        "Firewall rule needed for {}",
        "Network",
        "Firewall",
        Some("Rule Change"),
    ),
    (
        "Printer on floor {} not printing",
        "Hardware",
        "Printer",
        Some("Paper Jam"),
    ),
    (
        "Printer toner empty at {}",
        "Hardware",
        "Printer",
        Some("Toner"),
    ),
    (
        "Laptop battery drains within an hour",
        "Hardware",
        "Laptop",
        Some("Battery"),
    ),
    (
        "Laptop screen flickering",
        "Hardware",
        "Laptop",
        Some("Screen"),
    ),
    (
        "Laptop keyboard keys stuck",
        "Hardware",
        "Laptop",
        Some("Keyboard"),
    ),
    (
        "Request a second monitor",
        "Hardware",
        "Monitor",
        Some("Display"),
    ),
    (
        "Monitor shows no signal",
        "Hardware",
        "Monitor",
        Some("Display Cable"),
    ),
    (
        "Desktop does not power on",
        "Hardware",
        "Desktop",
        Some("Power Supply"),
    ),
    (
        "Outlook keeps asking for my password",
        "Software",
        "Email Client",
        Some("Outlook"),
    ),
    (
        "Outlook search returns no results",
        "Software",
        "Email Client",
        Some("Outlook"),
    ),
    (
        "Excel crashes when opening large files",
        "Software",
        "Office Suite",
        Some("Excel"),
    ),
    (
        "Word templates missing after update",
        "Software",
        "Office Suite",
        Some("Word"),
    ),
    (
        "Windows update failed with error {}",
        "Software",
        "Operating System",
        Some("Windows"),
    ),
    (
        "macOS upgrade request",
        "Software",
        "Operating System",
        Some("macOS"),
    ),
    (
        "Password reset for {}",
        "Access",
        "Password Reset",
        Some("AD Account"),
    ),
    (
        "Locked out of email account",
        "Access",
        "Password Reset",
        Some("Email Account"),
    ),
    (
        "New hire account for {}",
        "Access",
        "Account Creation",
        Some("New Hire Account"),
    ),
    (
        "Need access to shared drive {}",
        "Access",
        "Permissions",
        Some("Shared Drive"),
    ),
    (
        "Grant application role in {}",
        "Access",
        "Permissions",
        Some("Application Role"),
    ),
    (
        "Mailbox full, cannot send email",
        "Email",
        "Mailbox",
        Some("Mailbox Quota"),
    ),
    (
        "Create shared mailbox for {}",
        "Email",
        "Mailbox",
        Some("Shared Mailbox"),
    ),
    (
        "Suspicious phishing email received",
        "Email",
        "Spam",
        Some("Phishing Report"),
    ),
    ("General question about IT services", "General", "", None),
];

/// Extra subjects of the HR portal.
pub const HR_SUBJECTS: &[SubjectTemplate] = &[
    (
        "Payslip for {} missing",
        "Payroll",
        "Salary",
        Some("Payslip"),
    ),
    (
        "Salary change not reflected",
        "Payroll",
        "Salary",
        Some("Salary Revision"),
    ),
    (
        "Expense claim not reimbursed",
        "Payroll",
        "Expenses",
        Some("Expense Claim"),
    ),
    (
        "Question about health insurance coverage",
        "Benefits",
        "Health Insurance",
        Some("Coverage"),
    ),
    (
        "Update pension contribution",
        "Benefits",
        "Pension",
        Some("Contribution"),
    ),
];

/// Words substituted for `{}` in subjects.
pub const FILLERS: &[&str] = &[
    "Berlin",
    "3",
    "B-204",
    "Finance",
    "the CRM",
    "SAP",
    "0x80070005",
    "Ops",
    "Marketing",
    "5",
    "the warehouse",
    "March",
    "Project Atlas",
    "Legal",
    "Lisbon",
];

/// Sentences of request descriptions.
pub const SENTENCES: &[&str] = &[
    "It started this morning after the latest update.",
    "Several colleagues in my team see the same problem.",
    "I already restarted the machine twice.",
    "This blocks me from finishing the monthly report.",
    "The error appears every time I try again.",
    "It worked fine until yesterday afternoon.",
    "Please call me on my mobile if you need details.",
    "I attached a screenshot of the message.",
    "The issue is intermittent and hard to reproduce.",
    "My manager asked me to raise this as a priority.",
];

/// Texts of seeded notes.
pub const NOTES: &[&str] = &[
    "Called the user and collected more details.",
    "Waiting for the user to confirm the fix.",
    "Escalated to the second-level team.",
    "Reproduced the issue on a test machine.",
    "Vendor ticket opened, awaiting response.",
    "Applied the workaround from the knowledge base.",
];

/// Problem titles.
pub const PROBLEM_TITLES: &[&str] = &[
    "Mail relay flapping",
    "Recurring VPN disconnects",
    "Printer fleet driver crashes",
    "Slow logins on Monday mornings",
    "Intermittent Wi-Fi drops on floor 3",
    "Database deadlocks in the CRM",
    "Backup jobs failing nightly",
    "Disk space alerts on file server",
];
/// Change titles.
pub const CHANGE_TITLES: &[&str] = &[
    "Firewall upgrade",
    "Migrate mailboxes to the cloud",
    "Replace core switch",
    "Patch Windows servers",
    "Rotate TLS certificates",
    "Upgrade VPN gateway firmware",
    "Decommission legacy file server",
    "Roll out new Wi-Fi controller",
];
/// Release titles.
pub const RELEASE_TITLES: &[&str] = &[
    "Q3 desktop image",
    "CRM 5.2 rollout",
    "Intranet redesign",
    "Mobile app 2.0",
];
/// Project titles.
pub const PROJECT_TITLES: &[&str] = &[
    "Office move to Building C",
    "Laptop refresh 2026",
    "ERP upgrade",
    "Zero-trust network",
    "Service catalogue redesign",
    "Data centre consolidation",
    "MFA rollout",
];
/// Solution titles and their topics.
pub const SOLUTIONS: &[(&str, &str)] = &[
    ("Reset VPN profile", "Networking"),
    ("Fix Outlook password prompts", "Email"),
    ("Clear a printer paper jam", "Hardware"),
    ("Request access to a shared drive", "Accounts & Access"),
    ("Reset your AD password", "Accounts & Access"),
    ("Connect to the guest Wi-Fi", "Networking"),
    ("Extend laptop battery life", "Hardware"),
    ("Report a phishing email", "Email"),
    ("Install approved software", "Software"),
    ("Claim travel expenses", "HR Policies"),
];
/// Configuration item names and their CI types.
pub const CIS: &[(&str, &str)] = &[
    ("mail-relay-01", "Server"),
    ("crm-db-01", "Database"),
    ("core-switch-01", "Network Device"),
    ("vpn-gw-01", "Network Device"),
    ("file-srv-02", "Server"),
    ("Email Service", "Business Service"),
    ("CRM Service", "Business Service"),
    ("WS-FIN-014", "Workstation"),
];
